// RegistrationView: one line of the Status tab and of GET /api/status — what an
// installer needs to see about one registered extension.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

namespace sipreg::device {

// The guide's status words, exactly as the web interface shows them.
inline constexpr const char* kStatusSuccessful = "Successful";
inline constexpr const char* kStatusRejected = "Rejected by Server";
inline constexpr const char* kStatusNoReply = "No reply from server";
inline constexpr const char* kStatusRegistering = "Registering";
inline constexpr const char* kStatusDisabled = "Disabled";

struct RegistrationView {
  std::string id;         // config section: "page", "page.2", "alert.1", "alert.1.cancel"
  std::string type;       // "page", "ring", "alert", "alert-cancel"
  std::string extension;
  std::string auth_id;
  std::string status;     // one of the kStatus* words
  int code = 0;           // last final status code (0: none yet)
  std::string reason;     // its reason phrase, or "timeout" / the transport error
  std::string detail;     // the hint: what the code means and what to check
  std::optional<int64_t> expires_in;  // seconds left of the current registration
  std::string server;     // the address used, "udp:192.0.2.10:5060"
};

}  // namespace sipreg::device
