// ConfigDirectory: the AccountDirectory over a loaded ServerConfig, indexed by
// the AOR phones register to (hash lookup: the REGISTER path is hot). Holds
// views into `config`, which must outlive it and not change.
#pragma once

#include <string_view>
#include <unordered_map>

#include "registrar/registrar.h"
#include "registrar/server_config.h"

namespace sipreg::registrar {

class ConfigDirectory final : public AccountDirectory {
 public:
  explicit ConfigDirectory(const ServerConfig& config) {
    by_aor_.reserve(config.accounts.size());
    for (const Account& a : config.accounts) by_aor_.emplace(a.aor, &a);
  }
  const Account* Find(std::string_view aor) const override {
    auto it = by_aor_.find(aor);
    return it == by_aor_.end() ? nullptr : it->second;
  }
  size_t size() const { return by_aor_.size(); }

 private:
  std::unordered_map<std::string_view, const Account*> by_aor_;
};

}  // namespace sipreg::registrar
