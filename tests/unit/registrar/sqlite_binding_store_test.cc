#include "registrar/sqlite_binding_store.h"

#include <gtest/gtest.h>
#include <malloc.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <cmath>
#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <limits>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "temp_dir.h"

namespace sipreg::registrar {
namespace {

using sipreg::testing::TempDir;

using std::chrono::seconds;
namespace fs = std::filesystem;

std::string AorName(int i) {
  char aor[16];
  std::snprintf(aor, sizeof aor, "user%06d", i);
  return aor;
}

Binding MakeBinding(const std::string& aor, const std::string& contact, WallTime now,
                    int expires_in_s = 3600, uint64_t connection_id = 0) {
  Binding b;
  b.aor = aor;
  b.contact = contact;
  b.call_id = "call-" + aor + "@192.0.2.10";
  b.cseq = 7;
  b.registered_at = now;
  b.expires_at = now + seconds(expires_in_s);
  b.q = 0.5f;
  b.instance = "<urn:uuid:f81d4fae-7dec-11d0-a765-00a0c91e6bf6>";
  b.reg_id = 1;
  b.user_agent = "Grandstream GXP2170 1.0.11.23";
  b.path = "<sip:edge.example.com;lr>";
  b.received = {sip::TransportKind::kTls, "2001:db8::5", 5061};
  b.connection_id = connection_id;
  return b;
}

Result<std::unique_ptr<SqliteBindingStore>> OpenOrDie(const std::string& path, const Clock& clock,
                                                      SqliteBindingStore::Options options = {}) {
  auto store = SqliteBindingStore::Open(path, clock, options);
  EXPECT_TRUE(store.ok()) << store.status().ToString();
  return store;
}

// Waits for `done` callbacks fired on the writer thread.
class Acks {
 public:
  BindingStore::ApplyDone Callback() {
    return [this](Result<std::vector<Binding>> r) {
      std::lock_guard lock(mu_);
      if (r.ok()) {
        ++ok_;
        last_ = std::move(*r);
      } else {
        errors_.push_back(r.status());
      }
      cv_.notify_all();
    };
  }
  // Returns once `n` callbacks fired in total.
  void WaitFor(size_t n) {
    std::unique_lock lock(mu_);
    cv_.wait(lock, [&] { return ok_ + errors_.size() >= n; });
  }
  size_t ok() {
    std::lock_guard lock(mu_);
    return ok_;
  }
  std::vector<Status> errors() {
    std::lock_guard lock(mu_);
    return errors_;
  }
  std::vector<Binding> last() {
    std::lock_guard lock(mu_);
    return last_;
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  size_t ok_ = 0;
  std::vector<Status> errors_;
  std::vector<Binding> last_;
};

TEST(SqliteBindingStoreTest, AcknowledgedChangesSurviveReopen) {
  TempDir dir("sipreg-bindings");
  FakeClock clock;
  const WallTime now = clock.WallNow();
  Binding alice_a = MakeBinding("alice", "sip:alice@a", now);
  Binding alice_b = MakeBinding("alice", "sip:alice@b", now, 1800);
  Binding bob = MakeBinding("bob", "sip:bob@a", now);
  {
    auto store = OpenOrDie(dir.File("bindings.db"), clock);
    ASSERT_TRUE(store.ok());
    Acks acks;
    (*store)->Apply("alice", {BindingChange::Upsert(alice_a), BindingChange::Upsert(alice_b)},
                    now, acks.Callback());
    alice_a.cseq = 8;  // a refresh (the row is updated in place): every column may change
    alice_a.expires_at = now + seconds(7200);
    alice_a.call_id = "another-call-id";
    alice_a.user_agent = "Phone/2.0";
    alice_a.received.port = 5099;
    alice_a.q = 0.5f;
    (*store)->Apply("alice", {BindingChange::Upsert(alice_a)}, now, acks.Callback());
    (*store)->Apply("bob", {BindingChange::Upsert(bob)}, now, acks.Callback());
    (*store)->Apply("carol", {BindingChange::Upsert(MakeBinding("carol", "sip:carol@a", now))},
                    now, acks.Callback());
    (*store)->Apply("carol", {BindingChange::RemoveAll()}, now, acks.Callback());
    (*store)->Apply("bob", {BindingChange::Remove("sip:bob@gone")}, now, acks.Callback());
    acks.WaitFor(6);
    EXPECT_TRUE(acks.errors().empty());
    EXPECT_EQ(acks.ok(), 6u);
    // The store is destroyed without anything but the database carrying state.
  }
  auto reopened = OpenOrDie(dir.File("bindings.db"), clock);
  ASSERT_TRUE(reopened.ok());
  EXPECT_EQ((*reopened)->stats().loaded, 3u);
  EXPECT_EQ((*reopened)->Count(), 3u);
  auto alice = (*reopened)->Lookup("alice", now);
  ASSERT_EQ(alice.size(), 2u);
  const Binding& a = alice[0].contact == "sip:alice@a" ? alice[0] : alice[1];
  const Binding& b = alice[0].contact == "sip:alice@a" ? alice[1] : alice[0];
  EXPECT_EQ(a, alice_a);  // every field, times exact
  EXPECT_EQ(b, alice_b);
  EXPECT_EQ((*reopened)->Lookup("bob", now), std::vector<Binding>{bob});
  EXPECT_TRUE((*reopened)->Lookup("carol", now).empty());
}

TEST(SqliteBindingStoreTest, DoneCarriesTheAorsBindingsAfterCommit) {
  TempDir dir("sipreg-bindings");
  FakeClock clock;
  const WallTime now = clock.WallNow();
  auto store = OpenOrDie(dir.File("b.db"), clock);
  ASSERT_TRUE(store.ok());
  Acks acks;
  (*store)->Apply("alice", {BindingChange::Upsert(MakeBinding("alice", "sip:alice@a", now))}, now,
                  acks.Callback());
  acks.WaitFor(1);
  ASSERT_EQ(acks.last().size(), 1u);
  EXPECT_EQ(acks.last()[0].contact, "sip:alice@a");
  // A query (no changes) reports the current bindings too.
  (*store)->Apply("alice", {}, now, acks.Callback());
  acks.WaitFor(2);
  EXPECT_EQ(acks.last().size(), 1u);
}

TEST(SqliteBindingStoreTest, ExpiredRowsAreNotLoadedAndAreDeleted) {
  TempDir dir("sipreg-bindings");
  FakeClock clock;
  const WallTime now = clock.WallNow();
  {
    auto store = OpenOrDie(dir.File("b.db"), clock);
    ASSERT_TRUE(store.ok());
    (*store)->Apply("alice",
                    {BindingChange::Upsert(MakeBinding("alice", "sip:alice@short", now, 60)),
                     BindingChange::Upsert(MakeBinding("alice", "sip:alice@long", now, 600))},
                    now, [](Result<std::vector<Binding>>) {});
    ASSERT_TRUE((*store)->Flush().ok());
  }
  clock.Advance(seconds(120));
  {
    auto store = OpenOrDie(dir.File("b.db"), clock);
    ASSERT_TRUE(store.ok());
    EXPECT_EQ((*store)->stats().expired_on_open, 1u);
    EXPECT_EQ((*store)->stats().loaded, 1u);
    EXPECT_EQ((*store)->Count(), 1u);
    auto left = (*store)->Lookup("alice", clock.WallNow());
    ASSERT_EQ(left.size(), 1u);
    EXPECT_EQ(left[0].contact, "sip:alice@long");
    // Remaining time is kept: absolute expiry, 480 s left now.
    EXPECT_EQ(left[0].expires_at - clock.WallNow(), seconds(480));
  }
  auto again = OpenOrDie(dir.File("b.db"), clock);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ((*again)->stats().expired_on_open, 0u);  // deleted by the previous open
}

TEST(SqliteBindingStoreTest, SweepAndConnectionCloseArePersisted) {
  TempDir dir("sipreg-bindings");
  FakeClock clock;
  const WallTime now = clock.WallNow();
  {
    auto store = OpenOrDie(dir.File("b.db"), clock);
    ASSERT_TRUE(store.ok());
    (*store)->Apply("alice",
                    {BindingChange::Upsert(MakeBinding("alice", "sip:alice@short", now, 60)),
                     BindingChange::Upsert(MakeBinding("alice", "sip:alice@tcp", now, 600, 42)),
                     BindingChange::Upsert(MakeBinding("alice", "sip:alice@udp", now, 600))},
                    now, [](Result<std::vector<Binding>>) {});
    EXPECT_EQ((*store)->RemoveExpired(now + seconds(60)).size(), 1u);
    EXPECT_EQ((*store)->RemoveByConnection(42).size(), 1u);
    ASSERT_TRUE((*store)->Flush().ok());
  }
  auto reopened = OpenOrDie(dir.File("b.db"), clock);  // clock not advanced
  ASSERT_TRUE(reopened.ok());
  auto left = (*reopened)->Lookup("alice", now);
  ASSERT_EQ(left.size(), 1u);
  EXPECT_EQ(left[0].contact, "sip:alice@udp");
}

TEST(SqliteBindingStoreTest, ConnectionBoundBindingsComeBackUntiedOrDropped) {
  TempDir dir("sipreg-bindings");
  FakeClock clock;
  const WallTime now = clock.WallNow();
  {
    auto store = OpenOrDie(dir.File("b.db"), clock);
    ASSERT_TRUE(store.ok());
    (*store)->Apply("bob",
                    {BindingChange::Upsert(MakeBinding("bob", "sip:bob@tcp", now, 600, 9)),
                     BindingChange::Upsert(MakeBinding("bob", "sip:bob@udp", now, 600))},
                    now, [](Result<std::vector<Binding>>) {});
    ASSERT_TRUE((*store)->Flush().ok());
  }
  {
    auto store = OpenOrDie(dir.File("b.db"), clock);
    ASSERT_TRUE(store.ok());
    EXPECT_EQ((*store)->Count(), 2u);
    for (const Binding& b : (*store)->Lookup("bob", now)) EXPECT_EQ(b.connection_id, 0u);
    EXPECT_TRUE((*store)->RemoveByConnection(9).empty());  // a new connection 9 is not it
  }
  SqliteBindingStore::Options drop;
  drop.drop_connection_bound = true;
  auto store = OpenOrDie(dir.File("b.db"), clock, drop);
  ASSERT_TRUE(store.ok());
  auto left = (*store)->Lookup("bob", now);
  ASSERT_EQ(left.size(), 1u);
  EXPECT_EQ(left[0].contact, "sip:bob@udp");
}

TEST(SqliteBindingStoreTest, GroupCommitPutsWaitingChangesInOneTransaction) {
  TempDir dir("sipreg-bindings");
  FakeClock clock;
  const WallTime now = clock.WallNow();
  auto store = OpenOrDie(dir.File("b.db"), clock);
  ASSERT_TRUE(store.ok());
  // Hold the writer inside the first callback until 999 more changes are queued.
  std::mutex mu;
  std::condition_variable cv;
  bool entered = false;
  bool release = false;
  (*store)->Apply("user0", {BindingChange::Upsert(MakeBinding("user0", "sip:u@0", now))}, now,
                  [&](Result<std::vector<Binding>>) {
                    std::unique_lock lock(mu);
                    entered = true;
                    cv.notify_all();
                    cv.wait(lock, [&] { return release; });
                  });
  {
    std::unique_lock lock(mu);
    cv.wait(lock, [&] { return entered; });
  }
  Acks acks;
  constexpr int kMore = 999;
  for (int i = 1; i <= kMore; ++i) {
    const std::string aor = "user" + std::to_string(i);
    (*store)->Apply(aor, {BindingChange::Upsert(MakeBinding(aor, "sip:u@" + aor, now))}, now,
                    acks.Callback());
  }
  {
    std::lock_guard lock(mu);
    release = true;
  }
  cv.notify_all();
  acks.WaitFor(kMore);
  EXPECT_EQ(acks.ok(), static_cast<size_t>(kMore));
  const auto stats = (*store)->stats();
  EXPECT_EQ(stats.updates_written, 1000u);
  EXPECT_EQ(stats.transactions, 2u);  // the first change alone, then all 999 together
  EXPECT_EQ(stats.largest_batch, 999u);
}

namespace {

void ApplyOne(SqliteBindingStore& store, int i, WallTime now, Acks& acks) {
  const std::string aor = "user" + std::to_string(i);
  store.Apply(aor, {BindingChange::Upsert(MakeBinding(aor, "sip:u@" + aor, now))}, now,
              acks.Callback());
}

SqliteBindingStore::Options WithCommitDelay(std::chrono::microseconds delay, size_t batch) {
  SqliteBindingStore::Options options;
  options.commit_delay = delay;
  options.commit_delay_batch = batch;
  return options;
}

}  // namespace

TEST(SqliteBindingStoreTest, CommitDelayGathersChangesArrivingWhileBusy) {
  TempDir dir("sipreg-bindings");
  FakeClock clock;
  const WallTime now = clock.WallNow();
  auto store =
      OpenOrDie(dir.File("b.db"), clock, WithCommitDelay(std::chrono::milliseconds(300), 100));
  ASSERT_TRUE(store.ok());
  Acks acks;
  const auto start = std::chrono::steady_clock::now();
  ApplyOne(**store, 0, now, acks);
  acks.WaitFor(1);
  // Nothing came before it: the first change was not kept waiting.
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::milliseconds(250));
  // Three more, 5 ms apart, right after a commit: each would be a commit of its own
  // (an fsync takes well under 5 ms); the delay puts them in one.
  for (int i = 1; i <= 3; ++i) {
    ApplyOne(**store, i, now, acks);
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  acks.WaitFor(4);
  auto stats = (*store)->stats();
  EXPECT_EQ(stats.updates_written, 4u);
  EXPECT_EQ(stats.transactions, 2u);
  EXPECT_EQ(stats.largest_batch, 3u);
  // The pace counts from the start of the previous commit: once the delay has
  // passed, a new change does not wait.
  std::this_thread::sleep_for(std::chrono::milliseconds(350));
  const auto late = std::chrono::steady_clock::now();
  ApplyOne(**store, 4, now, acks);
  acks.WaitFor(5);
  EXPECT_LT(std::chrono::steady_clock::now() - late, std::chrono::milliseconds(250));
  stats = (*store)->stats();
  EXPECT_EQ(stats.transactions, 3u);
}

TEST(SqliteBindingStoreTest, CommitDelayEndsWhenEnoughChangesAreQueued) {
  TempDir dir("sipreg-bindings");
  FakeClock clock;
  const WallTime now = clock.WallNow();
  auto store = OpenOrDie(dir.File("b.db"), clock, WithCommitDelay(std::chrono::seconds(60), 6));
  ASSERT_TRUE(store.ok());
  Acks acks;
  ApplyOne(**store, 0, now, acks);
  acks.WaitFor(1);
  // Right after a commit the writer paces itself, but only until 6 are
  // queued, not for the 60 s.
  const auto start = std::chrono::steady_clock::now();
  for (int i = 1; i <= 6; ++i) ApplyOne(**store, i, now, acks);
  acks.WaitFor(7);
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(10));
  EXPECT_EQ((*store)->stats().transactions, 2u);
  // Those 6 came fast, so the pace is now 30 s or 3 (GroupCommitPaceFor).
  // Two wait out that delay, but are committed and acknowledged at once when
  // the store closes: not after 30 s.
  ApplyOne(**store, 7, now, acks);
  ApplyOne(**store, 8, now, acks);
  const auto closing = std::chrono::steady_clock::now();
  (*store).reset();
  EXPECT_EQ(acks.ok(), 9u);
  EXPECT_LT(std::chrono::steady_clock::now() - closing, std::chrono::seconds(10));
  auto reopened = OpenOrDie(dir.File("b.db"), clock);
  ASSERT_TRUE(reopened.ok());
  EXPECT_EQ((*reopened)->Count(), 9u);
}

TEST(GroupCommitPaceTest, TheConfiguredPaceHoldsUpToABatchPerDelay) {
  using std::chrono::milliseconds;
  // 12 per 6 ms is 2,000/s: up to that rate nothing changes.
  for (double rate : {0.0, 1.0, 500.0, 1999.0, 2000.0}) {
    const GroupCommitPace pace = GroupCommitPaceFor(rate, milliseconds(6), 12);
    EXPECT_EQ(pace.delay, milliseconds(6)) << rate;
    EXPECT_EQ(pace.batch, 12u) << rate;
  }
  // Not a rate: the configured pace.
  for (double rate : {-5.0, std::nan("")}) {
    const GroupCommitPace pace = GroupCommitPaceFor(rate, milliseconds(6), 12);
    EXPECT_EQ(pace.delay, milliseconds(6));
    EXPECT_EQ(pace.batch, 12u);
  }
}

TEST(GroupCommitPaceTest, AboveThatRateBothShrinkInProportionDownToHalf) {
  using std::chrono::microseconds;
  using std::chrono::milliseconds;
  GroupCommitPace pace = GroupCommitPaceFor(3000, milliseconds(6), 12);  // 2/3
  EXPECT_EQ(pace.delay, milliseconds(4));
  EXPECT_EQ(pace.batch, 8u);
  pace = GroupCommitPaceFor(2400, milliseconds(6), 12);  // 5/6
  EXPECT_EQ(pace.delay, milliseconds(5));
  EXPECT_EQ(pace.batch, 10u);
  pace = GroupCommitPaceFor(2500, milliseconds(6), 12);  // 0.8: rounded up
  EXPECT_EQ(pace.delay, microseconds(4800));
  EXPECT_EQ(pace.batch, 10u);
  for (double rate : {4000.0, 6250.0, 1e9}) {  // twice the rate and more: half
    pace = GroupCommitPaceFor(rate, milliseconds(6), 12);
    EXPECT_EQ(pace.delay, milliseconds(3)) << rate;
    EXPECT_EQ(pace.batch, 6u) << rate;
  }
}

TEST(GroupCommitPaceTest, ExactValuesAreNotRoundedUpByAFloatingPointError) {
  using std::chrono::microseconds;
  using std::chrono::milliseconds;
  // 8 per 3 ms is 2,666.7/s; at 8/7 of that the factor is 7/8 exactly on
  // paper, a hair above it in floating point.
  const GroupCommitPace pace = GroupCommitPaceFor(8000.0 / 3 * 8 / 7, milliseconds(3), 8);
  EXPECT_EQ(pace.batch, 7u);
  EXPECT_EQ(pace.delay, microseconds(2625));
}

TEST(GroupCommitPaceTest, HugeConfigurationsStayWithinBounds) {
  using std::chrono::microseconds;
  const auto delay = microseconds::max();
  const size_t batch = std::numeric_limits<size_t>::max();
  const double full_rate =
      static_cast<double>(batch) / std::chrono::duration<double>(delay).count();
  for (double rate : {std::nextafter(full_rate, 1e300), full_rate * 1.5, 1e300}) {
    const GroupCommitPace pace = GroupCommitPaceFor(rate, delay, batch);
    EXPECT_LE(pace.delay, delay);
    EXPECT_GE(pace.delay, delay / 2);
    EXPECT_LE(pace.batch, batch);
    EXPECT_GE(pace.batch, batch / 2);
  }
}

TEST(GroupCommitPaceTest, EdgeValues) {
  using std::chrono::microseconds;
  using std::chrono::milliseconds;
  // No delay: nothing to pace, whatever the rate.
  GroupCommitPace pace = GroupCommitPaceFor(1e6, microseconds(0), 12);
  EXPECT_EQ(pace.delay, microseconds(0));
  EXPECT_EQ(pace.batch, 12u);
  // A batch of 0 counts as 1, and a batch never shrinks below 1.
  pace = GroupCommitPaceFor(0, milliseconds(6), 0);
  EXPECT_EQ(pace.batch, 1u);
  pace = GroupCommitPaceFor(1e6, milliseconds(6), 1);
  EXPECT_EQ(pace.batch, 1u);
  EXPECT_EQ(pace.delay, milliseconds(3));
}

TEST(ArrivalRateTest, FollowsTheRateAndForgetsItAfterAQuietSpell) {
  using std::chrono::milliseconds;
  using std::chrono::seconds;
  ArrivalRate rate(milliseconds(50));
  EXPECT_EQ(rate.per_second(), 0.0);
  // The first interval after start is long: it sets the estimate by itself.
  rate.Add(1, seconds(100));
  EXPECT_NEAR(rate.per_second(), 0.01, 1e-6);
  // 12 every 6 ms for 0.6 s: 2,000/s.
  for (int i = 0; i < 100; ++i) rate.Add(12, milliseconds(6));
  EXPECT_NEAR(rate.per_second(), 2000.0, 1.0);
  // One short burst moves it only a little (6 ms of a 50 ms average).
  rate.Add(60, milliseconds(6));
  EXPECT_GT(rate.per_second(), 2000.0);
  EXPECT_LT(rate.per_second(), 3200.0);
  // A 10 s gap replaces it: the load is gone.
  rate.Add(1, seconds(10));
  EXPECT_NEAR(rate.per_second(), 0.1, 1e-3);
  // A zero interval does not divide by zero.
  rate.Add(5, std::chrono::nanoseconds(0));
  EXPECT_TRUE(std::isfinite(rate.per_second()));
}

TEST(SqliteBindingStoreTest, UnderLoadTheWriterCommitsSmallerBatches) {
  TempDir dir("sipreg-bindings");
  FakeClock clock;
  const WallTime now = clock.WallNow();
  // 8 per 10 s is 0.8/s: changes 20 ms apart (50/s) are far above it, so
  // after the first commits the writer waits for half a batch (4), not for 8.
  auto store = OpenOrDie(dir.File("b.db"), clock, WithCommitDelay(std::chrono::seconds(10), 8));
  ASSERT_TRUE(store.ok());
  Acks acks;
  constexpr int kChanges = 81;
  for (int i = 0; i < kChanges; ++i) {
    ApplyOne(**store, i, now, acks);
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  // All but what waits for the delay (fewer than 4 with the adaptation; up
  // to 7 without it, which then takes the 10 s delay to show up here).
  acks.WaitFor(kChanges - 3);
  const auto stats = (*store)->stats();
  // Without the adaptation: the first change alone, then commits of 8 — 11
  // in all. With it: the first alone, one of 8 (the rate is not known yet),
  // then batches of 4 — 20; fewer when a slow disk lets more gather (14 still
  // allows commits of up to 120 ms), never one per change (the floor of half).
  EXPECT_GE(stats.transactions, 14u);
  EXPECT_LE(stats.transactions, 40u);
  // The rest is committed when the store closes, not lost.
  (*store).reset();
  EXPECT_EQ(acks.ok(), static_cast<size_t>(kChanges));
  auto reopened = OpenOrDie(dir.File("b.db"), clock);
  ASSERT_TRUE(reopened.ok());
  EXPECT_EQ((*reopened)->Count(), static_cast<size_t>(kChanges));
}

TEST(SqliteBindingStoreTest, CallbacksOfOneCommitDeferTheirHandOversToItsEnd) {
  TempDir dir("sipreg-bindings");
  FakeClock clock;
  const WallTime now = clock.WallNow();
  auto store = OpenOrDie(dir.File("b.db"), clock, WithCommitDelay(std::chrono::seconds(20), 4));
  ASSERT_TRUE(store.ok());
  Acks acks;
  ApplyOne(**store, 0, now, acks);
  acks.WaitFor(1);
  // Four changes share the next commit (the writer paces until 4 are queued).
  std::mutex mu;
  std::condition_variable cv;
  std::vector<std::string> events;
  auto note = [&](std::string e) {
    std::lock_guard lock(mu);
    events.push_back(std::move(e));
    cv.notify_all();
  };
  for (int i = 1; i <= 4; ++i) {
    const std::string aor = "user" + std::to_string(i);
    (*store)->Apply(aor, {BindingChange::Upsert(MakeBinding(aor, "sip:u@" + aor, now))}, now,
                    [&note, i](Result<std::vector<Binding>> r) {
                      note((r.ok() ? "done " : "failed ") + std::to_string(i));
                      CallbackBatch::Defer([&note, i] { note("handed over " + std::to_string(i)); });
                    });
  }
  {
    std::unique_lock lock(mu);
    ASSERT_TRUE(cv.wait_for(lock, std::chrono::seconds(10), [&] { return events.size() == 8; }));
  }
  EXPECT_EQ(events, (std::vector<std::string>{"done 1", "done 2", "done 3", "done 4",
                                              "handed over 1", "handed over 2", "handed over 3",
                                              "handed over 4"}));
  EXPECT_EQ((*store)->stats().transactions, 2u);
}

TEST(CallbackBatchTest, DeferRunsAtOnceOutsideABatchAndAtTheInnermostBatchsEnd) {
  std::vector<std::string> events;
  CallbackBatch::Defer([&] { events.push_back("no batch"); });
  EXPECT_EQ(events, std::vector<std::string>{"no batch"});
  {
    CallbackBatch outer;
    CallbackBatch::Defer([&] { events.push_back("outer"); });
    {
      CallbackBatch inner;
      CallbackBatch::Defer([&] { events.push_back("inner"); });
      events.push_back("inner body");
    }
    events.push_back("outer body");
  }
  EXPECT_EQ(events, (std::vector<std::string>{"no batch", "inner body", "inner", "outer body",
                                              "outer"}));
  // Another thread has its own (no) batch.
  CallbackBatch here;
  std::thread([&] { CallbackBatch::Defer([&] { events.push_back("other thread"); }); }).join();
  EXPECT_EQ(events.back(), "other thread");
}

TEST(SqliteBindingStoreTest, MaxBatchSplitsALongBacklog) {
  TempDir dir("sipreg-bindings");
  FakeClock clock;
  const WallTime now = clock.WallNow();
  SqliteBindingStore::Options options;
  options.max_batch = 100;
  auto store = OpenOrDie(dir.File("b.db"), clock, options);
  ASSERT_TRUE(store.ok());
  for (int i = 0; i < 1000; ++i) {
    const std::string aor = "user" + std::to_string(i);
    (*store)->Apply(aor, {BindingChange::Upsert(MakeBinding(aor, "sip:u@" + aor, now))}, now,
                    [](Result<std::vector<Binding>>) {});
  }
  ASSERT_TRUE((*store)->Flush().ok());
  const auto stats = (*store)->stats();
  EXPECT_EQ(stats.updates_written, 1000u);
  EXPECT_LE(stats.largest_batch, 100u);
  EXPECT_GE(stats.transactions, 10u);
}

TEST(SqliteBindingStoreTest, ConcurrentApplyFromSeveralThreadsIsAllDurable) {
  TempDir dir("sipreg-bindings");
  FakeClock clock;
  const WallTime now = clock.WallNow();
  constexpr int kThreads = 4;
  constexpr int kPerThread = 300;
  {
    auto store = OpenOrDie(dir.File("b.db"), clock);
    ASSERT_TRUE(store.ok());
    Acks acks;
    std::vector<std::thread> threads;
    for (int t = 0; t < kThreads; ++t) {
      threads.emplace_back([&, t] {
        for (int i = 0; i < kPerThread; ++i) {
          // Threads share AORs (i % 50) but each owns its contact.
          const std::string aor = AorName(i % 50);
          const std::string contact = "sip:t" + std::to_string(t) + "-" + std::to_string(i) + "@x";
          (*store)->Apply(aor, {BindingChange::Upsert(MakeBinding(aor, contact, now))}, now,
                          acks.Callback());
          if (i % 10 == 0) (void)(*store)->Lookup(aor, now);
        }
      });
    }
    for (auto& th : threads) th.join();
    acks.WaitFor(kThreads * kPerThread);
    EXPECT_TRUE(acks.errors().empty());
    EXPECT_LT((*store)->stats().transactions, static_cast<uint64_t>(kThreads * kPerThread));
  }
  auto reopened = OpenOrDie(dir.File("b.db"), clock);
  ASSERT_TRUE(reopened.ok());
  EXPECT_EQ((*reopened)->Count(), static_cast<size_t>(kThreads * kPerThread));
}

TEST(SqliteBindingStoreTest, AFailedCommitIsReportedAndStopsFurtherChanges) {
  TempDir dir("sipreg-bindings");
  FakeClock clock;
  const WallTime now = clock.WallNow();
  const std::string path = dir.File("b.db");
  SqliteBindingStore::Options options;
  options.max_db_pages = 8;  // a "full disk" after a few dozen bindings
  std::vector<int> acked;
  {
    auto store = OpenOrDie(path, clock, options);
    ASSERT_TRUE(store.ok());
    std::mutex mu;
    Status first_error;
    for (int i = 0; i < 500; ++i) {
      const std::string aor = AorName(i);
      (*store)->Apply(aor, {BindingChange::Upsert(MakeBinding(aor, "sip:" + aor + "@x", now))},
                      now, [&, i](Result<std::vector<Binding>> r) {
                        std::lock_guard lock(mu);
                        if (r.ok()) {
                          acked.push_back(i);
                        } else if (first_error.ok()) {
                          first_error = r.status();
                        }
                      });
      (void)(*store)->Flush();  // one transaction each, so the failure hits mid-way
    }
    EXPECT_EQ(first_error.code(), StatusCode::kIoError);
    EXPECT_NE(first_error.message().find(path), std::string::npos) << first_error.ToString();
    EXPECT_GT(acked.size(), 0u);
    EXPECT_LT(acked.size(), 500u);
    // Sticky: later changes fail at once, without touching memory.
    const size_t count = (*store)->Count();
    Status later;
    (*store)->Apply("late", {BindingChange::Upsert(MakeBinding("late", "sip:late@x", now))}, now,
                    [&](Result<std::vector<Binding>> r) { later = r.status(); });
    EXPECT_EQ(later.code(), StatusCode::kIoError);
    EXPECT_EQ((*store)->Count(), count);
    EXPECT_FALSE((*store)->Flush().ok());
  }
  auto reopened = OpenOrDie(path, clock);
  ASSERT_TRUE(reopened.ok());
  EXPECT_EQ((*reopened)->Count(), acked.size());
  for (int i : acked) EXPECT_EQ((*reopened)->Lookup(AorName(i), now).size(), 1u) << i;
}

TEST(SqliteBindingStoreTest, OpenFailsWithThePathWhenTheDirectoryIsMissing) {
  TempDir dir("sipreg-bindings");
  FakeClock clock;
  const std::string path = dir.File("no/such/dir/bindings.db");
  auto store = SqliteBindingStore::Open(path, clock);
  ASSERT_FALSE(store.ok());
  EXPECT_EQ(store.status().code(), StatusCode::kIoError);
  EXPECT_NE(store.status().message().find(path), std::string::npos) << store.status().ToString();
}

TEST(SqliteBindingStoreTest, OpenFailsWithThePathWhenTheFileIsNotADatabase) {
  TempDir dir("sipreg-bindings");
  FakeClock clock;
  const std::string path = dir.File("bindings.db");
  std::ofstream(path) << std::string(8192, 'x');
  auto store = SqliteBindingStore::Open(path, clock);
  ASSERT_FALSE(store.ok());
  EXPECT_EQ(store.status().code(), StatusCode::kIoError);
  EXPECT_NE(store.status().message().find(path), std::string::npos) << store.status().ToString();
}

TEST(SqliteBindingStoreTest, SecondOpenOfTheSameFileFailsWhileTheFirstRuns) {
  TempDir dir("sipreg-bindings");
  FakeClock clock;
  auto first = OpenOrDie(dir.File("b.db"), clock);
  ASSERT_TRUE(first.ok());
  auto second = SqliteBindingStore::Open(dir.File("b.db"), clock);
  ASSERT_FALSE(second.ok());
  EXPECT_NE(second.status().message().find("locked"), std::string::npos)
      << second.status().ToString();
}

TEST(SqliteBindingStoreTest, AckedBindingsSurviveSigkillOfTheWritingProcess) {
  TempDir dir("sipreg-bindings");
  const std::string path = dir.File("bindings.db");
  const WallTime now = SystemClock::Instance().WallNow();
  int fds[2];
  ASSERT_EQ(pipe(fds), 0);
  const pid_t child = fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    // Child: apply forever, reporting each acknowledged index on the pipe.
    close(fds[0]);
    const int out = fds[1];
    auto store = SqliteBindingStore::Open(path, SystemClock::Instance());
    if (!store.ok()) _exit(2);
    std::atomic<uint32_t> acked{0};
    for (uint32_t i = 0;; ++i) {
      while (i - acked.load() > 512) std::this_thread::yield();  // bounded backlog
      const std::string aor = AorName(static_cast<int>(i % 1'000'000));
      Binding b = MakeBinding(aor, "sip:" + aor + "@192.0.2.10:5060", now);
      b.cseq = i;
      (*store)->Apply(aor, {BindingChange::Upsert(std::move(b))}, now,
                      [out, i, &acked](Result<std::vector<Binding>> r) {
                        if (!r.ok()) _exit(4);  // the parent sees EOF before its kill
                        if (write(out, &i, sizeof i) != sizeof i) _exit(3);
                        acked.fetch_add(1);
                      });
    }
  }
  close(fds[1]);
  std::vector<uint32_t> acked;
  std::string pending;
  bool killed = false;
  char buf[4096];
  for (;;) {
    pollfd pfd{fds[0], POLLIN, 0};
    if (poll(&pfd, 1, 30'000) != 1) {  // a stuck child must not hang the test
      kill(child, SIGKILL);
      waitpid(child, nullptr, 0);
      FAIL() << "child stopped reporting after " << acked.size() << " acknowledgements";
    }
    const ssize_t n = read(fds[0], buf, sizeof buf);
    if (n <= 0) break;  // EOF once the child is dead
    pending.append(buf, static_cast<size_t>(n));
    while (pending.size() >= sizeof(uint32_t)) {
      uint32_t i;
      std::memcpy(&i, pending.data(), sizeof i);
      acked.push_back(i);
      pending.erase(0, sizeof i);
    }
    if (!killed && acked.size() >= 3000) {
      ASSERT_EQ(kill(child, SIGKILL), 0);  // mid-stream: the child is still applying
      killed = true;
    }
  }
  close(fds[0]);
  int wstatus = 0;
  ASSERT_EQ(waitpid(child, &wstatus, 0), child);
  ASSERT_TRUE(WIFSIGNALED(wstatus) && WTERMSIG(wstatus) == SIGKILL)
      << "child exited on its own, status " << wstatus;
  ASSERT_GE(acked.size(), 3000u);

  auto store = SqliteBindingStore::Open(path, SystemClock::Instance());
  ASSERT_TRUE(store.ok()) << store.status().ToString();
  EXPECT_GE((*store)->Count(), acked.size());
  size_t missing = 0;
  for (uint32_t i : acked) {
    const std::string aor = AorName(static_cast<int>(i % 1'000'000));
    auto got = (*store)->Lookup(aor, now);
    if (got.size() != 1 || got[0].cseq != i || got[0].expires_at != now + seconds(3600)) {
      ++missing;
    }
  }
  EXPECT_EQ(missing, 0u) << "of " << acked.size() << " acknowledged bindings";
  std::printf("[ sigkill  ] %zu acknowledged, %zu loaded after SIGKILL\n", acked.size(),
              (*store)->Count());
}

#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
#define SIPREG_UNDER_SANITIZER 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(thread_sanitizer)
#define SIPREG_UNDER_SANITIZER 1
#endif
#endif

// Memory store plus SQLite's share (page cache, statements) at 100,000 bindings.
TEST(SqliteBindingStoreTest, HundredThousandDurableBindingsTakeUnderOneKibEach) {
#ifdef SIPREG_UNDER_SANITIZER
  GTEST_SKIP() << "malloc statistics are meaningless under a sanitizer";
#else
  TempDir dir("sipreg-bindings");
  FakeClock clock;
  const WallTime now = clock.WallNow();
  constexpr int kBindings = 100'000;
  const size_t before = mallinfo2().uordblks;
  auto store = OpenOrDie(dir.File("b.db"), clock);
  ASSERT_TRUE(store.ok());
  for (int i = 0; i < kBindings; ++i) {
    const std::string aor = AorName(i);
    Binding b = MakeBinding(aor, "sip:" + aor + "@192.168.100.200:5060;transport=udp", now);
    b.path.clear();
    b.received = {sip::TransportKind::kUdp, "192.168.100.200", 5060};
    (*store)->Apply(aor, {BindingChange::Upsert(std::move(b))}, now,
                    [](Result<std::vector<Binding>>) {});
  }
  ASSERT_TRUE((*store)->Flush().ok());
  ASSERT_EQ((*store)->Count(), static_cast<size_t>(kBindings));
  const size_t after = mallinfo2().uordblks;
  const double per_binding = static_cast<double>(after - before) / kBindings;
  std::printf("[ memory   ] SqliteBindingStore: %.0f bytes per binding at %d bindings\n",
              per_binding, kBindings);
  EXPECT_LT(per_binding, 1024.0);
#endif
}

}  // namespace
}  // namespace sipreg::registrar
