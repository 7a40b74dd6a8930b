/// \file
/// prepare_expiry_dir: a data directory in chapter 10's format, upgrading chapter 9's.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "05-sstables/lsm_store.hpp"
#include "common/env.hpp"
#include "common/status.hpp"

namespace vkv::storage {

/// The file that marks a data directory as chapter 10's: every value in it is stored with
/// its deadline (expiring_value.hpp). Chapter 9's directories have no such file.
inline constexpr std::string_view kFormatFileName = "FORMAT";
/// What the marker file holds, whole, for this format.
inline constexpr std::string_view kExpiryFormat = "vkv values with deadlines, format 1\n";
/// Beside the data directory `dir`: where the upgraded store is built (`dir` + this).
inline constexpr std::string_view kUpgradingSuffix = ".upgrading";
/// Beside the data directory `dir`: where chapter 9's files are kept after an upgrade.
inline constexpr std::string_view kChapter9BackupSuffix = ".chapter9";

/// Makes `options.durable.dir` a data directory in chapter 10's format, before chapter 10's
/// store opens it.
///
/// Chapter 9 stored raw values; chapter 10 stores a tag and a deadline before each, and the
/// bytes alone cannot say which is which. So chapter 10 writes a marker file, FORMAT, in
/// every directory it owns, and a directory with store files and no marker is chapter 9's:
/// - FORMAT present: nothing to do (an unknown format is refused).
/// - missing or without store files (no log, no table, no MANIFEST): created, marked.
/// - chapter 9's: upgraded by copy. Every live key is read through chapter 8's store and
///   written wrapped, with no deadline, into a new store in `dir.upgrading`, which is then
///   marked; then `dir` becomes `dir.chapter9` (kept as a backup) and `dir.upgrading`
///   becomes `dir`. A crash at any point is finished or started over by the next call. An
///   existing `dir.chapter9` is never overwritten: the call is refused, saying what to move.
///
/// `options` are chapter 10's store's: the directory, the memtable's size and shards and the
/// block cache are used for both stores; their levels are made here (LevelOptions for the
/// memtable), and the copy is written unsynced and synced once at the end.
/// `notes` (may be null) gets one line for each thing done that a user should know of;
/// the server prints them, as a ServerProgram::prepare_dir:
///
///     program.prepare_dir = [](Env& env, const storage::LsmStoreOptions& options) {
///       std::vector<std::string> notes;
///       const Status s = storage::prepare_expiry_dir(env, options, &notes);
///       for (const auto& note : notes) std::cerr << "vkv: " << note << "\n";
///       return s;
///     };
///
/// Fails with the old store's error (a damaged table: corruption; another server holding it:
/// busy), prefixed with what was being done; a failed upgrade leaves `dir` a chapter 9
/// directory (the next call tries again).
/// REQUIRES: no store is open on the directory.
Status prepare_expiry_dir(Env& env, const LsmStoreOptions& options,
                          std::vector<std::string>* notes);

}  // namespace vkv::storage
