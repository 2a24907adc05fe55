// SIP request methods (RFC 3261 and extensions). Method names are case-sensitive.
#pragma once

#include <cstdint>
#include <string_view>

namespace sipreg::sip {

enum class Method : uint8_t {
  kUnknown = 0,
  kInvite,
  kAck,
  kBye,
  kCancel,
  kRegister,
  kOptions,
  kInfo,
  kUpdate,
  kPrack,
  kSubscribe,
  kNotify,
  kRefer,
  kMessage,
  kPublish,
};

Method LookupMethod(std::string_view token);
std::string_view MethodName(Method m);  // "" for kUnknown

}  // namespace sipreg::sip
