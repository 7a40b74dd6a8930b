/// \file
/// PreallocatedFile: a log file whose disk space is made ahead of its data.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "common/env.hpp"
#include "common/unique_fd.hpp"

namespace vkv::storage {

/// What the two fast log files (ZeroFilledFile, MappedFile) share: a descriptor, the
/// *logical* size (the data appended, where the next append goes), and the end of the space
/// made past it, which the file on disk reaches and the data does not yet.
///
/// Why make space ahead: fdatasync must make a changed file size durable, which costs a
/// journal commit on top of the data. A file whose blocks exist beforehand keeps one size
/// while it fills, so each sync writes less. The price is that the file on disk is longer
/// than its data: it ends in zeros, and whoever reads it back must tell those from records
/// (chapter 3's replay cuts a zero tail, silently).
///
/// close() gives the unused space back, so a closed file ends at its data; the cut is not
/// synced, so a crash soon after may bring the zeros back. The destructor closes without
/// giving anything back. Not thread-safe: one writer at a time, as every WritableFile.
class PreallocatedFile : public WritableFile {
 public:
  /// Takes `fd` (open for writing, `size` bytes long), named `path` in messages.
  PreallocatedFile(UniqueFd fd, std::string path, std::uint64_t size)
      : fd_(std::move(fd)), path_(std::move(path)), size_(size), allocated_(size) {}

  /// fdatasync: the appended data (and any space made since the last sync).
  Status sync() override;
  /// Gives back the space past size() (not synced), then closes; later calls fail.
  Status close() override;
  /// The data appended: the space made ahead is not counted.
  [[nodiscard]] std::uint64_t size() const override { return size_; }
  /// Where the space made so far ends (at least size()).
  [[nodiscard]] std::uint64_t allocated() const { return allocated_; }

 protected:
  /// Called by close() before the space is given back (the mapped file unmaps).
  virtual void before_close() {}

  /// An error for a call on a closed file.
  [[nodiscard]] Status closed_error(std::string_view op) const;
  /// Reserves the space from `from` to `to` with fallocate(2): cheap, nothing is written;
  /// the file system marks the blocks *unwritten*, and the first write into each one is a
  /// metadata change that the next sync must commit. Ok without reserving anything where the
  /// file system has no fallocate (allocated() then stays short of `to`).
  Status reserve(std::uint64_t from, std::uint64_t to);
  /// Writes zeros from `from` to `to`, then syncs them: the blocks are written ones, so a
  /// later sync of data written into them commits that data and nothing else.
  Status fill_zeros(std::uint64_t from, std::uint64_t to);
  /// Writes `data` at size() with pwrite (never O_APPEND, which would write after the
  /// space made ahead), and moves size() past it.
  Status write_at_end(std::string_view data);

  UniqueFd fd_;               ///< The open file; empty once closed.
  const std::string path_;    ///< The file's path, for messages.
  std::uint64_t size_;        ///< Bytes of data: where the next append goes.
  std::uint64_t allocated_;   ///< Where the space made so far ends (at least size_).

 private:
  // Cuts the file back to size_ if space was made past it.
  Status give_back_space();
};

}  // namespace vkv::storage
