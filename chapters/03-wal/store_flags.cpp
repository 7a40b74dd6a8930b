#include "03-wal/store_flags.hpp"

namespace vkv::storage {

void StoreFlags::add_to(Flags& flags) {
  flags.add_string("dir", &dir, "the data directory, created if missing");
  flags.add_choice("sync", &sync, sync_policy_names(),
                   "when to fdatasync the log: before each OK, once a second, or never");
  flags.add_bool("repair", &repair,
                 "cut a corrupt log at the bad record instead of refusing to start");
}

DurableStoreOptions StoreFlags::options() const {
  DurableStoreOptions o;
  o.dir = dir;
  o.sync = parse_sync_policy(sync).value_or(SyncPolicy::kAlways);
  o.repair = repair;
  return o;
}

}  // namespace vkv::storage
