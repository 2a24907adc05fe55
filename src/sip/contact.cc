#include "sip/contact.h"

#include "sip/grammar.h"
#include "sip/header_list.h"

namespace sipreg::sip {

std::optional<uint32_t> Contact::expires() const {
  std::optional<std::string_view> v = addr.params.Get("expires");
  if (!v || v->empty()) return std::nullopt;
  for (char c : *v) {
    if (!grammar::IsDigit(c)) return std::nullopt;
  }
  // delta-seconds beyond 2^32-1 saturate (RFC 3261 §20.19 sets that as the ceiling).
  std::optional<uint32_t> n = grammar::ParseUint32(*v);
  return n ? *n : UINT32_MAX;
}

std::optional<double> Contact::q() const {
  // qvalue = ( "0" [ "." 0*3DIGIT ] ) / ( "1" [ "." 0*3("0") ] )
  std::optional<std::string_view> v = addr.params.Get("q");
  if (!v || v->empty()) return std::nullopt;
  std::string_view s = *v;
  if (s[0] != '0' && s[0] != '1') return std::nullopt;
  double value = s[0] - '0';
  if (s.size() > 1) {
    if (s[1] != '.' || s.size() > 5) return std::nullopt;
    double scale = 0.1;
    for (size_t i = 2; i < s.size(); ++i) {
      if (!grammar::IsDigit(s[i])) return std::nullopt;
      value += (s[i] - '0') * scale;
      scale /= 10;
    }
  }
  if (value > 1.0) return std::nullopt;
  return value;
}

std::optional<std::string_view> Contact::instance() const {
  return addr.params.Get("+sip.instance");
}

std::optional<uint32_t> Contact::reg_id() const {
  std::optional<std::string_view> v = addr.params.Get("reg-id");
  if (!v) return std::nullopt;
  return grammar::ParseUint32(*v);
}

Result<ContactList> ParseContacts(std::string_view value) {
  ContactList list;
  std::string_view text = grammar::TrimWs(value);
  if (text == "*") {
    list.star = true;
    return list;
  }
  size_t pos = 0;
  for (std::string_view entry = NextListValue(text, pos); !entry.empty();
       entry = NextListValue(text, pos)) {
    if (entry == "*") return Status::InvalidArgument("Contact '*' mixed with addresses");
    Result<NameAddr> na = ParseNameAddr(entry);
    if (!na.ok()) return Status::InvalidArgument("bad Contact: " + na.status().message());
    list.contacts.push_back(Contact{std::move(na).value()});
  }
  if (list.contacts.empty()) return Status::InvalidArgument("empty Contact header");
  return list;
}

}  // namespace sipreg::sip
