// ConfigDirectory: the AccountDirectory over a loaded ServerConfig, indexed by
// the AOR phones register to (hash lookup: the REGISTER path is hot). Holds
// views into `config`, which must outlive it and not change.
#pragma once

#include <string_view>
#include <string>
#include <unordered_map>

#include "registrar/registrar.h"
#include "registrar/server_config.h"

namespace sipreg::registrar {

class ConfigDirectory final : public AccountDirectory {
 public:
  explicit ConfigDirectory(const ServerConfig& config) {
    by_aor_.reserve(config.accounts.size());
    for (const Account& a : config.accounts) by_aor_.emplace(a.aor, &a);
    // What callers may dial: the name, then extension=, then the callerid number
    // (the first account claiming a number keeps it).
    for (const Account& a : config.accounts) dial_.emplace(a.name, &a);
    for (const Account& a : config.accounts) {
      if (!a.extension.empty()) dial_.emplace(a.extension, &a);
    }
    for (const Account& a : config.accounts) {
      std::string number = CallerIdNumber(a.callerid);
      if (!number.empty()) dial_.emplace(std::move(number), &a);
    }
    for (const RingGroup& g : config.groups) {
      groups_.emplace(g.name, &g);
      if (!g.extension.empty()) groups_.emplace(g.extension, &g);
    }
  }
  const RingGroup* FindGroup(std::string_view user) const override {
    auto it = groups_.find(std::string(user));
    return it == groups_.end() ? nullptr : it->second;
  }
  // The account a Request-URI user names: account name, extension or callerid number.
  const Account* FindCallee(std::string_view user) const override {
    auto it = dial_.find(std::string(user));
    return it == dial_.end() ? nullptr : it->second;
  }
  const Account* Find(std::string_view aor) const override {
    auto it = by_aor_.find(aor);
    return it == by_aor_.end() ? nullptr : it->second;
  }
  size_t size() const { return by_aor_.size(); }

 private:
  std::unordered_map<std::string_view, const Account*> by_aor_;
  std::unordered_map<std::string, const Account*> dial_;
  std::unordered_map<std::string, const RingGroup*> groups_;
};

}  // namespace sipreg::registrar
