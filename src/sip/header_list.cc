#include "sip/header_list.h"

#include <array>
#include <cstring>

#include "sip/grammar.h"

namespace sipreg::sip {

namespace {

constexpr std::array<bool, 256> MakeSpecial() {
  std::array<bool, 256> t{};
  t[static_cast<unsigned char>(',')] = true;
  t[static_cast<unsigned char>('"')] = true;
  t[static_cast<unsigned char>('<')] = true;
  return t;
}
constexpr std::array<bool, 256> kSpecial = MakeSpecial();

// Careful scan for NextTopLevelComma, tracking quotes and angle brackets.
size_t ScanTopLevelComma(const char* d, size_t n, size_t pos) {
  size_t i = pos;
  while (i < n) {
    const char c = d[i];
    if (!kSpecial[static_cast<unsigned char>(c)]) {
      ++i;
    } else if (c == ',') {
      return i;
    } else if (c == '<') {  // URIs cannot contain '>' unescaped
      const void* close = std::memchr(d + i + 1, '>', n - i - 1);
      if (close == nullptr) return n;
      i = static_cast<size_t>(static_cast<const char*>(close) - d) + 1;
    } else {  // quoted string with \-escapes
      ++i;
      while (i < n && d[i] != '"') i += (d[i] == '\\') ? 2 : 1;
      if (i >= n) return n;
      ++i;
    }
  }
  return n;
}

// Index of the next top-level comma at or after `pos`, or value.size().
// An unterminated quote or '<' runs to the end of the value.
size_t NextTopLevelComma(std::string_view value, size_t pos) {
  const char* d = value.data();
  const size_t n = value.size();
  if (pos >= n) return n;
  // Fast path (memchr is vectorised): no comma at all means one entry; a comma
  // with no quote or '<' before it is a top-level comma.
  const auto* comma = static_cast<const char*>(std::memchr(d + pos, ',', n - pos));
  if (comma == nullptr) return n;
  const size_t k = static_cast<size_t>(comma - d);
  if (std::memchr(d + pos, '"', k - pos) == nullptr &&
      std::memchr(d + pos, '<', k - pos) == nullptr) {
    return k;
  }
  return ScanTopLevelComma(d, n, pos);
}

}  // namespace

std::string_view NextListValue(std::string_view value, size_t& pos) {
  while (pos <= value.size()) {
    const size_t comma = NextTopLevelComma(value, pos);
    std::string_view entry = grammar::TrimWs(value.substr(pos, comma - pos));
    pos = comma + 1;  // may step one past the end: the loop condition stops there
    if (!entry.empty()) return entry;
  }
  return {};
}

void SplitListValues(std::string_view value, std::vector<std::string_view>& out) {
  size_t pos = 0;
  for (std::string_view entry = NextListValue(value, pos); !entry.empty();
       entry = NextListValue(value, pos)) {
    out.push_back(entry);
  }
}

std::vector<std::string_view> SplitListValues(std::string_view value) {
  std::vector<std::string_view> out;
  SplitListValues(value, out);
  return out;
}

std::string_view FirstListValue(std::string_view value) {
  size_t pos = 0;
  return NextListValue(value, pos);
}

}  // namespace sipreg::sip
