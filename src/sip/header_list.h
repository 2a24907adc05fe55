// SplitListValues: cuts a header value holding a comma-separated list
// (RFC 3261 §7.3.1: "Via: a, b") into its entries. Commas inside "quoted
// strings" (with \-escapes) and inside <...> do not split. Entries are trimmed
// of SP/HT and empty entries are dropped. Zero-copy: views into `value`.
#pragma once

#include <cstddef>
#include <string_view>
#include <vector>

namespace sipreg::sip {

// Appends the entries of `value` to `out`.
void SplitListValues(std::string_view value, std::vector<std::string_view>& out);
std::vector<std::string_view> SplitListValues(std::string_view value);

// Iterates without allocating: returns the next non-empty entry at or after
// `pos` and advances `pos` past it; returns an empty view when there are no
// more entries. Start with pos = 0.
std::string_view NextListValue(std::string_view value, size_t& pos);

// The first non-empty entry of `value` (empty if there is none); no allocation.
std::string_view FirstListValue(std::string_view value);

}  // namespace sipreg::sip
