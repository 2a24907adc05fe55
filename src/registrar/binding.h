// Binding: one registered contact of an account (RFC 3261 §10.3), as stored in
// memory and in SQLite. Times are wall-clock (system_clock) so they survive a
// restart; `expires_at` is absolute.
#pragma once

#include <cstdint>
#include <string>

#include "common/clock.h"
#include "sip/endpoint.h"

namespace sipreg::registrar {

struct Binding {
  std::string aor;            // account name ("demo-alice")
  std::string contact;        // the Contact URI as registered ("sip:demo-alice@10.0.0.5:5062")
  std::string call_id;
  uint32_t cseq = 0;
  WallTime expires_at;
  WallTime registered_at;
  float q = 1.0f;
  std::string instance;       // +sip.instance (RFC 5626), empty if none
  uint32_t reg_id = 0;
  std::string user_agent;
  std::string path;           // Path header values (RFC 3327), comma-joined
  // Where the REGISTER came from: routing target under nat=force_rport.
  sip::Endpoint received;
  uint64_t connection_id = 0;  // TCP/TLS connection it arrived on (0 for UDP / not tied)

  bool operator==(const Binding&) const = default;
};

}  // namespace sipreg::registrar
