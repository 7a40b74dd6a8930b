/// \file
/// LsmDurability: the server's Durability, answered by chapter 5's store.
#pragma once

#include "05-sstables/lsm_store.hpp"
#include "06-server/durability.hpp"

namespace vkv::engine {

//! [lsm-durability]
/// Durability from an LsmStore's tickets (LsmStore::ticket(), LsmStore::sync_through()).
/// Under `--sync always` the store is opened with `durable.defer_sync`, so its writes do not
/// wait for the disk and this is where the server waits instead.
class LsmDurability final : public Durability {
 public:
  /// Asks `store`, which must outlive this object.
  explicit LsmDurability(storage::LsmStore& store) : store_(store) {}
  /// The store's ticket: bytes logged so far.
  std::uint64_t ticket() override { return store_.ticket(); }
  /// One fdatasync of the log, shared by every caller waiting at once.
  Status sync_through(std::uint64_t ticket) override { return store_.sync_through(ticket); }

 private:
  storage::LsmStore& store_;
};
//! [lsm-durability]

}  // namespace vkv::engine
