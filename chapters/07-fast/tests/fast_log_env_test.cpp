// FastLogEnv: chapter 3's log, unchanged, on files that make their space ahead; a crash
// leaves their zeros, and replay cuts them.
#include <sys/wait.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <csignal>
#include <memory>
#include <string>
#include <vector>

#include "02-parsing/memory_store.hpp"
#include "03-wal/durable_store.hpp"
#include "03-wal/log_writer.hpp"
#include "03-wal/recovery.hpp"
#include "05-sstables/lsm_store.hpp"
#include "07-fast/buffered_file.hpp"
#include "07-fast/fast_log_env.hpp"
#include "07-fast/mapped_file.hpp"
#include "07-fast/tests/file_checks.hpp"
#include "07-fast/zero_filled_file.hpp"
#include "03-wal/tests/logged_keys.hpp"
#include "common/testing/test_util.hpp"

using vkv::Env;
using vkv::Status;
using vkv::storage::DurableStore;
using vkv::storage::DurableStoreOptions;
using vkv::storage::FastLogEnv;
using vkv::storage::LogRecord;
using vkv::storage::LogWriter;
using vkv::storage::LogWriterOptions;
using vkv::storage::MappedFile;
using vkv::storage::MemoryStore;
using vkv::storage::SyncPolicy;
using vkv::storage::ZeroFilledFile;
using vkv::testing::physical_size;
using vkv::testing::logged_keys;
using vkv::testing::TempDir;

namespace {

const LogWriter::Apply kNoApply;

std::unique_ptr<DurableStore> open_store(Env& env, const std::string& dir, SyncPolicy sync) {
  DurableStoreOptions options;
  options.dir = dir;
  options.sync = sync;
  auto store = DurableStore::open(env, options, std::make_unique<MemoryStore>());
  INFO(store.status().to_string());
  REQUIRE(store.is_ok());
  return std::move(store).value();
}

}  // namespace

TEST_CASE("fast log env: logs get the file their policy wants, and other files pass through",
          "[ch07]") {
  CHECK_FALSE(FastLogEnv::uses_mapped_file(SyncPolicy::kAlways));
  CHECK(FastLogEnv::uses_mapped_file(SyncPolicy::kEverySec));
  CHECK(FastLogEnv::uses_mapped_file(SyncPolicy::kNever));
  CHECK(FastLogEnv::is_log("/data/000001.log"));
  CHECK(FastLogEnv::is_log("000042.log"));
  CHECK_FALSE(FastLogEnv::is_log("/data/000001.sst"));
  CHECK_FALSE(FastLogEnv::is_log("/data/MANIFEST"));
  CHECK_FALSE(FastLogEnv::is_log("/logs.d/LOCK"));

  TempDir dir;
  for (SyncPolicy sync : {SyncPolicy::kAlways, SyncPolicy::kNever}) {
    INFO("sync " << to_string(sync));
    FastLogEnv env(sync);
    auto log = env.new_writable_file(dir.file("000001.log"));
    REQUIRE(log.is_ok());
    if (sync == SyncPolicy::kAlways) {  // a zero-filled file behind a buffer
      CHECK(dynamic_cast<vkv::storage::BufferedFile*>(log->get()) != nullptr);
    } else {
      CHECK(dynamic_cast<MappedFile*>(log->get()) != nullptr);
    }
    auto table = env.new_writable_file(dir.file("000002.sst"));
    REQUIRE(table.is_ok());
    CHECK(dynamic_cast<vkv::storage::PreallocatedFile*>(table->get()) == nullptr);
    REQUIRE((*table)->append("abc").is_ok());
    CHECK(physical_size(dir.file("000002.sst")) == 3);  // no space made ahead
  }
}

