/// \file
/// LogFormat: the bytes of one write-ahead log record, and how they are checked.
///
/// A log file is nothing but records, one after another, from offset 0:
///
///     byte  0        4          8      9                          9 + length
///           +--------+----------+------+----------------------------+
///           |  crc   |  length  | type |          payload           |
///           +--------+----------+------+----------------------------+
///            fixed32   fixed32    u8     `length` bytes
///
///     crc      masked CRC32C of bytes 4 .. 9 + length (the length, the type, the payload)
///     length   the payload's size in bytes, 1 to kMaxPayload (a payload holds at least its
///              key's length byte, so 0 never appears)
///     type     1 = SET, 2 = DEL (a record's EntryKind, kValue or kTombstone, as the log
///              spells it); 0 never appears, so zeroed bytes are invalid
///     payload  SET: varint32 key length, key, varint32 value length, value
///              DEL: varint32 key length, key
///
/// Zeroed bytes matter: after a crash a file system may leave zeros where the last appends
/// were going, so a log can end in zeros that no record wrote. A header of zeros fails twice
/// over, on its type and on its length, before any checksum is computed: it can never pass
/// for a record, whatever the CRC of its bytes may be.
///
/// Every record carries its own length, so a reader finds the next one without a separate
/// index, and its own checksum, so a reader can tell whole records from torn or damaged ones.
/// The checksum covers the length too: a flipped bit in the length is caught like any other.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "03-wal/log_record.hpp"

namespace vkv::storage {

/// The constants of the log format.
struct LogFormat {
  /// Bytes before the payload: crc (4), length (4), type (1).
  static constexpr std::size_t kHeaderSize = 9;
  /// The type byte of a SET (an EntryKind::kValue record). On disk: never renumber it.
  static constexpr std::uint8_t kTypeSet = 1;
  /// The type byte of a DEL (an EntryKind::kTombstone record). On disk: never renumber it.
  static constexpr std::uint8_t kTypeDel = 2;
  /// The largest payload a record may carry (64 MiB). Longer writes are refused, so a reader
  /// never allocates more than this on the word of a length field.
  static constexpr std::size_t kMaxPayload = 64u << 20;
};

/// What decode_record() found at the front of its input.
enum class DecodeStatus {
  kOk,           ///< A whole, valid record.
  kTruncated,    ///< The input ends before the record does (a header or payload cut short).
  kBadType,      ///< The type byte is neither LogFormat::kTypeSet nor LogFormat::kTypeDel.
  kBadLength,    ///< The length is 0 or larger than LogFormat::kMaxPayload.
  kBadChecksum,  ///< The stored CRC does not match the bytes.
  kBadPayload,   ///< The checksum matches but the payload is malformed (a writer bug).
};

/// A short description of `status` for messages ("checksum mismatch", ...).
std::string_view describe(DecodeStatus status);

/// The number of bytes encode_record() appends for `record`.
std::size_t encoded_size(const LogRecord& record);

/// Appends `record`, encoded as drawn in this file, to `*dst`.
/// REQUIRES: encoded_size(record) - LogFormat::kHeaderSize <= LogFormat::kMaxPayload.
void encode_record(const LogRecord& record, std::string* dst);

/// Decodes the record at the front of `input`. On kOk, `*record` views bytes of `input` and
/// `*size` is the record's encoded size; on anything else both are left alone.
DecodeStatus decode_record(std::string_view input, LogRecord* record, std::size_t* size);

}  // namespace vkv::storage
