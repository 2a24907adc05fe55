#include "registrar/sqlite_binding_store.h"

#include <sqlite3.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <climits>
#include <cmath>
#include <condition_variable>
#include <future>
#include <mutex>
#include <span>
#include <thread>
#include <utility>

namespace sipreg::registrar {
namespace {

constexpr int kSchemaVersion = 1;

// Times are stored as nanoseconds since the Unix epoch: exact for
// system_clock on this platform, and good until 2262.
constexpr const char* kCreateTable =
    "CREATE TABLE IF NOT EXISTS bindings ("
    " aor TEXT NOT NULL,"
    " contact TEXT NOT NULL,"
    " call_id TEXT NOT NULL,"
    " cseq INTEGER NOT NULL,"
    " expires_at_ns INTEGER NOT NULL,"
    " registered_at_ns INTEGER NOT NULL,"
    " q REAL NOT NULL,"
    " instance TEXT NOT NULL,"
    " reg_id INTEGER NOT NULL,"
    " user_agent TEXT NOT NULL,"
    " path TEXT NOT NULL,"
    " received_transport INTEGER NOT NULL,"
    " received_ip TEXT NOT NULL,"
    " received_port INTEGER NOT NULL,"
    " connection_id INTEGER NOT NULL,"
    " PRIMARY KEY (aor, contact)"
    ") WITHOUT ROWID";

constexpr const char* kColumns =
    "aor, contact, call_id, cseq, expires_at_ns, registered_at_ns, q, instance, reg_id,"
    " user_agent, path, received_transport, received_ip, received_port, connection_id";

struct DbCloser {
  void operator()(sqlite3* db) const { sqlite3_close_v2(db); }
};
struct StmtFinalizer {
  void operator()(sqlite3_stmt* s) const { sqlite3_finalize(s); }
};
using DbPtr = std::unique_ptr<sqlite3, DbCloser>;
using StmtPtr = std::unique_ptr<sqlite3_stmt, StmtFinalizer>;

int64_t ToNanos(WallTime t) {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(t.time_since_epoch()).count();
}
WallTime FromNanos(int64_t ns) {
  return WallTime(std::chrono::duration_cast<WallTime::duration>(std::chrono::nanoseconds(ns)));
}

std::string ColumnText(sqlite3_stmt* s, int col) {
  const unsigned char* p = sqlite3_column_text(s, col);
  const int n = sqlite3_column_bytes(s, col);
  if (p == nullptr || n <= 0) return {};
  return std::string(reinterpret_cast<const char*>(p), static_cast<size_t>(n));
}

// Reads one row of SELECT kColumns; nullopt-like false when a value is out of range.
bool ReadBinding(sqlite3_stmt* s, Binding& b) {
  b.aor = ColumnText(s, 0);
  b.contact = ColumnText(s, 1);
  b.call_id = ColumnText(s, 2);
  const int64_t cseq = sqlite3_column_int64(s, 3);
  b.expires_at = FromNanos(sqlite3_column_int64(s, 4));
  b.registered_at = FromNanos(sqlite3_column_int64(s, 5));
  const double q = sqlite3_column_double(s, 6);
  b.instance = ColumnText(s, 7);
  const int64_t reg_id = sqlite3_column_int64(s, 8);
  b.user_agent = ColumnText(s, 9);
  b.path = ColumnText(s, 10);
  const int64_t transport = sqlite3_column_int64(s, 11);
  b.received.ip = ColumnText(s, 12);
  const int64_t port = sqlite3_column_int64(s, 13);
  b.connection_id = static_cast<uint64_t>(sqlite3_column_int64(s, 14));
  if (b.aor.empty() || b.contact.empty()) return false;
  if (cseq < 0 || cseq > UINT32_MAX || reg_id < 0 || reg_id > UINT32_MAX) return false;
  if (transport < 0 || transport > static_cast<int64_t>(sip::TransportKind::kTls)) return false;
  if (port < 0 || port > UINT16_MAX || !std::isfinite(q)) return false;
  b.cseq = static_cast<uint32_t>(cseq);
  b.reg_id = static_cast<uint32_t>(reg_id);
  b.q = static_cast<float>(q);
  b.received.transport = static_cast<sip::TransportKind>(transport);
  b.received.port = static_cast<uint16_t>(port);
  return true;
}

}  // namespace

GroupCommitPace GroupCommitPaceFor(double rate_per_s, std::chrono::microseconds delay,
                                   size_t batch) {
  batch = std::max<size_t>(batch, 1);
  const double delay_s = std::chrono::duration<double>(delay).count();
  if (delay_s <= 0 || !(rate_per_s > 0)) return {delay, batch};
  const double full_rate = static_cast<double>(batch) / delay_s;  // one batch per delay
  if (rate_per_s <= full_rate) return {delay, batch};
  const double factor = std::max(full_rate / rate_per_s, 0.5);
  // Rounded up, but not past an exact value that the division missed by a
  // rounding error (8 * 7/8 comes out a hair above 7 and must give 7, not 8).
  // factor < 1 here, so the result is never above v and always converts back.
  const auto scale = [factor]<typename T>(T v) -> T {
    return static_cast<T>(std::ceil(static_cast<double>(v) * factor - 1e-9));
  };
  GroupCommitPace pace;
  pace.delay = std::chrono::microseconds(scale(delay.count()));
  pace.batch = scale(batch);  // at least 1: batch >= 1 and factor >= 0.5
  return pace;
}

void ArrivalRate::Add(size_t count, std::chrono::nanoseconds interval) {
  const double dt = std::max(Seconds(interval), 1e-6);
  const double now = static_cast<double>(count) / dt;
  const double weight = tau_s_ > 0 ? 1.0 - std::exp(-dt / tau_s_) : 1.0;
  rate_ += weight * (now - rate_);
}

// The SQLite side: owns the connection, the queue of journal records and the
// writer thread. Before Start() only the opening thread uses the connection;
// afterwards only the writer thread does.
class SqliteBindingStore::Writer final : public BindingJournal {
 public:
  Writer(std::string path, const Options& options)
      : path_(std::move(path)),
        options_(options),
        enough_(std::max<size_t>(options.commit_delay_batch, 1)) {}
  ~Writer() override { Stop(); }

