#include "11-metrics/traffic.hpp"

namespace vkv::runtime {

CountingSession::CountingSession(std::unique_ptr<Session> inner, Traffic& traffic,
                                 std::function<void(std::string_view error)> on_protocol_error)
    : inner_(std::move(inner)), traffic_(traffic), on_protocol_error_(std::move(on_protocol_error)) {}

void CountingSession::feed(std::string_view bytes, std::string* out) {
  traffic_.add_in(bytes.size());
  const std::size_t from = out->size();
  inner_->feed(bytes, out);
  count_out(*out, from, /*was_closing=*/false);  // a closing session is fed no more
}

void CountingSession::finish(std::string* out) {
  const std::size_t from = out->size();
  const bool was_closing = inner_->wants_close();
  inner_->finish(out);
  count_out(*out, from, was_closing);
}

void CountingSession::count_out(const std::string& out, std::size_t from, bool was_closing) {
  traffic_.add_out(out.size() - from);
  if (was_closing || !inner_->wants_close()) return;
  // The session has just asked to close: after QUIT, or after a protocol error, which is
  // then the last reply it wrote.
  constexpr std::string_view kProtocolError = "-ERR Protocol error";
  const std::string_view written = std::string_view(out).substr(from);
  const auto at = written.rfind(kProtocolError);
  if (at == std::string_view::npos) return;
  traffic_.add_protocol_error();
  if (!on_protocol_error_) return;
  std::string_view error = written.substr(at + 1);
  on_protocol_error_(error.substr(0, error.find('\r')));
}

}  // namespace vkv::runtime

namespace vkv::net {

SessionFactory counting_sessions(SessionFactory inner, runtime::Traffic& traffic,
                                 std::function<void(std::string_view error)> on_protocol_error) {
  return [inner = std::move(inner), &traffic, on_protocol_error = std::move(on_protocol_error)] {
    return std::make_unique<runtime::CountingSession>(inner(), traffic, on_protocol_error);
  };
}

}  // namespace vkv::net
