#include "sip/message.h"

#include "sip/grammar.h"
#include "sip/header_list.h"

namespace sipreg::sip {

const Header* Message::Find(HeaderId id) const {
  for (const Header& h : headers_) {
    if (h.id == id) return &h;
  }
  return nullptr;
}

const Header* Message::Find(std::string_view name) const {
  const HeaderId id = LookupHeaderId(name);
  if (id != HeaderId::kOther) return Find(id);
  for (const Header& h : headers_) {
    if (h.id == HeaderId::kOther && grammar::EqualsIgnoreCase(h.name, name)) return &h;
  }
  return nullptr;
}

std::string_view Message::Value(HeaderId id) const {
  const Header* h = Find(id);
  return h ? h->value : std::string_view();
}

size_t Message::Count(HeaderId id) const {
  size_t n = 0;
  for (const Header& h : headers_) {
    if (h.id == id) ++n;
  }
  return n;
}

std::vector<std::string_view> Message::Values(HeaderId id) const {
  std::vector<std::string_view> out;
  const bool list = IsListHeader(id);
  for (const Header& h : headers_) {
    if (h.id != id) continue;
    if (list) {
      SplitListValues(h.value, out);
    } else {
      out.push_back(h.value);
    }
  }
  return out;
}

std::string_view Message::top_via() const {
  for (const Header& h : headers_) {
    if (h.id != HeaderId::kVia) continue;
    std::string_view first = FirstListValue(h.value);
    if (!first.empty()) return first;
  }
  return {};
}

}  // namespace sipreg::sip
