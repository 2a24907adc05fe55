#include "registrar/reg_error.h"

namespace sipreg::registrar {

RegErrorInfo Describe(RegError e) {
  switch (e) {
    case RegError::kOk: return {200, "OK", "", "SuccessfulAuth", false};
    case RegError::kChallenge: return {401, "Unauthorized", "", "ChallengeSent", false};
    case RegError::kStaleNonce: return {401, "Unauthorized", "", "ChallengeSent", false};
    case RegError::kWrongPassword:
      return {401, "Unauthorized", "Wrong password", "InvalidPassword", true};
    case RegError::kNoMatchingPeer:
      return {404, "Not Found", "No matching peer found", "InvalidAccountID", true};
    case RegError::kAuthNameMismatch:
      return {403, "Forbidden", "Username/auth name mismatch", "InvalidAccountID", true};
    case RegError::kAclDenied:
      return {403, "Forbidden", "Device does not match ACL", "FailedACL", true};
    case RegError::kNotDynamic:
      return {403, "Forbidden", "Peer is not supposed to register", "InvalidAccountID", true};
    case RegError::kTooManyContacts:
      return {403, "Forbidden (Too many contacts)", "Too many contacts", "", false};
    case RegError::kIntervalTooBrief: return {423, "Interval Too Brief", "", "", false};
    case RegError::kInvalidStar:
      return {400, "Bad Request (Contact: * needs Expires: 0 and no other Contact)",
              "Invalid Contact: *", "RequestBadFormat", false};
    case RegError::kBadContact:
      return {400, "Bad Request (invalid Contact)", "Invalid Contact", "RequestBadFormat", false};
    case RegError::kOutOfOrder:
      return {400, "Bad Request (CSeq out of order)", "CSeq out of order", "", false};
    case RegError::kMalformed: return {400, "Bad Request", "Malformed request", "RequestBadFormat", false};
    case RegError::kUnsupportedRequire: return {420, "Bad Extension", "", "", false};
    case RegError::kBlocked:
      return {403, "Forbidden", "Blocked: too many failed attempts", "AddressBlocked", false};
    case RegError::kStoreFailed:
      return {500, "Server Internal Error", "Could not store the binding", "", false};
  }
  return {500, "Server Internal Error", "", "", false};
}

std::string_view RegErrorName(RegError e) {
  switch (e) {
    case RegError::kOk: return "ok";
    case RegError::kChallenge: return "challenge";
    case RegError::kStaleNonce: return "stale_nonce";
    case RegError::kWrongPassword: return "wrong_password";
    case RegError::kNoMatchingPeer: return "no_matching_peer";
    case RegError::kAuthNameMismatch: return "auth_name_mismatch";
    case RegError::kAclDenied: return "acl_denied";
    case RegError::kNotDynamic: return "not_dynamic";
    case RegError::kTooManyContacts: return "too_many_contacts";
    case RegError::kIntervalTooBrief: return "interval_too_brief";
    case RegError::kInvalidStar: return "invalid_star";
    case RegError::kBadContact: return "bad_contact";
    case RegError::kOutOfOrder: return "out_of_order";
    case RegError::kMalformed: return "malformed";
    case RegError::kUnsupportedRequire: return "unsupported_require";
    case RegError::kBlocked: return "blocked";
    case RegError::kStoreFailed: return "store_failed";
  }
  return "unknown";
}

}  // namespace sipreg::registrar
