#include "registrar/ring_group.h"

#include <algorithm>
#include <set>

#include <fmt/format.h>

namespace sipreg::registrar {
namespace {

std::string At(const SourceLocation& where) { return fmt::format("{}:{}", where.file, where.line); }

}  // namespace

bool IsRingGroupSection(const ConfigSection& section) {
  const ConfigEntry* type = section.Find("type");
  return !section.is_template && type != nullptr && AsciiLower(type->value) == "group";
}

Result<RingGroup> ReadRingGroup(const ConfigSection& section, std::vector<std::string>& warnings) {
  RingGroup g;
  g.name = section.name;
  g.defined_at = section.where;
  for (const ConfigEntry& e : section.entries) {
    if (e.key == "type") continue;
    if (e.key == "members" || e.key == "member") {
      for (auto& m : SplitList(e.value)) {
        if (std::find(g.members.begin(), g.members.end(), m) == g.members.end()) {
          g.members.push_back(std::move(m));
        }
      }
    } else if (e.key == "strategy") {
      const std::string v = AsciiLower(e.value);
      if (v == "ringall") {
        g.strategy = RingGroup::Strategy::kRingAll;
      } else if (v == "hunt" || v == "linear") {
        g.strategy = RingGroup::Strategy::kHunt;
      } else {
        return e.BadValue("ringall or hunt");
      }
    } else if (e.key == "ring_timeout") {
      auto v = ReadUint(e, 1, 3600, "seconds");
      if (!v.ok()) return v.status();
      g.ring_timeout = std::chrono::seconds(*v);
    } else if (e.key == "extension") {
      if (e.value.empty() || e.value.find_first_of(" \t;,<>\"@:") != std::string::npos) {
        return e.BadValue("an extension number or name (no spaces, ;,<>\"@:)");
      }
      g.extension = e.value;
    } else {
      warnings.push_back(fmt::format("{}:{}: unknown key '{}' in group [{}], ignored",
                                     e.where.file, e.where.line, e.key, section.name));
    }
  }
  if (g.members.empty()) {
    return Status::InvalidArgument(
        fmt::format("{}: group [{}] has no members= (accounts to ring)", At(g.defined_at), g.name));
  }
  return g;
}

Status CheckRingGroups(const std::vector<RingGroup>& groups, const std::vector<Account>& accounts) {
  std::set<std::string> account_names, dialable;
  for (const Account& a : accounts) {
    account_names.insert(a.name);
    dialable.insert(a.name);
    if (!a.extension.empty()) dialable.insert(a.extension);
  }
  std::set<std::string> seen;
  for (const RingGroup& g : groups) {
    for (const std::string& m : g.members) {
      if (!account_names.count(m)) {
        return Status::InvalidArgument(fmt::format("{}: group [{}] member '{}' is no account",
                                                   At(g.defined_at), g.name, m));
      }
    }
    for (const std::string& id : {g.name, g.extension}) {
      if (id.empty()) continue;
      if (dialable.count(id) || !seen.insert(id).second) {
        return Status::InvalidArgument(fmt::format(
            "{}: group [{}]: '{}' is already the name or extension of an account or group",
            At(g.defined_at), g.name, id));
      }
    }
  }
  return Status::Ok();
}

}  // namespace sipreg::registrar
