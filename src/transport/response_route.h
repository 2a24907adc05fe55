// ResponseDestination: where a server transport sends a response (RFC 3261
// §18.2.2 with RFC 3581 §4). Pure function, testable without sockets.
//
//  * Reliable (TCP/TLS): the caller first tries the connection the request came
//    in on (SendOptions::connection). This returns the fallback for when that
//    connection is gone: the received IP and the sent-by port (default 5060,
//    5061 for TLS).
//  * Unreliable with maddr: the maddr address (must be an IP literal; no DNS
//    here) and the sent-by port (default 5060).
//  * Unreliable with rport: the received IP and the rport port (RFC 3581) —
//    i.e. exactly where the request came from.
//  * Unreliable otherwise: the received IP and the sent-by port (default 5060).
// "received IP" is the Via's received parameter, or the source IP when the Via
// has none (StampVia only leaves it out when sent-by already is that IP).
// The returned transport is source.transport.
#pragma once

#include <cstdint>

#include "common/status.h"
#include "sip/endpoint.h"
#include "sip/via.h"

namespace sipreg::transport {

// 5061 for TLS, 5060 otherwise (RFC 3261 §19.1.2).
uint16_t DefaultSipPort(sip::TransportKind kind);

// `top_via` is the top Via of the request (as stamped by StampTopVia, or not),
// `source` the address the request arrived from.
Result<sip::Endpoint> ResponseDestination(const sip::Via& top_via, const sip::Endpoint& source);

}  // namespace sipreg::transport
