/// \file
/// FastStore: what chapter 7 changes in chapter 5's store, in one place.
#pragma once

#include <optional>

#include "05-sstables/lsm_store.hpp"
#include "07-fast/fast_log_env.hpp"
#include "07-fast/hash_index_shard.hpp"

namespace vkv::storage {

//! [fast-store]
/// Chapter 7's parts of a store, for whoever opens one (the server, the benchmarks): the
/// Env of its log files and the change to its options. Every part goes in through a seam an
/// earlier chapter left; nothing of chapters 3 to 6 is rewritten.
class FastStore {
 public:
  /// The Env for a store opened with `options`: log files preallocated (and buffered, or
  /// mapped) as its sync policy suits, everything else as Env::posix(). Made on the first
  /// call, for that call's policy. REQUIRES: this object outlives the store.
  Env& env_for(const LsmStoreOptions& options) {
    if (!env_) env_.emplace(options.durable.sync);
    return *env_;
  }
  /// Changes `options` to use chapter 7's parts: the memtable's shards.
  static void tune(LsmStoreOptions& options) {
    options.memtable_shards = HashIndexShard::factory();
  }

 private:
  std::optional<FastLogEnv> env_;
};
//! [fast-store]

}  // namespace vkv::storage
