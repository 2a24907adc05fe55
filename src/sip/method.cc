#include "sip/method.h"

namespace sipreg::sip {

Method LookupMethod(std::string_view token) {
  // Method names are case-sensitive (RFC 3261 §7.1); dispatch on length first.
  switch (token.size()) {
    case 3:
      if (token == "ACK") return Method::kAck;
      if (token == "BYE") return Method::kBye;
      break;
    case 4:
      if (token == "INFO") return Method::kInfo;
      break;
    case 5:
      if (token == "PRACK") return Method::kPrack;
      if (token == "REFER") return Method::kRefer;
      break;
    case 6:
      if (token == "INVITE") return Method::kInvite;
      if (token == "CANCEL") return Method::kCancel;
      if (token == "NOTIFY") return Method::kNotify;
      if (token == "UPDATE") return Method::kUpdate;
      break;
    case 7:
      if (token == "OPTIONS") return Method::kOptions;
      if (token == "MESSAGE") return Method::kMessage;
      if (token == "PUBLISH") return Method::kPublish;
      break;
    case 8:
      if (token == "REGISTER") return Method::kRegister;
      break;
    case 9:
      if (token == "SUBSCRIBE") return Method::kSubscribe;
      break;
    default:
      break;
  }
  return Method::kUnknown;
}

std::string_view MethodName(Method m) {
  switch (m) {
    case Method::kUnknown:
      return "";
    case Method::kInvite:
      return "INVITE";
    case Method::kAck:
      return "ACK";
    case Method::kBye:
      return "BYE";
    case Method::kCancel:
      return "CANCEL";
    case Method::kRegister:
      return "REGISTER";
    case Method::kOptions:
      return "OPTIONS";
    case Method::kInfo:
      return "INFO";
    case Method::kUpdate:
      return "UPDATE";
    case Method::kPrack:
      return "PRACK";
    case Method::kSubscribe:
      return "SUBSCRIBE";
    case Method::kNotify:
      return "NOTIFY";
    case Method::kRefer:
      return "REFER";
    case Method::kMessage:
      return "MESSAGE";
    case Method::kPublish:
      return "PUBLISH";
  }
  return "";
}

}  // namespace sipreg::sip
