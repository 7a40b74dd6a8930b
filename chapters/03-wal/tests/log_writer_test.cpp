// LogWriter: what each sync policy does, group commit, log order, and poisoning.
#include <catch2/catch.hpp>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <limits>
#include <mutex>
#include <map>
#include <string>
#include <thread>
#include <vector>

#include "common/fault_injection_env.hpp"
#include "03-wal/log_writer.hpp"
#include "03-wal/recovery.hpp"
#include "common/testing/test_util.hpp"

using vkv::Env;
using vkv::FaultInjectionEnv;
using vkv::Status;
using vkv::storage::LogRecord;
using vkv::storage::LogWriter;
using vkv::storage::LogWriterOptions;
using vkv::storage::SyncPolicy;
using vkv::testing::TempDir;

namespace {

std::unique_ptr<LogWriter> make_writer(
    Env& env, const std::string& path, SyncPolicy sync,
    std::chrono::milliseconds interval = std::chrono::seconds(1)) {
  auto file = env.new_writable_file(path);
  REQUIRE(file.is_ok());
  LogWriterOptions options;
  options.sync = sync;
  options.sync_interval = interval;
  return std::make_unique<LogWriter>(std::move(file).value(), path, options);
}

// The keys of the records in the log at `path`, in log order.
std::vector<std::string> logged_keys(const std::string& path) {
  std::vector<std::string> keys;
  auto report = vkv::storage::replay_log(Env::posix(), path, [&keys](const LogRecord& r) {
    keys.emplace_back(r.key);
    return Status::ok();
  });
  REQUIRE(report.is_ok());
  return keys;
}

// The size of `path` on disk (preallocated space included); fails the test if unknown.
std::uint64_t physical_size(const std::string& path) {
  auto size = vkv::Env::posix().file_size(path);
  REQUIRE(size.is_ok());
  return *size;
}

// Waits up to 10 s for `done()`; false if it never came true.
template <typename Pred>
bool wait_for(Pred done) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (!done()) {
    if (std::chrono::steady_clock::now() > deadline) return false;
    std::this_thread::yield();
  }
  return true;
}

const LogWriter::Apply kNoApply;

// A file whose first sync() blocks until release() is called, so a test can hold a leader
// inside its fdatasync while more writers queue up.
class GatedFile final : public vkv::WritableFile {
 public:
  explicit GatedFile(std::unique_ptr<vkv::WritableFile> base) : base_(std::move(base)) {}
  Status append(std::string_view data) override { return base_->append(data); }
  Status sync() override {
    std::unique_lock lock(mu_);
    in_sync_ = true;
    cv_.notify_all();
    cv_.wait(lock, [this] { return released_; });
    return base_->sync();
  }
  Status close() override { return base_->close(); }
  [[nodiscard]] std::uint64_t size() const override { return base_->size(); }

  void wait_until_in_sync() {
    std::unique_lock lock(mu_);
    cv_.wait(lock, [this] { return in_sync_; });
  }
  void release() {
    std::lock_guard lock(mu_);
    released_ = true;
    cv_.notify_all();
  }

 private:
  std::unique_ptr<vkv::WritableFile> base_;
  std::mutex mu_;
  std::condition_variable cv_;
  bool in_sync_ = false;
  bool released_ = false;
};

}  // namespace

TEST_CASE("log writer: always syncs before returning; never does not sync", "[ch03]") {
  TempDir tmp;
  auto always = make_writer(Env::posix(), tmp.file("a.log"), SyncPolicy::kAlways);
  auto never = make_writer(Env::posix(), tmp.file("n.log"), SyncPolicy::kNever);
  for (int i = 0; i < 5; ++i) {
    REQUIRE(always->write(LogRecord::set("k" + std::to_string(i), "v"), kNoApply).is_ok());
    CHECK(always->synced_size() == always->size());
    REQUIRE(never->write(LogRecord::set("k" + std::to_string(i), "v"), kNoApply).is_ok());
  }
  CHECK(always->sync_count() == 5);
  CHECK(never->sync_count() == 0);
  CHECK(never->synced_size() == 0);
  CHECK(never->size() == always->size());
  REQUIRE(never->sync().is_ok());  // an explicit sync works under any policy
  CHECK(never->synced_size() == never->size());
  CHECK(logged_keys(tmp.file("n.log")) ==
        std::vector<std::string>{"k0", "k1", "k2", "k3", "k4"});
}

