#include "common/fault_injection_env.hpp"

#include <algorithm>
#include <catch2/catch.hpp>
#include <functional>
#include <string>

#include "common/testing/test_util.hpp"

using vkv::FaultInjectionEnv;
using vkv::Status;
using vkv::testing::read_whole_file;
using vkv::testing::TempDir;
using vkv::testing::write_whole_file;
using vkv::testing::contains;

namespace {

std::unique_ptr<vkv::WritableFile> open_new(vkv::Env& env, const std::string& path) {
  auto f = env.new_writable_file(path);
  REQUIRE(f.is_ok());
  return std::move(f).value();
}

// A new file at `path` in `dir` whose entry and first 7 bytes, "synced|", are on disk: what
// a crash must keep.
std::unique_ptr<vkv::WritableFile> open_synced(FaultInjectionEnv& env, const TempDir& dir,
                                               const std::string& path) {
  auto f = open_new(env, path);
  REQUIRE(env.sync_dir(dir.path()).is_ok());
  REQUIRE(f->append("synced|").is_ok());
  REQUIRE(f->sync().is_ok());
  return f;
}

}  // namespace

TEST_CASE("fault env: synced appends survive a crash, unsynced ones vanish", "[common]") {
  TempDir dir;
  FaultInjectionEnv env;
  const std::string path = dir.file("wal");
  auto f = open_new(env, path);
  REQUIRE(env.sync_dir(dir.path()).is_ok());  // the file itself survives
  REQUIRE(f->append("durable;").is_ok());
  REQUIRE(f->sync().is_ok());
  REQUIRE(f->append("lost").is_ok());
  CHECK(read_whole_file(path) == "durable;lost");  // the OS has it before the crash

  REQUIRE(env.crash().is_ok());
  CHECK(read_whole_file(path) == "durable;");

  // A file still open from before the crash refuses to go on.
  CHECK_FALSE(f->append("zombie").is_ok());
  CHECK(read_whole_file(path) == "durable;");
}

TEST_CASE("fault env: a crash can keep part of the unsynced tail (a torn write)",
          "[common]") {
  TempDir dir;
  FaultInjectionEnv env;
  auto f = open_synced(env, dir, dir.file("wal"));
  REQUIRE(f->append("unsynced").is_ok());
  f.reset();
  REQUIRE(env.crash(/*keep_unsynced_bytes=*/3).is_ok());
  CHECK(read_whole_file(dir.file("wal")) == "synced|uns");
}

TEST_CASE("fault env: a file created without sync_dir vanishes, even if synced",
          "[common]") {
  TempDir dir;
  FaultInjectionEnv env;
  auto f = open_new(env, dir.file("new"));
  REQUIRE(f->append("data").is_ok());
  REQUIRE(f->sync().is_ok());
  REQUIRE(f->close().is_ok());
  REQUIRE(env.crash().is_ok());
  CHECK_FALSE(env.file_exists(dir.file("new")));
}

TEST_CASE("fault env: sync_dir makes the files created before it durable", "[common]") {
  TempDir dir;
  FaultInjectionEnv env;
  auto g = open_new(env, dir.file("kept"));
  REQUIRE(g->append("data").is_ok());
  REQUIRE(g->sync().is_ok());
  REQUIRE(env.sync_dir(dir.path() + "/").is_ok());  // trailing slash: same directory
  auto h = open_new(env, dir.file("late"));          // created after the sync: pending

  REQUIRE(env.crash().is_ok());
  CHECK(read_whole_file(dir.file("kept")) == "data");
  CHECK_FALSE(env.file_exists(dir.file("late")));
}

TEST_CASE("fault env: files that were there before are not removed by a crash",
          "[common]") {
  TempDir dir;
  write_whole_file(dir.file("old"), "old bytes");
  FaultInjectionEnv env;
  auto f = env.new_appendable_file(dir.file("old"));
  REQUIRE(f.is_ok());
  REQUIRE((*f)->append(" and new").is_ok());
  REQUIRE(env.crash().is_ok());
  CHECK(read_whole_file(dir.file("old")) == "old bytes");
}

TEST_CASE("fault env: a rename without sync_dir is undone, with the old target back",
          "[common]") {
  TempDir dir;
  write_whole_file(dir.file("CURRENT"), "manifest-1");
  FaultInjectionEnv env;

  auto tmp = open_new(env, dir.file("CURRENT.tmp"));
  REQUIRE(tmp->append("manifest-2").is_ok());
  REQUIRE(tmp->sync().is_ok());
  REQUIRE(tmp->close().is_ok());
  REQUIRE(env.rename_file(dir.file("CURRENT.tmp"), dir.file("CURRENT")).is_ok());
  CHECK(read_whole_file(dir.file("CURRENT")) == "manifest-2");

  REQUIRE(env.crash().is_ok());
  CHECK(read_whole_file(dir.file("CURRENT")) == "manifest-1");
  CHECK_FALSE(env.file_exists(dir.file("CURRENT.tmp")));  // its creation was not synced
}

