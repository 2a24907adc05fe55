#include "sip/auth_header.h"

#include <string>

namespace sipreg::sip {
namespace {

bool IsLws(char c) { return c == ' ' || c == '\t'; }

// RFC 3261 §25.1 token characters.
bool IsTokenChar(char c) {
  if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')) return true;
  return c != '\0' && std::string_view("-.!%*_+`'~").find(c) != std::string_view::npos;
}

// Characters allowed in an unquoted parameter value. Wider than token so that
// unquoted base64 nonces ('/', '=') from lax peers still parse; excludes the
// list separator, quotes and anything that is not visible ASCII.
bool IsBareValueChar(char c) {
  const auto u = static_cast<unsigned char>(c);
  return u > 0x20 && u < 0x7f && c != ',' && c != '"' && c != ';';
}

char AsciiLower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (AsciiLower(a[i]) != AsciiLower(b[i])) return false;
  }
  return true;
}

// Inside a quoted-string: anything but the closing quote, a backslash (a
// quoted-pair follows) and control characters other than tab.
bool IsPlainQuotedChar(char c) {
  const auto u = static_cast<unsigned char>(c);
  return c != '"' && c != '\\' && (u >= 0x20 || c == '\t') && u != 0x7f;
}

bool IsHex(char c) {
  return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

// A cursor over the header value; never reads past the end.
class Cursor {
 public:
  explicit Cursor(std::string_view s) : s_(s) {}
  bool done() const { return pos_ >= s_.size(); }
  char peek() const { return done() ? '\0' : s_[pos_]; }
  void advance() { ++pos_; }
  void SkipLws() {
    while (!done() && IsLws(s_[pos_])) ++pos_;
  }
  std::string_view Token() {
    const size_t start = pos_;
    while (!done() && IsTokenChar(s_[pos_])) ++pos_;
    return s_.substr(start, pos_ - start);
  }
  std::string_view BareValue() {
    const size_t start = pos_;
    while (!done() && IsBareValueChar(s_[pos_])) ++pos_;
    return s_.substr(start, pos_ - start);
  }
  // At an opening quote: reads a quoted-string, unescaping quoted-pairs.
  Status QuotedString(std::string* out) {
    advance();  // opening quote
    while (!done()) {
      // A run of plain characters is appended at once: one allocation for a
      // nonce or response, where growing it a character at a time made two.
      const size_t run = pos_;
      while (!done() && IsPlainQuotedChar(s_[pos_])) ++pos_;
      out->append(s_.substr(run, pos_ - run));
      if (done()) break;
      const char c = s_[pos_];
      if (c == '"') {
        advance();
        return Status::Ok();
      }
      if (c == '\\') {
        advance();
        if (done()) break;
        const char e = s_[pos_];
        if (e == '\r' || e == '\n' || e == '\0') {
          return Status::InvalidArgument("control character in quoted string");
        }
        out->push_back(e);
        advance();
        continue;
      }
      return Status::InvalidArgument("control character in quoted string");
    }
    return Status::InvalidArgument("unterminated quoted string");
  }

 private:
  std::string_view s_;
  size_t pos_ = 0;
};

Status ParseParams(Cursor& cur, std::vector<AuthParam>* params) {
  params->reserve(10);  // a Digest Authorization has 6-10: one allocation, not four
  bool need_separator = false;
  for (;;) {
    cur.SkipLws();
    if (cur.done()) return Status::Ok();
    if (cur.peek() == ',') {
      cur.advance();
      need_separator = false;
      continue;
    }
    if (need_separator) return Status::InvalidArgument("expected ',' between auth-params");
    std::string_view name = cur.Token();
    if (name.empty()) return Status::InvalidArgument("expected auth-param name");
    cur.SkipLws();
    if (cur.peek() != '=') {
      return Status::InvalidArgument("auth-param '" + std::string(name) + "' has no value");
    }
    cur.advance();
    cur.SkipLws();
    AuthParam p;
    p.name = std::string(name);
    if (cur.peek() == '"') {
      p.quoted = true;
      SIPREG_RETURN_IF_ERROR(cur.QuotedString(&p.value));
    } else {
      std::string_view v = cur.BareValue();
      if (v.empty()) {
        return Status::InvalidArgument("auth-param '" + p.name + "' has an empty value");
      }
      p.value = std::string(v);
    }
    for (const AuthParam& q : *params) {
      if (EqualsIgnoreCase(q.name, p.name)) {
        return Status::InvalidArgument("duplicate auth-param '" + p.name + "'");
      }
    }
    if (params->size() >= kMaxAuthParams) return Status::LimitExceeded("too many auth-params");
    params->push_back(std::move(p));
    need_separator = true;
  }
}

bool IsTrue(std::string_view v) { return EqualsIgnoreCase(v, "true"); }

// Splits "auth, auth-int" into trimmed, non-empty elements.
std::vector<std::string> SplitQopList(std::string_view list) {
  std::vector<std::string> out;
  size_t i = 0;
  while (i <= list.size()) {
    size_t j = list.find(',', i);
    if (j == std::string_view::npos) j = list.size();
    std::string_view item = list.substr(i, j - i);
    while (!item.empty() && IsLws(item.front())) item.remove_prefix(1);
    while (!item.empty() && IsLws(item.back())) item.remove_suffix(1);
    if (!item.empty()) out.emplace_back(item);
    i = j + 1;
  }
  return out;
}

Result<AuthHeader> ParseDigestHeader(std::string_view value) {
  Result<AuthHeader> h = ParseAuthHeader(value);
  if (!h.ok()) return h.status();
  if (!EqualsIgnoreCase(h->scheme, "Digest")) {
    return Status::InvalidArgument("auth scheme is '" + h->scheme + "', not Digest");
  }
  return h;
}

bool CanBeBare(std::string_view v) {
  if (v.empty()) return false;
  for (char c : v) {
    if (!IsBareValueChar(c)) return false;
  }
  return true;
}

// Builds "Digest a=b, c=\"d\"".
class ParamWriter {
 public:
  ParamWriter() : out_("Digest ") {}
  void Add(std::string_view name, std::string_view value, bool quoted) {
    if (!first_) out_ += ", ";
    first_ = false;
    out_ += name;
    out_ += '=';
    if (quoted || !CanBeBare(value)) {
      out_ += QuoteAuthValue(value);
    } else {
      out_ += value;
    }
  }
  void AddExtras(const std::vector<AuthParam>& extra) {
    for (const AuthParam& p : extra) Add(p.name, p.value, p.quoted);
  }
  std::string Take() { return std::move(out_); }

 private:
  std::string out_;
  bool first_ = true;
};

}  // namespace