TEST_CASE("log writer: everysec syncs in the background, and at close", "[ch03]") {
  TempDir tmp;
  FaultInjectionEnv env;
  {
    auto log = make_writer(env, tmp.file("e.log"), SyncPolicy::kEverySec,
                           std::chrono::milliseconds(10));
    REQUIRE(env.sync_dir(tmp.path()).is_ok());  // the file itself survives the crash
    REQUIRE(log->write(LogRecord::set("a", "1"), kNoApply).is_ok());
    CHECK(wait_for([&] { return log->synced_size() == log->size(); }));
    CHECK(log->sync_count() >= 1);
  }
  {
    // An interval too long to come round: the destructor's final sync is what saves it.
    auto log = make_writer(env, tmp.file("f.log"), SyncPolicy::kEverySec, std::chrono::hours(1));
    REQUIRE(env.sync_dir(tmp.path()).is_ok());
    REQUIRE(log->write(LogRecord::set("b", "2"), kNoApply).is_ok());
  }
  REQUIRE(env.crash().is_ok());
  CHECK(logged_keys(tmp.file("e.log")) == std::vector<std::string>{"a"});
  CHECK(logged_keys(tmp.file("f.log")) == std::vector<std::string>{"b"});
}

TEST_CASE("log writer: under never, a power loss may take everything", "[ch03]") {
  TempDir tmp;
  FaultInjectionEnv env;
  {
    auto log = make_writer(env, tmp.file("n.log"), SyncPolicy::kNever);
    REQUIRE(env.sync_dir(tmp.path()).is_ok());  // the file itself survives
    REQUIRE(log->write(LogRecord::set("a", "1"), kNoApply).is_ok());
  }
  REQUIRE(env.crash().is_ok());
  CHECK(logged_keys(tmp.file("n.log")).empty());
}

TEST_CASE("log writer: writers that arrive together share one sync", "[ch03]") {
  TempDir tmp;
  auto file = Env::posix().new_writable_file(tmp.file("g.log"));
  REQUIRE(file.is_ok());
  auto gated = std::make_unique<GatedFile>(std::move(file).value());
  GatedFile* gate = gated.get();
  LogWriterOptions options;
  options.sync = SyncPolicy::kAlways;
  LogWriter log(std::move(gated), tmp.file("g.log"), options);

  std::vector<std::thread> threads;
  std::atomic<int> ok{0};
  threads.emplace_back([&] { ok += log.write(LogRecord::set("first", ""), kNoApply).is_ok(); });
  gate->wait_until_in_sync();  // the first writer leads, and is stuck in its sync
  for (int i = 0; i < 5; ++i) {
    threads.emplace_back([&, i] {
      ok += log.write(LogRecord::set("w" + std::to_string(i), ""), kNoApply).is_ok();
    });
  }
  REQUIRE(wait_for([&] { return log.queued() == 6; }));  // the leader and five waiting
  gate->release();
  for (auto& t : threads) t.join();
  CHECK(ok == 6);
  CHECK(log.sync_count() == 2);  // one for "first", one for the five that queued behind it
  CHECK(logged_keys(tmp.file("g.log")).size() == 6);
}

TEST_CASE("log writer: records are applied in log order, by many threads", "[ch03]") {
  TempDir tmp;
  auto log = make_writer(Env::posix(), tmp.file("o.log"), SyncPolicy::kAlways);
  std::vector<std::string> applied;  // only ever touched by the current leader
  const LogWriter::Apply apply = [&applied](const LogRecord& r) {
    applied.emplace_back(r.key);
    return Status::ok();
  };
  std::vector<std::thread> threads;
  std::atomic<int> failures{0};
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 40; ++i) {
        const std::string key = std::to_string(t) + "-" + std::to_string(i);
        if (!log->write(LogRecord::set(key, "v"), apply).is_ok()) ++failures;
      }
    });
  }
  for (auto& t : threads) t.join();
  CHECK(failures == 0);
  CHECK(applied.size() == 320);
  CHECK(logged_keys(tmp.file("o.log")) == applied);
  CHECK(log->sync_count() <= 320);
}

TEST_CASE("log writer: under never and everysec, one key's writes are applied in log order",
          "[ch03]") {
  for (SyncPolicy sync : {SyncPolicy::kNever, SyncPolicy::kEverySec}) {
    INFO("sync " << to_string(sync));
    TempDir tmp;
    auto log = make_writer(Env::posix(), tmp.file("o.log"), sync);
    // Four keys, each written by 8 threads at once: each key's applies must follow its log.
    std::mutex mu;
    std::map<std::string, std::vector<std::string>> applied;  // key -> values, apply order
    const LogWriter::Apply apply = [&](const LogRecord& r) {
      std::lock_guard lock(mu);
      applied[std::string(r.key)].emplace_back(r.value);
      return Status::ok();
    };
    std::vector<std::thread> threads;
    std::atomic<int> failures{0};
    for (int t = 0; t < 8; ++t) {
      threads.emplace_back([&, t] {
        for (int i = 0; i < 200; ++i) {
          const std::string key = "k" + std::to_string(i % 4);
          const std::string value = std::to_string(t) + "-" + std::to_string(i);
          if (!log->write(LogRecord::set(key, value), apply).is_ok()) ++failures;
        }
      });
    }
    for (auto& t : threads) t.join();
    CHECK(failures == 0);
    log.reset();
    std::map<std::string, std::vector<std::string>> logged;
    REQUIRE(vkv::storage::replay_log(Env::posix(), tmp.file("o.log"), [&](const LogRecord& r) {
              logged[std::string(r.key)].emplace_back(r.value);
              return Status::ok();
            }).is_ok());
    REQUIRE(logged.size() == 4);
    CHECK(applied == logged);
  }
}

