#include "sip/parser.h"

#include <cstring>
#include <memory>
#include <string>

#include "sip/contact.h"
#include "sip/cseq.h"
#include "sip/grammar.h"
#include "sip/header_list.h"
#include "sip/name_addr.h"
#include "sip/uri.h"
#include "sip/via.h"

namespace sipreg::sip {

namespace {

Status Invalid(std::string_view what) { return Status::InvalidArgument(std::string(what)); }

Status CheckVersion(std::string_view v) {
  if (grammar::EqualsIgnoreCase(v, "SIP/2.0")) return Status::Ok();
  for (char c : v) {
    if (grammar::IsWs(c)) return Invalid("extra or trailing whitespace in start line");
  }
  if (grammar::StartsWithIgnoreCase(v, "SIP/")) {
    // SIP-Version = "SIP" "/" 1*DIGIT "." 1*DIGIT
    std::string_view num = v.substr(4);
    const size_t dot = num.find('.');
    bool well_formed = dot != std::string_view::npos && dot > 0 && dot + 1 < num.size();
    for (size_t i = 0; well_formed && i < num.size(); ++i) {
      if (i != dot && !grammar::IsDigit(num[i])) well_formed = false;
    }
    if (well_formed) return Invalid("unsupported SIP version " + std::string(v));
  }
  return Invalid("malformed SIP version");
}

// Request-URI: SIP/SIPS/tel URIs get the full grammar; other schemes only need
// a well-formed scheme and no characters that cannot appear in an absoluteURI.
Status CheckRequestUri(std::string_view uri) {
  size_t i = 0;
  if (uri.empty() || !grammar::Is(uri[0], grammar::kAlpha)) return Invalid("malformed Request-URI");
  while (i < uri.size() && uri[i] != ':') {
    const char c = uri[i];
    if (!grammar::Is(c, grammar::kAlpha | grammar::kDigit) && c != '+' && c != '-' && c != '.') {
      return Invalid("malformed Request-URI scheme");
    }
    ++i;
  }
  if (i == uri.size()) return Invalid("Request-URI has no scheme");
  std::string_view scheme = uri.substr(0, i);
  if (grammar::EqualsIgnoreCase(scheme, "sip") || grammar::EqualsIgnoreCase(scheme, "sips") ||
      grammar::EqualsIgnoreCase(scheme, "tel")) {
    bool has_headers = false;
    Status st = grammar::ValidateUri(uri, has_headers);  // no allocation
    if (!st.ok()) return Invalid("malformed Request-URI: " + st.message());
    if (has_headers) return Invalid("Request-URI must not contain headers");
    return Status::Ok();
  }
  for (char c : uri) {
    const auto u = static_cast<unsigned char>(c);
    if (u <= 0x20 || u == 0x7f || c == '<' || c == '>' || c == '"') {
      return Invalid("malformed Request-URI");
    }
  }
  return Status::Ok();
}

}  // namespace

// Builds a Message in place; Parse() is its only user. A friend of Message.
class MessageParser {
 public:
  explicit MessageParser(const ParseLimits& limits) : limits_(limits) {}

  Result<Message> Run(std::string_view bytes);

 private:
  Status ParseStartLine(std::string_view line);
  Status ParseRequestLine(std::string_view line);
  Status ParseStatusLine(std::string_view line);
  // Reads header lines from buf[pos..n), unfolding continuation lines in place.
  // On success pos is the first byte of the body.
  Status ParseHeaders(char* buf, size_t n, size_t& pos);
  // Content-Length, duplicates, mandatory headers and CSeq; sets body and size.
  Status CheckHeaders(size_t body_start, size_t n);

