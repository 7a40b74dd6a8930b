/// \file
/// Traffic and CountingSession: the bytes each connection sends and receives, counted on
/// their way through the session, and the protocol errors that close a connection.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <string_view>

#include "02-parsing/session.hpp"
#include "06-server/connection.hpp"
#include "11-metrics/per_thread.hpp"

namespace vkv::runtime {

/// What every connection has sent and received, together. Counted once per reply (not once
/// per piece fed), by each worker in counts of its own (PerThread): a locked add on one shared
/// count would cost a worker more than the counting itself.
/// Thread-safe.
class Traffic {
 public:
  /// Counts `in` bytes read from clients and `out` reply bytes written for them.
  void add(std::uint64_t in, std::uint64_t out) {
    Counts& mine = counts_.mine();
    bump(mine.in, in);
    bump(mine.out, out);
  }
  /// Counts a connection closed for bad framing.
  void add_protocol_error() { bump(counts_.mine().protocol_errors); }

  /// Bytes read from clients, so far.
  [[nodiscard]] std::uint64_t bytes_in() const { return sum(&Counts::in); }
  /// Reply bytes written for them.
  [[nodiscard]] std::uint64_t bytes_out() const { return sum(&Counts::out); }
  /// Connections closed for bad framing.
  [[nodiscard]] std::uint64_t protocol_errors() const { return sum(&Counts::protocol_errors); }

 private:
  struct alignas(64) Counts {  // a cache line of its own: no other thread's counts beside it
    std::atomic<std::uint64_t> in{0};
    std::atomic<std::uint64_t> out{0};
    std::atomic<std::uint64_t> protocol_errors{0};
  };
  [[nodiscard]] std::uint64_t sum(std::atomic<std::uint64_t> Counts::*count) const {
    std::uint64_t total = 0;
    counts_.for_each([&](const Counts& c) { total += (c.*count).load(std::memory_order_relaxed); });
    return total;
  }
  PerThread<Counts> counts_;
};

//! [counting-session]
/// A Session in front of another that counts the bytes in and out, and tells
/// `on_protocol_error` (when given) the error of a client whose bytes could not be read,
/// once, as the session closes: RESP's `-ERR Protocol error: ...`. Not thread-safe: one per
/// connection, as every session.
class CountingSession final : public Session {
 public:
  /// In front of `inner`, counting into `traffic` (which must outlive this).
  CountingSession(std::unique_ptr<Session> inner, Traffic& traffic,
                  std::function<void(std::string_view error)> on_protocol_error);
  /// Counts what it has read and not yet counted.
  ~CountingSession() override;
  CountingSession(const CountingSession&) = delete;
  CountingSession& operator=(const CountingSession&) = delete;

  void feed(std::string_view bytes, std::string* out) override;
  void finish(std::string* out) override;
  /// The inner session's answer, as it was after its last reply (a session asks to close
  /// only with a reply: QUIT's, or a protocol error's), so that the front end, which asks
  /// after every piece, does not go down the chain of sessions each time.
  [[nodiscard]] bool wants_close() const override { return closing_; }
  /// The inner session's answer.
  [[nodiscard]] std::size_t next_piece(std::string_view rest) const override {
    return inner_->next_piece(rest);
  }

 private:
  // Counts the input so far and the replies the inner session appended from `from` on, and
  // a protocol error among them.
  void replied(const std::string& out, std::size_t from);

  std::unique_ptr<Session> inner_;
  // Bytes fed since the last reply. The front end feeds a piece at a time (chapter 6), and
  // a RESP request may come in several (a line each, when it is not all there yet): counted
  // once per reply, the count costs one store per request instead of one per piece.
  std::uint64_t unreported_in_ = 0;
  bool closing_ = false;  // inner_->wants_close(), after its last reply
  Traffic& traffic_;
  std::function<void(std::string_view)> on_protocol_error_;
};
//! [counting-session]

}  // namespace vkv::runtime

namespace vkv::net {

/// Sessions made by `inner`, each in a CountingSession over `traffic` (which, with what
/// `on_protocol_error` refers to, must outlive every session made).
SessionFactory counting_sessions(SessionFactory inner, runtime::Traffic& traffic,
                                 std::function<void(std::string_view error)> on_protocol_error);

}  // namespace vkv::net
