// ContactHealth: what the registrar may ask about a contact's reachability, for
// pjsip's remove_unavailable (when an AOR is full, contacts that fail qualify
// make room first). QualifyMonitor answers it. Implementations must be
// thread-safe and must not call into the BindingStore: they are asked under
// the store's per-AOR lock.
#pragma once

#include <string_view>

namespace sipreg::registrar {

class ContactHealth {
 public:
  virtual ~ContactHealth() = default;
  // True only when the contact is known to be unreachable (qualify timed out).
  virtual bool IsUnavailable(std::string_view aor, std::string_view contact) const = 0;
};

}  // namespace sipreg::registrar
