/// \file
/// The bytes this process writes to storage, as the kernel counts them: the meter behind
/// the write-amplification figures.
///
/// A storage engine writes through write(2), pwrite(2) or stores into a shared memory map
/// (chapter 7's log under `--sync never`), from its own threads or from background ones
/// (LevelDB's and RocksDB's compactions). One meter sees all of it: the `write_bytes` line of
/// /proc/self/io, which the kernel raises by a page each time a thread of this process makes
/// a page of a file dirty, whichever way it did so (and by the size of each direct I/O).
/// What it counts is therefore what the page cache will send to the disk for the process:
/// - in whole pages: a page that is written back and then dirtied again counts again, as
///   the disk writes it again (a 116-byte append synced after each write counts 4 KiB);
///   appends that are not synced in between fill each page before it goes, and count about
///   their own size;
/// - dirty pages of a file deleted before the kernel wrote them back are still counted (the
///   kernel moves them to `cancelled_write_bytes`, which is not subtracted): whether a
///   short-lived log reaches the disk depends on the machine's memory and the kernel's
///   writeback timer, not on the engine, and each engine did hand those bytes over.
/// check_write_meter() tries the meter on known cases before a run relies on it.
#pragma once

#include <fcntl.h>
#include <sys/mman.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstring>
#include <fstream>
#include <optional>
#include <string>
#include <thread>

#include "common/unique_fd.hpp"

namespace vkv::bench {

/// The bytes this process has made dirty in files so far (all threads, living or gone):
/// /proc/self/io's write_bytes, or nothing where the kernel keeps no I/O accounting.
inline std::optional<std::uint64_t> bytes_written() {
  std::ifstream io("/proc/self/io");
  std::string field;
  std::uint64_t value = 0;
  while (io >> field >> value) {
    if (field == "write_bytes:") return value;
  }
  return std::nullopt;
}

/// Waits until the process has written nothing for `quiet` (its background threads are done
/// flushing and compacting), or `limit` has passed. Returns false on the limit. Call it
/// before reading bytes_written() at the end of a workload, so that each engine's
/// compaction debt is paid inside the measurement, not left behind.
inline bool wait_until_writes_stop(std::chrono::milliseconds quiet = std::chrono::seconds(1),
                                   std::chrono::seconds limit = std::chrono::seconds(300)) {
  using Clock = std::chrono::steady_clock;
  constexpr auto kPoll = std::chrono::milliseconds(100);
  const auto give_up = Clock::now() + limit;
  std::optional<std::uint64_t> last = bytes_written();
  auto quiet_since = Clock::now();
  while (Clock::now() - quiet_since < quiet) {
    if (Clock::now() > give_up) return false;
    std::this_thread::sleep_for(kPoll);
    const std::optional<std::uint64_t> now = bytes_written();
    if (now != last) {
      last = now;
      quiet_since = Clock::now();
    }
  }
  return true;
}

/// What the meter counted for two known cases: `expected` bytes written with write(2) and
/// fdatasync, and the same bytes stored into a shared map of a preallocated file, then
/// msync'd.
struct WriteMeterCheck {
  bool available = false;      ///< /proc/self/io has write_bytes.
  std::uint64_t expected = 0;  ///< Bytes written in each case.
  std::uint64_t written = 0;   ///< Counted for the write(2) case.
  std::uint64_t mapped = 0;    ///< Counted for the mapped case.

  /// Both counts within 5% of `expected`.
  [[nodiscard]] bool ok() const {
    const auto near = [this](std::uint64_t n) {
      return n >= expected * 95 / 100 && n <= expected * 105 / 100;
    };
    return available && near(written) && near(mapped);
  }
};

/// Runs the two known cases on 4 MiB files in directory `dir` (which must exist, on the disk
/// the benchmark uses), removing the files after.
inline WriteMeterCheck check_write_meter(const std::string& dir) {
  constexpr std::size_t kBytes = 4 << 20;
  constexpr std::size_t kAppend = 116;  // a db_bench record: 16-byte key, 100-byte value
  WriteMeterCheck check;
  check.expected = kBytes;
  const std::string buffer(kBytes, 'w');
  const std::string written_path = dir + "/write-meter-written";
  const std::string mapped_path = dir + "/write-meter-mapped";

  const std::optional<std::uint64_t> before = bytes_written();
  UniqueFd fd(::open(written_path.c_str(), O_CREAT | O_TRUNC | O_WRONLY | O_CLOEXEC, 0644));
  if (!before || !fd) return check;
  for (std::size_t at = 0; at < kBytes; at += kAppend) {
    const std::size_t n = std::min(kAppend, kBytes - at);
    if (::write(fd.get(), buffer.data() + at, n) != static_cast<ssize_t>(n)) return check;
  }
  ::fdatasync(fd.get());
  fd.reset();
  const std::optional<std::uint64_t> after_write = bytes_written();

  fd.reset(::open(mapped_path.c_str(), O_CREAT | O_TRUNC | O_RDWR | O_CLOEXEC, 0644));
  if (!fd || ::posix_fallocate(fd.get(), 0, kBytes) != 0) return check;
  const std::optional<std::uint64_t> before_map = bytes_written();
  void* map = ::mmap(nullptr, kBytes, PROT_READ | PROT_WRITE, MAP_SHARED, fd.get(), 0);
  if (map == MAP_FAILED) return check;
  auto* bytes = static_cast<char*>(map);
  for (std::size_t at = 0; at < kBytes; at += kAppend) {
    std::memcpy(bytes + at, buffer.data() + at, std::min(kAppend, kBytes - at));
  }
  ::msync(map, kBytes, MS_SYNC);
  ::munmap(map, kBytes);
  fd.reset();
  const std::optional<std::uint64_t> after_map = bytes_written();
  ::unlink(written_path.c_str());
  ::unlink(mapped_path.c_str());

  check.available = after_write && before_map && after_map;
  if (check.available) {
    check.written = *after_write - *before;
    check.mapped = *after_map - *before_map;
  }
  return check;
}

}  // namespace vkv::bench