  // Opens the file, sets the pragmas, creates the table, prepares statements.
  Status Open();
  // Drops expired rows and puts the rest into `memory`. Before Start().
  Status Load(WallTime now, MemoryBindingStore& memory);
  void Start() { thread_ = std::thread([this] { Run(); }); }
  // Commits what is queued, runs its callbacks, joins the thread. Idempotent.
  void Stop();

  void Record(std::string_view aor, std::vector<BindingChange> changes,
              std::vector<Binding> result, BindingStore::ApplyDone done) override;

  bool failed() const { return failed_.load(std::memory_order_acquire); }
  Status failure() const {
    std::lock_guard lock(mu_);
    return failure_;
  }
  Stats stats() const;

 private:
  struct Entry {
    std::string aor;
    std::vector<BindingChange> changes;
    std::vector<Binding> result;
    BindingStore::ApplyDone done;
  };

  void Run();
  void CommitBatch(std::span<Entry> batch);
  Status WriteChange(const std::string& aor, const BindingChange& change);
  Status Exec(const char* sql);
  Status Prepare(const char* sql, StmtPtr& out);
  Status StepDone(sqlite3_stmt* stmt, std::string_view what);
  Status Error(std::string_view what) const;

  const std::string path_;
  const Options options_;
  // Queued updates that end a commit delay: commit_delay_batch, or less under
  // load (GroupCommitPaceFor, set by the writer at each commit). GUARDED_BY(mu_).
  size_t enough_;

  DbPtr db_;  // declared before the statements: closed after they are finalized
  StmtPtr upsert_, update_, remove_, remove_all_, begin_, commit_, rollback_;

  mutable std::mutex mu_;
  std::condition_variable cv_;             // signalled when the writer has to look (see Record)
  std::vector<Entry> queue_;               // GUARDED_BY(mu_)
  bool stop_ = false;                      // GUARDED_BY(mu_)
  bool idle_ = false;                      // GUARDED_BY(mu_); waiting for a first change
  Status failure_;                         // GUARDED_BY(mu_); set once, never cleared
  std::atomic<bool> failed_{false};        // failure_ is not OK
  std::thread thread_;

