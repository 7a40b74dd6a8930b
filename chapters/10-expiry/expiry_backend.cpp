#include "10-expiry/expiry_backend.hpp"

#include "08-compaction/scan_command.hpp"
#include "09-resp/redis_backend.hpp"
#include "10-expiry/expiry_text_commands.hpp"

namespace vkv::engine {

namespace {

// An OrderedStore that passes every scan to one it does not own (ScanCommand owns its store).
class OrderedStoreRef final : public storage::OrderedStore {
 public:
  explicit OrderedStoreRef(storage::OrderedStore& store) : store_(store) {}
  Status scan(std::string_view start, std::optional<std::string_view> end, std::size_t limit,
              storage::ScanPage* page) override {
    return store_.scan(start, end, limit, page);
  }

 private:
  storage::OrderedStore& store_;
};

// Chapter 9's RedisServerInfo, with what chapter 10 adds to INFO and COMMAND.
RedisServerInfo with_expiry(RedisServerInfo info, storage::LsmStore& lsm,
                            storage::ExpiringStore& store) {
  for (const CommandSpec* spec : ExpiryCommands::specs()) info.more_commands.push_back(spec);
  info.keys_with_deadlines = [&store] { return store.index().size(); };
  if (info.chapter == "9") info.chapter = "10";  // unless a later chapter named itself
  if (!info.store_info) info.store_info = [&lsm] { return lsm_store_info(lsm); };
  return info;
}

}  // namespace

//! [backend]
ExpiryBackend::ExpiryBackend(storage::LsmStore& store, RedisServerInfo info,
                             const storage::Clock* clock)
    : scanner_(store),
      expiring_(store, scanner_, clock != nullptr ? *clock : system_clock_),
      text_store_(expiring_, locks_),
      redis_(expiring_.keeping_deadlines(), expiring_, locks_,
             with_expiry(std::move(info), store, expiring_)),
      rules_(expiring_, locks_),
      commands_(rules_, redis_) {}

std::unique_ptr<runtime::TextCommands> ExpiryBackend::text_commands() {
  auto scan = std::make_unique<ScanCommand>(std::make_unique<OrderedStoreRef>(expiring_));
  return std::make_unique<ExpiryTextCommands>(rules_, std::move(scan));
}
//! [backend]

}  // namespace vkv::engine