TEST_CASE("fault env: a rename followed by sync_dir survives", "[common]") {
  TempDir dir;
  write_whole_file(dir.file("CURRENT"), "manifest-1");
  FaultInjectionEnv env;
  auto tmp = open_new(env, dir.file("CURRENT.tmp"));
  REQUIRE(tmp->append("manifest-2").is_ok());
  REQUIRE(tmp->sync().is_ok());
  REQUIRE(tmp->close().is_ok());
  REQUIRE(env.rename_file(dir.file("CURRENT.tmp"), dir.file("CURRENT")).is_ok());
  REQUIRE(env.sync_dir(dir.path()).is_ok());

  REQUIRE(env.crash().is_ok());
  CHECK(read_whole_file(dir.file("CURRENT")) == "manifest-2");
  CHECK_FALSE(env.file_exists(dir.file("CURRENT.tmp")));
}

TEST_CASE("fault env: a remove without sync_dir is undone", "[common]") {
  TempDir dir;
  write_whole_file(dir.file("000001.sst"), "table");
  write_whole_file(dir.file("000002.sst"), "table2");
  FaultInjectionEnv env;
  REQUIRE(env.remove_file(dir.file("000001.sst")).is_ok());
  REQUIRE(env.sync_dir(dir.path()).is_ok());
  REQUIRE(env.remove_file(dir.file("000002.sst")).is_ok());
  CHECK_FALSE(env.file_exists(dir.file("000002.sst")));

  REQUIRE(env.crash().is_ok());
  CHECK_FALSE(env.file_exists(dir.file("000001.sst")));
  CHECK(read_whole_file(dir.file("000002.sst")) == "table2");
}

TEST_CASE("fault env: truncate_file is durable at once", "[common]") {
  TempDir dir;
  FaultInjectionEnv env;
  auto f = open_new(env, dir.file("f"));
  REQUIRE(env.sync_dir(dir.path()).is_ok());
  REQUIRE(f->append("0123456789").is_ok());
  REQUIRE(f->sync().is_ok());
  f.reset();
  REQUIRE(env.truncate_file(dir.file("f"), 4).is_ok());
  REQUIRE(env.crash().is_ok());
  CHECK(read_whole_file(dir.file("f")) == "0123");
}

TEST_CASE("fault env: counts every mutating operation and nothing else", "[common]") {
  TempDir dir;
  FaultInjectionEnv env;
  CHECK(env.mutating_ops() == 0);
  auto f = open_new(env, dir.file("a"));                    // 1
  REQUIRE(f->append("x").is_ok());                         // 2
  REQUIRE(f->sync().is_ok());                              // 3
  REQUIRE(f->close().is_ok());                             // 4
  REQUIRE(env.create_dir(dir.file("sub")).is_ok());        // 5
  REQUIRE(env.sync_dir(dir.path()).is_ok());               // 6
  REQUIRE(env.rename_file(dir.file("a"), dir.file("b")).is_ok());  // 7
  REQUIRE(env.truncate_file(dir.file("b"), 0).is_ok());    // 8
  auto g = env.new_appendable_file(dir.file("b"));         // 9
  REQUIRE(g.is_ok());
  REQUIRE(env.remove_file(dir.file("b")).is_ok());         // 10
  CHECK(env.mutating_ops() == 10);

  // Reads, listings and locks are not counted.
  CHECK(env.list_dir(dir.path()).is_ok());
  CHECK_FALSE(env.file_exists(dir.file("b")));
  CHECK_FALSE(env.file_size(dir.file("b")).is_ok());
  CHECK(env.lock_file(dir.file("LOCK")).is_ok());
  CHECK_FALSE(env.new_sequential_file(dir.file("b")).is_ok());
  CHECK(env.mutating_ops() == 10);
  CHECK(env.injected_faults() == 0);
}

TEST_CASE("fault env: fail_after(k) fails exactly operation k+1 and every later one",
          "[common]") {
  TempDir dir;
  FaultInjectionEnv env;
  auto f = open_new(env, dir.file("f"));
  env.fail_after(2);
  CHECK(f->append("one").is_ok());  // op 1 from now
  CHECK(f->append("two").is_ok());  // op 2
  const Status third = f->append("three");
  CHECK(third.code() == vkv::StatusCode::kIoError);
  CHECK(third.message() == "injected fault: append " + dir.file("f"));
  CHECK_FALSE(f->sync().is_ok());
  CHECK_FALSE(env.sync_dir(dir.path()).is_ok());
  CHECK_FALSE(env.new_writable_file(dir.file("g")).is_ok());
  CHECK_FALSE(env.file_exists(dir.file("g")));  // a failed operation does nothing
  CHECK(read_whole_file(dir.file("f")) == "onetwo");
  CHECK(env.injected_faults() == 4);

  env.clear_faults();
  CHECK(f->append("four").is_ok());
  CHECK(read_whole_file(dir.file("f")) == "onetwofour");
}

