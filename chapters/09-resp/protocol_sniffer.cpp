#include "09-resp/protocol_sniffer.hpp"

#include "09-resp/resp_session.hpp"

namespace vkv::runtime {

// LEARNER: begin ProtocolSniffer::feed(): the first byte chooses the session; every byte goes to it
//! [sniffer-feed]
void ProtocolSniffer::feed(std::string_view bytes, std::string* out) {
  if (bytes.empty()) return;
  if (chosen_ == nullptr) chosen_ = bytes.front() == '*' ? resp_() : text_();
  chosen_->feed(bytes, out);
}
//! [sniffer-feed]
// LEARNER: end

void ProtocolSniffer::finish(std::string* out) {
  if (chosen_ != nullptr) chosen_->finish(out);
}

}  // namespace vkv::runtime

namespace vkv::net {

SessionFactory resp_or_text_sessions(engine::RespCommands& commands, SessionFactory text,
                                     protocol::RespLimits limits) {
  auto next_id = std::make_shared<std::atomic<std::uint64_t>>(1);  // shared by every session
  SessionFactory resp = [&commands, limits, next_id]() -> std::unique_ptr<runtime::Session> {
    return std::make_unique<runtime::RespSession>(
        commands, next_id->fetch_add(1, std::memory_order_relaxed), limits);
  };
  return [resp = std::move(resp), text = std::move(text)]() -> std::unique_ptr<runtime::Session> {
    return std::make_unique<runtime::ProtocolSniffer>(resp, text);
  };
}

}  // namespace vkv::net
