#include "08-compaction/row_cache.hpp"

#include <algorithm>
#include <array>
#include <mutex>
#include <new>
#include <utility>
#include <vector>

#include "common/published_slots.hpp"

namespace vkv::storage {

namespace {

// One cached entry, in one allocation: this header, then the key's bytes, then the value's.
// A lookup that reaches the header finds the epoch, the key and the value right behind it,
// in the same few cache lines.
struct Block {
  std::uint64_t epoch;
  std::uint32_t key_size;
  std::uint32_t value_size;
  bool used;  // hit (or inserted) since the CLOCK hand last passed it

  char* bytes() { return reinterpret_cast<char*>(this + 1); }
  [[nodiscard]] const char* bytes() const { return reinterpret_cast<const char*>(this + 1); }
  [[nodiscard]] std::string_view key() const { return {bytes(), key_size}; }
  [[nodiscard]] std::string_view value() const { return {bytes() + key_size, value_size}; }
};

// Gives a Block's allocation back (made by make_block; a Block needs no destructor).
struct FreeBlock {
  void operator()(Block* block) const { ::operator delete(block); }
};
using BlockPtr = std::unique_ptr<Block, FreeBlock>;

// A new entry, marked used: the GET that found the value in the tables used it, as an LRU
// list would put it at the front.
BlockPtr make_block(std::string_view key, std::string_view value, std::uint64_t epoch) {
  void* memory = ::operator new(sizeof(Block) + key.size() + value.size());
  BlockPtr block(new (memory) Block{epoch, static_cast<std::uint32_t>(key.size()),
                                    static_cast<std::uint32_t>(value.size()), true});
  std::copy(key.begin(), key.end(), block->bytes());
  std::copy(value.begin(), value.end(), block->bytes() + key.size());
  return block;
}

// What an entry of these sizes takes from the heap: its block as glibc's malloc hands it out
// (the size asked plus an 8-byte header, in steps of 16 bytes, 32 at least).
std::size_t charge(std::size_t key_size, std::size_t value_size) {
  const std::size_t asked = sizeof(Block) + key_size + value_size;
  return std::max<std::size_t>(32, (asked + 8 + 15) / 16 * 16);
}
std::size_t charge(const Block& block) { return charge(block.key_size, block.value_size); }

// A slot of a shard's table: the key's hash, kept here so that a probe compares hashes without
// a trip to any entry, and the entry. Empty when `block` is null.
struct Slot {
  std::uint64_t hash = 0;
  BlockPtr block;
};
static_assert(sizeof(Slot) == 16, "a slot is a hash and a pointer: four to a cache line");

// The cache lines of an entry prefetch() loads: a 24-byte header, a 16-byte key and a
// 100-byte value (the benchmarks' sizes) span three, four when the entry starts late in one.
constexpr std::size_t kPrefetchLines = 3;

// The smallest table a shard has once it holds anything.
constexpr std::size_t kMinSlots = 8;

}  // namespace

// One shard: an open-addressing table with linear probing, and a CLOCK hand over its slots.
// A key's home is slot `hash & (size - 1)`; it lives there or in the first free slot after
// it, so a lookup probes from home on and stops at the first empty slot. The table is a power
// of two long and at most 3/4 full, so there always is an empty slot, and a probe is short.
// Everything but `mu` is guarded by `mu`. Aligned so that two shards never share a cache line.
class alignas(64) RowCache::Shard {
 public:
  std::mutex mu;
  std::uint64_t hits = 0;  // lookups that found an entry of their epoch

  // The entry whose hash is `hash`, or null.
  Block* find(std::uint64_t hash) {
    const std::size_t i = index_of(hash);
    return i == kNone ? nullptr : slots_[i].block.get();
  }

  // Adds an entry for `key` (whose hash is `hash`), replacing the entry of its hash if there
  // is one, then evicting until the shard's bytes fit in `capacity`. The new entry itself is
  // never evicted to make room for itself. REQUIRES: charge(key, value) plus a table of
  // kMinSlots fit in `capacity`.
  void insert(std::uint64_t hash, std::string_view key, std::string_view value,
              std::uint64_t epoch, std::size_t capacity) {
    if (const std::size_t i = index_of(hash); i != kNone) erase(i);
    const std::size_t cost = charge(key.size(), value.size());
    // Evict until the entries, the new one and the table they need fit: a full shard keeps
    // its table and evicts, rather than grow a table it then has to empty to pay for.
    while (entry_bytes_ + cost + table_size_for(count_ + 1) * sizeof(Slot) > capacity) {
      if (count_ == 0) return;  // the table is too large yet to shrink: this one is a miss
      evict_one();
    }
    resize_table(table_size_for(count_ + 1));
    place(hash, make_block(key, value, epoch));
    ++count_;
    entry_bytes_ += cost;
  }

