/// \file
/// The SSTable file format in one place: its layout, its constants, and the small records
/// (block handle, footer, raw block) that point from one part of a file to another.
///
/// An SSTable is written once, front to back, and never changed. It is read from the back:
/// the footer says where the index is, the index says where each data block is.
///
/// \verbatim
///   offset 0
///   +------------------------------------------+
///   | data block 0                 (~4 KiB)    |  entries sorted by key, keys prefix-compressed
///   | trailer: masked CRC32C of data block 0   |  4 bytes
///   +------------------------------------------+
///   | data block 1 + trailer                   |
///   +------------------------------------------+
///   | ...                                      |
///   +------------------------------------------+
///   | data block n-1 + trailer                 |
///   +------------------------------------------+
///   | index block                              |  one entry per data block:
///   | trailer: masked CRC32C of the index      |    separator key -> (offset, size)
///   +------------------------------------------+
///   | footer                       (40 bytes)  |  where the index is; fixed size, so a
///   +------------------------------------------+  reader finds it at file size - 40
///
///   A block (data or index), as BlockBuilder writes it and Block reads it:
///   +---------+---------+-----+-----------+------------+-----+--------------+---------+
///   | entry 0 | entry 1 | ... | entry k-1 | restart[0] | ... | restart[r-1] |    r    |
///   +---------+---------+-----+-----------+------------+-----+--------------+---------+
///                                          fixed32 offsets of the entries   fixed32
///                                          whose keys are stored whole      count
///   entry = varint32 shared | varint32 unshared | varint32 value_size
///           | unshared key bytes | value bytes
///   (the key is the first `shared` bytes of the previous key, then the unshared bytes;
///    every kRestartInterval-th entry is a restart: shared = 0.)
///
///   A data block's value is  kind byte (EntryKind) | the value's bytes.
///   An index block's value is  varint64 offset | varint64 size  (a BlockHandle).
///
///   The footer:
///   +--------------+------------+-------------+---------+----------------+------------+
///   | index offset | index size | entry count | version | masked CRC32C  |   magic    |
///   |   fixed64    |  fixed64   |   fixed64   | fixed32 | of the first   | "vkvSSTab" |
///   |              |            |             |         | 28 bytes       |  8 bytes   |
///   +--------------+------------+-------------+---------+----------------+------------+
/// \endverbatim
///
/// Every integer is little-endian. Every block's checksum covers the block's bytes (not the
/// trailer); the footer's covers the footer before it. One flipped bit anywhere in the file
/// is therefore caught by some checksum, the magic number or a bounds check.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "common/env.hpp"
#include "common/status.hpp"

namespace vkv::storage {

//! [format-constants]
/// A data block is cut once it reaches this many bytes (so it is this size or a little over:
/// one entry more). 4 KiB is one page: a lookup costs one small read.
inline constexpr std::size_t kBlockSize = 4096;
/// Every this many entries a block stores a key whole (a restart point), so a lookup can
/// binary-search the restarts and decode at most this many entries. Fewer means faster
/// lookups; more means smaller blocks.
inline constexpr int kRestartInterval = 16;
/// Bytes after every block: its masked CRC32C, fixed32.
inline constexpr std::size_t kBlockTrailerSize = 4;
/// Bytes in the footer, the fixed-size record at the very end of the file.
inline constexpr std::size_t kFooterSize = 40;
/// The footer's last 8 bytes. `tail -c 8 file.sst` prints it.
inline constexpr std::string_view kTableMagic = "vkvSSTab";
/// The format this code writes and the only one it reads. Bump it on any change to the
/// layout above, so an old reader refuses a new file instead of misreading it.
inline constexpr std::uint32_t kFormatVersion = 1;
//! [format-constants]

/// Where a block lives in the file: its offset and its size, trailer not included.
struct BlockHandle {
  std::uint64_t offset = 0;  ///< Offset of the block's first byte.
  std::uint64_t size = 0;    ///< The block's size in bytes, without its trailer.

  /// Appends the handle as two varint64s (this is an index entry's value).
  void encode_to(std::string* out) const;
  /// Reads a handle that must fill all of `in`. Returns false on malformed input.
  [[nodiscard]] bool decode_from(std::string_view in);
  /// The offset just past the block's trailer: where the next block starts.
  [[nodiscard]] std::uint64_t end_with_trailer() const {
    return offset + size + kBlockTrailerSize;
  }
};

/// The fixed-size record at the end of every SSTable.
struct Footer {
  BlockHandle index;              ///< Where the index block is.
  std::uint64_t entry_count = 0;  ///< How many entries the data blocks hold in all.
  std::uint32_t version = kFormatVersion;  ///< The format version the file was written in.

  /// Appends exactly kFooterSize bytes: the fields, their checksum, the magic number.
  void encode_to(std::string* out) const;
  /// Reads a footer from exactly kFooterSize bytes, checking the magic number, then the
  /// checksum, then the version. The error says which check failed (no file name: the
  /// caller adds it).
  [[nodiscard]] Status decode_from(std::string_view in);
};

/// A block as read from disk, before anyone judges its checksum.
struct RawBlock {
  std::string contents;            ///< The block's bytes, trailer removed.
  std::uint32_t stored_crc = 0;    ///< The CRC32C its trailer holds (unmasked).
  std::uint32_t computed_crc = 0;  ///< The CRC32C of `contents`.

  /// True when the stored and the computed checksum agree.
  [[nodiscard]] bool checksum_ok() const { return stored_crc == computed_crc; }
};

/// Reads the block at `handle` and its trailer from `file`. Fails (corruption) when the block
/// would run past the end of the file, or with the file's error; a checksum mismatch is not
/// an error here, the caller decides (Table fails, --dump reports and goes on).
Status read_raw_block(const RandomAccessFile& file, const BlockHandle& handle, RawBlock* out);

/// The masked CRC32C trailer for a block's bytes.
std::string block_trailer(std::string_view block);

/// "0x1a2b3c4d": how checksums appear in messages and --dump.
std::string format_crc(std::uint32_t crc);

}  // namespace vkv::storage
