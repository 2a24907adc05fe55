// name-addr / addr-spec with header parameters, as in From, To, Contact, Route,
// Record-Route (RFC 3261 §20.10, §25.1). Zero-copy views into the input.
#pragma once

#include <string_view>

#include "common/status.h"
#include "sip/params.h"
#include "sip/uri.h"

namespace sipreg::sip {

struct NameAddr {
  std::string_view display_name;  // unquoted content of a quoted string, or token sequence
  bool display_name_quoted = false;
  Uri uri;
  bool angle_brackets = false;  // written as <uri>
  ParamList params;             // header params after the address: ;tag=..;expires=..
  std::string_view raw;

  std::optional<std::string_view> tag() const { return params.Get("tag"); }
};

// Parses one name-addr or addr-spec followed by ;params. With addr-spec (no <>),
// parameters after the URI belong to the header, as RFC 3261 §20 requires.
Result<NameAddr> ParseNameAddr(std::string_view text);

}  // namespace sipreg::sip