Result<AuthHeader> ParseAuthHeader(std::string_view value) {
  Cursor cur(value);
  cur.SkipLws();
  AuthHeader h;
  std::string_view scheme = cur.Token();
  if (scheme.empty()) return Status::InvalidArgument("missing auth scheme");
  const bool had_space = IsLws(cur.peek());
  cur.SkipLws();
  if (cur.peek() == '=') return Status::InvalidArgument("missing auth scheme");
  if (!cur.done() && !had_space) return Status::InvalidArgument("malformed auth scheme");
  h.scheme = std::string(scheme);
  SIPREG_RETURN_IF_ERROR(ParseParams(cur, &h.params));
  return h;
}

std::optional<uint32_t> DigestCredentials::nc_value() const {
  if (nc.empty() || nc.size() > 8) return std::nullopt;
  uint32_t v = 0;
  for (char c : nc) {
    if (!IsHex(c)) return std::nullopt;
    const char l = AsciiLower(c);
    v = v * 16 + static_cast<uint32_t>(l <= '9' ? l - '0' : l - 'a' + 10);
  }
  return v;
}

Result<DigestChallenge> ParseDigestChallenge(std::string_view value) {
  Result<AuthHeader> h = ParseDigestHeader(value);
  if (!h.ok()) return h.status();
  DigestChallenge c;
  bool has_realm = false;
  bool has_nonce = false;
  for (AuthParam& p : h->params) {
    const std::string_view n = p.name;
    if (EqualsIgnoreCase(n, "realm")) {
      c.realm = std::move(p.value);
      has_realm = true;
    } else if (EqualsIgnoreCase(n, "domain")) {
      c.domain = std::move(p.value);
    } else if (EqualsIgnoreCase(n, "nonce")) {
      c.nonce = std::move(p.value);
      has_nonce = true;
    } else if (EqualsIgnoreCase(n, "opaque")) {
      c.opaque = std::move(p.value);
    } else if (EqualsIgnoreCase(n, "stale")) {
      c.stale = IsTrue(p.value);
    } else if (EqualsIgnoreCase(n, "algorithm")) {
      c.algorithm = std::move(p.value);
    } else if (EqualsIgnoreCase(n, "qop")) {
      c.qop_options = SplitQopList(p.value);
    } else if (EqualsIgnoreCase(n, "userhash")) {
      c.userhash = IsTrue(p.value);
    } else if (EqualsIgnoreCase(n, "charset")) {
      c.charset = std::move(p.value);
    } else {
      c.extra.push_back(std::move(p));
    }
  }
  if (!has_realm) return Status::InvalidArgument("Digest challenge without realm");
  if (!has_nonce) return Status::InvalidArgument("Digest challenge without nonce");
  return c;
}

