/// \file
/// SyncPolicy: when the write-ahead log is made durable, and what each choice promises.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace vkv::storage {

/// When the log is flushed from the operating system's cache to the disk (fdatasync).
///
/// Every policy hands each write to the operating system before the write is acknowledged,
/// so a crash of the process alone (kill -9, a segfault) never loses an acknowledged write.
/// The policies differ in what a power loss or a kernel crash can take away.
enum class SyncPolicy {
  /// A write is acknowledged only once an fdatasync covers it: a power loss loses nothing
  /// acknowledged. Writers that arrive together share one fdatasync (group commit).
  kAlways,
  /// A background thread runs fdatasync once a second: a power loss loses at most about the
  /// last second of acknowledged writes.
  kEverySec,
  /// The log is never synced by us; the operating system writes it back when it likes
  /// (Linux: within about 30 seconds). A power loss can lose that much.
  kNever,
};

/// The policy's flag spelling: "always", "everysec" or "never".
std::string_view to_string(SyncPolicy policy);

/// The policy spelled `text` ("always", "everysec", "never"), or nothing if it is none of them.
std::optional<SyncPolicy> parse_sync_policy(std::string_view text);

/// Every policy's spelling, in the order above (for a flag's list of choices).
std::vector<std::string> sync_policy_names();

}  // namespace vkv::storage
