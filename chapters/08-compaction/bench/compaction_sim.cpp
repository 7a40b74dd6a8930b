// The compaction simulator's two strategies and its driver; see compaction_sim.hpp.
#include "08-compaction/bench/compaction_sim.hpp"

#include <algorithm>
#include <cmath>
#include <random>
#include <unordered_map>

namespace vkv::sim {

namespace {

// The entry of `run` for `key`, or nullptr.
const Entry* find(const Run& run, std::uint64_t key) {
  auto it = std::lower_bound(run.begin(), run.end(), key,
                             [](const Entry& e, std::uint64_t k) { return e.key < k; });
  return it != run.end() && it->key == key ? &*it : nullptr;
}

// Whether `key` lies in `run`'s key range: a table whose range holds the key must be read
// (without a Bloom filter), one outside it is passed over by its index alone.
bool in_range(const Run& run, std::uint64_t key) {
  return !run.empty() && run.front().key <= key && key <= run.back().key;
}

std::uint64_t total_entries(const std::vector<Run>& runs) {
  std::uint64_t n = 0;
  for (const auto& r : runs) n += r.size();
  return n;
}

}  // namespace

std::uint64_t Tree::take_peak() {
  const std::uint64_t peak = peak_;
  peak_ = 0;
  return peak;
}

void Tree::count_merge(std::uint64_t stored, std::uint64_t written) {
  compacted_ += written;
  ++merges_;
  peak_ = std::max(peak_, stored + written);
}

Run merge_runs(const Run& newer, const Run& older) {
  Run out;
  out.reserve(newer.size() + older.size());
  auto n = newer.begin();
  auto o = older.begin();
  while (n != newer.end() && o != older.end()) {
    if (n->key < o->key) {
      out.push_back(*n++);
    } else if (o->key < n->key) {
      out.push_back(*o++);
    } else {  // the same key: the newer entry wins, the older one is dropped
      out.push_back(*n++);
      ++o;
    }
  }
  out.insert(out.end(), n, newer.end());
  out.insert(out.end(), o, older.end());
  return out;
}

// ---- Leveled ----

void Leveled::add_flushed(Run run) {
  level0_.push_back(std::move(run));
  for (int level = pick_level(); level >= 0; level = pick_level()) compact(level);
}

std::uint64_t Leveled::level_entries(int level) const {
  return level == 0 ? total_entries(level0_) : total_entries(levels_[level]);
}

std::uint64_t Leveled::stored_entries() const {
  std::uint64_t n = 0;
  for (int level = 0; level < kLevels; ++level) n += level_entries(level);
  return n;
}

double Leveled::score(int level) const {
  if (level == 0) return static_cast<double>(level0_.size()) / options_.l0_trigger;
  double target = static_cast<double>(options_.level1_entries);
  for (int l = 1; l < level; ++l) target *= static_cast<double>(options_.fanout);
  return static_cast<double>(level_entries(level)) / target;
}

// The level with the highest score of 1 or more (the deeper one on a tie, as vkv's
// pick_compaction()), or -1. The last level is never compacted.
int Leveled::pick_level() const {
  int best = -1;
  double best_score = 1.0;
  for (int level = 0; level + 1 < kLevels; ++level) {
    if (const double s = score(level); s >= best_score) {
      best = level;
      best_score = s;
    }
  }
  return best;
}

// Compacts `level` into `level + 1`: level 0 whole (its tables overlap), a deeper level one
// table, the first after the cursor.
void Leveled::compact(int level) {
  std::vector<Run> inputs;  // oldest first
  if (level == 0) {
    inputs.swap(level0_);
  } else {
    std::vector<Run>& tables = levels_[level];
    auto it = std::find_if(tables.begin(), tables.end(),
                           [&](const Run& t) { return t.front().key > cursors_[level]; });
    if (it == tables.end()) it = tables.begin();  // past the last: round again
    inputs.push_back(std::move(*it));
    tables.erase(it);
  }
  std::uint64_t smallest = inputs.front().front().key;
  std::uint64_t largest = inputs.front().back().key;
  for (const Run& r : inputs) {
    smallest = std::min(smallest, r.front().key);
    largest = std::max(largest, r.back().key);
  }
  cursors_[level] = largest;
  // The tables of the level below that meet [smallest, largest]: [first, end).
  const std::vector<Run>& below = levels_[level + 1];
  std::size_t first = 0;
  while (first < below.size() && below[first].back().key < smallest) ++first;
  std::size_t end = first;
  while (end < below.size() && below[end].front().key <= largest) ++end;

  if (inputs.size() == 1 && first == end) {  // a trivial move: no read, no write
    count_move();
    levels_[level + 1].insert(levels_[level + 1].begin() + first, std::move(inputs.front()));
    return;
  }
  Run merged;  // the overlapped tables, in key order one sorted run; then each input over it
  for (std::size_t i = first; i < end; ++i) {
    merged.insert(merged.end(), below[i].begin(), below[i].end());
  }
  for (const Run& r : inputs) merged = merge_runs(r, merged);
  install(level, inputs, first, end, std::move(merged));
}

// Replaces tables [first, end) of level + 1 by `merged`, cut into tables; counts the write.
void Leveled::install(int level, const std::vector<Run>& inputs, std::size_t first,
                      std::size_t end, Run merged) {
  std::vector<Run>& below = levels_[level + 1];
  // The inputs have left their level already, but stay on disk beside the output until the
  // merge is recorded: the disk's peak.
  count_merge(stored_entries() + total_entries(inputs), merged.size());
  below.erase(below.begin() + first, below.begin() + end);
  std::vector<Run> outputs;
  for (std::size_t at = 0; at < merged.size(); at += options_.table_entries) {
    const std::size_t stop = std::min<std::size_t>(merged.size(), at + options_.table_entries);
    outputs.emplace_back(merged.begin() + at, merged.begin() + stop);
  }
  below.insert(below.begin() + first, outputs.begin(), outputs.end());
}

std::uint64_t Leveled::get(std::uint64_t key, std::uint64_t* looked) const {
  for (auto it = level0_.rbegin(); it != level0_.rend(); ++it) {  // newest first
    if (!in_range(*it, key)) continue;
    ++*looked;
    if (const Entry* e = find(*it, key)) return e->seq;
  }
  for (int level = 1; level < kLevels; ++level) {  // one table per level at most
    const std::vector<Run>& tables = levels_[level];
    auto it = std::upper_bound(tables.begin(), tables.end(), key,
                               [](std::uint64_t k, const Run& t) { return k < t.front().key; });
    if (it == tables.begin() || !in_range(*std::prev(it), key)) continue;
    ++*looked;
    if (const Entry* e = find(*std::prev(it), key)) return e->seq;
  }
  return 0;
}

std::uint64_t Leveled::runs_to_check() const {
  std::uint64_t runs = level0_.size();
  for (int level = 1; level < kLevels; ++level) runs += levels_[level].empty() ? 0 : 1;
  return runs;
}

bool Leveled::levels_in_order() const {
  for (int level = 1; level < kLevels; ++level) {
    const std::vector<Run>& tables = levels_[level];
    for (std::size_t i = 0; i < tables.size(); ++i) {
      const Run& t = tables[i];
      if (t.empty()) return false;
      for (std::size_t j = 1; j < t.size(); ++j) {
        if (t[j - 1].key >= t[j].key) return false;
      }
      if (i > 0 && tables[i - 1].back().key >= t.front().key) return false;
    }
  }
  return true;
}

// ---- Tiered ----

void Tiered::add_flushed(Run run) {
  runs_.insert(runs_.begin(), std::move(run));
  while (merge_one_tier()) {
  }
}

//! [tiered-merge]
// Round(log base tier_runs of the run's size in memtables): runs within a factor of about
// tier_runs of each other share a class. Flushes are class 0.
int Tiered::size_class(const Run& run) const {
  const double memtables = static_cast<double>(run.size()) / options_.memtable_entries;
  if (memtables <= 1) return 0;
  return static_cast<int>(std::lround(std::log(memtables) / std::log(options_.tier_runs)));
}

// Merges the newest tier_runs neighbouring runs of one size class into one run, in their
// place (so the runs stay newest first). False when no such runs exist.
bool Tiered::merge_one_tier() {
  const std::size_t t = options_.tier_runs;
  for (std::size_t i = 0; i + t <= runs_.size(); ++i) {
    bool same = true;
    for (std::size_t j = i + 1; j < i + t && same; ++j) {
      same = size_class(runs_[j]) == size_class(runs_[i]);
    }
    if (!same) continue;
    Run merged = runs_[i + t - 1];  // the oldest, then each newer one over it
    for (std::size_t j = i + t - 1; j-- > i;) merged = merge_runs(runs_[j], merged);
    count_merge(stored_entries(), merged.size());
    runs_.erase(runs_.begin() + i + 1, runs_.begin() + i + t);
    runs_[i] = std::move(merged);
    return true;
  }
  return false;
}
//! [tiered-merge]

std::uint64_t Tiered::get(std::uint64_t key, std::uint64_t* looked) const {
  for (const Run& run : runs_) {  // newest first
    if (!in_range(run, key)) continue;
    ++*looked;
    if (const Entry* e = find(run, key)) return e->seq;
  }
  return 0;
}

std::uint64_t Tiered::stored_entries() const { return total_entries(runs_); }

// ---- The driver ----

namespace {

// GETs made at each sampled flush, of random keys that the tables hold.
constexpr int kGetsPerSample = 100;

// One run of a workload: the memtable, what the user wrote, and the samples taken.
class Driver {
 public:
  Driver(Tree& tree, const Workload& w, const SimOptions& options)
      : tree_(tree), workload_(w), options_(options), sampler_(w.seed + 1),
        any_key_(0, w.keys - 1), newest_(w.keys, 0), in_tables_(w.keys, false) {}

