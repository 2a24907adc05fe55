// BindingStore: where the registrar keeps its bindings (registered contacts),
// keyed by AOR (the account name). Two implementations:
//   MemoryBindingStore  (memory_binding_store.h) — sharded in memory; the fake
//                        for registrar tests and the in-memory half of
//   SqliteBindingStore  (sqlite_binding_store.h) — memory + SQLite with group
//                        commit; what sipregd runs ("nothing lost").
//
// Every mutation of one AOR is atomic and ordered: Update/Apply runs the whole
// change list under that AOR's lock, and two Updates of the same AOR are never
// interleaved. Bindings are identified inside an AOR by the exact `contact`
// string; the registrar canonicalises contacts (and maps RFC 5626
// instance/reg-id matches onto Remove+Upsert) before calling the store.
//
// Time is always passed in (`now`, wall clock, as Binding::expires_at is): a
// binding whose expires_at <= now is expired. Expired bindings are invisible to
// Lookup/Update/Apply results but stay in the store until RemoveExpired() sweeps
// them, so that the sweep can report them (logs, qualify) exactly once.
//
// Threading: every method may be called from any thread concurrently, except
// that a store must not be destroyed while another call is running. Callbacks
// (Decide, ApplyDone, ForEach visitors) must not call back into the same store
// unless stated otherwise.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <tuple>
#include <utility>
#include <vector>

#include "common/clock.h"
#include "common/status.h"
#include "registrar/binding.h"

namespace sipreg::registrar {

// One step of a change to an AOR's bindings.
struct BindingChange {
  enum class Kind : uint8_t {
    kUpsert,     // insert `binding`, or replace the one with the same contact
    kRemove,     // remove the binding whose contact == binding.contact (no-op if none)
    kRemoveAll,  // remove every binding of the AOR ("Contact: *", account deleted)
  };

  static BindingChange Upsert(Binding b) { return {Kind::kUpsert, std::move(b)}; }
  static BindingChange Remove(std::string contact) {
    BindingChange c{Kind::kRemove, {}};
    c.binding.contact = std::move(contact);
    return c;
  }
  static BindingChange RemoveAll() { return {Kind::kRemoveAll, {}}; }

  Kind kind = Kind::kUpsert;
  // kUpsert: the full binding (its `aor` is overwritten with the AOR the change
  // is applied to). kRemove: only `contact` is used. kRemoveAll: unused.
  Binding binding;
  // Set by the store for the journal: a kUpsert that replaced a binding with
  // the same contact (a refresh), so its row can be updated in place.
  bool replaces = false;

  bool operator==(const BindingChange&) const = default;
};

class BindingStore {
 public:
  // Decides the changes from the AOR's current unexpired bindings (e.g. the
  // CSeq and max_contacts rules). Runs under the AOR's lock: keep it short and
  // do not call into the store. Returning an error aborts: nothing changes and
  // the error is handed to ApplyDone.
  using Decide =
      std::function<Result<std::vector<BindingChange>>(const std::vector<Binding>& current)>;
  // Called exactly once per Update/Apply: with the AOR's unexpired bindings
  // after the change once that change is durable (the registrar answers 200 OK
  // from here), or with the error (Decide's error, an invalid change, or a
  // storage failure — then the caller answers 500). May run before Update()
  // returns, on the calling thread (memory store; errors detected up front) or
  // on the SQLite writer thread: post to your event loop rather than doing
  // real work in it. It may call Lookup/Update/Apply on the same store.
  using ApplyDone = std::function<void(Result<std::vector<Binding>>)>;

  virtual ~BindingStore() = default;

  // Atomic read-modify-write of one AOR. `decide` is called at most once,
  // before Update returns, and not kept. An empty change list is a query: the
  // result is reported once every change queued before it is durable.
  // Invalid changes (empty aor or contact) fail the whole update.
  virtual void Update(std::string_view aor, WallTime now, const Decide& decide,
                      ApplyDone done) = 0;

  // Update with a fixed change list.
  void Apply(std::string_view aor, std::vector<BindingChange> changes, WallTime now,
             ApplyDone done) {
    Update(
        aor, now,
        [&changes](const std::vector<Binding>&) -> Result<std::vector<BindingChange>> {
          return std::move(changes);
        },
        std::move(done));
  }

  // The AOR's unexpired bindings, in insertion order (a refresh keeps its place).
  virtual std::vector<Binding> Lookup(std::string_view aor, WallTime now) const = 0;

  // Visits every stored binding, expired ones included, one shard at a time
  // (consistent per AOR, not across the store). `visit` runs under a shard
  // lock: copy what you need and return; do not call into the store.
  virtual void ForEach(const std::function<void(const Binding&)>& visit) const = 0;

  // Number of stored bindings, expired ones not yet swept included.
  virtual size_t Count() const = 0;

  // Removes every binding with expires_at <= now and returns them (for the
  // periodic sweep: logs, qualify). Not acknowledged: if lost in a crash the
  // rows are still expired and dropped on the next open.
  virtual std::vector<Binding> RemoveExpired(WallTime now) = 0;

  // Removes every binding tied to a TCP/TLS connection that closed and returns
  // them. connection_id 0 ("not tied") removes nothing.
  virtual std::vector<Binding> RemoveByConnection(uint64_t connection_id) = 0;

  // How a durable store's writes are going (for /metrics); nullopt for a
  // store that keeps bindings in memory only.
  struct CommitStats {
    uint64_t commits = 0;        // write transactions (each one fsync)
    uint64_t updates = 0;        // binding updates they carried
    uint64_t largest_batch = 0;  // most updates in one transaction
  };
  virtual std::optional<CommitStats> commit_stats() const { return std::nullopt; }

  // Every unexpired binding, sorted by (aor, contact): for admin views.
  std::vector<Binding> Snapshot(WallTime now) const {
    std::vector<Binding> out;
    ForEach([&out, now](const Binding& b) {
      if (b.expires_at > now) out.push_back(b);
    });
    std::sort(out.begin(), out.end(), [](const Binding& a, const Binding& b) {
      return std::tie(a.aor, a.contact) < std::tie(b.aor, b.contact);
    });
    return out;
  }
};

// A store runs the ApplyDone callbacks of one group commit back to back on its
// writer thread inside a CallbackBatch. A callback that hands its result to
// another thread can Defer the hand-over to the end of the batch, so that one
// commit wakes that thread once, not once per callback (which, with the other
// thread draining after each wake-up, made a commit of N registrations cost N
// wake-ups of the io thread and N contended locks).
class CallbackBatch {
 public:
  CallbackBatch() : outer_(current_) { current_ = this; }
  // Runs what was deferred, in order, after the batch's callbacks.
  ~CallbackBatch() {
    current_ = outer_;
    for (auto& fn : deferred_) fn();
  }
  CallbackBatch(const CallbackBatch&) = delete;
  CallbackBatch& operator=(const CallbackBatch&) = delete;

  // Runs `fn` when the innermost batch open on this thread ends, or at once
  // when none is (a callback run on the caller's thread, e.g. by the memory
  // store).
  static void Defer(std::function<void()> fn) {
    if (current_ == nullptr) {
      fn();
      return;
    }
    current_->deferred_.push_back(std::move(fn));
  }

 private:
  static inline thread_local CallbackBatch* current_ = nullptr;
  CallbackBatch* outer_;
  std::vector<std::function<void()>> deferred_;
};

}  // namespace sipreg::registrar