TEST_CASE("fault env: fail_once_after(k) fails only operation k+1", "[common]") {
  TempDir dir;
  FaultInjectionEnv env;
  auto f = open_new(env, dir.file("f"));
  env.fail_once_after(1);
  CHECK(f->append("a").is_ok());
  CHECK_FALSE(f->append("b").is_ok());
  CHECK(f->append("c").is_ok());
  CHECK(read_whole_file(dir.file("f")) == "ac");
  CHECK(env.injected_faults() == 1);
}

TEST_CASE("fault env: fail_after(0) fails the very next operation", "[common]") {
  TempDir dir;
  FaultInjectionEnv env;
  env.fail_after(0);
  const auto f = env.new_writable_file(dir.file("f"));
  REQUIRE_FALSE(f.is_ok());
  CHECK(contains(f.status().message(), "injected fault: new_writable_file"));
  CHECK(contains(env.rename_file(dir.file("x"), dir.file("y")).message(),
                 "injected fault: rename " + dir.file("x") + " " + dir.file("y")));
}

// The pattern the storage chapters use: count a workload's operations, then replay it with a
// fault at each one in turn, crash, and check what a reopen would find.
TEST_CASE("fault env: replaying a workload with a fault at every operation", "[common]") {
  // Writes a record, syncs it, publishes it with a rename and syncs the directory.
  const auto workload = [](vkv::Env& env, const std::string& dir) -> Status {
    auto f = env.new_writable_file(dir + "/data.tmp");
    if (!f.is_ok()) return f.status();
    VKV_RETURN_IF_ERROR((*f)->append("record"));
    VKV_RETURN_IF_ERROR((*f)->sync());
    VKV_RETURN_IF_ERROR((*f)->close());
    VKV_RETURN_IF_ERROR(env.rename_file(dir + "/data.tmp", dir + "/data"));
    return env.sync_dir(dir);
  };

  std::uint64_t total = 0;
  {
    TempDir dir;
    FaultInjectionEnv env;
    REQUIRE(workload(env, dir.path()).is_ok());
    total = env.mutating_ops();
  }
  REQUIRE(total == 6);

  for (std::uint64_t k = 0; k < total; ++k) {
    INFO("fault at operation " << k + 1);
    TempDir dir;
    FaultInjectionEnv env;
    env.fail_after(k);
    CHECK_FALSE(workload(env, dir.path()).is_ok());
    REQUIRE(env.crash().is_ok());
    // The last operation (sync_dir) failed or never ran, so nothing was published.
    CHECK_FALSE(env.file_exists(dir.file("data")));
    CHECK_FALSE(env.file_exists(dir.file("data.tmp")));
    CHECK(workload(env, dir.path()).is_ok());  // and the env works again after the crash
    CHECK(read_whole_file(dir.file("data")) == "record");
  }
}

TEST_CASE("fault env: reads of the files named fail, opened before or after, until cleared, "
          "while other files and the bytes on disk are untouched",
          "[common]") {
  TempDir dir;
  FaultInjectionEnv env;
  write_whole_file(dir.file("000001.sst"), "table bytes");
  write_whole_file(dir.file("MANIFEST"), "manifest bytes");
  auto before = env.new_random_access_file(dir.file("000001.sst"));
  REQUIRE(before.is_ok());
  std::string out;
  REQUIRE((*before)->read(0, 5, &out).is_ok());
  CHECK(out == "table");

  env.fail_reads_of(".sst");
  auto after = env.new_random_access_file(dir.file("000001.sst"));
  REQUIRE(after.is_ok());  // opening is not a read
  CHECK((*after)->size() == 11);
  for (auto* file : {before->get(), after->get()}) {
    const Status s = file->read(6, 5, &out);
    CHECK(s.code() == vkv::StatusCode::kIoError);
    CHECK(s.to_string() == "IO error: injected fault: read " + dir.file("000001.sst"));
  }
  auto other = env.new_random_access_file(dir.file("MANIFEST"));
  REQUIRE(other.is_ok());
  CHECK((*other)->read(0, 8, &out).is_ok());
  CHECK(env.injected_faults() == 2);
  CHECK(env.mutating_ops() == 0);  // reads are not mutating operations

  env.clear_faults();
  REQUIRE((*before)->read(6, 5, &out).is_ok());
  CHECK(out == "bytes");
  CHECK(read_whole_file(dir.file("000001.sst")) == "table bytes");
}
