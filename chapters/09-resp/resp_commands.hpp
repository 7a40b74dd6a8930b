/// \file
/// RespCommands: what a RESP session runs each request with; ClientState: what a connection
/// remembers between its requests.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include "09-resp/resp_writer.hpp"

namespace vkv::engine {

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
};
//! [resp-commands]

}  // namespace vkv::engine