  // The user writes `key` (the i-th write, so its sequence number is i + 1).
  void write(std::uint64_t key, std::uint64_t i) {
    memtable_[key] = newest_[key] = i + 1;
    ++r_.user_writes;
    if (memtable_.size() >= options_.memtable_entries) flush();
  }

  // The memtable as one sorted run, handed to the tree; then the samples.
  void flush() {
    Run run;
    for (const auto& [key, seq] : memtable_) run.push_back({key, seq});
    memtable_.clear();
    std::sort(run.begin(), run.end(), [](const Entry& a, const Entry& b) { return a.key < b.key; });
    for (const Entry& e : run) {
      if (!in_tables_[e.key]) ++live_;
      in_tables_[e.key] = true;
    }
    r_.flushed += run.size();
    const std::uint64_t with_flush = tree_.stored_entries() + run.size();
    tree_.add_flushed(std::move(run));
    const std::uint64_t peak = std::max(with_flush, tree_.take_peak());
    if (2 * r_.user_writes >= workload_.writes) sample(peak);  // else: warming up, tree tiny
  }

  // The flush of what is left, a GET of every key written, and the averages.
  SimResult finish() {
    if (!memtable_.empty()) flush();
    for (std::uint64_t key = 0; key < workload_.keys; ++key) {
      std::uint64_t ignored = 0;
      if (newest_[key] != 0 && tree_.get(key, &ignored) != newest_[key]) ++r_.lost;
    }
    r_.compacted = tree_.compacted_entries();
    r_.merges = tree_.merges();
    r_.moves = tree_.moves();
    if (samples_ > 0) {
      r_.space_mean = space_sum_ / samples_;
      r_.runs_mean = runs_sum_ / samples_;
      r_.looked_mean = static_cast<double>(looked_) / (samples_ * kGetsPerSample);
    }
    return r_;
  }

