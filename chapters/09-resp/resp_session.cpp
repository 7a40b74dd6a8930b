#include "09-resp/resp_session.hpp"

#include <span>

namespace vkv::runtime {

RespSession::RespSession(engine::RespCommands& commands, std::uint64_t id,
                         protocol::RespLimits limits)
    : commands_(commands), parser_(limits) {
  client_.id = id;
}

// LEARNER: begin RespSession::feed(): parse, run each whole request, write its reply; stop after a protocol error or QUIT
//! [feed]
void RespSession::feed(std::string_view bytes, std::string* out) {
  protocol::RespWriter writer(out, client_.version);
  while (!closing_) {
    switch (parser_.parse(&bytes)) {
      case protocol::RespParse::kIncomplete:
        return;  // every byte taken: wait for more
      case protocol::RespParse::kError:
        writer.error(parser_.error());
        closing_ = true;  // where the next request starts is lost: reply, then close
        return;
      case protocol::RespParse::kRequest:
        writer.set_version(client_.version);
        commands_.run(std::span<const std::string_view>(parser_.args()), client_, writer);
        closing_ = client_.close_after_reply;  // QUIT: its +OK, then close
        break;
    }
  }
}
//! [feed]
// LEARNER: end

void RespSession::finish(std::string* /*out*/) {
  // A partial request never ran and has no reply; a whole one was answered by feed().
}

}  // namespace vkv::runtime
