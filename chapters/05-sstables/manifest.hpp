/// \file
/// Manifest: the small file that says which SSTables are live and which logs still matter.
///
/// A table file on disk is not yet part of the store: it becomes part of it when the
/// MANIFEST names it. That is what makes a flush atomic. A crash can leave a whole table
/// behind that no MANIFEST names (the flush died before recording it); start-up removes it,
/// because its data is still in the log it was built from.
///
/// \verbatim
///   +------------+---------+------------+------------------+-------+-----------+----------+
///   |   magic    | version | log number | next file number | count | tables... | checksum |
///   | "vkvMANIF" | fixed32 |  fixed64   |     fixed64      | fix32 | fixed64 x | fixed32  |
///   |  8 bytes   |         |            |                  |       |   count   | masked   |
///   +------------+---------+------------+------------------+-------+-----------+----------+
///   the checksum is the masked CRC32C of every byte before it; 36 + 8 x count bytes in all
/// \endverbatim
///
/// The file is never changed in place: a new one is written as MANIFEST.tmp, synced, renamed
/// over MANIFEST, and the directory synced (write_manifest), so after a crash MANIFEST is
/// the old one or the new one, whole.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/env.hpp"
#include "common/status.hpp"

namespace vkv::storage {

//! [manifest-constants]
/// The MANIFEST's file name inside the data directory.
inline constexpr std::string_view kManifestName = "MANIFEST";
/// The suffix of a file being written that is not yet part of the store
/// ("MANIFEST.tmp", "000007.sst.tmp"). Start-up removes any it finds.
inline constexpr std::string_view kTempSuffix = ".tmp";
/// The MANIFEST's first 8 bytes.
inline constexpr std::string_view kManifestMagic = "vkvMANIF";
/// The MANIFEST format this code writes and the only one it reads.
inline constexpr std::uint32_t kManifestVersion = 1;
//! [manifest-constants]

/// The store's record of what on disk is live.
struct Manifest {
  /// The oldest log that still matters: every record of the logs numbered below it is in
  /// the tables, so start-up replays only logs numbered log_number and up, and deletes the
  /// others. 0 in a store that has never flushed (every log matters).
  std::uint64_t log_number = 0;
  /// The next number to give a file (logs and tables share one counter, so a table and a
  /// log never have the same number).
  std::uint64_t next_file_number = 1;
  /// The live tables' numbers, oldest first: a key's newest entry is in the last table
  /// that has it.
  std::vector<std::uint64_t> tables;

  /// The file's bytes, as drawn above.
  [[nodiscard]] std::string encode() const;
  /// Reads a MANIFEST's bytes: checks the magic number, the checksum, the version and the
  /// length, in that order. The error says which failed (no file name: the caller adds it).
  static Result<Manifest> decode(std::string_view bytes);
};

/// The checks every MANIFEST version shares: the magic number, then the checksum over every
/// byte before it. Returns the file's version (not checked: each reader knows its own).
Result<std::uint32_t> check_manifest_frame(std::string_view bytes);

/// Reads `dir`/MANIFEST: nothing when there is none (a store that never flushed); a
/// corruption error naming the file when it fails a check.
Result<std::optional<Manifest>> read_manifest(Env& env, const std::string& dir);

/// Replaces `dir`/MANIFEST with `manifest`, atomically and durably: writes MANIFEST.tmp,
/// fdatasyncs it, renames it over MANIFEST, and syncs the directory. After a crash at any
/// point, MANIFEST is the old one or the new one; when it returns ok, the new one.
Status write_manifest(Env& env, const std::string& dir, const Manifest& manifest);

/// What write_manifest() does, for any small file: replaces `dir`/`name` with `bytes` by
/// writing `name`.tmp, fdatasyncing it, renaming it over `name` and syncing the directory.
/// After a crash at any point the file is the old one or the new one, whole.
Status replace_file_atomically(Env& env, const std::string& dir, std::string_view name,
                               std::string_view bytes);

/// Reads the whole of the small file at `path` into `*out`.
Status read_small_file(Env& env, const std::string& path, std::string* out);

}  // namespace vkv::storage