  // Starts loading the slot where a probe for `hash` begins. Takes no lock: where the table
  // is comes from `published_`, which every move of the table republishes (PublishedSlots
  // says why a race with a move is harmless).
  void prefetch_home(std::uint64_t hash) const { published_.prefetch(hash); }

  // The entries' charges and the table's slots.
  [[nodiscard]] std::size_t bytes() const { return entry_bytes_ + slots_.size() * sizeof(Slot); }

  // Drops every entry and the table, giving their memory back.
  void clear() {
    std::vector<Slot>().swap(slots_);
    publish();
    count_ = 0;
    entry_bytes_ = 0;
    hand_ = 0;
  }

 private:
  static constexpr std::size_t kNone = ~std::size_t{0};

  // The slot holding `hash`, or kNone.
  [[nodiscard]] std::size_t index_of(std::uint64_t hash) const;
  // Puts `block` in the first free slot from `hash`'s home on. REQUIRES: a slot is free.
  void place(std::uint64_t hash, BlockPtr block);
  // Removes slot `i`'s entry, leaving no tombstone. REQUIRES: slot `i` holds one.
  void erase(std::size_t i);
  // Removes one entry, the first unused one the CLOCK hand meets. REQUIRES: count_ > 0.
  void evict_one();
  // The slots the table should have to hold `entries` (see the definition).
  [[nodiscard]] std::size_t table_size_for(std::size_t entries) const;
  // Gives the table `slots` slots, moving every entry to its place in it.
  void resize_table(std::size_t slots);

  // Tells prefetch_home() where the table is now. Called whenever slots_ moves.
  void publish() {
    published_.publish(slots_.data(), slots_.size());
  }

