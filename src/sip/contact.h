// Contact header values (RFC 3261 §20.10): "*" or a list of name-addrs with
// expires / q / +sip.instance / reg-id parameters (RFC 5626).
#pragma once

#include <optional>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "sip/name_addr.h"

namespace sipreg::sip {

struct Contact {
  NameAddr addr;
  std::optional<uint32_t> expires() const;       // the expires param, if numeric
  std::optional<double> q() const;               // 0..1
  std::optional<std::string_view> instance() const;  // +sip.instance, quotes stripped
  std::optional<uint32_t> reg_id() const;
};

struct ContactList {
  bool star = false;  // "Contact: *"
  std::vector<Contact> contacts;
};

// Parses one Contact header value (may hold several comma-separated entries).
Result<ContactList> ParseContacts(std::string_view value);

}  // namespace sipreg::sip
