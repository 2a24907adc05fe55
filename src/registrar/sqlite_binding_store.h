// SqliteBindingStore: the durable BindingStore sipregd runs — "nothing lost".
// Bindings live in a MemoryBindingStore (so Lookup never touches the disk) and
// in one SQLite table under `statedir`. Update/Apply change memory at once and
// queue the row changes for a single writer thread, which commits everything
// waiting in one transaction (group commit) and only then calls each update's
// ApplyDone — the registrar sends 200 OK from there. So once ApplyDone reported
// success the change survives SIGKILL, and with Sync::kFull a power cut too.
//
// Durability choice: WAL with synchronous=FULL by default. In WAL mode NORMAL
// already survives a process crash (the WAL write is in the OS page cache), but
// a power loss or kernel crash can roll back the last commits, i.e. bindings
// already acknowledged with 200 OK. FULL fsyncs the WAL at every commit; group
// commit pays that fsync once per batch rather than once per REGISTER, so it
// costs latency (about one fsync) rather than throughput. kNormal is offered
// for hosts where the disk lies about fsync anyway or for load tests.
//
// The database is opened with locking_mode=EXCLUSIVE: a second sipregd on the
// same statedir fails at Open instead of corrupting the bindings (inspect the
// file with sqlite3 only while sipregd is stopped).
//
// Open() loads every unexpired binding with its absolute expires_at (so it
// comes back with its remaining time) and deletes the expired rows. Bindings
// tied to a TCP/TLS connection come back untied (connection_id 0): ids from the
// previous process mean nothing now and would collide with new ones; with
// Options::drop_connection_bound they are dropped instead.
//
// After a failed commit (disk full, I/O error) the store stops accepting
// changes: the failed batch's and every later update's ApplyDone get the error
// (sticky, as leveldb's background error) until the process is restarted.
// Changes in a failed batch stay in memory though never acknowledged.
//
// Threading: all BindingStore methods, Flush() and stats() may be called from
// any thread. ApplyDone runs on the writer thread (or on the caller's thread
// for errors found before queueing); it must not call Flush() or destroy the
// store. The destructor commits what is queued, runs the remaining callbacks,
// then joins the writer; no other call may run concurrently with it.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "common/clock.h"
#include "common/status.h"
#include "registrar/binding_store.h"
#include "registrar/memory_binding_store.h"

namespace sipreg::registrar {

struct SqliteBindingStoreOptions {
  enum class Sync : uint8_t { kNormal, kFull };
  Sync synchronous = Sync::kFull;
  // SQLite page cache cap (PRAGMA cache_size = -cache_kib). Writes touch a
  // B-tree path per row; 2 MiB holds the interior pages of ~100,000 bindings.
  int cache_kib = 2048;
  size_t shard_count = MemoryBindingStore::kDefaultShards;
  // Most updates per transaction, so one huge backlog does not delay every
  // acknowledgement until all of it is written.
  size_t max_batch = 4096;
  // Group commit pacing, in the spirit of PostgreSQL's commit_delay: while
  // fewer than the batch threshold are queued, the writer starts at most one
  // commit per `commit_delay`; it commits as soon as that many are queued. A
  // change after a quiet spell (the previous commit began longer ago) is
  // committed at once. Each fsync, with the thread wake-ups around it, is
  // shared by more registrations, for at most `commit_delay` of latency per
  // acknowledgement. Under high load both shrink (GroupCommitPaceFor).
  // Zero (the default) commits at once; sipregd's `commit_delay` and
  // `commit_delay_batch` keys set them.
  std::chrono::microseconds commit_delay{0};
  size_t commit_delay_batch = 8;
  // Hard cap on the database size in pages (PRAGMA max_page_count), 0 for
  // none. A write beyond it fails like a full disk.
  uint32_t max_db_pages = 0;
  // On Open: drop bindings that were tied to a TCP/TLS connection instead of
  // keeping them untied.
  bool drop_connection_bound = false;
};

// Group commit pacing at a given arrival rate (changes per second): how long
// after the previous commit began the writer may wait, and how many queued
// changes end that wait. While a full batch takes at least the configured
// delay to arrive (rate <= batch / delay: 2,667/s for sipregd's 16 per 6 ms),
// both are the configured ones; above that rate both are scaled by
// full_rate / rate (rounded up), so they shrink as the rate rises, to half of
// each from twice that rate on. A busy writer's own commit time then gathers
// its batches, and a registration waits less the more there are.
struct GroupCommitPace {
  std::chrono::microseconds delay{0};
  size_t batch = 1;  // at least 1
};
GroupCommitPace GroupCommitPaceFor(double rate_per_s, std::chrono::microseconds delay,
                                   size_t batch);

// Arrivals per second, smoothed over time: each Add(count, interval) blends
// count / interval in with weight 1 - exp(-interval / tau), so a long quiet
// interval replaces the old estimate while the short ones of a busy writer
// average over about `tau`. Intervals under 1 µs count as 1 µs.
class ArrivalRate {
 public:
  explicit ArrivalRate(std::chrono::microseconds tau) : tau_s_(Seconds(tau)) {}
  void Add(size_t count, std::chrono::nanoseconds interval);
  double per_second() const { return rate_; }

 private:
  static double Seconds(std::chrono::nanoseconds d) {
    return std::chrono::duration<double>(d).count();
  }
  double tau_s_;
  double rate_ = 0;
};

class SqliteBindingStore final : public BindingStore {
 public:
  using Options = SqliteBindingStoreOptions;

  struct Stats {
    uint64_t transactions = 0;      // committed (or failed) write transactions
    uint64_t updates_written = 0;   // records with changes (Updates, sweeps) written by them
    uint64_t rows_changed = 0;      // row-level statements executed
    uint64_t largest_batch = 0;     // most such records in one transaction
    uint64_t loaded = 0;            // bindings loaded by Open
    uint64_t expired_on_open = 0;   // expired rows deleted by Open
    uint64_t skipped_on_open = 0;   // unreadable rows (bad values) ignored by Open
  };

  // Opens (creating if needed) the database file at `path` — its directory must
  // exist — and loads the bindings unexpired at clock.WallNow(). Errors are
  // kIoError with the path in the message. `clock` is only used during Open.
  static Result<std::unique_ptr<SqliteBindingStore>> Open(const std::string& path,
                                                          const Clock& clock,
                                                          Options options = {});
  ~SqliteBindingStore() override;

  SqliteBindingStore(const SqliteBindingStore&) = delete;
  SqliteBindingStore& operator=(const SqliteBindingStore&) = delete;

  void Update(std::string_view aor, WallTime now, const Decide& decide,
              ApplyDone done) override;
  std::vector<Binding> Lookup(std::string_view aor, WallTime now) const override;
  void ForEach(const std::function<void(const Binding&)>& visit) const override;
  size_t Count() const override;
  std::vector<Binding> RemoveExpired(WallTime now) override;
  std::vector<Binding> RemoveByConnection(uint64_t connection_id) override;
  std::optional<CommitStats> commit_stats() const override;

  // Blocks until everything queued before the call is committed (or failed);
  // returns the outcome. Not from an ApplyDone callback.
  Status Flush();
  Stats stats() const;
  const std::string& path() const { return path_; }

 private:
  class Writer;  // the SQLite connection, the queue and the writer thread

  SqliteBindingStore(std::string path, std::unique_ptr<Writer> writer, size_t shard_count);

  const std::string path_;
  const std::unique_ptr<Writer> writer_;  // the journal of memory_; outlives it
  MemoryBindingStore memory_;
};

}  // namespace sipreg::registrar