  std::vector<Slot> slots_;      // empty until the first insert
  std::size_t count_ = 0;        // entries in slots_
  std::size_t entry_bytes_ = 0;  // their charges
  std::size_t hand_ = 0;         // the slot the CLOCK hand looks at next
  PublishedSlots<Slot> published_;  // where slots_ is, for prefetch_home()
};

//! [row-cache-lookup]
bool RowCache::lookup(std::string_view key, std::uint64_t epoch, std::string* value) {
  if (shard_capacity_ == 0) return false;
  const std::uint64_t hash = hash_(key);
  Shard& s = shard_for(hash);
  std::lock_guard lock(s.mu);
  Block* block = s.find(hash);  // the first cache miss: the slot
  // The second: the entry, where epoch, key and value lie side by side.
  if (block == nullptr || block->epoch != epoch || block->key() != key) return false;
  block->used = true;  // spares it when the CLOCK hand next comes by
  value->assign(block->value());
  ++s.hits;
  return true;
}

std::size_t RowCache::Shard::index_of(std::uint64_t hash) const {
  if (slots_.empty()) return kNone;
  const std::size_t slot_mask = slots_.size() - 1;  // a power of two, less one
  for (std::size_t i = hash & slot_mask; slots_[i].block; i = (i + 1) & slot_mask) {
    if (slots_[i].hash == hash) return i;
  }
  return kNone;  // an empty slot ends the probe: the hash would have been placed by now
}
//! [row-cache-lookup]

//! [row-cache-prefetch]
void RowCache::prefetch(std::span<const std::string_view> keys) const {
  if (shard_capacity_ == 0) return;
  std::array<std::uint64_t, kPrefetchBatch> hashes;
  const std::size_t n = std::min(keys.size(), kPrefetchBatch);
  // First every key's slot, with no lock, so that the misses overlap...
  for (std::size_t i = 0; i < n; ++i) {
    hashes[i] = hash_(keys[i]);
    shard_for(hashes[i]).prefetch_home(hashes[i]);
  }
  // ...then every entry those slots point to: by now the first slots have arrived. An
  // entry's first lines hold its header, its key and its value (or the start of it).
  for (std::size_t i = 0; i < n; ++i) {
    Shard& s = shard_for(hashes[i]);
    std::lock_guard lock(s.mu);
    if (const Block* block = s.find(hashes[i])) {
      const char* first = reinterpret_cast<const char*>(block);
      for (std::size_t line = 0; line < kPrefetchLines; ++line) {
        __builtin_prefetch(first + 64 * line);
      }
    }
  }
}
//! [row-cache-prefetch]

void RowCache::Shard::place(std::uint64_t hash, BlockPtr block) {
  const std::size_t slot_mask = slots_.size() - 1;
  std::size_t i = hash & slot_mask;
  while (slots_[i].block) i = (i + 1) & slot_mask;
  slots_[i] = Slot{hash, std::move(block)};
}

//! [row-cache-erase]
// Backward-shift deletion. A lookup stops at the first empty slot, so the hole left in slot
// `i` would hide every later entry of the run that probed past `i` to reach its slot. Walking
// the run, each entry whose home is not after the hole (cyclically) moves back into it, and
// its own slot becomes the hole; the run ends at an empty slot. No tombstones: a table where
// entries come and go all the time never fills with them.
void RowCache::Shard::erase(std::size_t i) {
  entry_bytes_ -= charge(*slots_[i].block);
  slots_[i].block.reset();
  --count_;
  const std::size_t slot_mask = slots_.size() - 1;
  std::size_t hole = i;
  for (std::size_t j = (i + 1) & slot_mask; slots_[j].block; j = (j + 1) & slot_mask) {
    const std::size_t home = slots_[j].hash & slot_mask;
    // j's entry may fill the hole if it is at least as far from its home as from the hole.
    if (((j - home) & slot_mask) >= ((j - hole) & slot_mask)) {
      slots_[hole] = std::move(slots_[j]);  // leaves slot j empty: the next hole
      hole = j;
    }
  }
}

// CLOCK: the hand sweeps the slots round and round. A used entry loses its flag and is spared
// this time; the first unused one goes. Ends within two sweeps (the first clears every flag).
void RowCache::Shard::evict_one() {
  for (;;) {
    Slot& slot = slots_[hand_];
    if (slot.block && !slot.block->used) {
      // The shift may move a later entry into this very slot: the hand stays, to look at it
      // next. The entries shifted all come from ahead of the hand, so none is skipped.
      erase(hand_);
      return;
    }
    if (slot.block) slot.block->used = false;
    hand_ = (hand_ + 1) & (slots_.size() - 1);
  }
}
//! [row-cache-erase]

// The table for `entries`: the smallest power of two (kMinSlots at least) that they fill to
// at most 3/4. It doubles when they outgrow it, and shrinks only once it is four times too
// large, so that a shard hovering at one size does not rehash over and over.
std::size_t RowCache::Shard::table_size_for(std::size_t entries) const {
  std::size_t want = kMinSlots;
  while (entries > want / 4 * 3) want *= 2;
  return want > slots_.size() || want * 4 <= slots_.size() ? want : slots_.size();
}

// Rehashing puts the hand back at the start, which only changes which entry eviction
// considers first.
void RowCache::Shard::resize_table(std::size_t slots) {
  if (slots == slots_.size()) return;
  std::vector<Slot> old = std::exchange(slots_, std::vector<Slot>(slots));
  for (Slot& slot : old) {
    if (slot.block) place(slot.hash, std::move(slot.block));
  }
  hand_ = 0;
  publish();
}

RowCache::RowCache(std::size_t capacity_bytes, KeyHash hash)
    : shard_capacity_(capacity_bytes / kShards),
      hash_(hash),
      shards_(std::make_unique<Shard[]>(kShards)) {}

RowCache::~RowCache() = default;

RowCache::Shard& RowCache::shard_for(std::uint64_t hash) const {
  return shards_[(hash >> 32) % kShards];  // the high half: a shard's table uses the low
}

void RowCache::insert(std::string_view key, std::string_view value, std::uint64_t epoch) {
  // An entry must fit in its shard beside the smallest table (this also turns a cache of
  // capacity 0 off); its sizes must fit a Block's fields.
  const std::size_t cost = charge(key.size(), value.size());
  if (cost + kMinSlots * sizeof(Slot) > shard_capacity_ || key.size() > UINT32_MAX ||
      value.size() > UINT32_MAX) {
    return;
  }
  const std::uint64_t hash = hash_(key);
  Shard& s = shard_for(hash);
  std::lock_guard lock(s.mu);
  s.insert(hash, key, value, epoch, shard_capacity_);
}

std::uint64_t RowCache::hits() const {
  std::uint64_t total = 0;
  for (std::size_t i = 0; i < kShards; ++i) {
    std::lock_guard lock(shards_[i].mu);
    total += shards_[i].hits;
  }
  return total;
}

void RowCache::clear() {
  for (std::size_t i = 0; i < kShards; ++i) {
    std::lock_guard lock(shards_[i].mu);
    shards_[i].clear();
  }
}

std::size_t RowCache::bytes() const {
  std::size_t total = 0;
  for (std::size_t i = 0; i < kShards; ++i) {
    std::lock_guard lock(shards_[i].mu);
    total += shards_[i].bytes();
  }
  return total;
}

}  // namespace vkv::storage
