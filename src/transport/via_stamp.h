// Server-side Via stamping (RFC 3261 §18.2.1, RFC 3581 §4): before a received
// request is handed up, its top Via gets "received=<source IP>" when the
// sent-by host is not that IP, and, if the client asked with a bare "rport",
// "rport=<source port>" plus an unconditional received. Any received/rport the
// sender wrote itself is replaced, so a peer cannot steer our responses.
// Pure functions: no sockets, no clock.
#pragma once

#include <string>
#include <string_view>

#include "common/status.h"
#include "sip/endpoint.h"
#include "sip/message.h"
#include "sip/parser.h"

namespace sipreg::transport {

// `via_value` is one Via entry ("SIP/2.0/UDP host:port;branch=...;rport").
// Returns the stamped entry; other parameters keep their text and order, then
// ";received=IP" (IPv6 without brackets) and ";rport=PORT" are appended as needed.
// InvalidArgument if the entry does not parse as a Via.
Result<std::string> StampVia(std::string_view via_value, const sip::Endpoint& source);

// Applies StampVia to the top Via of `request` in place (the message is
// re-parsed from the rewritten bytes; untouched if nothing changes).
// InvalidArgument if the request has no Via or the top Via is malformed.
Status StampTopVia(sip::Message& request, const sip::Endpoint& source,
                   const sip::ParseLimits& limits = {});

}  // namespace sipreg::transport
