/// \file
/// MappedTableFile and MappedTableEnv: a table's reads as copies out of a memory map, where a
/// disk's read error is an error of that read, not the end of the process.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

#include "common/env_wrapper.hpp"

namespace vkv::storage {

//! [mapped-table-file]
/// A RandomAccessFile whose read() copies out of a read-only shared map of the whole file,
/// made when it is opened: no system call per read, where chapter 5's file makes a `pread`
/// for each (its entry, the page lookup and the copy are most of what a GET of a table costs
/// once the data is in the page cache).
///
/// Reading a mapped page the disk cannot give back raises SIGBUS, which by default ends the
/// process. Each copy runs under a guard (copy_from_map()): a SIGBUS raised by the copy makes
/// that read fail with an I/O error naming the file and the offset, and nothing else happens.
/// What read() returns is a copy, checked by the caller as any block is (its CRC32C).
///
/// A table never changes after it is written, so the map is made once, of the file's size
/// then; the file may be deleted while mapped (the map keeps the data). Thread-safe.
class MappedTableFile final : public RandomAccessFile {
 public:
  /// Maps the file at `path` (read-only). An empty file is not mapped (nothing to read).
  static Result<std::unique_ptr<RandomAccessFile>> open(const std::string& path);

  ~MappedTableFile() override;
  /// Not copyable: it owns its map.
  MappedTableFile(const MappedTableFile&) = delete;
  /// Not copyable: it owns its map.
  MappedTableFile& operator=(const MappedTableFile&) = delete;

  /// Copies `n` bytes at `offset` into `out` (resized to `n`). Corruption when they run past
  /// the end of the file (as chapter 5's short read); an I/O error when the disk could not
  /// give back a page of them (SIGBUS caught).
  Status read(std::uint64_t offset, std::size_t n, std::string* out) const override;
  /// The file's size when it was mapped.
  [[nodiscard]] std::uint64_t size() const override { return size_; }

 private:
  MappedTableFile(std::string path, const char* base, std::uint64_t size)
      : path_(std::move(path)), base_(base), size_(size) {}

  std::string path_;
  const char* base_;  // null when size_ is 0
  std::uint64_t size_;
};
//! [mapped-table-file]

/// Copies `n` bytes from `from`, inside a memory map, to `to`, and returns true; returns
/// false if reading `from` raised SIGBUS (the disk could not give back a mapped page, or the
/// file was cut shorter than the map), having copied part or nothing.
///
/// The handler it relies on is installed by MappedTableFile::open() (again there if another
/// handler replaced it since, as a test framework may). It takes a SIGBUS for the copy's only
/// when the kernel raised it for an address inside `from`'s `n` bytes while this thread was
/// copying them; any other SIGBUS (a store into chapter 7's mapped log on a full disk, one
/// sent with kill) goes to the handler that was there first, or to the default action, which
/// ends the process. REQUIRES: `to` is ordinary memory.
bool copy_from_map(void* to, const void* from, std::size_t n) noexcept;

/// An EnvWrapper that opens tables (`NNNNNN.sst`) for reading as MappedTableFiles; every
/// other file and call goes to the target. Chapter 5's Table needs no change: it reads its
/// blocks through whatever RandomAccessFile the store's Env gives it.
class MappedTableEnv : public EnvWrapper {
 public:
  /// Everything but the tables' reads goes to `target`, which must outlive this Env.
  explicit MappedTableEnv(Env& target) : EnvWrapper(target) {}

  /// A table: mapped; any other file: from the target.
  Result<std::unique_ptr<RandomAccessFile>> new_random_access_file(
      const std::string& path) override;

  /// Whether `path` names a table (its last component is `NNNNNN.sst`).
  [[nodiscard]] static bool is_table(const std::string& path);
};

}  // namespace vkv::storage
