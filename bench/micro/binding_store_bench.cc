// Micro benchmarks for the durable binding store: how many registrations per
// second SqliteBindingStore acknowledges (committed to SQLite, ApplyDone fired)
// with group commit, from 1 and 2 threads, on a temp file.
//
// Each benchmark thread plays one event loop with up to `window` REGISTERs
// waiting for their 200 OK (the durable callback): window 1 is one phone at a
// time (commit latency bound), larger windows are many phones at once, where
// group commit batches the waiting changes into one transaction. The last arg
// is synchronous: 1 = FULL (default, fsync per commit), 0 = NORMAL.
// AORs cycle over 100,000 per thread, so most Applies refresh an existing row.
//
// items_per_second is acknowledged registrations per second (all threads);
// updates_per_txn shows the batching; cpu_us_per_op is the whole process's CPU
// time (callers, the writer thread, SQLite) per acknowledged registration.
#include <benchmark/benchmark.h>
#include <time.h>

#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <mutex>
#include <string>

#include "registrar/sqlite_binding_store.h"

namespace sipreg::registrar {
namespace {

namespace fs = std::filesystem;

struct Shared {
  fs::path dir;
  std::unique_ptr<SqliteBindingStore> store;
};
Shared* g_shared = nullptr;  // set by thread 0 before the timed loop, read inside it

// Counts one thread's REGISTERs waiting for their durable callback.
class InFlight {
 public:
  void Add() {
    std::lock_guard lock(mu_);
    ++n_;
  }
  void Done() {
    std::lock_guard lock(mu_);
    --n_;
    cv_.notify_one();
  }
  void WaitBelow(size_t limit) {
    std::unique_lock lock(mu_);
    cv_.wait(lock, [&] { return n_ < limit; });
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  size_t n_ = 0;
};

double ProcessCpuSeconds() {
  timespec ts{};
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) * 1e-9;
}

Binding MakeBinding(const std::string& aor, WallTime now) {
  Binding b;
  b.aor = aor;
  b.contact = "sip:" + aor + "@192.168.100.200:5060;transport=udp";
  b.call_id = "a84b4c76e66710-" + aor + "@192.168.100.200";
  b.cseq = 1;
  b.registered_at = now;
  b.expires_at = now + std::chrono::seconds(3600);
  b.user_agent = "Yealink SIP-T46S 66.86.0.15";
  b.received = {sip::TransportKind::kUdp, "192.168.100.200", 5060};
  return b;
}

void BM_DurableApply(benchmark::State& state) {
  const auto window = static_cast<size_t>(state.range(0));
  if (state.thread_index() == 0) {
    std::string tmpl = (fs::temp_directory_path() / "sipreg-bench-XXXXXX").string();
    if (mkdtemp(tmpl.data()) == nullptr) std::abort();
    g_shared = new Shared{tmpl, nullptr};
    SqliteBindingStore::Options options;
    options.synchronous = state.range(1) != 0 ? SqliteBindingStore::Options::Sync::kFull
                                              : SqliteBindingStore::Options::Sync::kNormal;
    auto opened = SqliteBindingStore::Open((g_shared->dir / "bindings.db").string(),
                                           SystemClock::Instance(), options);
    if (!opened.ok()) {  // the other threads would run on a null store: stop here
      std::fprintf(stderr, "%s\n", opened.status().ToString().c_str());
      std::abort();
    }
    g_shared->store = std::move(*opened);
  }
  InFlight in_flight;
  const WallTime now = SystemClock::Instance().WallNow();
  const std::string prefix = "t" + std::to_string(state.thread_index()) + "-user";
  uint64_t i = 0;
  const double cpu_before = ProcessCpuSeconds();
  for (auto _ : state) {
    const std::string aor = prefix + std::to_string(i++ % 100'000);
    in_flight.WaitBelow(window);
    in_flight.Add();
    g_shared->store->Apply(aor, {BindingChange::Upsert(MakeBinding(aor, now))}, now,
                           [&in_flight](Result<std::vector<Binding>>) { in_flight.Done(); });
  }
  // At most `window` acknowledgements per thread land after the timed loop.
  in_flight.WaitBelow(1);
  state.SetItemsProcessed(state.iterations());
  if (state.thread_index() == 0) {
    if (!g_shared->store->Flush().ok()) state.SkipWithError("flush failed");
    const auto stats = g_shared->store->stats();
    // Thread 0's iterations times the thread count: all threads run the same time.
    const double ops = static_cast<double>(state.iterations()) * state.threads();
    state.counters["cpu_us_per_op"] = (ProcessCpuSeconds() - cpu_before) * 1e6 / ops;
    state.counters["updates_per_txn"] =
        stats.transactions ? static_cast<double>(stats.updates_written) / stats.transactions : 0;
    g_shared->store.reset();
    std::error_code ec;
    fs::remove_all(g_shared->dir, ec);
    delete g_shared;
    g_shared = nullptr;
  }
}
BENCHMARK(BM_DurableApply)
    ->ArgNames({"window", "full_sync"})
    ->Args({1, 1})
    ->Args({64, 1})
    ->Args({512, 1})
    ->Args({512, 0})
    ->Threads(1)
    ->Threads(2)
    ->UseRealTime()
    ->MinTime(2.0);

}  // namespace
}  // namespace sipreg::registrar

BENCHMARK_MAIN();
