#include "sip/cseq.h"

#include "sip/grammar.h"

namespace sipreg::sip {

Result<CSeq> ParseCSeq(std::string_view value) {
  std::string_view text = grammar::TrimWs(value);
  size_t i = 0;
  while (i < text.size() && grammar::IsDigit(text[i])) ++i;
  if (i == 0) return Status::InvalidArgument("CSeq number missing");
  std::optional<uint32_t> number = grammar::ParseUint32(text.substr(0, i));
  if (!number) return Status::InvalidArgument("CSeq number out of range");
  if (i >= text.size() || !grammar::IsWs(text[i])) {
    return Status::InvalidArgument("CSeq method missing");
  }
  std::string_view method = text.substr(grammar::SkipWs(text, i));
  if (!grammar::IsTokenString(method)) return Status::InvalidArgument("malformed CSeq method");
  CSeq c;
  c.number = *number;
  c.method_name = method;
  c.method = LookupMethod(method);
  return c;
}

}  // namespace sipreg::sip
