#include "08-compaction/compaction.hpp"

#include <algorithm>

namespace vkv::storage {

std::uint64_t Compaction::input_bytes() const {
  std::uint64_t bytes = 0;
  for (const auto& t : inputs) bytes += t->bytes();
  for (const auto& t : overlapped) bytes += t->bytes();
  return bytes;
}

double compaction_score(const Version& v, const LevelOptions& options, int level) {
  if (level == 0) {
    const double by_count = static_cast<double>(v.level(0).size()) /
                            static_cast<double>(options.l0_compaction_trigger);
    std::uint64_t below = 0;
    for (int l = 1; l < kLevels; ++l) below += v.level_bytes(l);
    if (below == 0) return by_count;  // nothing below yet: the count alone decides
    const double by_space = static_cast<double>(v.level_bytes(0)) /
                            (options.l0_space_ratio * static_cast<double>(below));
    return std::max(by_count, by_space);
  }
  return static_cast<double>(v.level_bytes(level)) /
         static_cast<double>(options.target_bytes(level));
}

namespace {

// The key range [smallest, largest] of `tables`. REQUIRES: !tables.empty().
std::pair<std::string, std::string> key_range(const Version::Tables& tables) {
  std::string smallest(tables.front()->smallest());
  std::string largest(tables.front()->largest());
  for (const auto& t : tables) {
    if (t->smallest() < smallest) smallest = t->smallest();
    if (t->largest() > largest) largest = t->largest();
  }
  return {smallest, largest};
}

}  // namespace

// LEARNER: begin pick_compaction(): the level with the highest score of 1 or more; its inputs and the tables below they overlap
//! [pick-compaction]
std::optional<Compaction> pick_compaction(const Version& v, const LevelOptions& options,
                                          const CompactionCursors& cursors) {
  int best = -1;
  double best_score = 1.0;
  for (int level = 0; level + 1 < kLevels; ++level) {
    const double score = compaction_score(v, options, level);
    if (score >= best_score) {
      best = level;
      best_score = score;
    }
  }
  if (best < 0) return std::nullopt;
  Compaction c;
  c.level = best;
  if (best == 0) {
    const auto& l0 = v.level(0);
    c.inputs.assign(l0.rbegin(), l0.rend());  // newest first, for the merge
  } else {
    // The first table past the cursor, or the level's first table after its last.
    const auto& tables = v.level(best);
    auto it = tables.begin();
    while (it != tables.end() && (*it)->smallest() <= cursors[best]) ++it;
    if (it == tables.end()) it = tables.begin();
    c.inputs.push_back(*it);
  }
  const auto [smallest, largest] = key_range(c.inputs);
  c.overlapped = v.overlapping(best + 1, smallest, largest);
  return c;
}
//! [pick-compaction]
// LEARNER: end

CompactionIterator::CompactionIterator(
    std::unique_ptr<Iterator> merged, std::shared_ptr<const Version> base, int output_level,
    std::function<bool(std::string_view, std::string_view)> dead_value)
    : merged_(std::move(merged)), base_(std::move(base)), output_level_(output_level),
      dead_value_(std::move(dead_value)) {}

void CompactionIterator::seek_to_first() {
  merged_->seek_to_first();
  skip_dropped();
}

void CompactionIterator::seek(std::string_view target) {
  merged_->seek(target);
  skip_dropped();
}

void CompactionIterator::next() {
  merged_->next();
  skip_dropped();
}

// LEARNER: begin CompactionIterator::skip_dropped(): past each tombstone no deeper level needs
void CompactionIterator::skip_dropped() {
  for (; merged_->valid(); merged_->next()) {
    const bool tombstone = merged_->kind() == EntryKind::kTombstone;
    dead_ = !tombstone && dead_value_ && dead_value_(merged_->key(), merged_->value());
    if (dead_) ++dead_values_;
    if (!tombstone && !dead_) return;                                   // a live value
    if (base_->deeper_may_hold(output_level_, merged_->key())) return;  // it may hide one
    if (tombstone) ++dropped_;
  }
}
// LEARNER: end

}  // namespace vkv::storage