  const ParseLimits& limits_;
  Message m_;
};

Result<Message> MessageParser::Run(std::string_view bytes) {
  if (bytes.size() > limits_.max_message_bytes) {
    return Status::LimitExceeded("message of " + std::to_string(bytes.size()) +
                                 " bytes exceeds max_message_bytes (" +
                                 std::to_string(limits_.max_message_bytes) + ")");
  }
  // RFC 3261 §7.5: ignore CRLFs before the start line.
  size_t skip = 0;
  while (skip < bytes.size() && (bytes[skip] == '\r' || bytes[skip] == '\n')) ++skip;
  bytes.remove_prefix(skip);
  if (bytes.empty()) return Invalid("empty message");

  const size_t n = bytes.size();
  m_.buf_ = std::make_unique_for_overwrite<char[]>(n);
  char* b = m_.buf_.get();
  std::memcpy(b, bytes.data(), n);

  const auto* nl = static_cast<const char*>(std::memchr(b, '\n', n));
  if (nl == nullptr) return Invalid("start line not terminated by CRLF");
  const size_t e = static_cast<size_t>(nl - b);
  const size_t ce = (e > 0 && b[e - 1] == '\r') ? e - 1 : e;
  if (ce > limits_.max_line_bytes) {
    return Status::LimitExceeded("start line exceeds max_line_bytes (" +
                                 std::to_string(limits_.max_line_bytes) + ")");
  }
  SIPREG_RETURN_IF_ERROR(ParseStartLine(std::string_view(b, ce)));

  size_t pos = e + 1;
  m_.headers_.reserve(limits_.max_headers < 24 ? limits_.max_headers : 24);
  SIPREG_RETURN_IF_ERROR(ParseHeaders(b, n, pos));
  SIPREG_RETURN_IF_ERROR(CheckHeaders(pos, n));
  return std::move(m_);
}

Status MessageParser::ParseStartLine(std::string_view line) {
  if (line.empty()) return Invalid("empty start line");
  if (grammar::StartsWithIgnoreCase(line, "SIP/")) return ParseStatusLine(line);
  return ParseRequestLine(line);
}

Status MessageParser::ParseRequestLine(std::string_view line) {
  // Request-Line = Method SP Request-URI SP SIP-Version
  const size_t sp1 = line.find(' ');
  if (sp1 == std::string_view::npos) return Invalid("request line missing Request-URI");
  std::string_view method = line.substr(0, sp1);
  if (!grammar::IsTokenString(method)) return Invalid("malformed request method");
  std::string_view rest = line.substr(sp1 + 1);
  const size_t sp2 = rest.find(' ');
  if (sp2 == std::string_view::npos) return Invalid("request line missing SIP version");
  std::string_view uri = rest.substr(0, sp2);
  std::string_view version = rest.substr(sp2 + 1);
  if (uri.empty()) return Invalid("empty Request-URI (extra whitespace in request line)");
  SIPREG_RETURN_IF_ERROR(CheckVersion(version));
  SIPREG_RETURN_IF_ERROR(CheckRequestUri(uri));
  m_.is_request_ = true;
  m_.method_name_ = method;
  m_.method_ = LookupMethod(method);
  m_.request_uri_ = uri;
  m_.version_ = version;
  return Status::Ok();
}

Status MessageParser::ParseStatusLine(std::string_view line) {
  // Status-Line = SIP-Version SP Status-Code SP Reason-Phrase
  const size_t sp1 = line.find(' ');
  std::string_view version = line.substr(0, sp1);
  SIPREG_RETURN_IF_ERROR(CheckVersion(version));
  if (sp1 == std::string_view::npos) return Invalid("status line missing status code");
  std::string_view rest = line.substr(sp1 + 1);
  const size_t sp2 = rest.find(' ');
  std::string_view code = rest.substr(0, sp2);
  if (code.size() != 3 || !grammar::IsDigit(code[0]) || !grammar::IsDigit(code[1]) ||
      !grammar::IsDigit(code[2])) {
    return Invalid("malformed status code");
  }
  const int value = (code[0] - '0') * 100 + (code[1] - '0') * 10 + (code[2] - '0');
  if (value < 100 || value > 699) return Invalid("status code out of range 100-699");
  m_.is_request_ = false;
  m_.version_ = version;
  m_.status_code_ = value;
  // An empty reason phrase is legal ("SIP/2.0 100 "); accept a missing SP too.
  m_.reason_ = sp2 == std::string_view::npos ? std::string_view() : rest.substr(sp2 + 1);
  return Status::Ok();
}

Status MessageParser::ParseHeaders(char* buf, size_t n, size_t& pos) {
  size_t p = pos;
  size_t count = 0;
  while (true) {
    if (p >= n) return Invalid("header section not terminated by an empty line");
    const auto* nl = static_cast<const char*>(std::memchr(buf + p, '\n', n - p));
    if (nl == nullptr) return Invalid("header section not terminated by an empty line");
    size_t e = static_cast<size_t>(nl - buf);
    size_t ce = (e > p && buf[e - 1] == '\r') ? e - 1 : e;
    if (ce == p) {  // the empty line
      pos = e + 1;
      return Status::Ok();
    }
    if (grammar::IsWs(buf[p])) return Invalid("continuation line without a preceding header");
    const size_t start = p;
    // Obsolete line folding: a line starting with SP/HT continues this header.
    // Overwrite the line break with spaces so the value stays one view.
    while (e + 1 < n && grammar::IsWs(buf[e + 1])) {
      std::memset(buf + ce, ' ', e + 1 - ce);
      nl = static_cast<const char*>(std::memchr(buf + e + 1, '\n', n - e - 1));
      if (nl == nullptr) return Invalid("header section not terminated by an empty line");
      e = static_cast<size_t>(nl - buf);
      ce = (buf[e - 1] == '\r') ? e - 1 : e;
    }
    if (ce - start > limits_.max_line_bytes) {
      return Status::LimitExceeded("header line exceeds max_line_bytes (" +
                                   std::to_string(limits_.max_line_bytes) + ")");
    }
    if (++count > limits_.max_headers) {
      return Status::LimitExceeded("more header lines than max_headers (" +
                                   std::to_string(limits_.max_headers) + ")");
    }
    std::string_view line(buf + start, ce - start);
    const size_t colon = line.find(':');
    if (colon == std::string_view::npos) return Invalid("header line without ':'");
    std::string_view name = line.substr(0, colon);
    while (!name.empty() && grammar::IsWs(name.back())) name.remove_suffix(1);
    if (!grammar::IsTokenString(name)) return Invalid("malformed header name");
    m_.headers_.push_back(
        Header{LookupHeaderId(name), name, grammar::TrimWs(line.substr(colon + 1))});
    p = e + 1;
  }
}

Status MessageParser::CheckHeaders(size_t body_start, size_t n) {
  const Header* content_length = nullptr;
  uint32_t content_length_value = 0;
  const Header* cseq = nullptr;
  uint64_t seen = 0;
  static_assert(static_cast<int>(HeaderId::kCount) <= 64);
  for (const Header& h : m_.headers_) {
    const uint64_t bit = uint64_t{1} << static_cast<int>(h.id);
    switch (h.id) {
      case HeaderId::kCallId:
      case HeaderId::kFrom:
      case HeaderId::kTo:
      case HeaderId::kCSeq:
        if (seen & bit) {
          return Invalid("duplicate " + std::string(CanonicalHeaderName(h.id)) + " header");
        }
        if (h.id == HeaderId::kCSeq) cseq = &h;
        break;
      case HeaderId::kContentLength: {
        std::optional<uint32_t> v = grammar::ParseUint32(h.value);
        if (!v) return Invalid("malformed Content-Length");
        if (content_length != nullptr && content_length_value != *v) {
          return Invalid("conflicting Content-Length headers");
        }
        content_length = &h;
        content_length_value = *v;
        break;
      }
      default:
        break;
    }
    seen |= bit;
  }

  const size_t available = n - body_start;
  size_t body_len = available;
  if (content_length != nullptr) {
    body_len = content_length_value;
    if (body_len > available) {
      return Invalid("Content-Length " + std::to_string(body_len) + " larger than the " +
                     std::to_string(available) + " body bytes available");
    }
  }
  m_.body_ = std::string_view(m_.buf_.get() + body_start, body_len);
  m_.size_ = body_start + body_len;

  if (m_.is_request_) {
    static constexpr HeaderId kMandatory[] = {HeaderId::kVia, HeaderId::kFrom, HeaderId::kTo,
                                              HeaderId::kCallId, HeaderId::kCSeq};
    for (HeaderId id : kMandatory) {
      if ((seen & (uint64_t{1} << static_cast<int>(id))) == 0) {
        return Invalid("missing " + std::string(CanonicalHeaderName(id)) + " header");
      }
    }
    if (m_.Value(HeaderId::kCallId).empty()) return Invalid("empty Call-ID header");
  }
  if (cseq != nullptr) {
    Result<CSeq> parsed = ParseCSeq(cseq->value);
    if (!parsed.ok()) return Invalid("bad CSeq: " + parsed.status().message());
    if (m_.is_request_ && parsed->method_name != m_.method_name_) {
      return Invalid("CSeq method does not match the request method");
    }
  }
  return Status::Ok();
}

Result<Message> Parse(std::string_view bytes, const ParseLimits& limits) {
  return MessageParser(limits).Run(bytes);
}

namespace {

Status CheckEach(std::string_view what, std::string_view value, Status (*check)(std::string_view)) {
  size_t pos = 0;
  std::string_view entry = NextListValue(value, pos);
  if (entry.empty()) return Invalid("empty " + std::string(what) + " header");
  for (; !entry.empty(); entry = NextListValue(value, pos)) {
    Status st = check(entry);
    if (!st.ok()) return Invalid("bad " + std::string(what) + ": " + st.message());
  }
  return Status::Ok();
}

Status CheckVia(std::string_view entry) { return ParseVia(entry).status(); }
Status CheckNameAddr(std::string_view entry) { return ParseNameAddr(entry).status(); }

bool AllDigits(std::string_view s) {
  if (s.empty()) return false;
  for (char c : s) {
    if (!grammar::IsDigit(c)) return false;
  }
  return true;
}

}  // namespace

Status CheckHeaderSyntax(const Message& m) {
  for (const Header& h : m.headers()) {
    switch (h.id) {
      case HeaderId::kVia:
        SIPREG_RETURN_IF_ERROR(CheckEach("Via", h.value, CheckVia));
        break;
      case HeaderId::kRoute:
      case HeaderId::kRecordRoute:
      case HeaderId::kPath:
        SIPREG_RETURN_IF_ERROR(CheckEach(CanonicalHeaderName(h.id), h.value, CheckNameAddr));
        break;
      case HeaderId::kFrom:
      case HeaderId::kTo: {
        Status st = CheckNameAddr(h.value);
        if (!st.ok()) {
          return Invalid("bad " + std::string(CanonicalHeaderName(h.id)) + ": " + st.message());
        }
        break;
      }
      case HeaderId::kContact: {
        Result<ContactList> contacts = ParseContacts(h.value);
        if (!contacts.ok()) return contacts.status();
        break;
      }
      case HeaderId::kMaxForwards:
      case HeaderId::kExpires:
      case HeaderId::kMinExpires:
        if (!AllDigits(h.value)) {
          return Invalid("malformed " + std::string(CanonicalHeaderName(h.id)) + " header");
        }
        break;
      default:
        break;
    }
  }
  return Status::Ok();
}

}  // namespace sipreg::sip
