// Peer views for the admin: `sip show peers`, `sip show peer NAME` and the JSON
// of /api/peers, built from the accounts and their current bindings. Pure
// formatting, byte-for-byte in chan_sip's layout:
//   Name/username             Host                                    Dyn NAT ACL Port     Status
//   demo-alice                (Unspecified)                            D   N   A  5060     Unmonitored
//   2 sip peers [Monitored: 0 online, 0 offline Unmonitored: 1 online, 1 offline]
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "common/clock.h"
#include "registrar/account.h"
#include "registrar/binding.h"
#include "registrar/qualify.h"

namespace sipreg::registrar {

struct PeerView {
  const Account* account = nullptr;
  std::vector<Binding> bindings;  // unexpired, newest registration first
  // Qualify results, when the account is monitored: the best contact's, and each
  // contact's by Contact URI.
  std::optional<QualifyStatus> qualify;
  std::map<std::string, QualifyStatus> contact_qualify;
};

// chan_sip's Status column: "Unmonitored" without qualify; otherwise "OK (3 ms)",
// "LAGGED (2503 ms)", "UNREACHABLE", or "UNKNOWN" (not registered, or no answer yet).
std::string PeerStatus(const PeerView& p);
// Counted "online" in the summary line: a monitored peer when it answers qualify
// (OK or LAGGED); an unmonitored one when it has an address.
bool PeerOnline(const PeerView& p);

std::string FormatSipShowPeers(const std::vector<PeerView>& peers);
std::string FormatSipShowPeer(const PeerView& peer, WallTime now);
nlohmann::json PeersJson(const std::vector<PeerView>& peers, WallTime now);

}  // namespace sipreg::registrar
