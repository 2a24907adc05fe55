#include "registrar/fork_context.h"

namespace sipreg::registrar {
namespace {

// §16.7 step 6: true if `a` is a better final response to forward than `b`.
bool Better(int a, int b) {
  if (b == 0) return true;
  const int ca = a / 100, cb = b / 100;
  if (ca == 6 || cb == 6) return ca == 6 && cb != 6;
  if (ca != cb) return ca < cb;
  return false;  // same class: keep the first
}

}  // namespace

ForkContext::ForkContext(std::vector<std::vector<size_t>> waves,
                         std::chrono::milliseconds wave_timeout)
    : waves_(std::move(waves)), wave_timeout_(wave_timeout) {
  size_t n = 0;
  for (const auto& w : waves_) {
    for (size_t t : w) n = std::max(n, t + 1);
  }
  state_.assign(n, BranchState::kIdle);
}

ForkActions ForkContext::Start(SteadyTime now) {
  ForkActions out = StartNextWave(now);
  MaybeFinish(now, out);  // no targets at all
  return out;
}

ForkActions ForkContext::StartNextWave(SteadyTime now) {
  ForkActions out;
  wave_deadline_.reset();
  while (!stop_waves_ && next_wave_ < waves_.size()) {
    const auto& wave = waves_[next_wave_++];
    for (size_t t : wave) {
      if (state_[t] != BranchState::kIdle) continue;  // a target in two waves rings once
      state_[t] = BranchState::kRinging;
      ForkAction a;
      a.kind = ForkAction::Kind::kStartBranch;
      a.branch = t;
      out.push_back(std::move(a));
    }
    if (!out.empty()) {
      if (wave_timeout_.count() > 0) wave_deadline_ = now + wave_timeout_;
      break;
    }
  }
  return out;
}

bool ForkContext::AnyPending() const {
  for (auto s : state_) {
    if (s == BranchState::kRinging || s == BranchState::kCancelled) return true;
  }
  return false;
}

bool ForkContext::branch_pending(size_t branch) const {
  return branch < state_.size() &&
         (state_[branch] == BranchState::kRinging || state_[branch] == BranchState::kCancelled);
}

void ForkContext::CancelPending(ForkActions& out) {
  for (size_t t = 0; t < state_.size(); ++t) {
    if (state_[t] != BranchState::kRinging) continue;
    state_[t] = BranchState::kCancelled;
    ForkAction a;
    a.kind = ForkAction::Kind::kCancelBranch;
    a.branch = t;
    out.push_back(std::move(a));
  }
}

ForkActions ForkContext::OnResponse(size_t branch, int status, std::string bytes,
                                    SteadyTime now) {
  ForkActions out;
  if (branch >= state_.size()) return out;
  if (status >= 200 && status < 300) {
    // Every 2xx goes upstream, even late ones (each may set up a dialog, §16.7 step 5).
    state_[branch] = BranchState::kDone;
    ForkAction a;
    a.kind = ForkAction::Kind::kRelay;
    a.status = status;
    a.bytes = std::move(bytes);
    out.push_back(std::move(a));
    answered_ = true;
    final_sent_ = true;
    stop_waves_ = true;
    CancelPending(out);
    return out;
  }
  if (!branch_pending(branch)) return out;  // late answer of a finished branch
  if (status < 200) {
    if (status == 100 || final_sent_) return out;  // 100 is hop-by-hop
    ForkAction a;
    a.kind = ForkAction::Kind::kRelay;
    a.status = status;
    a.bytes = std::move(bytes);
    out.push_back(std::move(a));
    return out;
  }
  Final(branch, status, std::move(bytes), now, out);
  return out;
}

ForkActions ForkContext::OnBranchFailed(size_t branch, int status, SteadyTime now) {
  ForkActions out;
  if (!branch_pending(branch)) return out;
  // No response at all: remember it as the status a proxy would have made up,
  // but any real answer from another branch wins over it.
  state_[branch] = BranchState::kDone;
  if (best_status_ == 0 && !final_sent_ && !timed_out_) best_status_ = -status;  // see MaybeFinish
  MaybeFinish(now, out);
  return out;
}

void ForkContext::Final(size_t branch, int status, std::string bytes, SteadyTime now,
                        ForkActions& out) {
  // The 487 of a branch we cancelled ourselves says nothing to the caller.
  const bool we_cancelled = state_[branch] == BranchState::kCancelled;
  state_[branch] = BranchState::kDone;
  if (!final_sent_ && !we_cancelled && (best_status_ <= 0 || Better(status, best_status_))) {
    best_status_ = status;
    best_bytes_ = std::move(bytes);
  }
  if (status >= 600) {
    stop_waves_ = true;
    CancelPending(out);
  }
  MaybeFinish(now, out);
}

void ForkContext::MaybeFinish(SteadyTime now, ForkActions& out) {
  if (final_sent_ || AnyPending()) return;
  if (!stop_waves_ && !timed_out_) {
    ForkActions next = StartNextWave(now);
    if (!next.empty()) {
      out.insert(out.end(), next.begin(), next.end());
      return;
    }
  }
  final_sent_ = true;
  ForkAction a;
  if (caller_cancelled_) {
    a.kind = ForkAction::Kind::kRespond;
    a.status = 487;
    a.reason = "Request Terminated";
  } else if (timed_out_ && (best_status_ <= 0 || best_status_ == 487 || best_status_ == 408)) {
    a.kind = ForkAction::Kind::kRespond;
    a.status = 480;
    a.reason = "Temporarily Unavailable";
  } else if (best_status_ > 0) {
    if (best_status_ == 503) {
      a.kind = ForkAction::Kind::kRespond;  // §16.7 step 6: never relay a 503
      a.status = 500;
      a.reason = "Server Internal Error";
    } else {
      a.kind = ForkAction::Kind::kRelay;
      a.status = best_status_;
      a.bytes = std::move(best_bytes_);
    }
  } else if (best_status_ < 0) {
    a.kind = ForkAction::Kind::kRespond;
    a.status = -best_status_;
    a.reason = a.status == 408 ? "Request Timeout" : "Service Unavailable";
  } else {
    a.kind = ForkAction::Kind::kRespond;
    a.status = 480;
    a.reason = "Temporarily Unavailable";
  }
  out.push_back(std::move(a));
}

ForkActions ForkContext::OnCallerCancel(SteadyTime now) {
  ForkActions out;
  if (final_sent_) return out;
  caller_cancelled_ = true;
  stop_waves_ = true;
  CancelPending(out);
  MaybeFinish(now, out);
  return out;
}

ForkActions ForkContext::OnTimer(SteadyTime now) {
  ForkActions out;
  if (!wave_deadline_ || now < *wave_deadline_ || final_sent_) return out;
  wave_deadline_.reset();
  const bool last_wave = next_wave_ >= waves_.size();
  if (last_wave) timed_out_ = true;
  CancelPending(out);
  if (!last_wave && !stop_waves_) {
    // Cancelled branches finish in the background; the next wave rings now.
    ForkActions next = StartNextWave(now);
    out.insert(out.end(), next.begin(), next.end());
    if (next.empty()) timed_out_ = true;
  }
  MaybeFinish(now, out);
  return out;
}

std::optional<SteadyTime> ForkContext::next_deadline() const {
  return final_sent_ ? std::nullopt : wave_deadline_;
}

}  // namespace sipreg::registrar
