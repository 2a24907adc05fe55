// BuildAckForNon2xx: the ACK a client INVITE transaction sends for a 300-699
// final response (RFC 3261 §17.1.1.3). It is the AckBuilder normally given to
// ClientInviteTransaction.
//
// The ACK has the INVITE's Request-URI, Call-ID, From, CSeq number (method
// ACK), only the INVITE's top Via (so its branch matches the transaction),
// every Route header of the INVITE in order, the To header of the response
// (with the tag the server added), the INVITE's Max-Forwards (70 if it had
// none) and no body.
#pragma once

#include <string>
#include <string_view>

#include "common/status.h"

namespace sipreg::txn {

// `invite` and `response` are complete messages as bytes. InvalidArgument if
// either does not parse, `invite` is not an INVITE, `response` is not a
// 300-699 response, or a header the ACK needs is missing.
Result<std::string> BuildAckForNon2xx(std::string_view invite, std::string_view response);

}  // namespace sipreg::txn