TEST_CASE("log writer: a failed append or sync poisons the log", "[ch03]") {
  for (std::uint64_t failing : {0, 1}) {
    INFO((failing == 0 ? "append" : "sync") << " fails");
    TempDir tmp;
    FaultInjectionEnv env;
    auto log = make_writer(env, tmp.file("p.log"), SyncPolicy::kAlways);
    int applied = 0;
    const LogWriter::Apply apply = [&applied](const LogRecord&) {
      ++applied;
      return Status::ok();
    };
    REQUIRE(log->write(LogRecord::set("a", "1"), apply).is_ok());
    env.fail_once_after(failing);
    const Status first = log->write(LogRecord::set("b", "2"), apply);
    CHECK(first.to_string().find("injected fault") != std::string::npos);
    CHECK(applied == 1);
    const Status later = log->write(LogRecord::set("c", "3"), apply);
    CHECK(later.to_string() ==
          "IO error: log " + tmp.file("p.log") + " takes no more writes after a failure (" +
              first.to_string() + "); restart to recover from the log");
    CHECK(log->sync().to_string() == later.to_string());
    CHECK(log->health().to_string() == later.to_string());
    CHECK(applied == 1);
  }
}

TEST_CASE("log writer: an apply that fails poisons the log too", "[ch03]") {
  TempDir tmp;
  auto log = make_writer(Env::posix(), tmp.file("x.log"), SyncPolicy::kNever);
  const LogWriter::Apply failing = [](const LogRecord&) { return Status::io_error("no room"); };
  CHECK(log->write(LogRecord::set("a", "1"), failing).to_string() == "IO error: no room");
  CHECK_FALSE(log->write(LogRecord::set("b", "1"), kNoApply).is_ok());
}

TEST_CASE("log writer: the preallocation step starts small and doubles up to its cap",
          "[ch03]") {
  constexpr std::uint64_t kMin = LogWriter::kMinPreallocateBytes;
  constexpr std::uint64_t kMax = LogWriter::kPreallocateBytes;
  CHECK(LogWriter::next_allocation(0, 13) == kMin);  // a new log
  CHECK(LogWriter::next_allocation(kMin, kMin) == kMin);  // enough: unchanged
  CHECK(LogWriter::next_allocation(kMin, kMin + 1) == 2 * kMin);
  CHECK(LogWriter::next_allocation(2 * kMin, 2 * kMin + 1) == 4 * kMin);
  CHECK(LogWriter::next_allocation(kMax, kMax + 1) == 2 * kMax);
  CHECK(LogWriter::next_allocation(3 * kMax, 3 * kMax + 1) == 4 * kMax);  // capped
  CHECK(LogWriter::next_allocation(100, 101) == kMin);  // a reopened small log
  // A record larger than a step is covered whole.
  CHECK(LogWriter::next_allocation(kMin, 5 * kMin + 7) == 6 * kMin);
  // Doubling from a new log reaches the cap in a few steps.
  std::uint64_t allocated = 0;
  int steps = 0;
  while (allocated < kMax) {
    allocated = LogWriter::next_allocation(allocated, allocated + 1);
    ++steps;
  }
  CHECK(allocated == kMax);
  CHECK(steps == 7);  // 64 KiB, 128, 256, 512 KiB, 1, 2, 4 MiB
}

