// Peer views for the admin: `sip show peers`, `sip show peer NAME` and the JSON
// of /api/peers, built from the accounts and their current bindings. Pure
// formatting, byte-for-byte in chan_sip's layout:
//   Name/username             Host                                    Dyn NAT ACL Port     Status
//   demo-alice                (Unspecified)                            D   N   A  5060     Unmonitored
//   2 sip peers [Monitored: 0 online, 0 offline Unmonitored: 1 online, 1 offline]
#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "common/clock.h"
#include "registrar/account.h"
#include "registrar/binding.h"

namespace sipreg::registrar {

struct PeerView {
  const Account* account = nullptr;
  std::vector<Binding> bindings;  // unexpired, newest registration first
};

// Qualify is not running yet: monitored peers show UNKNOWN, others Unmonitored.
std::string PeerStatus(const PeerView& p);

std::string FormatSipShowPeers(const std::vector<PeerView>& peers);
std::string FormatSipShowPeer(const PeerView& peer, WallTime now);
nlohmann::json PeersJson(const std::vector<PeerView>& peers, WallTime now);

}  // namespace sipreg::registrar
