#include "08-compaction/version.hpp"

#include <algorithm>
#include <optional>

#include "08-compaction/level_iterator.hpp"

namespace vkv::storage {

LiveTable::~LiveTable() {
  // Best effort: a file left behind is not in the MANIFEST, and start-up removes it.
  if (obsolete_.load()) (void)env_->remove_file(path_);
}

namespace {

// Looks `key` up in one table, as chapter 5's read path does: key range, filter, one block.
// Nothing when the table has no entry for the key (then the search goes on).
std::optional<Status> get_from(const TableFile& t, std::string_view key, std::uint64_t hash,
                               std::string* value, std::uint64_t* filter_skips) {
  if (!t.in_range(key)) return std::nullopt;
  if (!t.filter_may_contain(hash)) {
    ++*filter_skips;
    return std::nullopt;
  }
  EntryKind kind;
  Status s = t.table->get(key, value, &kind);
  if (s.is_not_found()) return std::nullopt;  // a false positive of the filter
  if (!s.is_ok()) return s;
  return kind == EntryKind::kValue ? Status::ok() : Status::not_found(std::string(key));
}

// The table of a sorted, non-overlapping level whose key range may hold `key`, or null.
const LiveTable* find_in_level(const Version::Tables& tables, std::string_view key) {
  const std::size_t i = first_table_reaching(tables, key);
  if (i == tables.size() || key < tables[i]->smallest()) return nullptr;
  return tables[i].get();
}

}  // namespace

std::size_t first_table_reaching(const Version::Tables& tables, std::string_view key) {
  auto it = std::lower_bound(tables.begin(), tables.end(), key,
                             [](const std::shared_ptr<LiveTable>& t, std::string_view k) {
                               return t->largest() < k;
                             });
  return static_cast<std::size_t>(it - tables.begin());
}

//! [row-cached-get]
Status Version::get(std::string_view key, std::string* value,
                    std::uint64_t* filter_skips) const {
  if (row_cache_ == nullptr) return get_from_tables(key, value, filter_skips);
  if (row_cache_->lookup(key, epoch_, value)) return Status::ok();
  Status s = get_from_tables(key, value, filter_skips);
  if (s.is_ok()) row_cache_->insert(key, *value, epoch_);
  return s;
}
//! [row-cached-get]

// LEARNER: begin Version::get_from_tables(): level 0 newest first, then one table per deeper level by binary search
//! [version-get]
Status Version::get_from_tables(std::string_view key, std::string* value,
                                std::uint64_t* filter_skips) const {
  const std::uint64_t hash = BloomFilter::hash(key);
  // Level 0's tables may overlap: every one whose range holds the key, newest first.
  for (auto t = levels_[0].rbegin(); t != levels_[0].rend(); ++t) {
    if (auto found = get_from((*t)->file(), key, hash, value, filter_skips)) return *found;
  }
  // Deeper levels do not overlap: one table each, found by binary search.
  for (int level = 1; level < kLevels; ++level) {
    const LiveTable* t = find_in_level(levels_[level], key);
    if (t == nullptr) continue;
    if (auto found = get_from(t->file(), key, hash, value, filter_skips)) return *found;
  }
  return Status::not_found(std::string(key));
}
//! [version-get]
// LEARNER: end

std::vector<const TableFile*> Version::tables() const {
  std::vector<const TableFile*> out;
  for (auto t = levels_[0].rbegin(); t != levels_[0].rend(); ++t) out.push_back(&(*t)->file());
  for (int level = 1; level < kLevels; ++level) {
    for (const auto& t : levels_[level]) out.push_back(&t->file());
  }
  return out;
}

std::vector<std::unique_ptr<Iterator>> Version::new_iterators() const {
  std::vector<std::unique_ptr<Iterator>> out;
  for (auto t = levels_[0].rbegin(); t != levels_[0].rend(); ++t) {
    out.push_back(std::make_unique<Table::Iterator>(*(*t)->file().table));
  }
  for (int level = 1; level < kLevels; ++level) {
    if (!levels_[level].empty()) out.push_back(std::make_unique<LevelIterator>(levels_[level]));
  }
  return out;
}

std::uint64_t Version::level_bytes(int level) const {
  std::uint64_t bytes = 0;
  for (const auto& t : levels_[level]) bytes += t->bytes();
  return bytes;
}

Version::Tables Version::overlapping(int level, std::string_view smallest,
                                     std::string_view largest) const {
  Tables out;
  for (const auto& t : levels_[level]) {
    if (t->largest() >= smallest && t->smallest() <= largest) out.push_back(t);
  }
  return out;
}

bool Version::deeper_may_hold(int level, std::string_view key) const {
  for (int l = level + 1; l < kLevels; ++l) {
    if (find_in_level(levels_[l], key) != nullptr) return true;
  }
  return false;
}

}  // namespace vkv::storage
