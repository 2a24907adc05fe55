// QualifyMonitor: chan_sip's qualify as a sans-I/O state machine. For every
// registered contact of an account with qualify on, it asks for an OPTIONS ping
// right after registration and then every qualify frequency, measures the round
// trip and keeps a status: UNKNOWN until the first answer, OK (rtt) when the RTT
// is within the LAGGED threshold (sip.conf qualify=MS, default 2000 ms), LAGGED
// above it, UNREACHABLE when no answer comes within the qualify timeout. Status
// changes come back as transitions to log in Asterisk's words:
//   Peer 'demo-bob' is now Reachable. (3ms / 2000ms)
//   Peer 'demo-bob' is now Lagged. (2503ms / 2000ms)
//   Peer 'demo-bob' is now UNREACHABLE!  Last qualify: 3
// The SipServer sends the pings and feeds answers and time in. Thread-safe: one
// mutex (status reads come from the control socket and HTTP threads).
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "common/clock.h"
#include "registrar/contact_health.h"
#include "sip/endpoint.h"

namespace sipreg::registrar {

enum class Reach : uint8_t { kUnknown, kReachable, kLagged, kUnreachable };

struct QualifyTarget {
  std::string aor;
  std::string contact;     // the binding's Contact URI
  sip::Endpoint destination;  // where pings go (the binding's source address)
  uint64_t connection_id = 0;
  sip::Endpoint local;        // our address the binding's REGISTER arrived on
  std::chrono::milliseconds max_rtt{2000};
  std::chrono::milliseconds timeout{3000};
  std::chrono::seconds frequency{60};
};

struct QualifyStatus {
  Reach reach = Reach::kUnknown;
  std::optional<std::chrono::milliseconds> rtt;  // last measured
  std::chrono::milliseconds max_rtt{2000};
};

// "OK (3 ms)", "LAGGED (2503 ms)", "UNREACHABLE", "UNKNOWN" (sip show peers Status).
std::string StatusText(const QualifyStatus& s);

struct QualifyCounts {
  size_t reachable = 0;  // OK or LAGGED
  size_t unreachable = 0;
  size_t unknown = 0;    // no answer yet
};

struct QualifyPing {
  std::string ping_id;  // identifies the answer (used as the OPTIONS Call-ID)
  QualifyTarget target;
};

struct QualifyTransition {
  std::string aor;
  std::string contact;
  QualifyStatus status;
  Reach previous = Reach::kUnknown;
  // The Asterisk NOTICE text for this change.
  std::string Message() const;
};

class QualifyMonitor final : public ContactHealth {
 public:
  // ContactHealth: the contact's last qualify timed out.
  bool IsUnavailable(std::string_view aor, std::string_view contact) const override;

  // Starts (or refreshes the settings of) monitoring; the first ping is due now.
  void Track(QualifyTarget target, SteadyTime now);
  void Untrack(std::string_view aor, std::string_view contact);

  // Pings to send now; each is marked in flight until answered or timed out.
  // `make_id` gives each ping a fresh id.
  template <typename MakeId>
  std::vector<QualifyPing> Due(SteadyTime now, MakeId make_id);

  // An answer (any final response) to ping `ping_id`.
  std::optional<QualifyTransition> OnAnswer(std::string_view ping_id, SteadyTime now);
  // Pings unanswered past their timeout become UNREACHABLE.
  std::vector<QualifyTransition> ExpireUnanswered(SteadyTime now);

  // The status of one contact, or of the account (its best contact), if monitored.
  std::optional<QualifyStatus> ContactStatus(std::string_view aor, std::string_view contact) const;
  std::optional<QualifyStatus> AorStatus(std::string_view aor) const;
  size_t size() const;
  QualifyCounts Counts() const;
  // (aor, contact) of every monitored contact.
  std::vector<std::pair<std::string, std::string>> Keys() const;

 private:
  struct Entry {
    QualifyTarget target;
    QualifyStatus status;
    SteadyTime next_ping{};
    std::string in_flight;  // ping id, empty when none
    SteadyTime sent_at{};
  };
  using Key = std::pair<std::string, std::string>;  // aor, contact
  std::optional<QualifyTransition> SetReach(Entry& e, Reach reach);  // REQUIRES(mu_)

  mutable std::mutex mu_;
  std::map<Key, Entry> entries_;                   // GUARDED_BY(mu_)
  std::unordered_map<std::string, Key> in_flight_;  // GUARDED_BY(mu_): ping id -> entry
};

template <typename MakeId>
std::vector<QualifyPing> QualifyMonitor::Due(SteadyTime now, MakeId make_id) {
  std::vector<QualifyPing> out;
  std::lock_guard<std::mutex> lock(mu_);
  for (auto& [key, e] : entries_) {
    if (!e.in_flight.empty() || e.next_ping > now) continue;
    e.in_flight = make_id();
    e.sent_at = now;
    e.next_ping = now + e.target.frequency;
    in_flight_[e.in_flight] = key;
    out.push_back({e.in_flight, e.target});
  }
  return out;
}

}  // namespace sipreg::registrar
