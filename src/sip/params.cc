#include "sip/params.h"

#include "sip/grammar.h"

namespace sipreg::sip {

bool ParamList::Has(std::string_view name) const {
  for (const Param& p : items_) {
    if (grammar::EqualsIgnoreCase(p.name, name)) return true;
  }
  return false;
}

std::optional<std::string_view> ParamList::Get(std::string_view name) const {
  for (const Param& p : items_) {
    if (grammar::EqualsIgnoreCase(p.name, name)) return p.value;
  }
  return std::nullopt;
}

namespace grammar {

bool IsEscapedRun(std::string_view s, uint16_t cls) {
  if (s.empty()) return false;
  for (size_t i = 0; i < s.size(); ++i) {
    const char c = s[i];
    if (c == '%') {
      if (i + 2 >= s.size()) return false;
      if (!Is(s[i + 1], kHex) || !Is(s[i + 2], kHex)) return false;
      i += 2;
    } else if (!Is(c, cls)) {
      return false;
    }
  }
  return true;
}

bool IsTokenString(std::string_view s) {
  if (s.empty()) return false;
  for (char c : s) {
    if (!IsToken(c)) return false;
  }
  return true;
}

bool ParseQuotedString(std::string_view text, size_t& pos, std::string_view& content) {
  if (pos >= text.size() || text[pos] != '"') return false;
  const size_t start = pos + 1;
  size_t i = start;
  while (i < text.size()) {
    const char c = text[i];
    if (c == '\\') {
      if (i + 1 >= text.size()) return false;
      i += 2;
      continue;
    }
    if (c == '"') {
      content = text.substr(start, i - start);
      pos = i + 1;
      return true;
    }
    ++i;
  }
  return false;
}

std::optional<uint32_t> ParseUint32(std::string_view digits) {
  if (digits.empty()) return std::nullopt;
  uint64_t v = 0;
  for (char c : digits) {
    if (!IsDigit(c)) return std::nullopt;
    v = v * 10 + static_cast<uint64_t>(c - '0');
    if (v > 0xFFFFFFFFull) return std::nullopt;
  }
  return static_cast<uint32_t>(v);
}

std::optional<uint16_t> ParsePort(std::string_view digits) {
  std::optional<uint32_t> v = ParseUint32(digits);
  if (!v || *v > 65535) return std::nullopt;
  return static_cast<uint16_t>(*v);
}

bool IsValidHost(std::string_view host) {
  if (host.empty()) return false;
  if (host.front() == '[') {
    if (host.size() < 4 || host.back() != ']') return false;
    bool colon = false;
    for (size_t i = 1; i + 1 < host.size(); ++i) {
      const char c = host[i];
      if (c == ':') {
        colon = true;
      } else if (!Is(c, kHex) && c != '.') {
        return false;
      }
    }
    return colon;
  }
  for (char c : host) {
    if (!Is(c, kHost)) return false;
  }
  return true;
}

namespace {

// A header parameter value: quoted-string or 1*(token / ":" / "[" / "]"), the
// latter covering gen-value = token / host (IPv6 in received=, maddr=).
bool IsHeaderParamValueChar(char c) { return IsToken(c) || c == ':' || c == '[' || c == ']'; }

Status ParseUriParams(std::string_view text, size_t& pos, ParamList* out) {
  while (pos < text.size() && text[pos] == ';') {
    size_t i = pos + 1;
    const size_t name_start = i;
    while (i < text.size() && text[i] != '=' && text[i] != ';' && text[i] != '?') ++i;
    Param p;
    p.name = text.substr(name_start, i - name_start);
    if (!IsEscapedRun(p.name, kUnreserved | kParamExtra)) {
      return Status::InvalidArgument("malformed URI parameter name");
    }
    if (i < text.size() && text[i] == '=') {
      const size_t value_start = ++i;
      while (i < text.size() && text[i] != ';' && text[i] != '?') ++i;
      p.value = text.substr(value_start, i - value_start);
      p.has_value = true;
      if (!IsEscapedRun(p.value, kUnreserved | kParamExtra)) {
        return Status::InvalidArgument("malformed URI parameter value");
      }
    }
    if (out != nullptr) {
      if (out->items().empty()) out->items().reserve(4);
      out->items().push_back(p);
    }
    pos = i;
  }
  return Status::Ok();
}

Status ParseHeaderParams(std::string_view text, size_t& pos, ParamList* out) {
  while (true) {
    size_t i = SkipWs(text, pos);
    if (i >= text.size() || text[i] != ';') return Status::Ok();
    i = SkipWs(text, i + 1);
    const size_t name_start = i;
    while (i < text.size() && IsToken(text[i])) ++i;
    Param p;
    p.name = text.substr(name_start, i - name_start);
    if (p.name.empty()) return Status::InvalidArgument("empty header parameter name");
    size_t after_name = i;
    i = SkipWs(text, i);
    if (i < text.size() && text[i] == '=') {
      i = SkipWs(text, i + 1);
      p.has_value = true;
      if (i < text.size() && text[i] == '"') {
        if (!ParseQuotedString(text, i, p.value)) {
          return Status::InvalidArgument("unterminated quoted parameter value");
        }
      } else {
        const size_t value_start = i;
        while (i < text.size() && IsHeaderParamValueChar(text[i])) ++i;
        p.value = text.substr(value_start, i - value_start);
        if (p.value.empty()) return Status::InvalidArgument("empty header parameter value");
      }
      after_name = i;
    }
    if (out != nullptr) {
      if (out->items().empty()) out->items().reserve(4);
      out->items().push_back(p);
    }
    pos = after_name;
  }
}

}  // namespace

Status ParseParams(std::string_view text, size_t& pos, ParamSyntax syntax, ParamList* out) {
  return syntax == ParamSyntax::kUri ? ParseUriParams(text, pos, out)
                                     : ParseHeaderParams(text, pos, out);
}

}  // namespace grammar
}  // namespace sipreg::sip
