/// \file
/// LevelManifest: chapter 5's MANIFEST, with each table's level.
///
/// Version 2 of the file. It is replaced whole at each flush and each compaction, by the
/// same crash-safe sequence as chapter 5's (replace_file_atomically), so every change to the
/// tables (a table added by a flush; tables removed and added by a compaction) is one
/// atomic edit: after a crash the file is the state before it or the state after it.
///
/// \verbatim
///   +------------+---------+------------+------------------+-------+-------------------+----------+
///   |   magic    | version | log number | next file number | count | tables...         | checksum |
///   | "vkvMANIF" | fixed32 |  fixed64   |     fixed64      | fix32 | number  | level   | fixed32  |
///   |  8 bytes   |   = 2   |            |                  |       | fixed64 | fixed32 | masked   |
///   +------------+---------+------------+------------------+-------+-------------------+----------+
///   36 + 12 x count bytes; the checksum is the masked CRC32C of every byte before it
/// \endverbatim
///
/// A version-1 file (chapter 5's, from a store that never compacted) is read too: its
/// tables, oldest first, become level 0. The first edit rewrites it as version 2; chapter
/// 5's program then refuses the file, by its version, rather than misread it.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/env.hpp"
#include "common/status.hpp"

namespace vkv::storage {

/// The MANIFEST version this chapter writes.
inline constexpr std::uint32_t kLevelManifestVersion = 2;

/// The store's record of its live tables and their levels.
struct LevelManifest {
  /// One live table.
  struct Table {
    std::uint64_t number = 0;  ///< Its file number.
    int level = 0;             ///< Its level, 0 to kLevels - 1.
    /// Equal number and level.
    bool operator==(const Table&) const = default;
  };
  /// As in chapter 5: logs numbered below this are all in tables.
  std::uint64_t log_number = 0;
  /// As in chapter 5: the next file number to give.
  std::uint64_t next_file_number = 1;
  /// The live tables; level 0's in flush order, oldest first, deeper levels' in key order.
  std::vector<Table> tables;

  /// The file's bytes, as drawn above.
  [[nodiscard]] std::string encode() const;
  /// Reads a version-2 MANIFEST, or a version-1 one as level 0: checks the magic number,
  /// the checksum, the version, the length and each level. The error says which failed.
  static Result<LevelManifest> decode(std::string_view bytes);
};

/// Reads `dir`/MANIFEST: nothing when there is none; corruption naming the file when it
/// fails a check.
Result<std::optional<LevelManifest>> read_level_manifest(Env& env, const std::string& dir);

/// Replaces `dir`/MANIFEST with `manifest`, atomically and durably (as write_manifest()).
Status write_level_manifest(Env& env, const std::string& dir, const LevelManifest& manifest);

}  // namespace vkv::storage
