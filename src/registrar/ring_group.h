// RingGroup: sipreg's own section type, the same in sip.conf and pjsip.conf, so
// a call to one number rings several accounts — how a loud ringer or paging
// device joins a desk phone ("added as part of a hunt group or ring group"):
//   [sales]
//   type=group
//   members=demo-alice,lobby-ringer   ; accounts, in hunt order (repeat the line to add more)
//   strategy=ringall                  ; ringall: every member at once; hunt: in order
//   ring_timeout=20                   ; seconds: in all (ringall) / per member (hunt)
//   extension=600                     ; optional number to dial besides the name
#pragma once

#include <chrono>
#include <string>
#include <vector>

#include "common/status.h"
#include "registrar/account.h"
#include "registrar/config_file.h"

namespace sipreg::registrar {

struct RingGroup {
  enum class Strategy : uint8_t { kRingAll, kHunt };
  std::string name;
  std::string extension;
  std::vector<std::string> members;  // account names
  Strategy strategy = Strategy::kRingAll;
  std::chrono::seconds ring_timeout{20};
  SourceLocation defined_at;
};

// True if the section says type=group.
bool IsRingGroupSection(const ConfigSection& section);
// Reads one type=group section. Unknown keys are warnings ("FILE:LINE: ...").
Result<RingGroup> ReadRingGroup(const ConfigSection& section, std::vector<std::string>& warnings);
// Every member names an account; no group shares a name or number with an
// account or another group. Errors name the group's FILE:LINE.
Status CheckRingGroups(const std::vector<RingGroup>& groups, const std::vector<Account>& accounts);

}  // namespace sipreg::registrar
