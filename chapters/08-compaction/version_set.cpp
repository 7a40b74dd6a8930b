#include "08-compaction/version_set.hpp"

#include <pthread.h>

#include <algorithm>
#include <cstdio>

#include "05-sstables/manifest.hpp"
#include "08-compaction/level_iterator.hpp"
#include "08-compaction/newest_wins_heap.hpp"
#include "common/escape.hpp"

namespace vkv::storage {

namespace {

// How long a failed compaction waits before it is tried again: 1 s, doubling up to 32 s.
constexpr std::chrono::seconds kFirstRetry{1};
constexpr std::chrono::seconds kLastRetry{32};

std::string plural(std::uint64_t n, const char* one, const char* many) {
  return std::to_string(n) + " " + (n == 1 ? one : many);
}

bool by_smallest_key(const std::shared_ptr<LiveTable>& a, const std::shared_ptr<LiveTable>& b) {
  return a->smallest() < b->smallest();
}

// `tables` without those in `gone`.
Version::Tables without(const Version::Tables& tables, const Version::Tables& gone) {
  Version::Tables out;
  for (const auto& t : tables) {
    if (std::find(gone.begin(), gone.end(), t) == gone.end()) out.push_back(t);
  }
  return out;
}

double highest_score(const Version& v, const LevelOptions& options) {
  double best = 0;
  for (int level = 0; level + 1 < kLevels; ++level) {
    best = std::max(best, compaction_score(v, options, level));
  }
  return best;
}

}  // namespace

VersionSet::VersionSet(const TableSetContext& context, const LevelOptions& options)
    : context_(context), options_(options), row_cache_(options.row_cache_bytes),
      version_(std::make_shared<const Version>(Version::Levels{})) {}

VersionSet::~VersionSet() {
  {
    std::lock_guard lock(work_mu_);
    stop_ = true;
  }
  work_cv_.notify_all();
  caught_up_.notify_all();
  if (thread_.joinable()) thread_.join();
}

TableSetFactory VersionSet::factory(const LevelOptions& options, VersionSet** made) {
  return [options, made](const TableSetContext& context) -> std::unique_ptr<TableSet> {
    auto set = std::make_unique<VersionSet>(context, options);
    if (made != nullptr) *made = set.get();
    return set;
  };
}

std::shared_ptr<LiveTable> VersionSet::live(TableFile file) const {
  std::string path = context_.dir->file_path(table_file_name(file.number));
  return std::make_shared<LiveTable>(std::move(file), context_.dir->env(), std::move(path));
}

//! [recover]
Result<TableSet::Recovered> VersionSet::recover(std::vector<std::string>& notes) {
  const DataDir& dir = *context_.dir;
  auto read = read_level_manifest(dir.env(), dir.path());
  if (!read.is_ok()) return read.status();
  const LevelManifest m = read->value_or(LevelManifest{});
  // Every table the MANIFEST lists, opened and verified, in its level.
  Version::Levels levels;
  std::uint64_t entries = 0;
  for (const auto& t : m.tables) {
    auto table = open_table_file(dir, t.number, context_.table_options);
    if (!table.is_ok()) {
      if (!table.status().is_not_found()) return table.status();
      return Status::corruption(dir.file_path(kManifestName) + " lists " +
                                table_file_name(t.number) + ", which is missing (" +
                                table.status().message() + ")");
    }
    entries += table->table->entry_count();
    levels[t.level].push_back(live(std::move(table).value()));
  }
  // Below level 0, each level is sorted and its key ranges must not overlap.
  for (int level = 1; level < kLevels; ++level) {
    auto& tables = levels[level];
    std::sort(tables.begin(), tables.end(), by_smallest_key);
    for (std::size_t i = 1; i < tables.size(); ++i) {
      if (tables[i - 1]->largest() >= tables[i]->smallest()) {
        return Status::corruption(dir.file_path(kManifestName) + ": level " +
                                  std::to_string(level) + " tables " +
                                  table_file_name(tables[i - 1]->number()) + " and " +
                                  table_file_name(tables[i]->number()) + " overlap");
      }
    }
  }
  if (!m.tables.empty()) {
    std::string shape;
    for (int level = 0; level < kLevels; ++level) {
      if (!levels[level].empty()) {
        shape += (shape.empty() ? "" : ", ") + ("L" + std::to_string(level) + ": " +
                                                std::to_string(levels[level].size()));
      }
    }
    notes.push_back(dir.path() + ": opened and verified " +
                    plural(m.tables.size(), "table", "tables") + " holding " +
                    plural(entries, "entry", "entries") + " (" + shape + ")");
  }
  // A table file the MANIFEST does not list belongs to no version: the output of a
  // compaction that crashed before its edit was recorded (its inputs are still listed),
  // an input of one that crashed after (its output is listed), or a flush's table that
  // never made it (its log is replayed).
  auto names = dir.env().list_dir(dir.path());
  if (!names.is_ok()) return names.status();
  for (const auto& name : *names) {
    auto n = parse_table_file_name(name);
    if (!n) continue;
    const bool listed = std::any_of(m.tables.begin(), m.tables.end(),
                                    [&](const LevelManifest::Table& t) { return t.number == *n; });
    if (listed) continue;
    VKV_RETURN_IF_ERROR(dir.env().remove_file(dir.file_path(name)));
    notes.push_back("removed " + dir.file_path(name) +
                    ": a table no MANIFEST entry holds (left by a crash during a compaction or a flush)");
  }
  {
    std::lock_guard lock(edit_mu_);
    log_number_ = m.log_number;
  }
  auto v = std::make_shared<const Version>(std::move(levels), &row_cache_, epoch_);
  count_level0(*v);
  {
    std::lock_guard lock(version_mu_);
    version_ = std::move(v);
  }
  // The compaction thread starts in start(), once the store is open.
  return Recovered{m.log_number, m.next_file_number};
}

void VersionSet::start() {
  if (!options_.background || thread_.joinable()) return;
  thread_ = std::thread([this] { compaction_loop(); });
  pthread_setname_np(thread_.native_handle(), "vkv-compact");  // as `top -H` shows it
  {
    std::lock_guard lock(work_mu_);
    work_pending_ = true;  // the levels may need compacting already
  }
  work_cv_.notify_all();
}
//! [recover]

bool VersionSet::is_live(std::uint64_t number) const {
  const auto v = version();
  for (const auto& level : v->levels()) {
    for (const auto& t : level) {
      if (t->number() == number) return true;
    }
  }
  return false;
}

Status VersionSet::add_flushed(TableFile table, std::uint64_t log_number) {
  const std::uint64_t bytes = table.table->file_size();
  {
    std::lock_guard lock(edit_mu_);
    Version::Levels levels = version()->levels();
    levels[0].push_back(live(std::move(table)));
    const std::uint64_t old_log_number = log_number_;
    log_number_ = log_number;
    ++epoch_;  // a new table may give keys new values: older cached rows stop matching
    if (Status s = install(std::move(levels)); !s.is_ok()) {
      log_number_ = old_log_number;
      --epoch_;
      return s;
    }
  }
  {
    std::lock_guard lock(work_mu_);
    stats_.flushed_bytes += bytes;
    work_pending_ = options_.background;
  }
  if (options_.background) {
    work_cv_.notify_all();
    return Status::ok();
  }
  // Inline: the flush is recorded whatever happens here; a failed compaction has said so.
  std::lock_guard inline_lock(inline_mu_);
  for (bool ran = true; ran;) {
    if (!compact_once(&ran)) break;
  }
  return Status::ok();
}

//! [install]
Status VersionSet::install(Version::Levels levels) {
  LevelManifest m;
  m.log_number = log_number_;
  m.next_file_number = context_.numbers->peek();
  for (int level = 0; level < kLevels; ++level) {
    for (const auto& t : levels[level]) m.tables.push_back({t->number(), level});
  }
  // The edit is durable before any reader sees it: after a crash the store comes back
  // with the tables before it, or the tables after it, never a mix.
  VKV_RETURN_IF_ERROR(write_level_manifest(context_.dir->env(), context_.dir->path(), m));
  auto v = std::make_shared<const Version>(std::move(levels), &row_cache_, epoch_);
  count_level0(*v);
  std::lock_guard lock(version_mu_);
  version_ = std::move(v);
  return Status::ok();
}
//! [install]

void VersionSet::count_level0(const Version& v) {
  {
    std::lock_guard lock(work_mu_);
    level0_tables_ = v.level(0).size();
    level0_count_.store(level0_tables_, std::memory_order_relaxed);
  }
  caught_up_.notify_all();
}

std::shared_ptr<const Version> VersionSet::version() const {
  std::lock_guard lock(version_mu_);
  return version_;
}

void VersionSet::compaction_loop() {
  std::chrono::seconds retry = kFirstRetry;
  std::unique_lock lock(work_mu_);
  for (;;) {
    work_cv_.wait(lock, [this] { return stop_ || work_pending_; });
    if (stop_) return;
    work_pending_ = false;
    busy_ = true;
    const std::uint64_t compact_all_request = compact_all_requested_;
    const bool compact_all = compact_all_request > compact_all_done_;
    lock.unlock();
    const Status all = compact_all ? compact_everything() : Status::ok();
    bool failed = !all.is_ok();
    while (!failed) {
      {
        std::lock_guard check(work_mu_);
        if (stop_) break;
      }
      bool ran = false;
      failed = !compact_once(&ran);
      if (!ran) break;
    }
    lock.lock();
    if (compact_all) {
      compact_all_done_ = compact_all_request;
      compact_all_status_ = all;
    }
    busy_ = false;
    caught_up_.notify_all();
    if (failed) {
      // Try again later; a flush meanwhile does not hurry it, a compact_all() does.
      work_cv_.wait_for(lock, retry, [this] {
        return stop_ || compact_all_requested_ > compact_all_done_;
      });
      retry = std::min(retry * 2, kLastRetry);
      work_pending_ = true;
    } else {
      retry = kFirstRetry;
    }
  }
}

//! [compact-once]
bool VersionSet::compact_once(bool* ran) {
  const std::shared_ptr<const Version> base = version();
  const std::optional<Compaction> c = pick_compaction(*base, options_, cursors_);
  *ran = c.has_value();
  return !c || compact(*c, base, /*may_move=*/true).is_ok();
}

Status VersionSet::compact(const Compaction& c, const std::shared_ptr<const Version>& base,
                           bool may_move) {
  const auto start = std::chrono::steady_clock::now();
  const bool move = may_move && c.trivial_move();
  LevelStats done;
  Version::Tables outputs;
  std::uint64_t dropped = 0;
  std::uint64_t dead = 0;
  Status s;
  if (move) {
    outputs = c.inputs;  // the same table, one level down
    ++done.moves;
  } else {
    s = run(c, base, &outputs, &dropped, &dead);
    ++done.compactions;
    done.bytes_read = c.input_bytes();
    for (const auto& t : outputs) done.bytes_written += t->bytes();
  }
  if (s.is_ok()) {
    std::lock_guard lock(edit_mu_);
    // From the version now, not `base`: flushes may have added to level 0 meanwhile.
    Version::Levels levels = version()->levels();
    levels[c.level] = without(levels[c.level], c.inputs);
    Version::Tables& below = levels[c.level + 1];
    below = without(below, c.overlapped);
    below.insert(below.end(), outputs.begin(), outputs.end());
    std::sort(below.begin(), below.end(), by_smallest_key);
    // Dead values dropped change what a GET finds, as a flush does: cached rows stop matching.
    if (dead > 0) ++epoch_;
    s = install(std::move(levels));
    if (!s.is_ok() && dead > 0) --epoch_;
  }
  if (!s.is_ok()) {
    // Nothing recorded: the inputs stay, and the new tables go as `outputs` is dropped.
    if (!move) {
      for (const auto& t : outputs) t->mark_obsolete();
    }
    const Status failure = Status::io_error("compaction of level " + std::to_string(c.level) +
                                            " failed (" + s.to_string() +
                                            "); nothing was deleted, it will be tried again");
    if (context_.on_error) context_.on_error(failure);
    std::lock_guard lock(work_mu_);
    failure_ = failure;
    ++stats_.failed_compactions;
    return failure;
  }
  if (!move) {
    for (const auto& t : c.inputs) t->mark_obsolete();
    for (const auto& t : c.overlapped) t->mark_obsolete();
  }
  if (!c.inputs.empty()) cursors_[c.level] = std::string(c.inputs.back()->largest());
  done.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::lock_guard lock(work_mu_);
  failure_ = Status::ok();
  LevelStats& into = stats_.levels[c.level + 1];
  into.compactions += done.compactions;
  into.moves += done.moves;
  into.bytes_read += done.bytes_read;
  into.bytes_written += done.bytes_written;
  into.seconds += done.seconds;
  stats_.dropped_tombstones += dropped;
  stats_.dead_values += dead;
  return Status::ok();
}
//! [compact-once]

// LEARNER: begin VersionSet::run(): merge the inputs newest first, drop what is not needed, cut the run into tables
//! [run-compaction]
Status VersionSet::run(const Compaction& c, const std::shared_ptr<const Version>& base,
                       Version::Tables* outputs, std::uint64_t* dropped,
                       std::uint64_t* dead) {
  // The sources newest first: the inputs, then the level below. Level 0's tables may
  // overlap, so each is a source of its own (newest first); the tables of a deeper level do
  // not, so one LevelIterator walks them all, one table at a time, and the merge compares
  // fewer sources.
  std::vector<std::unique_ptr<Iterator>> sources;
  if (c.level == 0) {
    for (const auto& t : c.inputs) {
      sources.push_back(std::make_unique<Table::Iterator>(*t->file().table));
    }
  } else {
    sources.push_back(std::make_unique<LevelIterator>(c.inputs));
  }
  if (!c.overlapped.empty()) sources.push_back(std::make_unique<LevelIterator>(c.overlapped));
  CompactionIterator entries(std::make_unique<NewestWinsHeap>(std::move(sources)), base,
                             c.level + 1, options_.dead_value);
  entries.seek_to_first();
  // One sorted run, cut into tables of about table_bytes.
  while (entries.valid()) {
    auto table = write_table_file(*context_.dir, context_.numbers->allocate(), entries,
                                  options_.table_bytes, context_.table_options);
    if (!table.is_ok()) return table.status();
    outputs->push_back(live(std::move(table).value()));
  }
  *dropped = entries.dropped_tombstones();
  *dead = entries.dead_values();
  return entries.status();
}
//! [run-compaction]
// LEARNER: end

//! [before-write]
Status VersionSet::before_write() {
  if (level0_count_.load(std::memory_order_relaxed) < options_.l0_slowdown_trigger) {
    return Status::ok();  // the common case: no lock, no wait
  }
  std::unique_lock lock(work_mu_);
  if (level0_tables_ < options_.l0_stop_trigger) {
    // Level 0 is filling: each write takes the next slot of a schedule of
    // slowdown_writes_per_second, and waits for it once it is 1 ms or more ahead (one sleep
    // covers many writes: a sleep is never shorter than the timer allows).
    ++stats_.slowed_writes;
    const auto now = std::chrono::steady_clock::now();
    slow_schedule_ = std::max(slow_schedule_, now) +
                     std::chrono::nanoseconds(1'000'000'000 / options_.slowdown_writes_per_second);
    const auto wait = slow_schedule_ - now;
    lock.unlock();
    if (wait >= std::chrono::milliseconds(1)) std::this_thread::sleep_for(wait);
    return Status::ok();
  }
  ++stats_.stopped_writes;
  const auto start = std::chrono::steady_clock::now();
  while (level0_tables_ >= options_.l0_stop_trigger && !stop_) {
    if (!failure_.is_ok()) {
      return Status::io_error("level 0 is full (" + std::to_string(level0_tables_) +
                              " tables) and compaction cannot run: " + failure_.message());
    }
    caught_up_.wait_for(lock, std::chrono::milliseconds(100));
  }
  stats_.stopped_seconds +=
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return Status::ok();
}
//! [before-write]

Status VersionSet::wait_until_compacted() {
  std::unique_lock lock(work_mu_);
  for (;;) {
    if (!failure_.is_ok()) return failure_;
    if (!options_.background) {
      lock.unlock();
      std::lock_guard inline_lock(inline_mu_);
      for (bool ran = true; ran;) {
        if (!compact_once(&ran)) break;
      }
      lock.lock();
      return failure_;
    }
    if (!busy_ && !work_pending_) {
      const auto v = version();
      if (highest_score(*v, options_) < 1.0) return Status::ok();
      work_pending_ = true;
      work_cv_.notify_all();
    }
    caught_up_.wait_for(lock, std::chrono::milliseconds(100));
  }
}

Status VersionSet::compact_all() {
  const Status s = options_.background ? compact_all_on_thread() : compact_all_inline();
  // What the row cache holds may be stale now (the compaction dropped dead values), and after
  // a mass deletion most of it is; every block in the block cache is of a table that is gone.
  // Their memory goes back; live rows and blocks come back as they are read.
  row_cache_.clear();
  if (context_.table_options.block_cache) context_.table_options.block_cache->clear();
  return s;
}

Status VersionSet::compact_all_inline() {
  std::lock_guard inline_lock(inline_mu_);
  return compact_everything();
}

Status VersionSet::compact_all_on_thread() {
  // On the compaction thread, so that it never runs beside an automatic compaction.
  std::unique_lock lock(work_mu_);
  const std::uint64_t request = ++compact_all_requested_;
  work_pending_ = true;
  work_cv_.notify_all();
  caught_up_.wait(lock, [&] { return stop_ || compact_all_done_ >= request; });
  if (compact_all_done_ < request) return Status::io_error("compact_all: the store is closing");
  return compact_all_status_;
}

Status VersionSet::compact_everything() {
  int deepest = -1;
  for (int level = 0; level < kLevels; ++level) {
    if (!version()->level(level).empty()) deepest = level;
  }
  const int last = std::min(deepest + 1, kLevels - 1);
  for (int level = 0; level < last; ++level) {
    const std::shared_ptr<const Version> base = version();
    Compaction c;
    c.level = level;
    c.inputs = base->level(level);
    if (level == 0) std::reverse(c.inputs.begin(), c.inputs.end());  // newest first
    // The whole level below, not only what the inputs overlap: into the last level, that
    // rewrites each of its tables (above it, they go down whole at the next step anyway).
    c.overlapped = base->level(level + 1);
    // An empty level sends nothing down; above the last, its step still rewrites the last.
    if (c.inputs.empty() && (c.overlapped.empty() || level + 1 < last)) continue;
    VKV_RETURN_IF_ERROR(compact(c, base, /*may_move=*/false));
  }
  return Status::ok();
}

VersionSetStats VersionSet::stats() const {
  const auto v = version();
  std::lock_guard lock(work_mu_);
  VersionSetStats s = stats_;
  s.compacting = busy_;
  s.row_cache_hits = row_cache_.hits();
  s.row_cache_bytes = row_cache_.bytes();
  for (int level = 0; level < kLevels; ++level) {
    s.levels[level].tables = v->level(level).size();
    s.levels[level].bytes = v->level_bytes(level);
    s.levels[level].score = level + 1 < kLevels ? compaction_score(*v, options_, level) : 0;
  }
  return s;
}

namespace {

std::string mib(std::uint64_t bytes) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f", static_cast<double>(bytes) / (1 << 20));
  return buf;
}

}  // namespace

//! [level-stats]
std::string format_level_stats(const VersionSetStats& stats) {
  std::string out = "level  tables   MiB  score  compactions  moves  read MiB  written MiB  seconds\n";
  std::uint64_t written = stats.flushed_bytes;
  int deepest = 0;  // rows down to the deepest level that holds or received anything
  for (int level = 0; level < kLevels; ++level) {
    const LevelStats& l = stats.levels[level];
    if (l.tables > 0 || l.compactions > 0 || l.moves > 0) deepest = level;
  }
  for (int level = 0; level <= deepest; ++level) {
    const LevelStats& l = stats.levels[level];
    written += l.bytes_written;
    char row[160];
    std::snprintf(row, sizeof row, "  L%d   %6zu %6s %6.2f  %11llu  %5llu  %8s  %11s  %7.1f\n",
                  level, l.tables, mib(l.bytes).c_str(), l.score,
                  static_cast<unsigned long long>(l.compactions),
                  static_cast<unsigned long long>(l.moves), mib(l.bytes_read).c_str(),
                  mib(l.bytes_written).c_str(), l.seconds);
    out += row;
  }
  char tail[256];
  std::snprintf(tail, sizeof tail,
                "flushed %s MiB; table writes / flushed: %.2f; writes slowed %llu, stopped "
                "%llu (%.1f s); failed compactions %llu\n",
                mib(stats.flushed_bytes).c_str(),
                stats.flushed_bytes == 0 ? 0.0
                                         : static_cast<double>(written) /
                                               static_cast<double>(stats.flushed_bytes),
                static_cast<unsigned long long>(stats.slowed_writes),
                static_cast<unsigned long long>(stats.stopped_writes), stats.stopped_seconds,
                static_cast<unsigned long long>(stats.failed_compactions));
  return out + tail;
}
//! [level-stats]

std::string format_tables(const Version& v) {
  std::string out;
  for (int level = 0; level < kLevels; ++level) {
    for (const auto& t : v.level(level)) {
      out += "  L" + std::to_string(level) + " " + table_file_name(t->number()) + " " +
             std::to_string(t->bytes()) + " bytes  [" + escape_bytes(t->smallest()) + " .. " +
             escape_bytes(t->largest()) + "]\n";
    }
  }
  return out;
}

}  // namespace vkv::storage
