#include "09-resp/protocol_sniffer.hpp"

#include "09-resp/resp_session.hpp"
#include "09-resp/transactions.hpp"

namespace vkv::runtime {

//! [first-line]
FirstBytes first_line(std::string_view held) {
  if (held.front() == '*') return FirstBytes::kResp;
  // `PING`, in any case, then `\r\n` or `\n`: an inline PING.
  static constexpr std::string_view kPing = "PING\r\n";
  for (std::size_t i = 0; i < held.size(); ++i) {
    char c = held[i];
    if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
    if (i == 4 && c == '\n') return FirstBytes::kResp;
    if (i >= kPing.size() || c != kPing[i]) return FirstBytes::kText;
    if (i == kPing.size() - 1) return FirstBytes::kResp;
  }
  return FirstBytes::kUndecided;
}
//! [first-line]

// LEARNER: begin ProtocolSniffer::feed(): the first byte chooses the session; every byte goes to it
//! [sniffer-feed]
void ProtocolSniffer::feed(std::string_view bytes, std::string* out) {
  if (bytes.empty()) return;
  if (chosen_ == nullptr) {
    held_.append(bytes);
    switch (first_line(held_)) {
      case FirstBytes::kUndecided: return;  // wait for more
      case FirstBytes::kResp: chosen_ = resp_(); break;
      case FirstBytes::kText: chosen_ = text_(); break;
    }
    chosen_->feed(held_, out);
    held_.clear();
    return;
  }
  chosen_->feed(bytes, out);
}
//! [sniffer-feed]
// LEARNER: end

void ProtocolSniffer::finish(std::string* out) {
  if (chosen_ == nullptr && !held_.empty()) {  // ended before its protocol was known
    chosen_ = text_();
    chosen_->feed(held_, out);
  }
  if (chosen_ != nullptr) chosen_->finish(out);
}

}  // namespace vkv::runtime

namespace vkv::net {

SessionFactory resp_or_text_sessions(engine::RespCommands& commands, SessionFactory text,
                                     protocol::RespLimits limits,
                                     std::atomic<std::size_t>* open,
                                     const TransactionsFront& front) {
  auto next_id = std::make_shared<std::atomic<std::uint64_t>>(1);  // shared by every session
  // One for every session: its gate is what holds them all back during an EXEC.
  auto transactions = std::make_shared<engine::TransactionCommands>(commands);
  engine::RespCommands* served = front ? &front(*transactions) : transactions.get();
  SessionFactory resp = [transactions, served, limits,
                         next_id]() -> std::unique_ptr<runtime::Session> {
    return std::make_unique<runtime::RespSession>(
        *served, next_id->fetch_add(1, std::memory_order_relaxed), limits);
  };
  SessionFactory gated_text = [transactions,
                               text = std::move(text)]() -> std::unique_ptr<runtime::Session> {
    return std::make_unique<runtime::GatedSession>(text(), transactions->gate());
  };
  return [resp = std::move(resp), text = std::move(gated_text),
          open]() -> std::unique_ptr<runtime::Session> {
    return std::make_unique<runtime::ProtocolSniffer>(resp, text, open);
  };
}

void add_resp_limit_flags(Flags& flags, protocol::RespLimits* limits) {
  flags.add_size("max-bulk-bytes", &limits->max_bulk_bytes,
                 "longest bulk string (key or value) in a RESP request");
  flags.add_size("max-args", &limits->max_args, "most arguments in one RESP request");
  flags.add_size("max-request-bytes", &limits->max_request_bytes,
                 "most bulk bytes in one RESP request, all arguments together");
}

}  // namespace vkv::net
