/// \file
/// Durability: what the server asks before it sends replies: does the log hold them yet?
#pragma once

#include <cstdint>

#include "common/status.hpp"

namespace vkv::engine {

/// The server's one question to what lies below the engine: may the replies to the commands
/// run so far go out?
///
/// Under `--sync always` a reply must not reach a client before the log holding what it
/// says is on disk: not an OK for a SET, and not a value a GET read (another client's write
/// that a power loss could still take back). A server that made each write wait for its own
/// fdatasync would hold a worker per write. So the store is opened with writes that do not
/// wait, and the server asks for a *ticket* once it has run a round of commands, then has it
/// made durable before the round's replies go out: one sync for every connection served in
/// the round, and for every other worker syncing at the same moment.
///
/// Under `never` and `everysec` a write is as durable as promised when it returns, and every
/// ticket is durable at once.
///
/// Thread-safe.
class Durability {
 public:
  virtual ~Durability() = default;
  /// A ticket covering every write that has returned and every value a read has returned.
  [[nodiscard]] virtual std::uint64_t ticket() = 0;
  /// Makes everything `ticket` covers durable, on the caller's thread. An error means it
  /// never will be: the replies it covers must never be sent.
  virtual Status sync_through(std::uint64_t ticket) = 0;
};

}  // namespace vkv::engine
