/// \file
/// ProtocolSniffer: one port, two protocols; the client's first bytes say which it speaks.
#pragma once

#include <atomic>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "02-parsing/session.hpp"
#include "06-server/connection.hpp"
#include "09-resp/resp_commands.hpp"
#include "09-resp/resp_parser.hpp"
#include "common/flags.hpp"

namespace vkv::runtime {

/// What a connection's first bytes say of its protocol.
enum class FirstBytes { kUndecided, kResp, kText };
/// kResp when `held` (the connection's first bytes, not empty) starts with `*` or is the
/// line `PING` (any case, `\r\n` or `\n`); kUndecided while it may still become that line;
/// else kText.
FirstBytes first_line(std::string_view held);

//! [sniffer]
/// A Session that becomes one of two at the client's first bytes: `*`, which begins every
/// RESP request and no text command, makes it a RESP session; so does a first line that is
/// `PING` alone, a command the text protocol does not have, which Redis's tools send in the
/// inline form (redis-benchmark, health checks). Anything else makes a session of vkv's text
/// protocol, so `nc` works as it always did. Every byte, the first included, then goes to the
/// session chosen; until it is chosen (at most the six bytes of `PING\r\n` are held) it is
/// neither.
///
/// Not thread-safe: one per connection.
class ProtocolSniffer : public Session {
 public:
  /// A session that makes its RESP session with `resp` or its text session with `text` once
  /// the first bytes have said which.
  /// `open` (may be null) counts the sniffers alive: the connections open now.
  ProtocolSniffer(net::SessionFactory resp, net::SessionFactory text,
                  std::atomic<std::size_t>* open = nullptr)
      : resp_(std::move(resp)), text_(std::move(text)), open_(open) {
    if (open_ != nullptr) open_->fetch_add(1, std::memory_order_relaxed);
  }
  ~ProtocolSniffer() override {
    if (open_ != nullptr) open_->fetch_sub(1, std::memory_order_relaxed);
  }
  ProtocolSniffer(const ProtocolSniffer&) = delete;
  ProtocolSniffer& operator=(const ProtocolSniffer&) = delete;

  void feed(std::string_view bytes, std::string* out) override;
  void finish(std::string* out) override;
  /// The chosen session's answer; a line while the protocol is not known yet.
  [[nodiscard]] std::size_t next_piece(std::string_view rest) const override {
    return chosen_ != nullptr ? chosen_->next_piece(rest) : Session::next_piece(rest);
  }
  [[nodiscard]] bool wants_close() const override {
    return chosen_ != nullptr && chosen_->wants_close();
  }

 private:
  net::SessionFactory resp_;
  net::SessionFactory text_;
  std::unique_ptr<Session> chosen_;  // null until the protocol is known
  std::string held_;                 // the first bytes, while they may still be `PING`
  std::atomic<std::size_t>* open_;   // may be null
};
//! [sniffer]

}  // namespace vkv::runtime

namespace vkv::net {

/// Given the transactions' layer, what the RESP sessions are to run in front of it.
using TransactionsFront = std::function<engine::RespCommands&(engine::RespCommands&)>;

//! [resp-or-text]
/// Sessions that speak RESP to a client whose first byte is `*`, or whose first line is
/// `PING` alone (first_line()), running its requests on `commands` within `limits`; and the
/// text protocol, as `text` makes it, to any other.
/// Each RESP client gets the next CLIENT ID, from 1, counted across the sessions made.
/// `commands` and what `text` refers to must outlive every session made. `open` (may be
/// null; it too must outlive them) counts the sessions alive: the connections open now, of
/// both protocols, for INFO's `connected_clients`.
///
/// The RESP sessions run `commands` behind one TransactionCommands, made here and shared by
/// them all (MULTI, EXEC, WATCH); each text session holds that one's gate as it runs
/// (GatedSession), so that an EXEC runs alone against both protocols. `front`, when given,
/// is called once with that TransactionCommands and returns what the RESP sessions run
/// instead: a layer in front of it (a later chapter meters what the transactions answer
/// themselves), which must outlive every session made.
SessionFactory resp_or_text_sessions(engine::RespCommands& commands, SessionFactory text,
                                     protocol::RespLimits limits,
                                     std::atomic<std::size_t>* open = nullptr,
                                     const TransactionsFront& front = {});
//! [resp-or-text]

/// Adds the flags that set `*limits` (`--max-bulk-bytes`, `--max-args`,
/// `--max-request-bytes`) to a server's. `limits` must outlive the flags' parsing.
void add_resp_limit_flags(Flags& flags, protocol::RespLimits* limits);

}  // namespace vkv::net
