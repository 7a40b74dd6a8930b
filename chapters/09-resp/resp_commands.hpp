/// \file
/// RespCommands: what a RESP session runs each request with; ClientState: what a connection
/// remembers between its requests.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "09-resp/resp_writer.hpp"
#include "common/status.hpp"

namespace vkv::engine {

/// A connection's transaction (MULTI ... EXEC) and the keys it watches (WATCH): what
/// TransactionCommands keeps for it between its requests.
struct TransactionState {
  bool open = false;    ///< After MULTI, until EXEC or DISCARD: commands are queued.
  bool failed = false;  ///< A command was refused as it was queued: EXEC runs none.
  std::vector<std::vector<std::string>> queued;  ///< The commands queued, in order.
  /// Each watched key, and what it was when watched (RespCommands::watch_state()).
  std::vector<std::pair<std::string, std::optional<std::string>>> watched;
  std::size_t bytes = 0;  ///< What `queued` and `watched` hold, about (for the limit).
};

/// What the server remembers about one RESP connection between its requests. Owned by the
/// connection's session; read and changed by the commands it runs (HELLO, CLIENT, QUIT).
struct ClientState {
  std::uint64_t id = 0;           ///< CLIENT ID: unique for the server's life, from 1.
  /// The version the session writes replies in; HELLO changes it (and its writer's, so that
  /// HELLO's own reply is in the new version).
  protocol::RespVersion version = protocol::RespVersion::kResp2;
  std::string name;               ///< CLIENT SETNAME / HELLO SETNAME; empty when unset.
  std::string lib_name;           ///< CLIENT SETINFO LIB-NAME.
  std::string lib_version;        ///< CLIENT SETINFO LIB-VER.
  bool close_after_reply = false; ///< QUIT: send this reply, then close the connection.
  TransactionState transaction;   ///< MULTI's queue and WATCH's keys.
};

//! [resp-commands]
/// The commands a RESP connection can run. The session parses each request into its
/// arguments and hands them here; this writes exactly one reply per request.
///
/// Thread-safe: every connection's session calls the same object from its worker's thread.
class RespCommands {
 public:
  virtual ~RespCommands() = default;
  /// Runs the request `args` (`args[0]` the command's name, in any case; never empty) for
  /// `client`, writing its one reply with `out` (whose version HELLO may change).
  virtual void run(std::span<const std::string_view> args, ClientState& client,
                   protocol::RespWriter& out) = 0;

  /// The error `args` would get without running (an unknown command, the wrong number of
  /// arguments, an empty key), or nothing when it would run. Asked as a transaction queues a
  /// command: Redis refuses such a command there, and the whole transaction at EXEC.
  /// By default nothing is refused.
  [[nodiscard]] virtual std::optional<std::string> refusal(
      std::span<const std::string_view> args) const {
    (void)args;
    return std::nullopt;
  }

  /// What WATCH remembers of `key`: everything a write of it can change (its value; a later
  /// chapter adds its deadline) as one string, or nothing when there is no such key. EXEC
  /// asks again and runs the transaction only if the answer is the same. By default it fails:
  /// commands that cannot tell cannot be watched.
  virtual Result<std::optional<std::string>> watch_state(std::string_view key) {
    (void)key;
    return Status::invalid_argument("WATCH is not supported by these commands");
  }
};
//! [resp-commands]

}  // namespace vkv::engine
