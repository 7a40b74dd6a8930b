#include "09-resp/redis_backend.hpp"

#include "03-wal/sync_policy.hpp"

namespace vkv::engine {

namespace {

// The scanner the commands walk keys with, owned beside them.
class LsmRedisCommands final : public RespCommands {
 public:
  LsmRedisCommands(storage::LsmStore& store, KeyLocks& locks, RedisServerInfo info)
      : scanner_(store), commands_(store, scanner_, locks, std::move(info)) {}
  void run(std::span<const std::string_view> args, ClientState& client,
           protocol::RespWriter& out) override {
    commands_.run(args, client, out);
  }
  [[nodiscard]] std::optional<std::string> refusal(
      std::span<const std::string_view> args) const override {
    return commands_.refusal(args);
  }
  Result<std::optional<std::string>> watch_state(std::string_view key) override {
    return commands_.watch_state(key);
  }

 private:
  storage::LsmScanner scanner_;
  RedisCommands commands_;
};

}  // namespace

std::vector<ConfigParam> store_config(const storage::LsmStoreOptions& options) {
  const storage::SyncPolicy sync = options.durable.sync;
  const std::string_view appendfsync = sync == storage::SyncPolicy::kAlways     ? "always"
                                       : sync == storage::SyncPolicy::kEverySec ? "everysec"
                                                                               : "no";
  return {{"dir", options.durable.dir},
          {"appendfsync", std::string(appendfsync)},
          {"vkv-sync", std::string(storage::to_string(sync))},
          {"vkv-memtable-bytes", std::to_string(options.memtable_bytes)},
          {"vkv-block-cache-bytes", std::to_string(options.block_cache_bytes)}};
}

std::string lsm_store_info(const storage::LsmStore& store) {
  const storage::LsmStats s = store.stats();
  return "vkv_tables:" + std::to_string(s.tables) + "\r\n" +
         "vkv_table_entries:" + std::to_string(s.table_entries) + "\r\n" +
         "vkv_memtable_entries:" + std::to_string(s.memtable_entries) + "\r\n" +
         "vkv_memtable_bytes:" + std::to_string(s.memtable_bytes) + "\r\n" +
         "vkv_flushes:" + std::to_string(s.flushes) + "\r\n";
}

std::unique_ptr<RespCommands> make_redis_commands(storage::LsmStore& store, KeyLocks& locks,
                                                  RedisServerInfo info) {
  if (!info.store_info) info.store_info = [&store] { return lsm_store_info(store); };
  return std::make_unique<LsmRedisCommands>(store, locks, std::move(info));
}

RedisBackend::RedisBackend(storage::LsmStore& store, RedisServerInfo info)
    : text_store_(store, locks_), commands_(make_redis_commands(store, locks_, std::move(info))) {}

}  // namespace vkv::engine
