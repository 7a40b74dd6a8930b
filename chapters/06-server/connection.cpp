#include "06-server/connection.hpp"

#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>

namespace vkv::net {

namespace {

// How many reads one turn may do before the worker moves on, so one busy client cannot keep
// it from the others.
constexpr int kReadsPerTurn = 4;

// Buffers larger than this are given back once empty, so idle connections stay small.
constexpr std::size_t kKeepCapacity = 64 * 1024;

void release_if_large(std::string& s) {
  if (s.empty() && s.capacity() > kKeepCapacity) std::string().swap(s);
}

}  // namespace

std::int64_t steady_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

SessionFactory text_sessions(engine::Engine& engine, std::size_t max_line,
                             runtime::TextCommands* more) {
  return [&engine, max_line, more]() -> std::unique_ptr<runtime::Session> {
    return std::make_unique<runtime::TextSession>(engine, max_line, more);
  };
}

Connection::Connection(UniqueFd fd, std::unique_ptr<runtime::Session> session,
                       std::size_t output_limit, const LookAhead* look_ahead,
                       const BatchHook* batch_hook)
    : fd_(std::move(fd)),
      session_(std::move(session)),
      output_limit_(output_limit),
      look_ahead_(look_ahead),
      batch_hook_(batch_hook) {}

namespace {

// Tells `hook` (if not null) that a batch starts, and, when it goes, that the batch is over:
// on every way out of the scope it lives in.
class InBatch {
 public:
  explicit InBatch(const BatchHook* hook) : hook_(hook) {
    if (hook_ != nullptr) (*hook_)(true);
  }
  ~InBatch() {
    if (hook_ != nullptr) (*hook_)(false);
  }
  InBatch(const InBatch&) = delete;
  InBatch& operator=(const InBatch&) = delete;

 private:
  const BatchHook* hook_;
};

}  // namespace

// LEARNER: begin Connection::run_commands() and take_input(): a piece (a line) at a time until the output is full; read a few times, keep what is left
//! [run-commands]
std::size_t Connection::run_commands(std::string_view bytes) {
  if (look_ahead_ != nullptr) (*look_ahead_)(bytes);  // a hint; see LookAhead
  const InBatch batch(batch_hook_);  // see BatchHook
  std::size_t used = 0;
  while (used < bytes.size() && !output_full() && !session_->wants_close()) {
    const std::string_view rest = bytes.substr(used);
    const std::size_t take = session_->next_piece(rest);  // a line, for the text protocol
    session_->feed(rest.substr(0, take), &out_);
    used += take;
  }
  if (session_->wants_close()) {  // QUIT, or input it cannot read on: send, then close
    peer_closed_ = finished_ = true;
    return bytes.size();
  }
  return used;
}
//! [run-commands]

//! [take-input]
bool Connection::take_input(std::span<char> scratch) {
  for (int reads = 0; reads < kReadsPerTurn && !output_full();) {
    if (!in_.empty()) {  // input left over from when the output was full
      in_.erase(0, run_commands(in_));
      release_if_large(in_);
      continue;
    }
    if (peer_closed_) {
      if (!finished_) {  // answer a partial last line, once
        const InBatch batch(batch_hook_);
        session_->finish(&out_);
      }
      finished_ = true;
      return true;
    }
    const ssize_t n = ::read(fd_.get(), scratch.data(), scratch.size());
    if (n > 0) {
      ++reads;
      const std::string_view bytes(scratch.data(), static_cast<std::size_t>(n));
      in_.assign(bytes.substr(run_commands(bytes)));
      // A short read drained the socket: skip the read that would only say EAGAIN. If more
      // has arrived meanwhile, the (level-triggered) reactor reports the socket again.
      if (bytes.size() < scratch.size() && in_.empty()) return true;
    } else if (n == 0) {
      peer_closed_ = true;
    } else if (errno == EAGAIN || errno == EWOULDBLOCK) {
      return true;
    } else if (errno != EINTR) {
      return false;
    }
  }
  return true;
}
//! [take-input]
// LEARNER: end

// LEARNER: begin Connection::end_turn(): send what the socket takes, then say what to wait for next
//! [end-turn]
NextStep Connection::end_turn() {
  if (!flush()) return NextStep::kClose;
  if (output_full()) return NextStep::kWrite;  // run no more commands until the client reads
  if (finished_) return output_pending() ? NextStep::kWrite : NextStep::kClose;
  if (!in_.empty()) return NextStep::kReadWrite;  // more to run: come back at once
  return output_pending() ? NextStep::kReadWrite : NextStep::kRead;
}
//! [end-turn]
// LEARNER: end

bool Connection::flush() {
  while (out_sent_ < out_.size()) {
    const ssize_t n = ::send(fd_.get(), out_.data() + out_sent_, out_.size() - out_sent_,
                             MSG_NOSIGNAL | MSG_DONTWAIT);
    if (n > 0) {
      out_sent_ += static_cast<std::size_t>(n);
      stalled_since_.store(0, std::memory_order_relaxed);
      continue;
    }
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
      if (stalled_since_.load(std::memory_order_relaxed) == 0) {
        stalled_since_.store(steady_ms(), std::memory_order_relaxed);
      }
      return true;
    }
    return false;  // the client is gone
  }
  if (out_sent_ == out_.size()) {  // everything sent: start the buffer again
    out_.clear();
    out_sent_ = 0;
    release_if_large(out_);
  }
  return true;
}

}  // namespace vkv::net
