/// \file
/// RespCommands: what a RESP session runs each request with; ClientState: what a connection
/// remembers between its requests.
#pragma once

#include <atomic>
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

/// Bytes a connection's transaction holds (its queue, its watched values), counted against a
/// total shared by every connection, and given back to it when this goes: at EXEC, DISCARD or
/// UNWATCH, or when the connection closes. Moves, never copies.
class HeldBytes {
 public:
  HeldBytes() = default;
  /// Takes over what `o` held; `o` then holds nothing.
  HeldBytes(HeldBytes&& o) noexcept : total_(o.total_), bytes_(std::exchange(o.bytes_, 0)) {}
  /// Gives back what this held, then takes over what `o` held.
  HeldBytes& operator=(HeldBytes&& o) noexcept {
    if (this != &o) {
      give_back();
      total_ = o.total_;
      bytes_ = std::exchange(o.bytes_, 0);
    }
    return *this;
  }
  HeldBytes(const HeldBytes&) = delete;
  HeldBytes& operator=(const HeldBytes&) = delete;
  ~HeldBytes() { give_back(); }

  /// Takes `n` more bytes from `total`, unless that would pass `own_limit` for this or
  /// `total_limit` for `total`: then takes nothing and returns false. `total` must be the
  /// same at every call, and outlive this.
  bool take(std::atomic<std::size_t>& total, std::size_t n, std::size_t own_limit,
            std::size_t total_limit) {
    if (bytes_ + n > own_limit) return false;
    if (total.fetch_add(n, std::memory_order_relaxed) + n > total_limit) {
      total.fetch_sub(n, std::memory_order_relaxed);
      return false;
    }
    total_ = &total;
    bytes_ += n;
    return true;
  }
  /// The bytes held.
  [[nodiscard]] std::size_t bytes() const { return bytes_; }

 private:
  void give_back() {
    if (bytes_ != 0) total_->fetch_sub(std::exchange(bytes_, 0), std::memory_order_relaxed);
  }
  std::atomic<std::size_t>* total_ = nullptr;
  std::size_t bytes_ = 0;
};

//! [transaction-state]
/// A connection's transaction (MULTI ... EXEC) and the keys it watches (WATCH): what
/// TransactionCommands keeps for it between its requests.
struct TransactionState {
  bool open = false;    ///< After MULTI, until EXEC or DISCARD: commands are queued.
  bool failed = false;  ///< A command was refused as it was queued: EXEC runs none.
  std::vector<std::vector<std::string>> queued;  ///< The commands queued, in order.
  /// Each watched key, and what it was when watched (RespCommands::watch_state()).
  std::vector<std::pair<std::string, std::optional<std::string>>> watched;
  HeldBytes held;  ///< What `queued` and `watched` hold, about.
};
//! [transaction-state]

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

  /// The error `args` would get without running (an unknown command or subcommand, the
  /// wrong number of arguments, an empty key), or nothing when it would run: the same checks
  /// run() makes first. Asked as a transaction queues a command: Redis refuses such a command
  /// there, and the whole transaction at EXEC. A RespCommands in front of another asks it of
  /// the commands it does not run itself.
  [[nodiscard]] virtual std::optional<std::string> refusal(
      std::span<const std::string_view> args) const = 0;

  /// What WATCH remembers of `key`: everything a write of it can change (its value, and
  /// whatever else the commands keep with it) as one string, or nothing when there is no such key. EXEC
  /// asks again and runs the transaction only if the answer is the same.
  virtual Result<std::optional<std::string>> watch_state(std::string_view key) = 0;
};
//! [resp-commands]

}  // namespace vkv::engine
