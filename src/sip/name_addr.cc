#include "sip/name_addr.h"

#include "sip/grammar.h"

namespace sipreg::sip {

namespace {

// End of an addr-spec URI starting at text[pos]: it runs to the first
// whitespace, and within that to the first ';' after the userinfo (an '@'
// seen before any quote), because header parameters follow an addr-spec.
size_t AddrSpecEnd(std::string_view text, size_t pos) {
  size_t ws = pos;
  while (ws < text.size() && !grammar::IsWs(text[ws])) ++ws;
  size_t search_from = pos;
  for (size_t i = pos; i < ws; ++i) {
    if (text[i] == '"') break;
    if (text[i] == '@') {
      search_from = i;
      break;
    }
  }
  for (size_t i = search_from; i < ws; ++i) {
    if (text[i] == ';') return i;
  }
  return ws;
}

}  // namespace

Result<NameAddr> ParseNameAddr(std::string_view text) {
  NameAddr na;
  text = grammar::TrimWs(text);
  na.raw = text;
  if (text.empty()) return Status::InvalidArgument("empty name-addr");

  size_t pos = 0;
  if (text[0] == '"') {
    if (!grammar::ParseQuotedString(text, pos, na.display_name)) {
      return Status::InvalidArgument("unterminated quoted display name");
    }
    na.display_name_quoted = true;
    pos = grammar::SkipWs(text, pos);
    if (pos >= text.size() || text[pos] != '<') {
      return Status::InvalidArgument("expected '<' after quoted display name");
    }
  } else {
    // display-name = *(token LWS); only a display name if a '<' follows.
    size_t i = 0;
    while (i < text.size() && (grammar::IsToken(text[i]) || grammar::IsWs(text[i]))) ++i;
    if (i < text.size() && text[i] == '<') {
      na.display_name = grammar::TrimWs(text.substr(0, i));
      pos = i;
    }
  }

  if (pos < text.size() && text[pos] == '<') {
    const size_t close = text.find('>', pos + 1);
    if (close == std::string_view::npos) return Status::InvalidArgument("missing '>' in name-addr");
    Result<Uri> uri = ParseUri(text.substr(pos + 1, close - pos - 1));
    if (!uri.ok()) return uri.status();
    na.uri = std::move(uri).value();
    na.angle_brackets = true;
    pos = close + 1;
  } else {
    const size_t end = AddrSpecEnd(text, pos);
    std::string_view spec = text.substr(pos, end - pos);
    if (spec.find('?') != std::string_view::npos || spec.find(',') != std::string_view::npos) {
      return Status::InvalidArgument("addr-spec with '?' or ',' must be enclosed in <>");
    }
    Result<Uri> uri = ParseUri(spec);
    if (!uri.ok()) return uri.status();
    na.uri = std::move(uri).value();
    pos = end;
  }

  SIPREG_RETURN_IF_ERROR(
      grammar::ParseParams(text, pos, grammar::ParamSyntax::kHeader, &na.params));
  if (grammar::SkipWs(text, pos) != text.size()) {
    return Status::InvalidArgument("unexpected text after name-addr");
  }
  return na;
}

}  // namespace sipreg::sip
