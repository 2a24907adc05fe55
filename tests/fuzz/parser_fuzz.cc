// libFuzzer target for Parse() and the header grammars. Besides "no crash, no
// UB", it checks the round-trip property: whatever Parse() accepts, Serialize()
// re-emits as a message that parses to the same start line, headers and body.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "sip/contact.h"
#include "sip/cseq.h"
#include "sip/header_list.h"
#include "sip/name_addr.h"
#include "sip/parser.h"
#include "sip/serializer.h"
#include "sip/uri.h"
#include "sip/via.h"

namespace sipreg::sip {
namespace {

void Check(bool condition) {
  if (!condition) __builtin_trap();
}

void ExerciseHeaders(const Message& m) {
  (void)CheckHeaderSyntax(m);
  for (std::string_view via : m.Values(HeaderId::kVia)) {
    Result<Via> v = ParseVia(via);
    if (v.ok()) {
      (void)v->rport_value();
      (void)v->is_rfc3261_branch();
    }
  }
  for (HeaderId id : {HeaderId::kFrom, HeaderId::kTo}) {
    Result<NameAddr> na = ParseNameAddr(m.Value(id));
    if (na.ok()) (void)Unescape(na->uri.user);
  }
  for (std::string_view route : m.Values(HeaderId::kRoute)) (void)ParseNameAddr(route);
  for (const Header& h : m.headers()) {
    if (h.id != HeaderId::kContact) continue;
    Result<ContactList> contacts = ParseContacts(h.value);
    if (!contacts.ok()) continue;
    for (const Contact& c : contacts->contacts) {
      (void)c.expires();
      (void)c.q();
      (void)c.instance();
      (void)c.reg_id();
    }
  }
  (void)ParseCSeq(m.cseq());
  if (m.is_request()) {
    Result<Uri> uri = ParseUri(m.request_uri());
    if (uri.ok()) (void)uri->host_no_brackets();
  }
  (void)m.top_via();
  (void)m.Find("X-Unknown");
}

void CheckRoundTrip(const Message& a) {
  const std::string text = Serialize(a);
  // Serialization adds a Content-Length line and normalises spacing, so the
  // re-parse gets room beyond the limits the original was held to.
  ParseLimits roomy;
  roomy.max_message_bytes = 1 << 24;
  roomy.max_headers = 1 << 20;
  roomy.max_line_bytes = 1 << 24;
  Result<Message> b = Parse(text, roomy);
  Check(b.ok());
  Check(a.is_request() == b->is_request());
  Check(a.method_name() == b->method_name());
  Check(a.request_uri() == b->request_uri());
  Check(a.status_code() == b->status_code());
  Check(a.reason_phrase() == b->reason_phrase());
  Check(a.body() == b->body());
  size_t ib = 0;
  for (const Header& h : a.headers()) {
    if (h.id == HeaderId::kContentLength) continue;
    while (ib < b->headers().size() && b->headers()[ib].id == HeaderId::kContentLength) ++ib;
    Check(ib < b->headers().size());
    Check(b->headers()[ib].name == h.name);
    Check(b->headers()[ib].value == h.value);
    ++ib;
  }
  Check(Serialize(*b) == text);
}

}  // namespace
}  // namespace sipreg::sip

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace sipreg;       // NOLINT: local to the entry point
  using namespace sipreg::sip;  // NOLINT
  std::string_view bytes(reinterpret_cast<const char*>(data), size);
  ParseLimits limits;
  if (size % 7 == 0) {
    // Some inputs run under tight limits to exercise the LimitExceeded paths.
    limits.max_headers = 8;
    limits.max_line_bytes = 128;
    limits.max_message_bytes = 1024;
  }
  Result<Message> m = Parse(bytes, limits);
  if (!m.ok()) {
    Check(!m.status().message().empty());
    return 0;
  }
  ExerciseHeaders(*m);
  CheckRoundTrip(*m);
  (void)MakeResponse(*m, 200, {}, "fuzztag").Build();
  return 0;
}
