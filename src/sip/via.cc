#include "sip/via.h"

#include "sip/grammar.h"

namespace sipreg::sip {

namespace {

size_t TokenEnd(std::string_view text, size_t pos) {
  while (pos < text.size() && grammar::IsToken(text[pos])) ++pos;
  return pos;
}

// SWS "/" SWS; returns false if the slash is missing.
bool SkipSlash(std::string_view text, size_t& pos) {
  size_t i = grammar::SkipWs(text, pos);
  if (i >= text.size() || text[i] != '/') return false;
  pos = grammar::SkipWs(text, i + 1);
  return true;
}

}  // namespace

std::optional<uint16_t> Via::rport_value() const {
  std::optional<std::string_view> v = params.Get("rport");
  if (!v) return std::nullopt;
  return grammar::ParsePort(*v);
}

bool Via::is_rfc3261_branch() const {
  std::optional<std::string_view> b = branch();
  return b && b->substr(0, 7) == "z9hG4bK";
}

Result<Via> ParseVia(std::string_view entry) {
  Via v;
  std::string_view text = grammar::TrimWs(entry);
  v.raw = text;

  // sent-protocol = protocol-name SLASH protocol-version SLASH transport
  size_t pos = 0;
  const size_t name_end = TokenEnd(text, pos);
  std::string_view name = text.substr(pos, name_end - pos);
  pos = name_end;
  if (name.empty() || !SkipSlash(text, pos)) {
    return Status::InvalidArgument("malformed Via sent-protocol");
  }
  const size_t version_start = pos;
  const size_t version_end = TokenEnd(text, pos);
  std::string_view version = text.substr(version_start, version_end - version_start);
  pos = version_end;
  if (version.empty() || !SkipSlash(text, pos)) {
    return Status::InvalidArgument("malformed Via sent-protocol");
  }
  const size_t transport_end = TokenEnd(text, pos);
  v.transport = text.substr(pos, transport_end - pos);
  if (v.transport.empty()) return Status::InvalidArgument("missing Via transport");
  if (grammar::EqualsIgnoreCase(name, "SIP") && version == "2.0") {
    v.protocol = "SIP/2.0";  // static storage; the written form may contain LWS
  } else {
    v.protocol = text.substr(0, version_end);
  }
  pos = transport_end;

  // LWS sent-by
  if (pos >= text.size() || !grammar::IsWs(text[pos])) {
    return Status::InvalidArgument("missing Via sent-by");
  }
  pos = grammar::SkipWs(text, pos);
  const size_t host_start = pos;
  if (pos < text.size() && text[pos] == '[') {
    const size_t close = text.find(']', pos);
    if (close == std::string_view::npos) return Status::InvalidArgument("unterminated IPv6 in Via");
    pos = close + 1;
  } else {
    while (pos < text.size() && grammar::Is(text[pos], grammar::kHost)) ++pos;
  }
  v.host = text.substr(host_start, pos - host_start);
  if (!grammar::IsValidHost(v.host)) return Status::InvalidArgument("malformed Via host");

  size_t i = grammar::SkipWs(text, pos);
  if (i < text.size() && text[i] == ':') {
    i = grammar::SkipWs(text, i + 1);
    const size_t port_start = i;
    while (i < text.size() && grammar::IsDigit(text[i])) ++i;
    v.port = grammar::ParsePort(text.substr(port_start, i - port_start));
    if (!v.port) return Status::InvalidArgument("invalid Via port");
    pos = i;
  }

  SIPREG_RETURN_IF_ERROR(grammar::ParseParams(text, pos, grammar::ParamSyntax::kHeader, &v.params));
  if (grammar::SkipWs(text, pos) != text.size()) {
    return Status::InvalidArgument("unexpected text in Via");
  }
  return v;
}

}  // namespace sipreg::sip
