/// \file
/// BufferedFile: a WritableFile that gathers appends in memory until it is synced.
#pragma once

#include <cstddef>
#include <memory>
#include <string>

#include "07-fast/zero_filled_file.hpp"
#include "common/env.hpp"

namespace vkv::storage {

//! [buffered-file]
/// Wraps a WritableFile so that appends collect in a memory buffer and reach the operating
/// system only on sync() or close() (or when the buffer passes kFlushBytes): one write(2)
/// per sync instead of one per record.
///
/// Only for a log that is synced before anything in it is acknowledged: `--sync always`,
/// where the server syncs once per round before it replies. There the buffer holds nothing a
/// client was told of, so a process crash that loses it loses nothing acknowledged. Under
/// `never` or `everysec` a record is acknowledged once it is with the operating system, so
/// it must not wait in a buffer; FastLogEnv buffers only `always` logs.
///
/// The file below is a ZeroFilledFile, and an append is taken into the buffer only once the
/// file's space reaches past it (ZeroFilledFile::make_room_for). So a full disk fails the
/// append that does not fit, at once and alone, and never the sync of appends already
/// taken: writing into space already made needs no new blocks.
///
/// Like every WritableFile: one caller at a time (the LogWriter holds its file lock).
class BufferedFile final : public WritableFile {
 public:
  /// A buffer this large is written through at once, sync or not.
  static constexpr std::size_t kFlushBytes = 1 << 20;

  /// Buffers appends to `base`.
  explicit BufferedFile(std::unique_ptr<ZeroFilledFile> base) : base_(std::move(base)) {}
  /// Hands what is buffered to the operating system (not synced), ignoring errors.
  ~BufferedFile() override;

  /// Appends to the buffer, once the file has room for it (else fails, taking nothing);
  /// writes the buffer through once it holds kFlushBytes.
  Status append(std::string_view data) override;
  /// Writes the buffer with one append, then syncs the file.
  Status sync() override;
  /// Writes the buffer, then closes the file.
  Status close() override;
  /// Every byte appended, buffered or not.
  [[nodiscard]] std::uint64_t size() const override { return base_->size() + buffer_.size(); }

 private:
  Status write_buffer();

  std::unique_ptr<ZeroFilledFile> base_;
  std::string buffer_;
};
//! [buffered-file]

}  // namespace vkv::storage
