#include "sip/uri.h"

#include "sip/grammar.h"

namespace sipreg::sip {

namespace {

using grammar::Is;

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// headers = hname "=" hvalue *( "&" hname "=" hvalue ), chars from
// hnv-unreserved / unreserved / escaped.
bool IsValidUriHeaders(std::string_view h) {
  if (h.empty()) return false;
  for (size_t i = 0; i < h.size(); ++i) {
    const char c = h[i];
    if (c == '=' || c == '&') continue;
    if (c == '%') {
      if (i + 2 >= h.size() || !Is(h[i + 1], grammar::kHex) || !Is(h[i + 2], grammar::kHex)) {
        return false;
      }
      i += 2;
      continue;
    }
    if (!Is(c, grammar::kUnreserved | grammar::kHeaderExtra)) return false;
  }
  return true;
}

// tel: global or local number (RFC 3966), leniently: digits, hex, visual separators.
bool IsValidTelNumber(std::string_view n) {
  if (n.empty()) return false;
  for (char c : n) {
    if (Is(c, grammar::kDigit | grammar::kAlpha)) continue;
    switch (c) {
      case '+':
      case '-':
      case '.':
      case '(':
      case ')':
      case '*':
      case '#':
      case '%':
        continue;
      default:
        return false;
    }
  }
  return true;
}

// Params, then "?headers", then the end of the text.
Status ParseTail(std::string_view text, size_t& pos, Uri& u, bool collect_params) {
  SIPREG_RETURN_IF_ERROR(grammar::ParseParams(text, pos, grammar::ParamSyntax::kUri,
                                              collect_params ? &u.params : nullptr));
  if (pos < text.size() && text[pos] == '?') {
    u.headers = text.substr(pos + 1);
    if (!IsValidUriHeaders(u.headers)) return Status::InvalidArgument("malformed URI headers");
    pos = text.size();
  }
  if (pos != text.size()) return Status::InvalidArgument("unexpected character in URI");
  return Status::Ok();
}

Status ParseTelUri(std::string_view text, size_t pos, Uri& u, bool collect_params) {
  size_t i = pos;
  while (i < text.size() && text[i] != ';') ++i;
  u.user = text.substr(pos, i - pos);
  if (!IsValidTelNumber(u.user)) return Status::InvalidArgument("malformed tel URI number");
  SIPREG_RETURN_IF_ERROR(ParseTail(text, i, u, collect_params));
  if (!u.headers.empty()) return Status::InvalidArgument("tel URI cannot carry headers");
  return Status::Ok();
}

Status ParseUriInto(std::string_view text, Uri& u, bool collect_params) {
  u.raw = text;
  size_t pos = 0;
  if (grammar::StartsWithIgnoreCase(text, "sip:")) {
    u.scheme = UriScheme::kSip;
    pos = 4;
  } else if (grammar::StartsWithIgnoreCase(text, "sips:")) {
    u.scheme = UriScheme::kSips;
    pos = 5;
  } else if (grammar::StartsWithIgnoreCase(text, "tel:")) {
    u.scheme = UriScheme::kTel;
    return ParseTelUri(text, 4, u, collect_params);
  } else if (text.empty()) {
    return Status::InvalidArgument("empty URI");
  } else {
    return Status::InvalidArgument("unsupported URI scheme");
  }

  // userinfo: '@' cannot appear unescaped in host, params or headers, so the
  // first '@' ends the userinfo.
  const size_t at = text.find('@', pos);
  if (at != std::string_view::npos) {
    std::string_view userinfo = text.substr(pos, at - pos);
    const size_t colon = userinfo.find(':');
    u.user = userinfo.substr(0, colon);
    if (!grammar::IsEscapedRun(u.user, grammar::kUnreserved | grammar::kUserExtra)) {
      return Status::InvalidArgument("malformed URI user part");
    }
    if (colon != std::string_view::npos) {
      u.has_password = true;
      u.password = userinfo.substr(colon + 1);
      if (!u.password.empty() &&
          !grammar::IsEscapedRun(u.password, grammar::kUnreserved | grammar::kPassExtra)) {
        return Status::InvalidArgument("malformed URI password");
      }
    }
    pos = at + 1;
  }

  // hostport
  size_t i = pos;
  if (i < text.size() && text[i] == '[') {
    const size_t close = text.find(']', i);
    if (close == std::string_view::npos)
      return Status::InvalidArgument("unterminated IPv6 reference");
    i = close + 1;
  } else {
    while (i < text.size() && Is(text[i], grammar::kHost)) ++i;
  }
  u.host = text.substr(pos, i - pos);
  if (!grammar::IsValidHost(u.host)) return Status::InvalidArgument("malformed URI host");
  if (i < text.size() && text[i] == ':') {
    const size_t port_start = ++i;
    while (i < text.size() && grammar::IsDigit(text[i])) ++i;
    u.port = grammar::ParsePort(text.substr(port_start, i - port_start));
    const bool port_ends = i == text.size() || text[i] == ';' || text[i] == '?';
    if (!u.port || !port_ends) return Status::InvalidArgument("invalid URI port");
  }
  return ParseTail(text, i, u, collect_params);
}

}  // namespace

std::string_view Uri::host_no_brackets() const {
  if (is_ipv6_host() && host.size() >= 2 && host.back() == ']') {
    return host.substr(1, host.size() - 2);
  }
  return host;
}

Result<Uri> ParseUri(std::string_view text) {
  Uri u;
  Status st = ParseUriInto(text, u, /*collect_params=*/true);
  if (!st.ok()) return st;
  return u;
}

namespace grammar {

Status ValidateUri(std::string_view text, bool& has_headers) {
  Uri u;
  SIPREG_RETURN_IF_ERROR(ParseUriInto(text, u, /*collect_params=*/false));
  has_headers = !u.headers.empty();
  return Status::Ok();
}

}  // namespace grammar

Result<std::string> Unescape(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] != '%') {
      out.push_back(text[i]);
      continue;
    }
    if (i + 2 >= text.size()) return Status::InvalidArgument("truncated %-escape");
    const int hi = HexValue(text[i + 1]);
    const int lo = HexValue(text[i + 2]);
    if (hi < 0 || lo < 0) return Status::InvalidArgument("malformed %-escape");
    out.push_back(static_cast<char>(hi * 16 + lo));
    i += 2;
  }
  return out;
}

}  // namespace sipreg::sip
