/// \file
/// LogReader: walks the records of a log file, and finds whole records past a damaged one.
#pragma once

#include <cstdint>
#include <limits>
#include <memory>
#include <optional>
#include <string>

#include "common/env.hpp"
#include "03-wal/log_format.hpp"

namespace vkv::storage {

/// Reads a log file's records in order, from offset 0.
///
/// It reads the file in large chunks through a RandomAccessFile, so replaying a log costs a
/// few big reads, and it can look ahead past a bad record (find_next_valid()) to tell a torn
/// tail from damage in the middle. Not thread-safe.
class LogReader {
 public:
  /// What next() found at offset().
  enum class Outcome {
    kRecord,     ///< A whole, valid record; offset() has moved past it.
    kEnd,        ///< The file ends exactly at offset(): every byte was a whole record.
    kBadRecord,  ///< The bytes at offset() are not a whole valid record; offset() stays.
  };

  /// Opens the log at `path` for reading.
  static Result<LogReader> open(Env& env, const std::string& path);

  /// Reads the record at offset(). On kRecord, `*record` views bytes that stay valid until
  /// the next call on this reader. On kBadRecord, `*problem` says what is wrong.
  Result<Outcome> next(LogRecord* record, DecodeStatus* problem);

  /// The offset of the first whole, valid record that starts after `offset` and before
  /// `limit` (the end of the file, if that is sooner), or nothing if none does. Tries every
  /// byte offset, so it finds records even when the damage hides where the bad record ends.
  Result<std::optional<std::uint64_t>> find_next_valid(
      std::uint64_t offset, std::uint64_t limit = std::numeric_limits<std::uint64_t>::max());

  /// Where the record at `offset` ends by the length in its header, valid or not, or
  /// nothing if the file ends inside the header or the length is impossible (0, or more
  /// than LogFormat::kMaxPayload). The end may lie past the end of the file.
  Result<std::optional<std::uint64_t>> claimed_end(std::uint64_t offset);

  /// Where the run of zero bytes that ends the file begins: file_size() if the last byte is
  /// not zero, 0 if every byte is. Reads the file backwards from its end, so it costs about
  /// as much as the zeros are long. No record starts in that run (its type byte would be 0),
  /// though the last whole record may end inside it.
  Result<std::uint64_t> zero_tail_start();

  /// Moves to `offset`. REQUIRES: offset <= file_size().
  void seek(std::uint64_t offset) { offset_ = offset; }
  /// Where the next record is read from.
  [[nodiscard]] std::uint64_t offset() const { return offset_; }
  /// The file's size when it was opened.
  [[nodiscard]] std::uint64_t file_size() const { return file_->size(); }
  /// The path of the file.
  [[nodiscard]] const std::string& path() const { return path_; }

 private:
  LogReader(std::unique_ptr<RandomAccessFile> file, std::string path)
      : file_(std::move(file)), path_(std::move(path)) {}

  // Decodes the record at `offset`, reading more of the file as needed.
  Result<DecodeStatus> decode_at(std::uint64_t offset, LogRecord* record, std::size_t* size);
  // The bytes [offset, offset + n), cut short at the end of the file; valid until the next
  // call. REQUIRES: offset <= file_size().
  Result<std::string_view> bytes_at(std::uint64_t offset, std::size_t n);

  std::unique_ptr<RandomAccessFile> file_;
  std::string path_;
  std::uint64_t offset_ = 0;
  std::string buffer_;              // bytes of the file starting at buffer_start_
  std::uint64_t buffer_start_ = 0;
};

}  // namespace vkv::storage
