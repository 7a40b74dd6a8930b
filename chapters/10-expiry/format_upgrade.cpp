#include "10-expiry/format_upgrade.hpp"

#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "05-sstables/manifest.hpp"
#include "05-sstables/table_file.hpp"
#include "08-compaction/lsm_scanner.hpp"
#include "08-compaction/version_set.hpp"
#include "10-expiry/expiring_value.hpp"
#include "common/path.hpp"

namespace vkv::storage {
namespace {

// Keys copied per page of the old store's scan (a page also ends at kMaxScanPageBytes).
constexpr std::size_t kUpgradePageKeys = 1024;

// The directory and its two siblings. `dir` has no trailing slash.
struct UpgradePaths {
  std::string dir;        // the data directory
  std::string parent;     // the directory that holds it and its siblings
  std::string upgrading;  // the upgraded store, while it is being built
  std::string backup;     // chapter 9's files, once upgraded

  explicit UpgradePaths(std::string d) : dir(std::move(d)) {
    while (dir.size() > 1 && dir.back() == '/') dir.pop_back();  // "data/" is "data"
    parent = parent_dir(dir);
    upgrading = dir + std::string(kUpgradingSuffix);
    backup = dir + std::string(kChapter9BackupSuffix);
  }
};

std::string format_file(const std::string& dir) { return dir + "/" + std::string(kFormatFileName); }

// Ok when `dir`'s FORMAT says kExpiryFormat; else which format it says it is.
Status check_format(Env& env, const std::string& dir) {
  std::string format;
  VKV_RETURN_IF_ERROR(read_small_file(env, format_file(dir), &format));
  if (format == kExpiryFormat) return Status::ok();
  return Status::invalid_argument(format_file(dir) + " says \"" +
                                  format.substr(0, format.find('\n')) +
                                  "\", a format this vkv does not know");
}

// Writes FORMAT into `dir`, atomically and durably.
Status write_format(Env& env, const std::string& dir) {
  return replace_file_atomically(env, dir, kFormatFileName, kExpiryFormat);
}

// True when `dir` holds a store's files: a log, a table or a MANIFEST (a LOCK or a
// temporary file alone is not a store).
Result<bool> holds_store_files(Env& env, const std::string& dir) {
  if (!env.file_exists(dir)) return false;
  auto names = env.list_dir(dir);
  if (!names.is_ok()) return names.status();
  for (const std::string& name : *names) {
    if (name == kManifestName || DataDir::parse_log_name(name) ||
        DataDir::parse_numbered_name(name, kTableSuffix)) {
      return true;
    }
  }
  return false;
}

// Removes `dir`, which holds files only (an unfinished upgrade's store), durably.
Status remove_unfinished(Env& env, const UpgradePaths& p) {
  auto names = env.list_dir(p.upgrading);
  if (!names.is_ok()) return names.status();
  for (const std::string& name : *names) {
    VKV_RETURN_IF_ERROR(env.remove_file(p.upgrading + "/" + name));
  }
  VKV_RETURN_IF_ERROR(env.remove_dir(p.upgrading));
  return env.sync_dir(p.parent);
}

// Opens the store in `dir` as chapter 8's, with levels made here (never `options`'s: a
// program's factory may point into the program). No compaction thread, so that the old
// store is only read and every file operation comes in a fixed order; no flush runner; the
// log unsynced (the copy is synced once, when it is complete).
Result<std::unique_ptr<LsmStore>> open_chapter8_store(Env& env, const LsmStoreOptions& options,
                                                      const std::string& dir) {
  LsmStoreOptions o = options;
  o.durable.dir = dir;
  o.durable.sync = SyncPolicy::kNever;
  o.durable.defer_sync = false;
  o.flush_runner = nullptr;
  LevelOptions levels = LevelOptions::for_memtable(o.memtable_bytes);
  levels.background = false;
  o.table_set = VersionSet::factory(levels);
  return LsmStore::open(env, o);
}

// Writes every live key of `from` into `to`, its value wrapped with no deadline.
Status copy_wrapped(LsmStore& from, LsmStore& to, std::uint64_t* copied) {
  LsmScanner scanner(from);
  std::optional<std::string> start = std::string();
  while (start) {
    ScanPage page;
    VKV_RETURN_IF_ERROR(scanner.scan(*start, std::nullopt, kUpgradePageKeys, &page));
    for (const ScanEntry& e : page.entries) {
      VKV_RETURN_IF_ERROR(to.set(e.key, encode_expiring_value(std::nullopt, e.value)));
      ++*copied;
    }
    start = std::move(page.next);
  }
  return Status::ok();
}

// Opens a new store in `dir` and writes every live key of `old_store` into it, wrapped.
// Returns once the copy is durable and the new store closed.
Status copy_into_new_store(Env& env, const LsmStoreOptions& options, LsmStore& old_store,
                           const std::string& dir, std::uint64_t* copied) {
  auto new_store = open_chapter8_store(env, options, dir);
  if (!new_store.is_ok()) return new_store.status();
  VKV_RETURN_IF_ERROR(copy_wrapped(old_store, **new_store, copied));
  VKV_RETURN_IF_ERROR((*new_store)->flush());  // every key in tables...
  return (*new_store)->sync();                 // ...and the log durable too
}

// Builds the upgraded copy of p.dir in p.upgrading and marks it complete. p.dir stays a
// chapter 9 directory throughout.
Status build_upgraded_copy(Env& env, const LsmStoreOptions& options, const UpgradePaths& p,
                           std::uint64_t* copied, std::vector<std::string>& notes) {
  // Opened first: its lock keeps a second upgrader (or a chapter 9 server) out from here on.
  auto old_store = open_chapter8_store(env, options, p.dir);
  if (!old_store.is_ok()) return old_store.status();
  if (env.file_exists(p.upgrading)) {
    VKV_RETURN_IF_ERROR(remove_unfinished(env, p));
    notes.push_back("removed an unfinished upgrade, " + p.upgrading + "; starting it again");
  }
  VKV_RETURN_IF_ERROR(env.create_dir(p.upgrading));
  Status built = copy_into_new_store(env, options, **old_store, p.upgrading, copied);
  if (built.is_ok()) built = env.sync_dir(p.upgrading);
  if (built.is_ok()) built = write_format(env, p.upgrading);  // last: the copy is complete
  // Best effort: what is left of a failed copy is removed by the next start anyway.
  if (!built.is_ok()) (void)remove_unfinished(env, p);
  return built;
}

// Puts the complete copy in p.dir's place, keeping p.dir (if still there) as p.backup.
Status swap_in(Env& env, const UpgradePaths& p) {
  if (env.file_exists(p.dir)) VKV_RETURN_IF_ERROR(env.rename_file(p.dir, p.backup));
  VKV_RETURN_IF_ERROR(env.rename_file(p.upgrading, p.dir));
  return env.sync_dir(p.parent);
}

}  // namespace

//! [upgrade]
Status prepare_expiry_dir(Env& env, const LsmStoreOptions& options,
                          std::vector<std::string>* notes) {
  std::vector<std::string> ignored;
  std::vector<std::string>& said = notes != nullptr ? *notes : ignored;
  const UpgradePaths p(options.durable.dir);

  // 1. Already chapter 10's.
  if (env.file_exists(format_file(p.dir))) return check_format(env, p.dir);

  // 2. A crash between the two renames of step 5: the copy is complete, finish the swap.
  //    (A copy that is not complete is of no use: remove it.)
  if (!env.file_exists(p.dir) && env.file_exists(p.upgrading)) {
    if (env.file_exists(format_file(p.upgrading))) {
      VKV_RETURN_IF_ERROR(swap_in(env, p));
      said.push_back("finished an interrupted upgrade of " + p.dir + " to chapter 10's " +
                     "format; the chapter 9 files are kept in " + p.backup +
                     "; delete it once you are happy");
      return Status::ok();
    }
    VKV_RETURN_IF_ERROR(remove_unfinished(env, p));
  }

  // 3. No store yet: a new directory in chapter 10's format.
  auto chapter9 = holds_store_files(env, p.dir);
  if (!chapter9.is_ok()) return chapter9.status();
  if (!*chapter9) {
    VKV_RETURN_IF_ERROR(env.create_dir(p.dir));
    VKV_RETURN_IF_ERROR(env.sync_dir(p.parent));
    return write_format(env, p.dir);
  }

  // 4. Chapter 9's store: its values have no tag. Copy it, each value wrapped, aside.
  if (env.file_exists(p.backup)) {
    return Status::invalid_argument(
        p.dir + " holds a chapter 9 store to upgrade, but " + p.backup +
        ", where its files would be kept, exists already (an earlier upgrade's backup?): "
        "move it away or delete it, then start again");
  }
  const std::string context = "cannot upgrade " + p.dir + " to chapter 10's format (it is " +
                              "still a chapter 9 directory)";
  std::uint64_t copied = 0;
  if (Status s = build_upgraded_copy(env, options, p, &copied, said); !s.is_ok()) {
    return s.with_context(context);
  }

  // 5. Swap: the old directory becomes the backup, the copy takes its name.
  VKV_RETURN_IF_ERROR(swap_in(env, p));
  said.push_back("upgraded " + std::to_string(copied) + " keys to chapter 10's format; the " +
                 "chapter 9 files are kept in " + p.backup + "; delete it once you are happy");
  return Status::ok();
}
//! [upgrade]

}  // namespace vkv::storage