  std::atomic<uint64_t> transactions_{0}, updates_written_{0}, rows_changed_{0},
      largest_batch_{0};
  uint64_t loaded_ = 0, expired_on_open_ = 0, skipped_on_open_ = 0;  // written before Start()
};

Status SqliteBindingStore::Writer::Error(std::string_view what) const {
  std::string msg = "bindings database '" + path_ + "': ";
  msg += what;
  if (db_ != nullptr) {
    msg += ": ";
    msg += sqlite3_errmsg(db_.get());
  }
  return Status::IoError(std::move(msg));
}

Status SqliteBindingStore::Writer::Exec(const char* sql) {
  if (sqlite3_exec(db_.get(), sql, nullptr, nullptr, nullptr) != SQLITE_OK) {
    return Error(sql);
  }
  return Status::Ok();
}

Status SqliteBindingStore::Writer::Prepare(const char* sql, StmtPtr& out) {
  sqlite3_stmt* stmt = nullptr;
  if (sqlite3_prepare_v3(db_.get(), sql, -1, SQLITE_PREPARE_PERSISTENT, &stmt, nullptr) !=
      SQLITE_OK) {
    return Error(std::string("prepare ") + sql);
  }
  out.reset(stmt);
  return Status::Ok();
}

Status SqliteBindingStore::Writer::StepDone(sqlite3_stmt* stmt, std::string_view what) {
  const int rc = sqlite3_step(stmt);
  sqlite3_reset(stmt);
  if (rc != SQLITE_DONE) return Error(what);
  return Status::Ok();
}

Status SqliteBindingStore::Writer::Open() {
  sqlite3* raw = nullptr;
  const int rc = sqlite3_open_v2(path_.c_str(), &raw,
                                 SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX,
                                 nullptr);
  db_.reset(raw);
  if (rc != SQLITE_OK) {
    Status st = Error("cannot open");
    db_.reset();
    return st;
  }
  sqlite3_extended_result_codes(db_.get(), 1);
  sqlite3_busy_timeout(db_.get(), 1000);

  // Pragmas take no bound parameters; the only values formatted in are integers.
  SIPREG_RETURN_IF_ERROR(Exec("PRAGMA locking_mode=EXCLUSIVE"));
  {
    StmtPtr mode;
    SIPREG_RETURN_IF_ERROR(Prepare("PRAGMA journal_mode=WAL", mode));
    if (sqlite3_step(mode.get()) != SQLITE_ROW) {
      return Error("cannot read it (another sipregd using it, or not a database?)");
    }
    const std::string got = ColumnText(mode.get(), 0);
    if (got != "wal") return Error("cannot switch to WAL (journal_mode is " + got + ")");
  }
  SIPREG_RETURN_IF_ERROR(Exec(options_.synchronous == Options::Sync::kFull
                                  ? "PRAGMA synchronous=FULL"
                                  : "PRAGMA synchronous=NORMAL"));
  const std::string cache = "PRAGMA cache_size=-" + std::to_string(std::max(options_.cache_kib, 64));
  SIPREG_RETURN_IF_ERROR(Exec(cache.c_str()));
  SIPREG_RETURN_IF_ERROR(Exec("PRAGMA journal_size_limit=8388608"));
  SIPREG_RETURN_IF_ERROR(Exec("PRAGMA temp_store=MEMORY"));

  int version = 0;
  {
    StmtPtr get;
    SIPREG_RETURN_IF_ERROR(Prepare("PRAGMA user_version", get));
    if (sqlite3_step(get.get()) != SQLITE_ROW) return Error("cannot read user_version");
    version = sqlite3_column_int(get.get(), 0);
  }
  if (version > kSchemaVersion) {
    return Status::IoError("bindings database '" + path_ + "': schema version " +
                           std::to_string(version) + " is newer than this sipregd (" +
                           std::to_string(kSchemaVersion) + ")");
  }
  SIPREG_RETURN_IF_ERROR(Exec(kCreateTable));
  if (version != kSchemaVersion) {
    SIPREG_RETURN_IF_ERROR(Exec("PRAGMA user_version=1"));
  }
  if (options_.max_db_pages > 0) {
    const std::string cap = "PRAGMA max_page_count=" + std::to_string(options_.max_db_pages);
    SIPREG_RETURN_IF_ERROR(Exec(cap.c_str()));
  }

  // An in-place update when the row exists (most REGISTERs are refreshes):
  // measurably cheaper than INSERT OR REPLACE's delete + insert.
  const std::string upsert = std::string("INSERT INTO bindings (") + kColumns +
                             ") VALUES (?1,?2,?3,?4,?5,?6,?7,?8,?9,?10,?11,?12,?13,?14,?15)"
                             " ON CONFLICT (aor, contact) DO UPDATE SET call_id=?3, cseq=?4,"
                             " expires_at_ns=?5, registered_at_ns=?6, q=?7, instance=?8, reg_id=?9,"
                             " user_agent=?10, path=?11, received_transport=?12, received_ip=?13,"
                             " received_port=?14, connection_id=?15";
  SIPREG_RETURN_IF_ERROR(Prepare(upsert.c_str(), upsert_));
  // A refresh of a row known to exist: one B-tree seek instead of the upsert's
  // failed insert and then update.
  SIPREG_RETURN_IF_ERROR(Prepare(
      "UPDATE bindings SET call_id=?3, cseq=?4, expires_at_ns=?5, registered_at_ns=?6, q=?7,"
      " instance=?8, reg_id=?9, user_agent=?10, path=?11, received_transport=?12,"
      " received_ip=?13, received_port=?14, connection_id=?15 WHERE aor=?1 AND contact=?2",
      update_));
  SIPREG_RETURN_IF_ERROR(
      Prepare("DELETE FROM bindings WHERE aor = ?1 AND contact = ?2", remove_));
  SIPREG_RETURN_IF_ERROR(Prepare("DELETE FROM bindings WHERE aor = ?1", remove_all_));
  SIPREG_RETURN_IF_ERROR(Prepare("BEGIN IMMEDIATE", begin_));
  SIPREG_RETURN_IF_ERROR(Prepare("COMMIT", commit_));
  SIPREG_RETURN_IF_ERROR(Prepare("ROLLBACK", rollback_));
  return Status::Ok();
}

Status SqliteBindingStore::Writer::Load(WallTime now, MemoryBindingStore& memory) {
  {
    StmtPtr expire;
    SIPREG_RETURN_IF_ERROR(Prepare("DELETE FROM bindings WHERE expires_at_ns <= ?1", expire));
    sqlite3_bind_int64(expire.get(), 1, ToNanos(now));
    SIPREG_RETURN_IF_ERROR(StepDone(expire.get(), "cannot delete expired bindings"));
    expired_on_open_ = static_cast<uint64_t>(sqlite3_changes64(db_.get()));
  }
  if (options_.drop_connection_bound) {
    SIPREG_RETURN_IF_ERROR(Exec("DELETE FROM bindings WHERE connection_id != 0"));
  }
  StmtPtr select;
  SIPREG_RETURN_IF_ERROR(Prepare((std::string("SELECT ") + kColumns + " FROM bindings").c_str(),
                                 select));
  for (;;) {
    const int rc = sqlite3_step(select.get());
    if (rc == SQLITE_DONE) break;
    if (rc != SQLITE_ROW) return Error("cannot load bindings");
    Binding b;
    if (!ReadBinding(select.get(), b)) {
      ++skipped_on_open_;
      continue;
    }
    b.connection_id = 0;  // the connection died with the previous process
    if (memory.Restore(std::move(b))) ++loaded_;
  }
  return Status::Ok();
}

void SqliteBindingStore::Writer::Stop() {
  {
    std::lock_guard lock(mu_);
    stop_ = true;
  }
  cv_.notify_one();
  if (thread_.joinable()) thread_.join();
}

void SqliteBindingStore::Writer::Record(std::string_view aor, std::vector<BindingChange> changes,
                                        std::vector<Binding> result,
                                        BindingStore::ApplyDone done) {
  bool wake = false;
  {
    std::lock_guard lock(mu_);
    queue_.push_back(Entry{std::string(aor), std::move(changes), std::move(result),
                           std::move(done)});
    // Only two waits need this change: the idle one (nothing queued) and a
    // commit delay, which ends early at enough_ queued. enough_ changes only
    // when the writer takes the queue, i.e. while it is empty, so the queue
    // always passes through exactly enough_ on its way up. A writer
    // committing, or pacing with fewer queued, looks at the queue by itself:
    // not waking it saves a futex call here and a thread wake-up there.
    wake = idle_ || (options_.commit_delay.count() > 0 && queue_.size() == enough_);
  }
  if (wake) cv_.notify_one();
}

void SqliteBindingStore::Writer::Run() {
  std::vector<Entry> batch;
  std::chrono::microseconds delay = options_.commit_delay;  // shrinks under load, as enough_
  std::chrono::steady_clock::time_point last_start{};  // the previous commit began
  // Changes per second, smoothed over about 50 ms (8 to 17 commits when the
  // pacing is 6 or 3 ms apart).
  ArrivalRate rate(std::chrono::milliseconds(50));
  for (;;) {
    {
      std::unique_lock lock(mu_);
      if (delay.count() > 0 && !stop_ && queue_.size() < enough_) {
        // Pacing: at most one commit per delay while fewer than `enough` are
        // queued. A change after a quiet spell finds the previous commit long
        // past and is committed at once; under load the fsyncs (each one a
        // disk flush and two thread wake-ups) are shared by more changes. The
        // writer sleeps out the delay whether or not anything is queued yet,
        // so under load a commit costs one timed wake-up, not a wake-up by the
        // first change and then the timed one.
        const auto due = last_start + delay;
        if (std::chrono::steady_clock::now() < due) {
          cv_.wait_until(lock, due, [this] { return stop_ || queue_.size() >= enough_; });
        }
      }
      idle_ = true;
      cv_.wait(lock, [this] { return stop_ || !queue_.empty(); });
      idle_ = false;
      if (queue_.empty()) return;  // stopping, and everything is written
      batch.swap(queue_);  // queue_ gets the previous batch's capacity
      // The batch is what arrived since the previous swap.
      const auto now = std::chrono::steady_clock::now();
      if (options_.commit_delay.count() > 0) {
        rate.Add(batch.size(), now - last_start);
        const GroupCommitPace pace = GroupCommitPaceFor(rate.per_second(), options_.commit_delay,
                                                        options_.commit_delay_batch);
        delay = pace.delay;
        enough_ = pace.batch;  // the queue is empty now: see Record
      }
      last_start = now;
    }
    const size_t step = std::max<size_t>(options_.max_batch, 1);
    for (size_t i = 0; i < batch.size(); i += step) {
      CommitBatch(std::span<Entry>(batch).subspan(i, std::min(step, batch.size() - i)));
    }
    batch.clear();
  }
}

void SqliteBindingStore::Writer::CommitBatch(std::span<Entry> batch) {
  Status st = failure();
  const auto updates = static_cast<uint64_t>(std::count_if(
      batch.begin(), batch.end(), [](const Entry& e) { return !e.changes.empty(); }));
  if (st.ok() && updates > 0) {
    uint64_t rows = 0;
    st = StepDone(begin_.get(), "cannot begin a transaction");
    for (const Entry& e : batch) {
      for (const BindingChange& c : e.changes) {
        if (!st.ok()) break;
        st = WriteChange(e.aor, c);
        ++rows;
      }
    }
    if (st.ok()) st = StepDone(commit_.get(), "cannot commit");
    if (!st.ok()) {
      if (sqlite3_get_autocommit(db_.get()) == 0) (void)StepDone(rollback_.get(), "cannot roll back");
      std::lock_guard lock(mu_);
      failure_ = st;
      failed_.store(true, std::memory_order_release);
    }
    transactions_.fetch_add(1, std::memory_order_relaxed);
    updates_written_.fetch_add(updates, std::memory_order_relaxed);
    rows_changed_.fetch_add(rows, std::memory_order_relaxed);
    if (updates > largest_batch_.load(std::memory_order_relaxed)) {
      largest_batch_.store(updates, std::memory_order_relaxed);
    }
  }
  CallbackBatch callbacks;  // hand-overs the callbacks defer happen once, after the loop
  for (Entry& e : batch) {
    if (!e.done) continue;
    if (st.ok()) {
      e.done(std::move(e.result));
    } else {
      e.done(st);
    }
  }
}

Status SqliteBindingStore::Writer::WriteChange(const std::string& aor,
                                               const BindingChange& change) {
  auto text = [](sqlite3_stmt* s, int col, const std::string& v) {
    // Lengths beyond INT_MAX cannot come from a bounded SIP message; clamp to be safe.
    const int n = static_cast<int>(std::min<size_t>(v.size(), INT_MAX));
    return sqlite3_bind_text(s, col, v.data(), n, SQLITE_STATIC);
  };
  switch (change.kind) {
    case BindingChange::Kind::kUpsert: {
      const Binding& b = change.binding;
      auto bind = [&](sqlite3_stmt* s) {
        text(s, 1, aor);
        text(s, 2, b.contact);
        text(s, 3, b.call_id);
        sqlite3_bind_int64(s, 4, b.cseq);
        sqlite3_bind_int64(s, 5, ToNanos(b.expires_at));
        sqlite3_bind_int64(s, 6, ToNanos(b.registered_at));
        sqlite3_bind_double(s, 7, b.q);
        text(s, 8, b.instance);
        sqlite3_bind_int64(s, 9, b.reg_id);
        text(s, 10, b.user_agent);
        text(s, 11, b.path);
        sqlite3_bind_int64(s, 12, static_cast<int64_t>(b.received.transport));
        text(s, 13, b.received.ip);
        sqlite3_bind_int64(s, 14, b.received.port);
        sqlite3_bind_int64(s, 15, static_cast<int64_t>(b.connection_id));
      };
      if (change.replaces) {
        bind(update_.get());
        SIPREG_RETURN_IF_ERROR(StepDone(update_.get(), "cannot update a binding"));
        if (sqlite3_changes(db_.get()) == 1) return Status::Ok();
        // The row was not there after all (cannot happen while memory and file
        // agree): fall through to the upsert, which inserts it.
      }
      bind(upsert_.get());
      return StepDone(upsert_.get(), "cannot write a binding");
    }
    case BindingChange::Kind::kRemove:
      text(remove_.get(), 1, aor);
      text(remove_.get(), 2, change.binding.contact);
      return StepDone(remove_.get(), "cannot delete a binding");
    case BindingChange::Kind::kRemoveAll:
      text(remove_all_.get(), 1, aor);
      return StepDone(remove_all_.get(), "cannot delete an AOR's bindings");
  }
  return Status::Internal("unknown binding change kind");
}

SqliteBindingStore::Stats SqliteBindingStore::Writer::stats() const {
  Stats s;
  s.transactions = transactions_.load(std::memory_order_relaxed);
  s.updates_written = updates_written_.load(std::memory_order_relaxed);
  s.rows_changed = rows_changed_.load(std::memory_order_relaxed);
  s.largest_batch = largest_batch_.load(std::memory_order_relaxed);
  s.loaded = loaded_;
  s.expired_on_open = expired_on_open_;
  s.skipped_on_open = skipped_on_open_;
  return s;
}

// --- SqliteBindingStore ---

SqliteBindingStore::SqliteBindingStore(std::string path, std::unique_ptr<Writer> writer,
                                       size_t shard_count)
    : path_(std::move(path)), writer_(std::move(writer)), memory_(shard_count, writer_.get()) {}

Result<std::unique_ptr<SqliteBindingStore>> SqliteBindingStore::Open(const std::string& path,
                                                                     const Clock& clock,
                                                                     Options options) {
  auto writer = std::make_unique<Writer>(path, options);
  SIPREG_RETURN_IF_ERROR(writer->Open());
  std::unique_ptr<SqliteBindingStore> store(
      new SqliteBindingStore(path, std::move(writer), options.shard_count));
  SIPREG_RETURN_IF_ERROR(store->writer_->Load(clock.WallNow(), store->memory_));
  store->writer_->Start();
  return store;
}

SqliteBindingStore::~SqliteBindingStore() { writer_->Stop(); }

void SqliteBindingStore::Update(std::string_view aor, WallTime now, const Decide& decide,
                                ApplyDone done) {
  if (writer_->failed()) {
    done(writer_->failure());
    return;
  }
  memory_.Update(aor, now, decide, std::move(done));
}

std::vector<Binding> SqliteBindingStore::Lookup(std::string_view aor, WallTime now) const {
  return memory_.Lookup(aor, now);
}

void SqliteBindingStore::ForEach(const std::function<void(const Binding&)>& visit) const {
  memory_.ForEach(visit);
}

size_t SqliteBindingStore::Count() const { return memory_.Count(); }

std::vector<Binding> SqliteBindingStore::RemoveExpired(WallTime now) {
  return memory_.RemoveExpired(now);
}

std::vector<Binding> SqliteBindingStore::RemoveByConnection(uint64_t connection_id) {
  return memory_.RemoveByConnection(connection_id);
}

Status SqliteBindingStore::Flush() {
  std::promise<Status> committed;
  std::future<Status> result = committed.get_future();
  writer_->Record({}, {}, {}, [&committed](Result<std::vector<Binding>> r) {
    // Released after the commit's other callbacks and their deferred steps:
    // when Flush() returns, nothing of that commit still runs on the writer.
    CallbackBatch::Defer([&committed, st = r.status()] { committed.set_value(st); });
  });
  return result.get();
}

SqliteBindingStore::Stats SqliteBindingStore::stats() const { return writer_->stats(); }

std::optional<BindingStore::CommitStats> SqliteBindingStore::commit_stats() const {
  const Stats s = writer_->stats();
  return CommitStats{s.transactions, s.updates_written, s.largest_batch};
}

}  // namespace sipreg::registrar
