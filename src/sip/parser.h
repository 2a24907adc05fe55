// Parse(): bytes of one complete SIP message -> Message. Pure: no I/O, clock or
// randomness. Malformed or over-limit input yields a Status naming the problem;
// it never throws and never reads out of bounds.
#pragma once

#include <cstddef>
#include <string_view>

#include "common/status.h"
#include "sip/message.h"

namespace sipreg::sip {

struct ParseLimits {
  size_t max_message_bytes = 65535;  // whole message incl. body
  size_t max_headers = 128;          // header lines
  size_t max_line_bytes = 8192;      // one start or header line (after unfolding)
};

// Parses one complete message. For datagrams, bytes beyond Content-Length are
// ignored (RFC 3261 §18.3); a Content-Length larger than what is there is an error.
// Without Content-Length, the body is the rest of the datagram.
Result<Message> Parse(std::string_view bytes, const ParseLimits& limits = {});

}  // namespace sipreg::sip