TEST_CASE("log writer: the file is preallocated in steps, and size() stays logical", "[ch03]") {
  for (SyncPolicy sync : {SyncPolicy::kAlways, SyncPolicy::kEverySec, SyncPolicy::kNever}) {
    INFO("sync " << to_string(sync));
    TempDir tmp;
    const std::string path = tmp.file("a.log");
    std::uint64_t size = 0;
    {
      auto log = make_writer(Env::posix(), path, sync);
      CHECK(physical_size(path) == 0);  // nothing allocated before the first append
      REQUIRE(log->write(LogRecord::set("a", "1"), kNoApply).is_ok());
      CHECK(log->size() == 13);
      const std::uint64_t first = LogWriter::kMinPreallocateBytes;
      CHECK(physical_size(path) == first);
      // A record that passes the allocated end takes the file to the next whole step.
      const std::string big(LogWriter::kPreallocateBytes + 100, 'x');
      REQUIRE(log->write(LogRecord::set("b", big), kNoApply).is_ok());
      const std::uint64_t second = LogWriter::next_allocation(first, log->size());
      CHECK(second > log->size());
      CHECK(second % first == 0);
      CHECK(physical_size(path) == second);
      REQUIRE(log->write(LogRecord::set("c", "3"), kNoApply).is_ok());
      CHECK(physical_size(path) == second);
      REQUIRE(log->sync().is_ok());
      CHECK(log->synced_size() == log->size());
      CHECK(log->size() < second);
      size = log->size();
    }
    CHECK(physical_size(path) == size);  // closing gave back what the records did not fill
    CHECK(logged_keys(path) == std::vector<std::string>{"a", "b", "c"});
  }
}

// Remembers how it was asked to preallocate; forwards everything.
class PreallocationSpy final : public vkv::WritableFile {
 public:
  PreallocationSpy(std::unique_ptr<vkv::WritableFile> base, std::vector<vkv::Preallocation>* seen)
      : base_(std::move(base)), seen_(seen) {}
  Status append(std::string_view data) override { return base_->append(data); }
  Status sync() override { return base_->sync(); }
  Status close() override { return base_->close(); }
  [[nodiscard]] std::uint64_t size() const override { return base_->size(); }
  Status preallocate(std::uint64_t bytes, vkv::Preallocation how) override {
    seen_->push_back(how);
    return base_->preallocate(bytes, how);
  }

 private:
  std::unique_ptr<vkv::WritableFile> base_;
  std::vector<vkv::Preallocation>* seen_;
};

TEST_CASE("log writer: zero-fills its space under always, reserves it otherwise", "[ch03]") {
  using vkv::Preallocation;
  LogWriterOptions options;
  CHECK(LogWriter::preallocation_for(options) == Preallocation::kZeroFill);  // always
  options.sync = SyncPolicy::kEverySec;
  CHECK(LogWriter::preallocation_for(options) == Preallocation::kReserve);
  options.sync = SyncPolicy::kNever;
  CHECK(LogWriter::preallocation_for(options) == Preallocation::kReserve);
  options.preallocation = Preallocation::kZeroFill;  // a kNever log its owner syncs itself
  CHECK(LogWriter::preallocation_for(options) == Preallocation::kZeroFill);

  // A log that is not synced after every batch is mapped; one that is, is not.
  CHECK_FALSE(LogWriter::uses_mapped_file(options));  // never, zero-filled by its owner
  options.preallocation.reset();
  CHECK(LogWriter::uses_mapped_file(options));  // never
  options.sync = SyncPolicy::kEverySec;
  CHECK(LogWriter::uses_mapped_file(options));
  options.sync = SyncPolicy::kAlways;
  CHECK_FALSE(LogWriter::uses_mapped_file(options));

  // And the writer asks its file for exactly that.
  for (SyncPolicy sync : {SyncPolicy::kAlways, SyncPolicy::kNever}) {
    INFO("sync " << to_string(sync));
    TempDir tmp;
    std::vector<Preallocation> seen;
    auto file = Env::posix().new_writable_file(tmp.file("a.log"));
    REQUIRE(file.is_ok());
    LogWriterOptions o;
    o.sync = sync;
    LogWriter log(std::make_unique<PreallocationSpy>(std::move(file).value(), &seen),
                  tmp.file("a.log"), o);
    REQUIRE(log.write(LogRecord::set("a", "1"), kNoApply).is_ok());
    REQUIRE(seen.size() == 1);
    CHECK(seen[0] == LogWriter::preallocation_for(o));
  }
}

TEST_CASE("log writer: a failed preallocation costs nothing but speed", "[ch03]") {
  TempDir tmp;
  FaultInjectionEnv env;
  auto log = make_writer(env, tmp.file("q.log"), SyncPolicy::kAlways);
  env.fail_once_after(0);  // the first write's preallocate
  REQUIRE(log->write(LogRecord::set("a", "1"), kNoApply).is_ok());
  CHECK(env.injected_faults() == 1);
  CHECK(log->health().is_ok());
  REQUIRE(log->write(LogRecord::set("b", "2"), kNoApply).is_ok());
  log.reset();
  CHECK(logged_keys(tmp.file("q.log")) == std::vector<std::string>{"a", "b"});
}