Result<DigestCredentials> ParseDigestCredentials(std::string_view value) {
  Result<AuthHeader> h = ParseDigestHeader(value);
  if (!h.ok()) return h.status();
  DigestCredentials c;
  unsigned seen = 0;
  enum : unsigned { kUser = 1, kRealm = 2, kNonce = 4, kUri = 8, kResponse = 16 };
  for (AuthParam& p : h->params) {
    const std::string_view n = p.name;
    if (EqualsIgnoreCase(n, "username")) {
      c.username = std::move(p.value);
      seen |= kUser;
    } else if (EqualsIgnoreCase(n, "realm")) {
      c.realm = std::move(p.value);
      seen |= kRealm;
    } else if (EqualsIgnoreCase(n, "nonce")) {
      c.nonce = std::move(p.value);
      seen |= kNonce;
    } else if (EqualsIgnoreCase(n, "uri")) {
      c.uri = std::move(p.value);
      seen |= kUri;
    } else if (EqualsIgnoreCase(n, "response")) {
      c.response = std::move(p.value);
      seen |= kResponse;
    } else if (EqualsIgnoreCase(n, "algorithm")) {
      c.algorithm = std::move(p.value);
    } else if (EqualsIgnoreCase(n, "cnonce")) {
      c.cnonce = std::move(p.value);
    } else if (EqualsIgnoreCase(n, "opaque")) {
      c.opaque = std::move(p.value);
    } else if (EqualsIgnoreCase(n, "qop")) {
      c.qop = std::move(p.value);
    } else if (EqualsIgnoreCase(n, "nc")) {
      c.nc = std::move(p.value);
      if (!c.nc_value()) return Status::InvalidArgument("nc is not 1..8 hex digits");
    } else if (EqualsIgnoreCase(n, "userhash")) {
      c.userhash = IsTrue(p.value);
    } else {
      c.extra.push_back(std::move(p));
    }
  }
  if (!(seen & kUser)) return Status::InvalidArgument("Digest credentials without username");
  if (!(seen & kRealm)) return Status::InvalidArgument("Digest credentials without realm");
  if (!(seen & kNonce)) return Status::InvalidArgument("Digest credentials without nonce");
  if (!(seen & kUri)) return Status::InvalidArgument("Digest credentials without uri");
  if (!(seen & kResponse)) return Status::InvalidArgument("Digest credentials without response");
  return c;
}

std::string QuoteAuthValue(std::string_view text) {
  std::string out;
  out.reserve(text.size() + 2);
  out += '"';
  for (char c : text) {
    // CR, LF and NUL cannot be represented in a header; dropping them keeps a
    // value supplied by configuration from injecting header lines.
    if (c == '\r' || c == '\n' || c == '\0') continue;
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  out += '"';
  return out;
}

std::string SerializeDigestChallenge(const DigestChallenge& c) {
  ParamWriter w;
  w.Add("realm", c.realm, true);
  if (c.domain) w.Add("domain", *c.domain, true);
  w.Add("nonce", c.nonce, true);
  if (c.opaque) w.Add("opaque", *c.opaque, true);
  if (c.stale) w.Add("stale", "true", false);
  if (!c.algorithm.empty()) w.Add("algorithm", c.algorithm, false);
  if (!c.qop_options.empty()) {
    std::string list;
    for (const std::string& q : c.qop_options) {
      if (!list.empty()) list += ',';
      list += q;
    }
    w.Add("qop", list, true);
  }
  if (c.charset) w.Add("charset", *c.charset, false);
  if (c.userhash) w.Add("userhash", "true", false);
  w.AddExtras(c.extra);
  return w.Take();
}

std::string SerializeDigestCredentials(const DigestCredentials& c) {
  ParamWriter w;
  w.Add("username", c.username, true);
  w.Add("realm", c.realm, true);
  w.Add("nonce", c.nonce, true);
  w.Add("uri", c.uri, true);
  w.Add("response", c.response, true);
  if (!c.algorithm.empty()) w.Add("algorithm", c.algorithm, false);
  if (!c.cnonce.empty()) w.Add("cnonce", c.cnonce, true);
  if (c.opaque) w.Add("opaque", *c.opaque, true);
  if (!c.qop.empty()) w.Add("qop", c.qop, false);
  if (!c.nc.empty()) w.Add("nc", c.nc, false);
  if (c.userhash) w.Add("userhash", "true", false);
  w.AddExtras(c.extra);
  return w.Take();
}

}  // namespace sipreg::sip
