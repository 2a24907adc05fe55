// Generic ";name=value" parameter lists as used by URIs, Via, Contact, To/From.
// Names compare case-insensitively; values are raw views (quoted values keep quotes off).
#pragma once

#include <optional>
#include <string_view>
#include <vector>

namespace sipreg::sip {

struct Param {
  std::string_view name;
  std::string_view value;  // empty when the parameter has no "=value"
  bool has_value = false;
};

class ParamList {
 public:
  std::vector<Param>& items() { return items_; }
  const std::vector<Param>& items() const { return items_; }
  bool Has(std::string_view name) const;
  // The value of the first parameter named `name`; nullopt if absent.
  std::optional<std::string_view> Get(std::string_view name) const;

 private:
  std::vector<Param> items_;
};

}  // namespace sipreg::sip
