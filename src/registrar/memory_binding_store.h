// MemoryBindingStore: the BindingStore kept in memory, sharded so that event
// loops on different threads rarely touch the same lock. The store is split
// into N shards by a hash of the AOR; each shard has its own mutex guarding a
// map AOR -> small vector of Bindings (usually one), an index connection_id ->
// AOR for RemoveByConnection, and the earliest expiry in the shard so a sweep
// skips shards with nothing to expire.
//
// Used alone as the registrar's test fake, and as the in-memory half of
// SqliteBindingStore, which hears about every mutation through a
// BindingJournal, in memory order, while the AOR's shard lock is held.
//
// Threading: every method is thread-safe. Lock order: a shard mutex may be held
// while calling the journal (which takes its own queue mutex); the store never
// holds two shard mutexes at once.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "registrar/binding_store.h"

namespace sipreg::registrar {

// Told about every mutation of a MemoryBindingStore. Record() is called with
// the shard lock of `aor` held, after memory has changed, in the order the
// mutations hit memory, so applying the records in call order reproduces the
// store's state per AOR. It must be quick and must not call into the store.
class BindingJournal {
 public:
  virtual ~BindingJournal() = default;
  // `changes`: the effective row-level changes — kUpsert with the full binding
  // as stored (aor filled in), kRemove with the contact of a binding that
  // existed, kRemoveAll for a non-empty AOR. Empty for a query.
  // From Update: `done` is set and now belongs to the journal, which must call
  // it exactly once, with `result` once the changes are durable, else with the
  // error. From RemoveExpired / RemoveByConnection: `done` is empty.
  virtual void Record(std::string_view aor, std::vector<BindingChange> changes,
                      std::vector<Binding> result, BindingStore::ApplyDone done) = 0;
};

class MemoryBindingStore final : public BindingStore {
 public:
  static constexpr size_t kDefaultShards = 64;

  // `journal` (may be null) must outlive the store. shard_count 0 is taken as 1.
  explicit MemoryBindingStore(size_t shard_count = kDefaultShards,
                              BindingJournal* journal = nullptr);
  ~MemoryBindingStore() override;

  MemoryBindingStore(const MemoryBindingStore&) = delete;
  MemoryBindingStore& operator=(const MemoryBindingStore&) = delete;

  // Without a journal `done` runs on the calling thread before Update returns,
  // after the shard lock is released.
  void Update(std::string_view aor, WallTime now, const Decide& decide,
              ApplyDone done) override;
  std::vector<Binding> Lookup(std::string_view aor, WallTime now) const override;
  void ForEach(const std::function<void(const Binding&)>& visit) const override;
  size_t Count() const override { return count_.load(std::memory_order_relaxed); }
  std::vector<Binding> RemoveExpired(WallTime now) override;
  std::vector<Binding> RemoveByConnection(uint64_t connection_id) override;

  // Puts a binding loaded from storage back (upsert by aor+contact), without
  // telling the journal. For startup, before the store is shared. Bindings with
  // an empty aor or contact are ignored (returns false).
  bool Restore(Binding binding);

  size_t shard_count() const { return shard_count_; }

 private:
  struct StringHash {
    using is_transparent = void;
    size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
  };
  using AorMap =
      std::unordered_map<std::string, std::vector<Binding>, StringHash, std::equal_to<>>;

  struct alignas(64) Shard {
    mutable std::mutex mu;
    AorMap aors;  // GUARDED_BY(mu); never holds an empty vector
    // One entry (connection_id, aor) per stored binding with connection_id != 0.
    std::unordered_multimap<uint64_t, std::string> by_connection;  // GUARDED_BY(mu)
    // <= every expires_at in the shard (exact after a sweep, lower bound otherwise).
    WallTime earliest_expiry = WallTime::max();  // GUARDED_BY(mu)
  };

  Shard& ShardFor(std::string_view aor) const;
  // Inserts or replaces by contact in `bindings` (of `aor` in `shard`). REQUIRES shard.mu.
  // True when a binding with the same contact was replaced.
  bool UpsertLocked(Shard& shard, std::vector<Binding>& bindings, Binding binding);
  static void IndexAdd(Shard& shard, uint64_t connection_id, const std::string& aor);
  static void IndexRemove(Shard& shard, uint64_t connection_id, std::string_view aor);

  const size_t shard_count_;
  const std::unique_ptr<Shard[]> shards_;
  BindingJournal* const journal_;
  std::atomic<size_t> count_{0};  // total bindings; changed under the owning shard's mu
};

}  // namespace sipreg::registrar
