#include "sip/serializer.h"

#include <algorithm>
#include <charconv>

#include "sip/grammar.h"
#include "sip/name_addr.h"

namespace sipreg::sip {

namespace {

constexpr std::string_view kCrlf = "\r\n";

// Header names and values never carry line breaks into the output: a CR or LF
// in builder input would otherwise inject a header.
std::string OneLine(std::string_view s) {
  std::string out(s);
  // Nearly every value is clean: look for a line break (memchr is vectorised)
  // before rewriting anything.
  if (s.find('\r') == std::string_view::npos && s.find('\n') == std::string_view::npos) return out;
  for (char& c : out) {
    if (c == '\r' || c == '\n') c = ' ';
  }
  return out;
}

bool SameHeaderName(std::string_view a, std::string_view b) {
  const HeaderId ia = LookupHeaderId(a);
  if (ia != HeaderId::kOther) return ia == LookupHeaderId(b);
  return grammar::EqualsIgnoreCase(a, b);
}

bool IsContentLength(std::string_view name) {
  return LookupHeaderId(name) == HeaderId::kContentLength;
}

void AppendNumber(std::string& out, size_t n) {
  char digits[24];
  auto [end, ec] = std::to_chars(digits, digits + sizeof(digits), n);
  (void)ec;  // 24 digits always suffice for size_t
  out.append(digits, end);
}

void AppendHeader(std::string& out, std::string_view name, std::string_view value) {
  out.append(name);
  out.append(": ");
  out.append(value);
  out.append(kCrlf);
}

void AppendTail(std::string& out, std::string_view body) {
  out.append("Content-Length: ");
  AppendNumber(out, body.size());
  out.append("\r\n\r\n");
  out.append(body);
}

// True if a To/From value already carries a tag parameter.
bool HasTag(std::string_view value) {
  Result<NameAddr> na = ParseNameAddr(value);
  if (na.ok()) return na->tag().has_value();
  // Unparseable: fall back to a textual search so we never add a second tag.
  for (size_t i = 0; i + 4 < value.size(); ++i) {
    if (value[i] != ';') continue;
    const size_t name = grammar::SkipWs(value, i + 1);
    if (!grammar::StartsWithIgnoreCase(value.substr(name), "tag")) continue;
    const size_t eq = grammar::SkipWs(value, name + 3);
    if (eq < value.size() && value[eq] == '=') return true;
  }
  return false;
}

}  // namespace

MessageBuilder MessageBuilder::Request(std::string_view method, std::string_view request_uri) {
  MessageBuilder b;
  b.start_line_ = OneLine(method);
  b.start_line_ += ' ';
  b.start_line_ += OneLine(request_uri);
  b.start_line_ += " SIP/2.0";
  return b;
}

MessageBuilder MessageBuilder::Response(int status_code, std::string_view reason) {
  MessageBuilder b;
  // A response gets the request's Via, From, To, Call-ID and CSeq and a few
  // of its own: room for them at once rather than four reallocations.
  b.headers_.reserve(12);
  b.start_line_.reserve(12 + reason.size());
  b.start_line_ = "SIP/2.0 ";
  b.start_line_ += std::to_string(status_code);
  b.start_line_ += ' ';
  b.start_line_ += OneLine(reason);
  return b;
}

MessageBuilder MessageBuilder::From(const Message& m) {
  MessageBuilder b = m.is_request() ? Request(m.method_name(), m.request_uri())
                                    : Response(m.status_code(), m.reason_phrase());
  b.headers_.reserve(m.headers().size());
  for (const Header& h : m.headers()) {
    if (h.id == HeaderId::kContentLength) continue;
    b.headers_.emplace_back(std::string(h.name), std::string(h.value));
  }
  b.body_ = std::string(m.body());
  return b;
}

MessageBuilder& MessageBuilder::AddHeader(std::string_view name, std::string_view value) {
  if (!IsContentLength(name)) headers_.emplace_back(OneLine(name), OneLine(value));
  return *this;
}

MessageBuilder& MessageBuilder::PrependHeader(std::string_view name, std::string_view value) {
  if (!IsContentLength(name)) {
    headers_.emplace(headers_.begin(), OneLine(name), OneLine(value));
  }
  return *this;
}

MessageBuilder& MessageBuilder::RemoveHeader(std::string_view name) {
  std::erase_if(headers_, [name](const auto& h) { return SameHeaderName(name, h.first); });
  return *this;
}

MessageBuilder& MessageBuilder::SetHeader(std::string_view name, std::string_view value) {
  if (IsContentLength(name)) return *this;
  bool found = false;
  for (auto& h : headers_) {
    if (SameHeaderName(name, h.first)) {
      h.second = OneLine(value);
      found = true;
    }
  }
  if (!found) AddHeader(name, value);
  return *this;
}

MessageBuilder& MessageBuilder::SetBody(std::string_view content_type, std::string_view body) {
  if (content_type.empty()) {
    RemoveHeader("Content-Type");
  } else {
    SetHeader("Content-Type", content_type);
  }
  body_ = std::string(body);
  return *this;
}

std::string MessageBuilder::Build() const {
  size_t size = start_line_.size() + body_.size() + 32;
  for (const auto& [name, value] : headers_) size += name.size() + value.size() + 4;
  std::string out;
  out.reserve(size);
  out.append(start_line_);
  out.append(kCrlf);
  for (const auto& [name, value] : headers_) AppendHeader(out, name, value);
  AppendTail(out, body_);
  return out;
}

std::string Serialize(const Message& m) {
  std::string out;
  out.reserve(m.raw().size() + 32);
  if (m.is_request()) {
    out.append(m.method_name());
    out.push_back(' ');
    out.append(m.request_uri());
    out.append(" SIP/2.0\r\n");
  } else {
    out.append("SIP/2.0 ");
    AppendNumber(out, static_cast<size_t>(m.status_code()));
    out.push_back(' ');
    out.append(m.reason_phrase());
    out.append(kCrlf);
  }
  for (const Header& h : m.headers()) {
    if (h.id != HeaderId::kContentLength) AppendHeader(out, h.name, h.value);
  }
  AppendTail(out, m.body());
  return out;
}

std::string_view DefaultReason(int status_code) {
  switch (status_code) {
    case 100:
      return "Trying";
    case 180:
      return "Ringing";
    case 181:
      return "Call Is Being Forwarded";
    case 182:
      return "Queued";
    case 183:
      return "Session Progress";
    case 200:
      return "OK";
    case 202:
      return "Accepted";
    case 300:
      return "Multiple Choices";
    case 301:
      return "Moved Permanently";
    case 302:
      return "Moved Temporarily";
    case 305:
      return "Use Proxy";
    case 380:
      return "Alternative Service";
    case 400:
      return "Bad Request";
    case 401:
      return "Unauthorized";
    case 402:
      return "Payment Required";
    case 403:
      return "Forbidden";
    case 404:
      return "Not Found";
    case 405:
      return "Method Not Allowed";
    case 406:
      return "Not Acceptable";
    case 407:
      return "Proxy Authentication Required";
    case 408:
      return "Request Timeout";
    case 410:
      return "Gone";
    case 413:
      return "Request Entity Too Large";
    case 414:
      return "Request-URI Too Long";
    case 415:
      return "Unsupported Media Type";
    case 416:
      return "Unsupported URI Scheme";
    case 420:
      return "Bad Extension";
    case 421:
      return "Extension Required";
    case 422:
      return "Session Interval Too Small";
    case 423:
      return "Interval Too Brief";
    case 429:
      return "Provide Referrer Identity";
    case 439:
      return "First Hop Lacks Outbound Support";
    case 480:
      return "Temporarily Unavailable";
    case 481:
      return "Call/Transaction Does Not Exist";
    case 482:
      return "Loop Detected";
    case 483:
      return "Too Many Hops";
    case 484:
      return "Address Incomplete";
    case 485:
      return "Ambiguous";
    case 486:
      return "Busy Here";
    case 487:
      return "Request Terminated";
    case 488:
      return "Not Acceptable Here";
    case 489:
      return "Bad Event";
    case 491:
      return "Request Pending";
    case 493:
      return "Undecipherable";
    case 494:
      return "Security Agreement Required";
    case 500:
      return "Server Internal Error";
    case 501:
      return "Not Implemented";
    case 502:
      return "Bad Gateway";
    case 503:
      return "Service Unavailable";
    case 504:
      return "Server Time-out";
    case 505:
      return "Version Not Supported";
    case 513:
      return "Message Too Large";
    case 600:
      return "Busy Everywhere";
    case 603:
      return "Decline";
    case 604:
      return "Does Not Exist Anywhere";
    case 606:
      return "Not Acceptable";
    default:
      return "";
  }
}

MessageBuilder MakeResponse(const Message& request, int status_code, std::string_view reason,
                            std::string_view to_tag) {
  MessageBuilder b =
      MessageBuilder::Response(status_code, reason.empty() ? DefaultReason(status_code) : reason);
  for (const Header& h : request.headers()) {
    if (h.id == HeaderId::kVia) b.AddHeader("Via", h.value);
  }
  if (const Header* from = request.Find(HeaderId::kFrom)) b.AddHeader("From", from->value);
  if (const Header* to = request.Find(HeaderId::kTo)) {
    if (!to_tag.empty() && !HasTag(to->value)) {
      std::string value(to->value);
      value += ";tag=";
      value += to_tag;
      b.AddHeader("To", value);
    } else {
      b.AddHeader("To", to->value);
    }
  }
  if (const Header* call_id = request.Find(HeaderId::kCallId)) {
    b.AddHeader("Call-ID", call_id->value);
  }
  if (const Header* cseq = request.Find(HeaderId::kCSeq)) b.AddHeader("CSeq", cseq->value);
  return b;
}

}  // namespace sipreg::sip
