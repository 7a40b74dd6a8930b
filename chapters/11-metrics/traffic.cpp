#include "11-metrics/traffic.hpp"

namespace vkv::runtime {

CountingSession::CountingSession(std::unique_ptr<Session> inner, Traffic& traffic,
                                 std::function<void(std::string_view error)> on_protocol_error)
    : inner_(std::move(inner)), traffic_(traffic), on_protocol_error_(std::move(on_protocol_error)) {}

CountingSession::~CountingSession() {
  if (unreported_in_ > 0) traffic_.add(unreported_in_, 0);
}

//! [counting-feed]
void CountingSession::feed(std::string_view bytes, std::string* out) {
  unreported_in_ += bytes.size();
  const std::size_t from = out->size();
  inner_->feed(bytes, out);
  if (out->size() != from) replied(*out, from);
}
//! [counting-feed]

void CountingSession::finish(std::string* out) {
  const std::size_t from = out->size();
  inner_->finish(out);
  replied(*out, from);
}

// LEARNER: begin CountingSession::replied(): count the input and the reply; a protocol error as the session closes
//! [replied]
void CountingSession::replied(const std::string& out, std::size_t from) {
  traffic_.add(unreported_in_, out.size() - from);
  unreported_in_ = 0;
  // A session asks to close only with its last reply: after QUIT's, or a protocol error's.
  closing_ = inner_->wants_close();
  if (!closing_) return;
  constexpr std::string_view kProtocolError = "-ERR Protocol error";
  const std::string_view written = std::string_view(out).substr(from);
  const auto at = written.rfind(kProtocolError);
  if (at == std::string_view::npos) return;
  traffic_.add_protocol_error();
  if (!on_protocol_error_) return;
  std::string_view error = written.substr(at + 1);
  on_protocol_error_(error.substr(0, error.find('\r')));
}
//! [replied]
// LEARNER: end

}  // namespace vkv::runtime

namespace vkv::net {

SessionFactory counting_sessions(SessionFactory inner, runtime::Traffic& traffic,
                                 std::function<void(std::string_view error)> on_protocol_error) {
  return [inner = std::move(inner), &traffic, on_protocol_error = std::move(on_protocol_error)] {
    return std::make_unique<runtime::CountingSession>(inner(), traffic, on_protocol_error);
  };
}

}  // namespace vkv::net