 private:
  // Space and read amplification now; `peak` is the most entries stored during the flush.
  void sample(std::uint64_t peak) {
    ++samples_;
    r_.space_peak = std::max(r_.space_peak, static_cast<double>(peak) / live_);
    space_sum_ += static_cast<double>(tree_.stored_entries()) / live_;
    r_.runs_max = std::max(r_.runs_max, tree_.runs_to_check());
    runs_sum_ += static_cast<double>(tree_.runs_to_check());
    for (int found = 0; found < kGetsPerSample;) {
      const std::uint64_t key = any_key_(sampler_);
      if (!in_tables_[key]) continue;
      tree_.get(key, &looked_);
      ++found;
    }
  }

  Tree& tree_;
  const Workload& workload_;
  const SimOptions& options_;
  std::mt19937_64 sampler_;  // the sampled GETs' keys
  std::uniform_int_distribution<std::uint64_t> any_key_;
  std::unordered_map<std::uint64_t, std::uint64_t> memtable_;  // key -> seq
  std::vector<std::uint64_t> newest_;  // each key's last write; 0: none
  std::vector<bool> in_tables_;        // whether a flush has written the key
  std::uint64_t live_ = 0;             // keys the tables hold
  SimResult r_;
  std::uint64_t samples_ = 0;
  double space_sum_ = 0;
  double runs_sum_ = 0;
  std::uint64_t looked_ = 0;  // tables looked in by the sampled GETs
};

}  // namespace

SimResult simulate(Tree& tree, const Workload& workload, const SimOptions& options) {
  Driver driver(tree, workload, options);
  std::mt19937_64 random(workload.seed);
  std::uniform_int_distribution<std::uint64_t> any_key(0, workload.keys - 1);
  for (std::uint64_t i = 0; i < workload.writes; ++i) {
    driver.write(workload.sequential ? i % workload.keys : any_key(random), i);
  }
  return driver.finish();
}

}  // namespace vkv::sim
