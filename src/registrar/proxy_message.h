// Proxy message surgery (RFC 3261 §16.6, §16.7, §9.1): the pure functions a
// stateful proxy applies to the bytes it relays. No sockets, no state.
//   ForwardRequest  copy of a request for one target: new Request-URI, Max-Forwards
//                   decremented, our Via on top, Record-Route added, our Route popped
//   StripTopVia     a response as it goes upstream: our Via removed
//   BuildCancel     the CANCEL for a forwarded INVITE (same R-URI, Call-ID, From,
//                   To, CSeq number, top Via only, Route set kept)
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "common/status.h"
#include "sip/message.h"

namespace sipreg::registrar {

struct ForwardSpec {
  std::optional<std::string> request_uri;  // retarget to this URI; unset: keep
  std::string via;                         // Via value to add on top
  std::string record_route;                // Record-Route value to add first; empty: none
  bool pop_route = false;                  // drop the first Route value (it names us)
};

// The Max-Forwards a request carries; 70 when absent (§16.6 step 3 inserts it).
// nullopt for an unparsable value.
std::optional<uint32_t> MaxForwards(const sip::Message& request);

// RFC 3261 §16.6 steps 1-8. InvalidArgument if Max-Forwards is already 0 (the
// caller answers 483 first) or unparsable.
Result<std::string> ForwardRequest(const sip::Message& request, const ForwardSpec& spec);

// The response without its top Via value (the one this proxy added).
Result<std::string> StripTopVia(const sip::Message& response);

// §9.1: the CANCEL for `invite` as we forwarded it.
Result<std::string> BuildCancel(const sip::Message& invite);

// The first value of the first Route header, or empty.
std::string_view TopRoute(const sip::Message& request);

}  // namespace sipreg::registrar
