#include "02-parsing/text_session.hpp"

#include "02-parsing/parser.hpp"
#include "02-parsing/reply_encoder.hpp"

namespace vkv::runtime {

using protocol::Frame;
using protocol::FrameKind;
using protocol::Reply;

void TextSession::feed(std::string_view bytes, std::string* out) {
  framer_.feed(bytes, [&](const Frame& frame) { handle_frame(frame, out); });
}

void TextSession::finish(std::string* out) {
  framer_.finish([&](const Frame& frame) { handle_frame(frame, out); });
}

//! [handle-frame]
void TextSession::handle_frame(const Frame& frame, std::string* out) {
  switch (frame.kind) {
    case FrameKind::kLine:
      handle_line(frame.line, out);
      return;
    case FrameKind::kTooLong:
      ++commands_;
      protocol::append_reply(out, Reply::error("line too long (limit " +
                                               std::to_string(framer_.max_line()) + " bytes)"));
      return;
    case FrameKind::kPartial:
      ++commands_;
      protocol::append_reply(
          out, Reply::error("partial line at end of input (" + std::to_string(frame.line.size()) +
                            " bytes with no newline; not executed)"));
      return;
  }
}

void TextSession::handle_line(std::string_view line, std::string* out) {
  Status lexed = lexer_.lex(line, &tokens_);
  if (lexed.is_ok() && tokens_.empty()) return;  // an empty line is ignored
  ++commands_;
  if (!lexed.is_ok()) {
    protocol::append_reply(out, Reply::error(lexed.message()));
    return;
  }
  if (more_ != nullptr && more_->run(tokens_, out)) return;  // a command the program added
  Result<protocol::Command> command =
      protocol::parse_command(tokens_, more_ != nullptr ? more_->names() : std::string_view());
  if (!command.is_ok()) {
    protocol::append_reply(out, Reply::error(command.status().message()));
    return;
  }
  protocol::append_reply(out, engine_.execute(*command));
}
//! [handle-frame]

}  // namespace vkv::runtime
