/// \file
/// LineFramer: turns a byte stream that arrives in arbitrary pieces into complete lines.
#pragma once

#include <cstddef>
#include <cstring>
#include <string>
#include <string_view>

namespace vkv::protocol {

//! [max-line]
/// The longest line accepted by default: 64 KiB, not counting the line ending.
/// Programs expose it as `--max-line`.
inline constexpr std::size_t kDefaultMaxLine = 64 * 1024;
//! [max-line]

/// What the framer found.
enum class FrameKind {
  kLine,     ///< A complete line, without its `\n` or `\r\n`.
  kTooLong,  ///< A line passed the limit; its bytes up to the next newline are discarded.
  kPartial,  ///< The input ended in the middle of a line (reported by finish()).
};

/// One event from the framer.
struct Frame {
  FrameKind kind;         ///< What was found.
  std::string_view line;  ///< kLine: the line; kPartial: the unfinished bytes; kTooLong: empty.
};

/// Splits a byte stream into lines ending in `\n` or `\r\n`.
///
/// Bytes go in with feed(), in pieces of any size: a line may be split over many pieces and
/// one piece may hold many lines. For each complete line the framer calls `on_frame` with a
/// view of it; the view is valid only during the call. Lines that lie whole inside a piece are
/// handed out without being copied; only the unfinished tail of a piece is kept.
///
/// Memory stays bounded by the limit: once an unfinished line passes `max_line` bytes the
/// framer reports kTooLong once, drops what it had, and discards the rest of that line up to
/// the next newline without keeping it. Framing then goes on with the next line.
///
/// At the end of input, finish() reports an unfinished line as kPartial: it is never dropped
/// silently and never treated as a whole line.
class LineFramer {
 public:
  /// A framer that accepts lines of up to `max_line` bytes (line ending not counted).
  explicit LineFramer(std::size_t max_line = kDefaultMaxLine) : max_line_(max_line) {}

  /// Frames `bytes`, calling `on_frame(const Frame&)` for each line or error, in order.
  template <typename OnFrame>
  void feed(std::string_view bytes, OnFrame&& on_frame);

  /// Ends the input: reports an unfinished line as kPartial, then resets the framer.
  template <typename OnFrame>
  void finish(OnFrame&& on_frame);

  /// How many bytes of an unfinished line are held (never more than max_line()).
  [[nodiscard]] std::size_t buffered() const { return pending_.size(); }

  /// The line limit in bytes.
  [[nodiscard]] std::size_t max_line() const { return max_line_; }

 private:
  // Hands one complete line (without its '\n') to on_frame, trimming a trailing '\r'.
  template <typename OnFrame>
  void emit_line(std::string_view line, OnFrame& on_frame);

  // Adds an unfinished tail to pending_, or starts discarding if that passes the limit.
  template <typename OnFrame>
  void keep_tail(std::string_view tail, OnFrame& on_frame);

  std::size_t max_line_;
  std::string pending_;      // the start of a line whose '\n' has not arrived yet
  bool discarding_ = false;  // inside a too-long line: drop bytes up to the next '\n'
};

// LEARNER: begin feed(): split a piece at its newlines, hand out whole lines, keep the tail
//! [feed]
template <typename OnFrame>
void LineFramer::feed(std::string_view bytes, OnFrame&& on_frame) {
  while (!bytes.empty()) {
    const void* found = std::memchr(bytes.data(), '\n', bytes.size());
    if (found == nullptr) {  // no line ends in this piece: keep its tail for later
      keep_tail(bytes, on_frame);
      return;
    }
    const auto end = static_cast<std::size_t>(static_cast<const char*>(found) - bytes.data());
    if (discarding_) {  // the newline that ends a too-long line: resume framing after it
      discarding_ = false;
    } else if (pending_.empty()) {  // the whole line is in this piece: no copy
      emit_line(bytes.substr(0, end), on_frame);
    } else {  // the line started in an earlier piece
      keep_tail(bytes.substr(0, end), on_frame);
      if (!discarding_) emit_line(pending_, on_frame);
      discarding_ = false;
      pending_.clear();
    }
    bytes.remove_prefix(end + 1);
  }
}
//! [feed]
// LEARNER: end

// LEARNER: begin keep_tail(): keep an unfinished tail, or report kTooLong and discard
//! [keep-tail]
template <typename OnFrame>
void LineFramer::keep_tail(std::string_view tail, OnFrame& on_frame) {
  if (discarding_) return;
  // One more byte than the limit is allowed here: it may be the '\r' of a "\r\n" ending.
  if (pending_.size() + tail.size() > max_line_ + 1) {
    pending_.clear();
    pending_.shrink_to_fit();  // give the memory back: a long line must not pin it
    discarding_ = true;
    on_frame(Frame{FrameKind::kTooLong, {}});
    return;
  }
  pending_.append(tail);
}
//! [keep-tail]
// LEARNER: end

template <typename OnFrame>
void LineFramer::emit_line(std::string_view line, OnFrame& on_frame) {
  if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
  if (line.size() > max_line_) {  // a whole line, over the limit, that arrived in one piece
    on_frame(Frame{FrameKind::kTooLong, {}});
    return;
  }
  on_frame(Frame{FrameKind::kLine, line});
}

// LEARNER: begin finish(): report an unfinished line as kPartial, then reset
//! [finish]
template <typename OnFrame>
void LineFramer::finish(OnFrame&& on_frame) {
  if (!pending_.empty()) on_frame(Frame{FrameKind::kPartial, pending_});
  pending_.clear();
  discarding_ = false;
}
//! [finish]
// LEARNER: end

}  // namespace vkv::protocol