TEST_CASE("fast log env: the log writer's file makes space ahead, and size() stays at the records",
          "[ch07]") {
  for (SyncPolicy sync : {SyncPolicy::kAlways, SyncPolicy::kEverySec, SyncPolicy::kNever}) {
    INFO("sync " << to_string(sync));
    TempDir tmp;
    const std::string path = tmp.file("000001.log");
    FastLogEnv env(sync);
    const std::uint64_t first =
        FastLogEnv::uses_mapped_file(sync) ? MappedFile::kWindowBytes : ZeroFilledFile::kMinStep;
    std::uint64_t size = 0;
    {
      auto file = env.new_writable_file(path);
      REQUIRE(file.is_ok());
      LogWriterOptions options;
      options.sync = sync;
      LogWriter log(std::move(file).value(), path, options);
      CHECK(physical_size(path) == 0);  // nothing made before the first append
      REQUIRE(log.write(LogRecord::set("a", "1"), kNoApply).is_ok());
      CHECK(log.size() == 13);
      CHECK(physical_size(path) == first);
      const std::string big(ZeroFilledFile::kMaxStep + 100, 'x');
      REQUIRE(log.write(LogRecord::set("b", big), kNoApply).is_ok());
      REQUIRE(log.write(LogRecord::set("c", "3"), kNoApply).is_ok());
      CHECK(physical_size(path) > log.size());
      REQUIRE(log.sync().is_ok());
      CHECK(log.synced_size() == log.size());
      size = log.size();
    }
    CHECK(physical_size(path) == size);  // closing gave back what the records did not fill
    CHECK(logged_keys(path) == std::vector<std::string>{"a", "b", "c"});
  }
}

TEST_CASE("fast log env: a store killed with its zeros recovers and appends on", "[ch07]") {
  for (SyncPolicy sync : {SyncPolicy::kAlways, SyncPolicy::kNever}) {
    INFO("sync " << to_string(sync));
    TempDir tmp;
    const std::string dir = tmp.file("data");
    const std::string log = dir + "/000001.log";
    const std::uint64_t space =
        FastLogEnv::uses_mapped_file(sync) ? MappedFile::kWindowBytes : ZeroFilledFile::kMinStep;
    for (int run = 0; run < 3; ++run) {
      INFO("run " << run);
      const pid_t child = ::fork();
      REQUIRE(child >= 0);
      if (child == 0) {
        // Ten writes, then killed: no close gives the space back.
        FastLogEnv env(sync);
        DurableStoreOptions options;
        options.dir = dir;
        options.sync = sync;
        auto store = DurableStore::open(env, options, std::make_unique<MemoryStore>());
        if (!store.is_ok()) ::_exit(2);
        for (int i = 0; i < 10; ++i) {
          const std::string key = "r" + std::to_string(run) + "k" + std::to_string(i);
          if (!(*store)->set(key, "v").is_ok()) ::_exit(3);
        }
        ::raise(SIGKILL);
        ::_exit(4);
      }
      int status = 0;
      REQUIRE(::waitpid(child, &status, 0) == child);
      REQUIRE(WIFSIGNALED(status));
      CHECK(physical_size(log) == space);  // the records, then the zeros of the space made
    }
    FastLogEnv env(sync);
    auto store = open_store(env, dir, sync);
    const auto& report = store->recovery().at(0);
    CHECK(report.records == 30);
    CHECK(report.torn_bytes == 0);
    CHECK(report.zero_tail_bytes == space - report.log_bytes);  // cut, silently
    CHECK(report.lines().size() == 1);
    for (int run = 0; run < 3; ++run) {
      for (int i = 0; i < 10; ++i) {
        std::string value;
        CHECK(store->get("r" + std::to_string(run) + "k" + std::to_string(i), &value).is_ok());
      }
    }
    const std::uint64_t records_end = report.log_bytes;
    REQUIRE(store->set("after", "v").is_ok());
    store.reset();
    CHECK(physical_size(log) > records_end);  // a clean close ends the file at its records
    CHECK(logged_keys(log).size() == 31);
    CHECK(physical_size(log) == vkv::testing::read_whole_file(log).size());
  }
}

TEST_CASE("fast log env: an LSM store on it flushes, rotates its logs and reopens", "[ch07]") {
  TempDir tmp;
  vkv::storage::LsmStoreOptions options;
  options.durable.dir = tmp.file("data");
  options.durable.sync = SyncPolicy::kNever;
  options.memtable_bytes = vkv::storage::kMinMemtableBytes;
  FastLogEnv env(options.durable.sync);
  const std::string value(200, 'v');
  {
    auto store = vkv::storage::LsmStore::open(env, options);
    REQUIRE(store.is_ok());
    for (int i = 0; i < 2000; ++i) {  // several memtables' worth: flushes and new logs
      REQUIRE((*store)->set("key" + std::to_string(i), value).is_ok());
    }
  }
  auto store = vkv::storage::LsmStore::open(env, options);
  REQUIRE(store.is_ok());
  for (int i = 0; i < 2000; i += 97) {
    std::string got;
    REQUIRE((*store)->get("key" + std::to_string(i), &got).is_ok());
    CHECK(got == value);
  }
}
