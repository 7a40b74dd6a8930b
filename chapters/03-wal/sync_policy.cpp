#include "03-wal/sync_policy.hpp"

namespace vkv::storage {

std::string_view to_string(SyncPolicy policy) {
  switch (policy) {
    case SyncPolicy::kAlways: return "always";
    case SyncPolicy::kEverySec: return "everysec";
    case SyncPolicy::kNever: return "never";
  }
  return "unknown";
}

std::optional<SyncPolicy> parse_sync_policy(std::string_view text) {
  for (SyncPolicy p : {SyncPolicy::kAlways, SyncPolicy::kEverySec, SyncPolicy::kNever}) {
    if (to_string(p) == text) return p;
  }
  return std::nullopt;
}

std::vector<std::string> sync_policy_names() {
  std::vector<std::string> names;
  for (SyncPolicy p : {SyncPolicy::kAlways, SyncPolicy::kEverySec, SyncPolicy::kNever}) {
    names.emplace_back(to_string(p));
  }
  return names;
}

}  // namespace vkv::storage
