// ForkContext: the response context of one INVITE a stateful proxy forwards to
// several targets (RFC 3261 §16.7), as a sans-I/O state machine. Targets come
// in waves: every target of a wave rings at once; the next wave starts when
// the current one has failed (all its branches gave a final non-2xx answer) or
// its ring timeout passed (its pending branches are then cancelled). One wave
// of every contact is a plain fork (ringall); one wave per target is a hunt;
// one wave per q-value group is RFC 3261 §16.6's q ordering.
//
// The owner feeds branch answers, the caller's CANCEL and time, and carries out
// the actions: start a branch (client INVITE transaction), CANCEL a branch,
// send a response upstream (through the server INVITE transaction). Rules:
//   1xx (not 100)  relayed upstream
//   2xx            relayed upstream at once (every 2xx, from any branch), every
//                  other pending branch cancelled, no further wave
//   6xx            every pending branch cancelled, no further wave
//   other finals   kept; when nothing is pending and no wave is left, the best
//                  goes upstream: a 6xx if any, else the lowest class (503 becomes
//                  500, §16.7 step 6); none at all (timeouts) gives 408
//   ring timeout   pending branches cancelled; if it was the last wave the
//                  caller gets 480 Temporarily Unavailable (no answer) once the
//                  cancelled branches are done
//   caller CANCEL  every pending branch cancelled, no further wave; the caller
//                  then gets 487 Request Terminated
// Thread affinity: none (plain data); the owner serialises calls.
#pragma once

#include <chrono>
#include <cstddef>
#include <optional>
#include <string>
#include <vector>

#include "common/clock.h"

namespace sipreg::registrar {

struct ForkAction {
  enum class Kind { kStartBranch, kCancelBranch, kRelay, kRespond };
  Kind kind = Kind::kRelay;
  size_t branch = 0;   // kStartBranch, kCancelBranch: target index
  int status = 0;      // kRelay (the branch response), kRespond (a response to generate)
  std::string bytes;   // kRelay: the response to send upstream as is
  std::string reason;  // kRespond: reason phrase

  bool operator==(const ForkAction&) const = default;
};
using ForkActions = std::vector<ForkAction>;

class ForkContext {
 public:
  // `waves` hold target indices (0..n-1); `wave_timeout` limits each wave's ringing
  // (zero: no limit of its own).
  ForkContext(std::vector<std::vector<size_t>> waves, std::chrono::milliseconds wave_timeout);

  ForkActions Start(SteadyTime now);
  // A response from target `branch`, already stripped of our Via.
  ForkActions OnResponse(size_t branch, int status, std::string bytes, SteadyTime now);
  // The branch's transaction ended without a response (timeout or transport error).
  ForkActions OnBranchFailed(size_t branch, int status, SteadyTime now);
  ForkActions OnCallerCancel(SteadyTime now);
  // Call when now >= next_deadline().
  ForkActions OnTimer(SteadyTime now);

  std::optional<SteadyTime> next_deadline() const;
  // A final response went upstream: the context has nothing left to do for
  // the caller (2xx retransmissions of late branches are relayed regardless).
  bool finished() const { return final_sent_; }
  bool answered() const { return answered_; }  // a 2xx went upstream
  bool branch_pending(size_t branch) const;

 private:
  enum class BranchState { kIdle, kRinging, kCancelled, kDone };
  ForkActions StartNextWave(SteadyTime now);
  void CancelPending(ForkActions& out);
  void Final(size_t branch, int status, std::string bytes, SteadyTime now, ForkActions& out);
  void MaybeFinish(SteadyTime now, ForkActions& out);
  bool AnyPending() const;

  std::vector<std::vector<size_t>> waves_;
  std::chrono::milliseconds wave_timeout_;
  std::vector<BranchState> state_;
  size_t next_wave_ = 0;
  std::optional<SteadyTime> wave_deadline_;
  bool caller_cancelled_ = false;
  bool timed_out_ = false;   // the last wave's ring timeout passed
  bool stop_waves_ = false;  // 2xx, 6xx or CANCEL: start nothing more
  bool answered_ = false;
  bool final_sent_ = false;
  int best_status_ = 0;
  std::string best_bytes_;
};

}  // namespace sipreg::registrar
