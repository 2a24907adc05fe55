#include "sip/header_id.h"

#include "sip/grammar.h"

namespace sipreg::sip {

namespace {

struct NameEntry {
  std::string_view lower;  // full name, lower case
  HeaderId id;
};

// Compares `name` case-insensitively against an all-lower-case literal of the same length.
inline bool MatchesLower(std::string_view name, std::string_view lower) {
  for (size_t i = 0; i < lower.size(); ++i) {
    if (grammar::ToLower(name[i]) != lower[i]) return false;
  }
  return true;
}

template <size_t N>
HeaderId Scan(std::string_view name, const NameEntry (&candidates)[N]) {
  const char first = grammar::ToLower(name[0]);
  for (const NameEntry& e : candidates) {
    if (e.lower[0] == first && MatchesLower(name, e.lower)) return e.id;
  }
  return HeaderId::kOther;
}

// Full names grouped by length, lower case.
constexpr NameEntry kLen2[] = {{"to", HeaderId::kTo}};
constexpr NameEntry kLen3[] = {{"via", HeaderId::kVia}};
constexpr NameEntry kLen4[] = {{"from", HeaderId::kFrom},
                               {"cseq", HeaderId::kCSeq},
                               {"date", HeaderId::kDate},
                               {"path", HeaderId::kPath}};
constexpr NameEntry kLen5[] = {
    {"route", HeaderId::kRoute}, {"allow", HeaderId::kAllow}, {"event", HeaderId::kEvent}};
constexpr NameEntry kLen6[] = {{"accept", HeaderId::kAccept}, {"server", HeaderId::kServer}};
constexpr NameEntry kLen7[] = {{"call-id", HeaderId::kCallId},  {"contact", HeaderId::kContact},
                               {"expires", HeaderId::kExpires}, {"require", HeaderId::kRequire},
                               {"subject", HeaderId::kSubject}, {"warning", HeaderId::kWarning}};
constexpr NameEntry kLen8[] = {{"refer-to", HeaderId::kReferTo}, {"identity", HeaderId::kIdentity}};
constexpr NameEntry kLen9[] = {{"supported", HeaderId::kSupported}};
constexpr NameEntry kLen10[] = {{"user-agent", HeaderId::kUserAgent}};
constexpr NameEntry kLen11[] = {{"min-expires", HeaderId::kMinExpires},
                                {"referred-by", HeaderId::kReferredBy},
                                {"unsupported", HeaderId::kUnsupported}};
constexpr NameEntry kLen12[] = {{"content-type", HeaderId::kContentType},
                                {"max-forwards", HeaderId::kMaxForwards},
                                {"record-route", HeaderId::kRecordRoute},
                                {"allow-events", HeaderId::kAllowEvents}};
constexpr NameEntry kLen13[] = {{"authorization", HeaderId::kAuthorization},
                                {"proxy-require", HeaderId::kProxyRequire}};
constexpr NameEntry kLen14[] = {{"content-length", HeaderId::kContentLength},
                                {"accept-contact", HeaderId::kAcceptContact},
                                {"reject-contact", HeaderId::kRejectContact}};
constexpr NameEntry kLen15[] = {{"session-expires", HeaderId::kSessionExpires}};
constexpr NameEntry kLen16[] = {{"www-authenticate", HeaderId::kWwwAuthenticate},
                                {"content-encoding", HeaderId::kContentEncoding}};
constexpr NameEntry kLen18[] = {{"proxy-authenticate", HeaderId::kProxyAuthenticate}};
constexpr NameEntry kLen19[] = {{"proxy-authorization", HeaderId::kProxyAuthorization},
                                {"request-disposition", HeaderId::kRequestDisposition}};

HeaderId LookupCompact(char c) {
  switch (grammar::ToLower(c)) {
    case 'a':
      return HeaderId::kAcceptContact;
    case 'b':
      return HeaderId::kReferredBy;
    case 'c':
      return HeaderId::kContentType;
    case 'd':
      return HeaderId::kRequestDisposition;
    case 'e':
      return HeaderId::kContentEncoding;
    case 'f':
      return HeaderId::kFrom;
    case 'i':
      return HeaderId::kCallId;
    case 'j':
      return HeaderId::kRejectContact;
    case 'k':
      return HeaderId::kSupported;
    case 'l':
      return HeaderId::kContentLength;
    case 'm':
      return HeaderId::kContact;
    case 'o':
      return HeaderId::kEvent;
    case 'r':
      return HeaderId::kReferTo;
    case 's':
      return HeaderId::kSubject;
    case 't':
      return HeaderId::kTo;
    case 'u':
      return HeaderId::kAllowEvents;
    case 'v':
      return HeaderId::kVia;
    case 'x':
      return HeaderId::kSessionExpires;
    case 'y':
      return HeaderId::kIdentity;
    default:
      return HeaderId::kOther;
  }
}

}  // namespace

HeaderId LookupHeaderId(std::string_view name) {
  using H = HeaderId;
  switch (name.size()) {
    case 0:
      return H::kOther;
    case 1:
      return LookupCompact(name[0]);
    case 2:
      return Scan(name, kLen2);
    case 3:
      return Scan(name, kLen3);
    case 4:
      return Scan(name, kLen4);
    case 5:
      return Scan(name, kLen5);
    case 6:
      return Scan(name, kLen6);
    case 7:
      return Scan(name, kLen7);
    case 8:
      return Scan(name, kLen8);
    case 9:
      return Scan(name, kLen9);
    case 10:
      return Scan(name, kLen10);
    case 11:
      return Scan(name, kLen11);
    case 12:
      return Scan(name, kLen12);
    case 13:
      return Scan(name, kLen13);
    case 14:
      return Scan(name, kLen14);
    case 15:
      return Scan(name, kLen15);
    case 16:
      return Scan(name, kLen16);
    case 18:
      return Scan(name, kLen18);
    case 19:
      return Scan(name, kLen19);
    default:
      return H::kOther;
  }
}

std::string_view CanonicalHeaderName(HeaderId id) {
  using H = HeaderId;
  switch (id) {
    case H::kOther:
      return "";
    case H::kAccept:
      return "Accept";
    case H::kAcceptContact:
      return "Accept-Contact";
    case H::kAllow:
      return "Allow";
    case H::kAllowEvents:
      return "Allow-Events";
    case H::kAuthorization:
      return "Authorization";
    case H::kCallId:
      return "Call-ID";
    case H::kContact:
      return "Contact";
    case H::kContentEncoding:
      return "Content-Encoding";
    case H::kContentLength:
      return "Content-Length";
    case H::kContentType:
      return "Content-Type";
    case H::kCSeq:
      return "CSeq";
    case H::kDate:
      return "Date";
    case H::kEvent:
      return "Event";
    case H::kExpires:
      return "Expires";
    case H::kFrom:
      return "From";
    case H::kMaxForwards:
      return "Max-Forwards";
    case H::kMinExpires:
      return "Min-Expires";
    case H::kPath:
      return "Path";
    case H::kProxyAuthenticate:
      return "Proxy-Authenticate";
    case H::kProxyAuthorization:
      return "Proxy-Authorization";
    case H::kProxyRequire:
      return "Proxy-Require";
    case H::kRecordRoute:
      return "Record-Route";
    case H::kReferTo:
      return "Refer-To";
    case H::kReferredBy:
      return "Referred-By";
    case H::kRejectContact:
      return "Reject-Contact";
    case H::kRequestDisposition:
      return "Request-Disposition";
    case H::kRequire:
      return "Require";
    case H::kRoute:
      return "Route";
    case H::kServer:
      return "Server";
    case H::kSessionExpires:
      return "Session-Expires";
    case H::kSubject:
      return "Subject";
    case H::kSupported:
      return "Supported";
    case H::kTo:
      return "To";
    case H::kUnsupported:
      return "Unsupported";
    case H::kUserAgent:
      return "User-Agent";
    case H::kVia:
      return "Via";
    case H::kWarning:
      return "Warning";
    case H::kWwwAuthenticate:
      return "WWW-Authenticate";
    case H::kIdentity:
      return "Identity";
    case H::kCount:
      return "";
  }
  return "";
}

bool IsListHeader(HeaderId id) {
  switch (id) {
    case HeaderId::kVia:
    case HeaderId::kContact:
    case HeaderId::kRoute:
    case HeaderId::kRecordRoute:
    case HeaderId::kAllow:
    case HeaderId::kSupported:
    case HeaderId::kRequire:
    case HeaderId::kProxyRequire:
    case HeaderId::kUnsupported:
    case HeaderId::kPath:
    case HeaderId::kAccept:
    case HeaderId::kAllowEvents:
      return true;
    default:
      return false;
  }
}

}  // namespace sipreg::sip
