// LogWriter: what each sync policy does, group commit, log order, and poisoning.
#include <catch2/catch.hpp>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "common/fault_injection_env.hpp"
#include "03-wal/log_writer.hpp"
#include "03-wal/recovery.hpp"
#include "03-wal/tests/logged_keys.hpp"
#include "common/testing/test_util.hpp"

using vkv::Env;
using vkv::FaultInjectionEnv;
using vkv::Status;
using vkv::storage::LogRecord;
using vkv::storage::LogWriter;
using vkv::storage::LogWriterOptions;
using vkv::storage::SyncPolicy;
using vkv::testing::logged_keys;
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

  [[nodiscard]] bool in_sync() {
    std::lock_guard lock(mu_);
    return in_sync_;
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

TEST_CASE("log writer: always syncs before returning, never does not sync", "[ch03]") {
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
  std::atomic<int> ok{0};
  std::atomic<bool> first_returned{false};

  // However the test ends, the gate opens and every writer is joined, so a failed REQUIRE
  // fails the test at once instead of leaving writers blocked in the log.
  struct Writers {
    GatedFile* gate;
    std::vector<std::thread> threads;
    void release_and_join() {
      gate->release();
      for (auto& t : threads) {
        if (t.joinable()) t.join();
      }
    }
    ~Writers() { release_and_join(); }
  } writers{gate, {}};

  writers.threads.emplace_back([&] {
    ok += log.write(LogRecord::set("first", ""), kNoApply).is_ok();
    first_returned = true;
  });
  // The first writer leads, and is stuck in its sync (one that returned without a sync has
  // failed already).
  REQUIRE(wait_for([&] { return gate->in_sync() || first_returned; }));
  REQUIRE(gate->in_sync());
  for (int i = 0; i < 5; ++i) {
    writers.threads.emplace_back([&, i] {
      ok += log.write(LogRecord::set("w" + std::to_string(i), ""), kNoApply).is_ok();
    });
  }
  REQUIRE(wait_for([&] { return log.queued() == 6; }));  // the leader and five waiting
  writers.release_and_join();
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

TEST_CASE("log writer: under never and everysec, records are applied in log order",
          "[ch03]") {
  for (SyncPolicy sync : {SyncPolicy::kNever, SyncPolicy::kEverySec}) {
    INFO("sync " << to_string(sync));
    TempDir tmp;
    auto log = make_writer(Env::posix(), tmp.file("o.log"), sync);
    // Four keys, each written by 8 threads at once: the applies must follow the log, record
    // for record (so each key ends with the value the log says won).
    std::vector<std::string> applied;  // "key=value", in apply order; guarded by the log's lock
    const LogWriter::Apply apply = [&](const LogRecord& r) {
      applied.push_back(std::string(r.key) + "=" + std::string(r.value));
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
    std::vector<std::string> logged;
    REQUIRE(vkv::storage::replay_log(Env::posix(), tmp.file("o.log"), [&](const LogRecord& r) {
              logged.push_back(std::string(r.key) + "=" + std::string(r.value));
              return Status::ok();
            }).is_ok());
    REQUIRE(logged.size() == 1600);
    CHECK(applied == logged);
  }
}

TEST_CASE("log writer: a failed sync poisons the log, and says so", "[ch03]") {
  TempDir tmp;
  FaultInjectionEnv env;
  std::vector<std::string> told;
  LogWriterOptions options;
  options.on_write_error = [&told](const Status& s) { told.push_back(s.to_string()); };
  auto file = env.new_writable_file(tmp.file("p.log"));
  REQUIRE(file.is_ok());
  auto log = std::make_unique<LogWriter>(std::move(file).value(), tmp.file("p.log"), options);
  int applied = 0;
  const LogWriter::Apply apply = [&applied](const LogRecord&) {
    ++applied;
    return Status::ok();
  };
  REQUIRE(log->write(LogRecord::set("a", "1"), apply).is_ok());
  env.fail_once_after(1);  // the append goes through, its sync fails
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
  REQUIRE(told.size() == 1);  // the owner was told once, when it happened
  CHECK(told[0] == later.to_string());
}

TEST_CASE("log writer: a failed append that left the file whole fails only itself (a full "
          "disk that gets room again)", "[ch03]") {
  for (SyncPolicy policy : {SyncPolicy::kAlways, SyncPolicy::kNever}) {
    INFO("sync " << to_string(policy));
    TempDir tmp;
    FaultInjectionEnv env;
    std::vector<std::string> told;
    LogWriterOptions options;
    options.sync = policy;
    options.on_write_error = [&told](const Status& s) { told.push_back(s.to_string()); };
    auto file = env.new_writable_file(tmp.file("f.log"));
    REQUIRE(file.is_ok());
    LogWriter log(std::move(file).value(), tmp.file("f.log"), options);
    int applied = 0;
    const LogWriter::Apply apply = [&applied](const LogRecord&) {
      ++applied;
      return Status::ok();
    };
    REQUIRE(log.write(LogRecord::set("a", "1"), apply).is_ok());
    env.fail_once_after(0);  // the next append fails before it writes anything
    const Status failed = log.write(LogRecord::set("b", "2"), apply);
    CHECK(failed.to_string().find("injected fault") != std::string::npos);
    CHECK(applied == 1);  // not applied: not acknowledged
    REQUIRE(told.size() == 1);
    CHECK(told[0] == failed.to_string());
    CHECK(log.health().is_ok());
    REQUIRE(log.write(LogRecord::set("c", "3"), apply).is_ok());  // room again
    CHECK(applied == 2);
    REQUIRE(log.sync().is_ok());
    CHECK(logged_keys(tmp.file("f.log")) == std::vector<std::string>{"a", "c"});
  }
}

TEST_CASE("log writer: an apply that fails poisons the log too", "[ch03]") {
  TempDir tmp;
  auto log = make_writer(Env::posix(), tmp.file("x.log"), SyncPolicy::kNever);
  const LogWriter::Apply failing = [](const LogRecord&) { return Status::io_error("no room"); };
  CHECK(log->write(LogRecord::set("a", "1"), failing).to_string() == "IO error: no room");
  CHECK_FALSE(log->write(LogRecord::set("b", "1"), kNoApply).is_ok());
}
