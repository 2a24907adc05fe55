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

// Parse() frames the message and checks the start line, Content-Length, the
// mandatory request headers and CSeq; it leaves the other header grammars for
// later to stay cheap. CheckHeaderSyntax() runs them: every Via entry, From,
// To, Contact, Route, Record-Route and Path entries, and numeric Max-Forwards /
// Expires / Min-Expires. A registrar or proxy calls it before acting on a
// request; the InvalidArgument message names the header.
Status CheckHeaderSyntax(const Message& m);

}  // namespace sipreg::sip
