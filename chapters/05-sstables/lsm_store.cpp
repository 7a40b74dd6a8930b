#include "05-sstables/lsm_store.hpp"

#include <algorithm>
#include <optional>

#include "05-sstables/flat_table_set.hpp"
#include "05-sstables/manifest.hpp"

namespace vkv::storage {

// What a reader searches before the tables, newest first: the memtable, and the memtable
// being flushed (if any). Replaced whole at each change, never modified. A reader takes the
// tables' current version after the view: a table flushed meanwhile is then in both, with
// the same entries.
struct LsmStore::View {
  std::shared_ptr<const Memtable> mem;
  std::shared_ptr<const Memtable> imm;  // null when no flush is running
};

// What open() learns on its way, from one step to the next.
struct LsmStore::Opening {
  TableSet::Recovered recorded;              // the log number the tables' record gives
  std::vector<std::string> names;            // the directory's entries
  std::optional<std::uint64_t> newest_log;   // the newest log replayed
};

namespace {

Status not_found(std::string_view key) { return Status::not_found(std::string(key)); }

}  // namespace

LsmStore::LsmStore(Key, DataDir dir, const LsmStoreOptions& options)
    : dir_(std::move(dir)),
      options_(options),
      table_options_{std::make_shared<BlockCache>(options.block_cache_bytes),
                     options.filter_bits_per_key} {
  const TableSetContext context{&dir_, table_options_, &numbers_, options.durable.on_write_error};
  tables_ = options.table_set ? options.table_set(context)
                              : std::make_unique<FlatTableSet>(context);
}

LsmStore::~LsmStore() {
  std::unique_lock lock(flush_mu_);
  wait_for_flush(lock);
}

//! [lsm-open]
Result<std::unique_ptr<LsmStore>> LsmStore::open(Env& env, const LsmStoreOptions& options) {
  if (options.memtable_bytes < kMinMemtableBytes) {
    return Status::invalid_argument("memtable size " + std::to_string(options.memtable_bytes) +
                                    " is below the least accepted, " +
                                    std::to_string(kMinMemtableBytes) + " bytes");
  }
  if (options.filter_bits_per_key > kMaxBloomBitsPerKey) {
    return Status::invalid_argument("filter bits per key " +
                                    std::to_string(options.filter_bits_per_key) +
                                    " is above the most accepted, " +
                                    std::to_string(kMaxBloomBitsPerKey));
  }
  auto dir = DataDir::open(env, options.durable.dir);
  if (!dir.is_ok()) return dir.status();
  auto store = std::make_unique<LsmStore>(Key{}, std::move(dir).value(), options);
  Opening o;
  VKV_RETURN_IF_ERROR(store->recover_tables(o));     // which tables (verified), which logs
  VKV_RETURN_IF_ERROR(store->remove_leftovers(o));   // what a crashed flush left behind
  VKV_RETURN_IF_ERROR(store->replay(o));             // the logs the tables do not cover
  VKV_RETURN_IF_ERROR(store->open_log(o));           // and append to the newest
  store->tables_->start();                           // only now, any background work
  return store;
}
//! [lsm-open]

Status LsmStore::recover_tables(Opening& o) {
  auto recorded = tables_->recover(notes_);
  if (!recorded.is_ok()) return recorded.status();
  o.recorded = *recorded;
  auto names = dir_.env().list_dir(dir_.path());
  if (!names.is_ok()) return names.status();
  o.names = std::move(names).value();
  std::sort(o.names.begin(), o.names.end());
  // The file counter goes on from the largest number anywhere, recorded or not, so a new
  // file never takes the name of one a crash left behind.
  numbers_.raise_to(o.recorded.next_file_number);
  for (const auto& name : o.names) {
    const std::string_view base = std::string_view(name).substr(0, name.find('.'));
    if (auto n = DataDir::parse_numbered_name(name, name.substr(base.size()))) {
      numbers_.raise_to(*n + 1);
    }
  }
  return Status::ok();
}

//! [remove-leftovers]
Status LsmStore::remove_leftovers(Opening& o) {
  Env& env = dir_.env();
  const std::uint64_t log_number = o.recorded.log_number;
  std::vector<std::uint64_t> live_logs;  // the logs replay will read
  for (const auto& name : o.names) {
    auto n = DataDir::parse_log_name(name);
    if (n && *n >= log_number) live_logs.push_back(*n);
  }
  for (const auto& name : o.names) {
    const std::string path = dir_.file_path(name);
    std::string why;
    if (name.ends_with(kTempSuffix)) {
      why = "a temporary file of a write that did not finish (a crash during a flush)";
    } else if (auto t = parse_table_file_name(name)) {
      if (tables_->is_live(*t)) continue;
      // A crashed flush renamed its table but never recorded it. A flush numbers its new
      // log N and its table N+1, so the logs it was built from (still there: logs go only
      // after the MANIFEST is written) are numbered N-1 or less. Without such a log this
      // table may hold the only copy of its data, and it is not ours to delete.
      const bool in_a_log = std::any_of(live_logs.begin(), live_logs.end(),
                                        [&](std::uint64_t log) { return log + 2 <= *t; });
      if (!in_a_log) {
        return Status::corruption(path + " is not in " + dir_.file_path(kManifestName) +
                                  " and no log holds its data: refusing to delete it (was the "
                                  "MANIFEST removed or replaced?)");
      }
      why = "a table a crashed flush wrote but never recorded; its data is still in the log";
    } else if (auto n = DataDir::parse_log_name(name); n && *n < log_number) {
      why = "a log whose records are all in tables (a crash came before its deletion)";
    } else {
      continue;
    }
    VKV_RETURN_IF_ERROR(env.remove_file(path));
    notes_.push_back("removed " + path + ": " + why);
  }
  // No directory sync: if a crash undoes a removal, the next start-up removes it again.
  return Status::ok();
}
//! [remove-leftovers]

Status LsmStore::replay(Opening& o) {
  mem_ = std::make_shared<Memtable>(kMemtableShards, options_.memtable_shards);
  const RecordVisitor visit = [this](const LogRecord& r) { return apply(r); };
  auto replayed = replay_logs(dir_, o.recorded.log_number, visit, {options_.durable.repair});
  if (!replayed.is_ok()) return replayed.status();
  for (const auto& report : replayed->reports) {
    records_replayed_ += report.records;
    for (auto& line : report.lines()) notes_.push_back(std::move(line));
  }
  o.newest_log = replayed->newest;
  return Status::ok();
}

Status LsmStore::open_log(Opening& o) {
  log_number_ = o.newest_log ? *o.newest_log : numbers_.allocate();
  auto log = LogWriter::open(dir_, log_number_, options_.durable.log_options());
  if (!log.is_ok()) return log.status();
  log_ = std::move(log).value();
  apply_ = [this](const LogRecord& r) { return apply(r); };
  publish(std::make_shared<const View>(View{mem_, nullptr}));
  return Status::ok();
}

//! [lsm-write]
Status LsmStore::set(std::string_view key, std::string_view value) {
  return write(LogRecord::set(key, value));
}

Status LsmStore::del(std::string_view key) { return write(LogRecord::del(key)); }

Status LsmStore::write(const LogRecord& record) {
  if (record.key.empty()) return Status::invalid_argument("empty key");
  VKV_RETURN_IF_ERROR(tables_->before_write());  // the tables' backpressure, if any
  for (;;) {
    if (writes_stopped_.load()) {
      std::lock_guard lock(flush_mu_);
      return flush_failure_;
    }
    {
      WriteGate::Pass pass(gate_);  // log_ and mem_ stay as they are while we are inside
      if (mem_->memory_bytes() < options_.memtable_bytes) return log_->write(record, apply_);
    }
    // Full: flush before writing, so that a failed flush fails this write, not a write
    // that was already acknowledged.
    VKV_RETURN_IF_ERROR(flush_if_needed(/*force=*/false));
  }
}

Status LsmStore::apply(const LogRecord& record) {
  if (record.kind == EntryKind::kValue) {
    mem_->set(record.key, record.value);
  } else {
    mem_->del(record.key);
  }
  return Status::ok();
}
//! [lsm-write]

Status LsmStore::flush() { return flush_if_needed(/*force=*/true); }

Status LsmStore::flush_if_needed(bool force) {
  std::unique_lock lock(flush_mu_);
  // One memtable is flushed at a time: a writer that fills the next one while the last is
  // still being written in the background waits here for it (backpressure).
  wait_for_flush(lock);
  VKV_RETURN_IF_ERROR(flush_failure_);
  // Another writer may have flushed while we waited for the lock.
  const bool full = mem_->memory_bytes() >= options_.memtable_bytes;
  if (!full && !(force && mem_->entry_count() > 0)) return Status::ok();
  // Two numbers, the table's right after the new log's: start-up relies on it to tell
  // which logs a table that never reached the MANIFEST was built from.
  const std::uint64_t new_log = numbers_.allocate();
  const std::uint64_t table_number = numbers_.allocate();
  Status s = rotate(new_log);
  if (s.is_ok() && options_.flush_runner) {
    lock.unlock();
    options_.flush_runner(
        [this, table_number, new_log] { finish_flush_in_background(table_number, new_log); });
    if (!force) return Status::ok();  // the writer goes on at once
    lock.lock();
    wait_for_flush(lock);
    return flush_failure_;
  }
  if (s.is_ok()) s = write_flushed_table(table_number, new_log);
  if (!s.is_ok()) fail_flushes(s);
  return s;
}

void LsmStore::finish_flush_in_background(std::uint64_t table_number, std::uint64_t new_log) {
  std::lock_guard lock(flush_mu_);
  const Status s = write_flushed_table(table_number, new_log);
  if (!s.is_ok()) fail_flushes(s);
  flush_done_.notify_all();
}

void LsmStore::wait_for_flush(std::unique_lock<std::mutex>& lock) {
  flush_done_.wait(lock, [this] { return imm_ == nullptr || !flush_failure_.is_ok(); });
}

void LsmStore::fail_flushes(const Status& cause) {
  flush_failure_ = Status::io_error("a flush failed (" + cause.to_string() +
                                    "); no more writes are taken: restart to recover from "
                                    "the logs");
  writes_stopped_ = true;
  if (options_.durable.on_write_error) options_.durable.on_write_error(flush_failure_);
}

//! [flush]
Status LsmStore::write_flushed_table(std::uint64_t table_number, std::uint64_t new_log) {
  // 1. (rotate(), done) Later writes go to a new log and a new memtable; the full one is set
  //    aside as imm_, and readers still search it.
  // 2. The table, whole and durable under its final name (see write_table_file).
  auto table = write_table_file(dir_, table_number, *imm_, table_options_);
  if (!table.is_ok()) return table.status();
  // 3. Recorded as live in the MANIFEST, and searched by readers: from now on a restart
  //    reads the table and no longer replays the old logs.
  VKV_RETURN_IF_ERROR(tables_->add_flushed(std::move(table).value(), new_log));
  // 4. Readers find the table instead of the memtable it was built from.
  imm_.reset();
  publish(std::make_shared<const View>(View{mem_, nullptr}));
  // 5. Only now may the old logs go: everything in them is in a table the MANIFEST names.
  old_log_.reset();
  delete_logs_before(new_log);
  ++flushes_;
  return Status::ok();
}
//! [flush]

//! [rotate]
Status LsmStore::rotate(std::uint64_t new_log) {
  // Created (durably) before the gate closes: writers go on meanwhile.
  auto log = LogWriter::open(dir_, new_log, options_.durable.log_options());
  if (!log.is_ok()) return log.status();
  // Under everysec the old log is synced before the new one takes writes: the new log's
  // records must not survive a power loss that takes older records of the old one (a hole
  // in the history that replay could not see). Most of it now, the rest once no writer is
  // inside. Under always there is nothing left to sync; under never nothing is promised
  // across a power loss, and the flush syncs the table before anything depends on it.
  // With defer_sync the owner counts on tickets: every ticket of the old log must be durable
  // before the new log takes the numbering on.
  const bool sync_old =
      options_.durable.sync == SyncPolicy::kEverySec || options_.durable.defer_sync;
  if (sync_old) VKV_RETURN_IF_ERROR(log_->sync());
  gate_.close();
  Status s = sync_old ? log_->sync() : log_->health();
  if (s.is_ok()) {
    const std::uint64_t retired = retired_log_bytes_.load() + log_->size();
    retired_log_bytes_.store(retired);
    if (options_.durable.defer_sync) raise_durable_ticket(retired);
    old_log_ = std::move(log_);
    log_ = std::move(log).value();
    imm_ = std::move(mem_);
    mem_ = std::make_shared<Memtable>(kMemtableShards, options_.memtable_shards);
    log_number_ = new_log;
    publish(std::make_shared<const View>(View{mem_, imm_}));
  }
  gate_.open();
  return s;
}
//! [rotate]

void LsmStore::delete_logs_before(std::uint64_t log_number) {
  auto numbers = dir_.log_numbers();
  if (!numbers.is_ok()) return;
  // Best effort: a log left behind is below the MANIFEST's log number, so start-up
  // deletes it instead of replaying it.
  for (std::uint64_t n : *numbers) {
    if (n < log_number) (void)dir_.env().remove_file(dir_.log_path(n));
  }
}

// LEARNER: begin LsmStore::get(): the memtables newest first, then the tables; the first that knows the key decides; a failure at the tables goes to on_read_error too
//! [read-path]
Status LsmStore::get(std::string_view key, std::string* value) {
  const std::shared_ptr<const View> v = view();
  for (const Memtable* m : {v->mem.get(), v->imm.get()}) {
    if (m == nullptr) continue;
    const std::optional<EntryKind> found = m->lookup(key, value);
    if (!found) continue;  // not in this memtable: search on
    return *found == EntryKind::kValue ? Status::ok() : not_found(key);  // a tombstone ends it
  }
  // Below the memtables, the tables (see FlatTableSet's read path).
  std::uint64_t skips = 0;
  Status s = tables_->current()->get(key, value, &skips);
  if (skips > 0) filter_skips_.fetch_add(skips, std::memory_order_relaxed);
  if (!s.is_ok() && !s.is_not_found() && options_.on_read_error) options_.on_read_error(s);
  return s;
}
//! [read-path]
// LEARNER: end

void LsmStore::report_read_error(const Status& error) const {
  if (options_.on_read_error) options_.on_read_error(error);
}

void LsmStore::prefetch(std::span<const std::string_view> keys) const {
  const std::shared_ptr<const View> v = view();
  v->mem->prefetch(keys);
  if (v->imm != nullptr) v->imm->prefetch(keys);
  tables_->prefetch(keys);
}

//! [sources]
LsmSources LsmStore::sources() const {
  // The view first, then the tables, as get() takes them: a table flushed in between is then
  // in both, with the same entries, and nothing is missed.
  const std::shared_ptr<const View> v = view();
  LsmSources s{v->mem, v->imm, tables_->current(), {}};
  s.newest_first.push_back(s.memtable->new_iterator());
  if (s.flushing != nullptr) s.newest_first.push_back(s.flushing->new_iterator());
  for (auto& it : s.tables->new_iterators()) s.newest_first.push_back(std::move(it));
  return s;
}
//! [sources]

Status LsmStore::sync() {
  {
    // A memtable being flushed in the background is in the old log and nowhere else on
    // disk yet: let the flush finish (its table is synced), or sync that log if it failed.
    std::unique_lock lock(flush_mu_);
    wait_for_flush(lock);
    if (old_log_ != nullptr) VKV_RETURN_IF_ERROR(old_log_->sync());
  }
  WriteGate::Pass pass(gate_);
  return log_->sync();
}

//! [tickets]
std::uint64_t LsmStore::ticket() {
  WriteGate::Pass pass(gate_);  // log_ is not swapped meanwhile
  return retired_log_bytes_.load() + log_->size();
}

Status LsmStore::sync_through(std::uint64_t ticket) {
  if (!options_.durable.defer_sync || durable_ticket_.load() >= ticket) return Status::ok();
  std::lock_guard lock(sync_mu_);
  if (durable_ticket_.load() >= ticket) return Status::ok();  // the last caller's sync did it
  WriteGate::Pass pass(gate_);
  // Everything appended so far: the sync below covers at least this much.
  const std::uint64_t target = retired_log_bytes_.load() + log_->size();
  VKV_RETURN_IF_ERROR(log_->sync());
  raise_durable_ticket(target);
  return Status::ok();
}
//! [tickets]

void LsmStore::raise_durable_ticket(std::uint64_t ticket) {
  std::uint64_t seen = durable_ticket_.load();
  while (seen < ticket && !durable_ticket_.compare_exchange_weak(seen, ticket)) {
  }
}

LsmStats LsmStore::stats() const {
  const std::shared_ptr<const View> v = view();
  const std::vector<const TableFile*> tables = tables_->current()->tables();
  LsmStats s;
  s.tables = tables.size();
  for (const TableFile* t : tables) s.table_entries += t->table->entry_count();
  for (const Memtable* m : {v->mem.get(), v->imm.get()}) {
    if (m == nullptr) continue;
    s.memtable_entries += m->entry_count();
    s.memtable_bytes += m->memory_bytes();
  }
  s.records_replayed = records_replayed_;
  s.flushes = flushes_.load();
  s.flushing = v->imm != nullptr;
  {
    WriteGate::Pass pass(gate_);  // log_ stays the same while we are inside
    if (log_) {
      s.log_bytes = log_->size();
      s.log_synced_bytes = log_->synced_size();
      s.log_syncs = log_->sync_count();
    }
  }
  for (const TableFile* t : tables) s.filter_bytes += t->filter ? t->filter->memory_bytes() : 0;
  s.filter_skips = filter_skips_.load(std::memory_order_relaxed);
  const BlockCache::Stats cache = table_options_.block_cache->stats();
  s.block_reads = cache.misses;  // every miss is followed by one read
  s.cache_hits = cache.hits;
  s.block_cache_bytes = cache.bytes;
  return s;
}

std::shared_ptr<const LsmStore::View> LsmStore::view() const {
  std::lock_guard lock(view_mu_);
  return view_;
}

void LsmStore::publish(std::shared_ptr<const View> view) {
  std::lock_guard lock(view_mu_);
  view_ = std::move(view);
}

}  // namespace vkv::storage
