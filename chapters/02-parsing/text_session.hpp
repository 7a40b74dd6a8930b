/// \file
/// TextSession: one client's conversation in the text protocol, from bytes in to bytes out.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "02-parsing/engine.hpp"
#include "02-parsing/lexer.hpp"
#include "02-parsing/session.hpp"
#include "02-parsing/text_commands.hpp"
#include "01-framing/line_framer.hpp"

namespace vkv::runtime {

/// Everything between the bytes a client sends and the bytes it gets back: framing, lexing,
/// parsing, executing and encoding, one reply line per command line, in order.
///
/// It holds no descriptor and does no I/O, so the standard-input prompt (this chapter) and
/// every TCP connection (chapter 6) drive the same code. Not thread-safe: one per client.
class TextSession : public Session {
 public:
  /// A session running commands on `engine` (which must outlive it), with lines of up to
  /// `max_line` bytes. `more`, when given (it must outlive the session too), is offered each
  /// command line before the parser sees it; this chapter's program gives none.
  explicit TextSession(engine::Engine& engine,
                       std::size_t max_line = protocol::kDefaultMaxLine,
                       TextCommands* more = nullptr)
      : engine_(engine), framer_(max_line), more_(more) {}

  /// Takes the next bytes from the client and appends the replies they complete to `*out`.
  void feed(std::string_view bytes, std::string* out) override;

  /// The client is done sending: answers a partial last line with an error.
  void finish(std::string* out) override;

  /// How many commands (lines that were not empty) the session has answered, errors included.
  [[nodiscard]] std::uint64_t commands() const { return commands_; }

 private:
  void handle_frame(const protocol::Frame& frame, std::string* out);
  void handle_line(std::string_view line, std::string* out);

  engine::Engine& engine_;
  protocol::LineFramer framer_;
  TextCommands* more_;  // may be null
  protocol::Lexer lexer_;
  std::vector<std::string_view> tokens_;
  std::uint64_t commands_ = 0;
};

}  // namespace vkv::runtime
