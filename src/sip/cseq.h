// CSeq (RFC 3261 §20.16): "4711 INVITE".
#pragma once

#include <cstdint>
#include <string_view>

#include "common/status.h"
#include "sip/method.h"

namespace sipreg::sip {

struct CSeq {
  uint32_t number = 0;
  std::string_view method_name;
  Method method = Method::kUnknown;
};

Result<CSeq> ParseCSeq(std::string_view value);

}  // namespace sipreg::sip
