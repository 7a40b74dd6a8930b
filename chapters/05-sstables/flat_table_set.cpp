#include "05-sstables/flat_table_set.hpp"

#include <algorithm>

namespace vkv::storage {

namespace {

std::string plural(std::uint64_t n, const char* one, const char* many) {
  return std::to_string(n) + " " + (n == 1 ? one : many);
}

}  // namespace

class FlatTableSet::List final : public TableVersion {
 public:
  explicit List(std::vector<TableFile> tables) : tables_(std::move(tables)) {}

  Status get(std::string_view key, std::string* value,
             std::uint64_t* filter_skips) const override;

  [[nodiscard]] std::vector<const TableFile*> tables() const override {
    std::vector<const TableFile*> out;
    for (auto t = tables_.rbegin(); t != tables_.rend(); ++t) out.push_back(&*t);
    return out;
  }

  [[nodiscard]] const std::vector<TableFile>& files() const { return tables_; }

 private:
  std::vector<TableFile> tables_;  // oldest first
};

// LEARNER: begin FlatTableSet's read path: the tables newest first; range, filter, then one block
//! [table-read-path]
Status FlatTableSet::List::get(std::string_view key, std::string* value,
                               std::uint64_t* filter_skips) const {
  const std::uint64_t hash = BloomFilter::hash(key);  // once, for every table's filter
  for (auto t = tables_.rbegin(); t != tables_.rend(); ++t) {  // newest first
    if (!t->in_range(key)) continue;  // outside its key range: no read at all
    if (!t->filter_may_contain(hash)) {  // surely not in it: no read either
      ++*filter_skips;
      continue;
    }
    EntryKind kind;
    Status s = t->table->get(key, value, &kind);  // one block, from the cache or the disk
    if (s.is_not_found()) continue;  // a false positive of the filter
    if (!s.is_ok()) return s;        // a damaged block: say so, never guess
    return kind == EntryKind::kValue ? Status::ok() : Status::not_found(std::string(key));
  }
  return Status::not_found(std::string(key));
}
//! [table-read-path]
// LEARNER: end

FlatTableSet::FlatTableSet(const TableSetContext& context)
    : context_(context), current_(std::make_shared<const List>(std::vector<TableFile>{})) {}

Result<TableSet::Recovered> FlatTableSet::recover(std::vector<std::string>& notes) {
  const DataDir& dir = *context_.dir;
  auto manifest = read_manifest(dir.env(), dir.path());
  if (!manifest.is_ok()) return manifest.status();
  const Manifest m = manifest->value_or(Manifest{});
  std::vector<TableFile> tables;
  std::uint64_t entries = 0;
  for (std::uint64_t number : m.tables) {
    auto table = open_table_file(dir, number, context_.table_options);
    if (!table.is_ok()) {
      if (!table.status().is_not_found()) return table.status();
      return Status::corruption(dir.file_path(kManifestName) + " lists " +
                                table_file_name(number) + ", which is missing (" +
                                table.status().message() + ")");
    }
    entries += table->table->entry_count();
    tables.push_back(std::move(table).value());
  }
  if (!tables.empty()) {
    notes.push_back(dir.path() + ": opened and verified " +
                    plural(tables.size(), "table", "tables") + " holding " +
                    plural(entries, "entry", "entries"));
  }
  std::lock_guard lock(mu_);
  current_ = std::make_shared<const List>(std::move(tables));
  return Recovered{m.log_number, m.next_file_number};
}

bool FlatTableSet::is_live(std::uint64_t number) const {
  std::lock_guard lock(mu_);
  const auto& files = current_->files();
  return std::any_of(files.begin(), files.end(),
                     [number](const TableFile& t) { return t.number == number; });
}

//! [record-table]
Status FlatTableSet::add_flushed(TableFile table, std::uint64_t log_number) {
  std::lock_guard lock(mu_);
  std::vector<TableFile> tables = current_->files();
  tables.push_back(std::move(table));
  Manifest m;
  m.log_number = log_number;
  m.next_file_number = context_.numbers->peek();
  for (const auto& t : tables) m.tables.push_back(t.number);
  // Durable first: only once the MANIFEST names the table may readers (and, after them,
  // the deletion of the old logs) count on it.
  VKV_RETURN_IF_ERROR(write_manifest(context_.dir->env(), context_.dir->path(), m));
  current_ = std::make_shared<const List>(std::move(tables));
  return Status::ok();
}
//! [record-table]

std::shared_ptr<const TableVersion> FlatTableSet::current() const {
  std::lock_guard lock(mu_);
  return current_;
}

}  // namespace vkv::storage
