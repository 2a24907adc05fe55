// Test helpers: SIP messages written with "\n" line ends in the tests, turned
// into wire bytes and parsed.
#pragma once

#include <gtest/gtest.h>

#include <string>
#include <string_view>

#include "sip/message.h"
#include "sip/parser.h"

namespace sipreg::txn::testing {

// Replaces every bare "\n" with "\r\n" (text already using CRLF is unchanged).
inline std::string Crlf(std::string_view text) {
  std::string out;
  char prev = 0;
  for (char c : text) {
    if (c == '\n' && prev != '\r') out += '\r';
    out += c;
    prev = c;
  }
  return out;
}

// Parses `text` (with "\n" or "\r\n" line ends); fails the test if it does not parse.
inline sip::Message ParseOrDie(std::string_view text) {
  Result<sip::Message> m = sip::Parse(Crlf(text));
  EXPECT_TRUE(m.ok()) << m.status().ToString() << "\n" << text;
  if (!m.ok()) return sip::Message();
  return std::move(m).value();
}

}  // namespace sipreg::txn::testing
