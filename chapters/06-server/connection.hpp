/// \file
/// Connection: one client's socket, its buffers and its session.
#pragma once

#include <atomic>
#include <chrono>
#include <cstddef>
#include <functional>
#include <memory>
#include <span>
#include <string>

#include "02-parsing/engine.hpp"
#include "06-server/reactor.hpp"
#include "02-parsing/session.hpp"
#include "02-parsing/text_session.hpp"
#include "common/unique_fd.hpp"

namespace vkv::net {

/// Replies waiting to be sent above this size stop the connection from running more of its
/// commands until the client reads: the output is capped, whatever the client sends.
inline constexpr std::size_t kDefaultOutputLimit = 1024 * 1024;

/// Milliseconds on the steady clock (for the stalled-client check).
std::int64_t steady_ms();

//! [session-factory]
/// Makes the session of each new connection. Called by the workers, from several threads.
using SessionFactory = std::function<std::unique_ptr<runtime::Session>()>;

/// Sessions speaking the text protocol: a TextSession on `engine` with lines of up to
/// `max_line` bytes, offering each line to `more` (may be null) first. `engine` and `more`
/// must outlive every session made.
SessionFactory text_sessions(engine::Engine& engine, std::size_t max_line,
                             runtime::TextCommands* more = nullptr);
//! [session-factory]

//! [look-ahead]
/// Shown the bytes a connection is about to run, before its session sees any of them: a
/// hint, so that a later chapter can start fetching what those requests will touch (with a
/// pipeline, one read holds many). It must not reply, nor change anything a request can see.
/// What it is shown need not be whole requests: a read may end, or start, mid-request. Bytes
/// left unrun when the output filled up are shown again when they run. Called by the
/// workers, from several threads.
using LookAhead = std::function<void(std::string_view bytes)>;
//! [look-ahead]

//! [batch-hook]
/// Called as a connection starts running the requests of one read (`starting` true), and
/// again once it has stopped running them (false); also around a session's finish(). On the
/// worker's thread, from several threads. Unlike a LookAhead it may change what those
/// requests see, all of them alike: it is where a later chapter makes something hold for one
/// batch of requests and no longer.
using BatchHook = std::function<void(bool starting)>;
//! [batch-hook]

/// What a connection waits for after a turn.
enum class NextStep {
  kRead,       ///< Wait for the client to send.
  kWrite,      ///< Wait for room to send what is pending (and read nothing meanwhile).
  kReadWrite,  ///< Both: replies are pending, but there is room for more.
  kClose,      ///< Done: the client left, or the socket failed.
};

/// One client. Only the worker whose reactor it is registered with ever serves it.
///
/// A worker serves a connection in two halves, so that one sync of the log can cover every
/// connection served in the same round: take_input() reads what has arrived and runs the
/// complete commands; the worker makes the round's writes durable; end_turn() sends the
/// replies and says what to wait for next.
///
/// Bytes read go to the session a piece at a time (Session::next_piece(): a line, for the
/// text protocol), so that once the pending replies pass the output limit the connection
/// stops running commands, keeps the unread input, and waits until the client reads. A
/// client that sends without ever reading therefore costs at most the output limit plus one
/// reply, and its socket buffers fill: TCP itself makes it wait.
class Connection {
 public:
  /// A connection on the non-blocking socket `fd`, whose bytes go to `session`; each read's
  /// bytes are shown to `look_ahead` first, and their requests run between two calls of
  /// `batch_hook`, those not null (each must outlive the connection).
  Connection(UniqueFd fd, std::unique_ptr<runtime::Session> session, std::size_t output_limit,
             const LookAhead* look_ahead = nullptr, const BatchHook* batch_hook = nullptr);

  /// Reads what has arrived (a bounded number of reads) and runs the complete commands,
  /// buffering their replies. Returns false when the connection must be closed now.
  /// `scratch` is the worker's read buffer.
  bool take_input(std::span<char> scratch);

  /// Sends the replies and says what to wait for next. REQUIRES: the writes they depend on
  /// are as durable as the server promises.
  NextStep end_turn();

  /// Sends what it can of its replies without blocking (at shutdown, once they are durable).
  void flush_best_effort() { (void)flush(); }

  /// The socket.
  [[nodiscard]] int fd() const { return fd_.get(); }
  /// What the connection's reactor entry waits for now (kept by the server).
  runtime::Interest interest = runtime::Interest::kRead;

  /// When the pending output last stopped moving, or 0 when it is moving (or there is none),
  /// in steady_ms(). Read by the server's sweeper from another thread.
  [[nodiscard]] std::int64_t stalled_since() const {
    return stalled_since_.load(std::memory_order_relaxed);
  }

 private:
  // Feeds `bytes` to the session a piece at a time while the output has room; returns the
  // bytes used.
  std::size_t run_commands(std::string_view bytes);
  // Sends replies until done or the socket is full; false when the socket failed.
  bool flush();
  [[nodiscard]] bool output_full() const { return out_.size() - out_sent_ >= output_limit_; }
  [[nodiscard]] bool output_pending() const { return out_sent_ < out_.size(); }

  UniqueFd fd_;
  std::unique_ptr<runtime::Session> session_;
  std::size_t output_limit_;
  const LookAhead* look_ahead_;  // may be null
  const BatchHook* batch_hook_;  // may be null
  std::string in_;   // bytes read but not yet run (only when the output was full)
  std::string out_;  // replies; out_[out_sent_..] not yet sent
  std::size_t out_sent_ = 0;
  bool peer_closed_ = false;  // read() returned 0: no more input
  bool finished_ = false;     // the session was told the input ended
  std::atomic<std::int64_t> stalled_since_{0};
};

}  // namespace vkv::net
