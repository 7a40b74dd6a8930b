#include "11-metrics/metrics_endpoint.hpp"

#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <optional>
#include <utility>
#include <vector>

#include "11-metrics/prometheus_text.hpp"

namespace vkv::net {

namespace {

using Clock = std::chrono::steady_clock;

// How many connections may wait to be accepted while one is served: scrapers are few.
constexpr int kBacklog = 16;

// A character of an HTTP token (a method, a header's name): RFC 9110's tchar.
bool is_tchar(char c) {
  if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')) return true;
  return std::string_view("!#$%&'*+-.^_`|~").find(c) != std::string_view::npos;
}

bool is_token(std::string_view s) {
  if (s.empty()) return false;
  for (char c : s) {
    if (!is_tchar(c)) return false;
  }
  return true;
}

// A request target is printable ASCII without spaces.
bool is_target(std::string_view s) {
  if (s.empty()) return false;
  for (char c : s) {
    if (c <= ' ' || c == 0x7f) return false;
  }
  return true;
}

// Where the request's head ends (just past its blank line), or nullopt if it has not yet.
// Lines end in CRLF; a bare LF is taken too, as RFC 9112 allows.
std::optional<std::size_t> head_end(std::string_view request) {
  const std::size_t crlf = request.find("\r\n\r\n");
  const std::size_t lf = request.find("\n\n");
  if (crlf == std::string_view::npos && lf == std::string_view::npos) return std::nullopt;
  if (lf == std::string_view::npos || (crlf != std::string_view::npos && crlf < lf)) {
    return crlf + 4;
  }
  return lf + 2;
}

// The head's lines up to the blank one that ends it, each without its line ending.
std::vector<std::string_view> split_lines(std::string_view head) {
  std::vector<std::string_view> lines;
  while (!head.empty()) {
    const std::size_t nl = head.find('\n');
    std::string_view line = head.substr(0, nl);
    if (line.ends_with('\r')) line.remove_suffix(1);
    if (line.empty()) break;
    lines.push_back(line);
    if (nl == std::string_view::npos) break;
    head.remove_prefix(nl + 1);
  }
  return lines;
}

// A whole response. A HEAD request's (`head_only`) has every header a GET's would have,
// Content-Length included, and no body.
std::string http_response(std::string_view status, std::string_view content_type,
                          std::string_view extra_headers, std::string_view body,
                          bool head_only) {
  std::string out = "HTTP/1.1 ";
  out.append(status).append("\r\nContent-Type: ").append(content_type);
  out.append("\r\nContent-Length: ").append(std::to_string(body.size()));
  out.append("\r\nConnection: close\r\n").append(extra_headers).append("\r\n");
  if (!head_only) out.append(body);
  return out;
}

// An error's response: its status and a one-line reason, as plain text.
std::string error_response(std::string_view status, std::string_view reason,
                           bool head_only = false, std::string_view extra_headers = "") {
  std::string body(status);
  body.append(": ").append(reason).push_back('\n');
  return http_response(status, "text/plain; charset=utf-8", extra_headers, body, head_only);
}

int millis_until(Clock::time_point deadline) {
  const auto left = deadline - Clock::now();
  if (left <= Clock::duration::zero()) return 0;
  // Rounded up, so a wait never ends just before its deadline and spins.
  return static_cast<int>(std::chrono::ceil<std::chrono::milliseconds>(left).count());
}

}  // namespace

Result<std::unique_ptr<MetricsEndpoint>> MetricsEndpoint::start(
    const std::string& bind, std::uint16_t port, std::function<std::string()> render) {
  Result<Listener> listener = Listener::open(bind, port, kBacklog);
  if (!listener.is_ok()) return listener.status().with_context("metrics endpoint");
  int ends[2];
  if (::pipe2(ends, O_CLOEXEC | O_NONBLOCK) != 0) {
    return Status::io_error(std::string("metrics endpoint: pipe: ") + std::strerror(errno));
  }
  auto endpoint = std::make_unique<MetricsEndpoint>(Key{}, std::move(listener).value(),
                                                    UniqueFd(ends[0]), UniqueFd(ends[1]),
                                                    std::move(render));
  endpoint->thread_ = std::thread([e = endpoint.get()] { e->serve(); });
  return endpoint;
}

MetricsEndpoint::MetricsEndpoint(Key, Listener listener, UniqueFd wake_read,
                                 UniqueFd wake_write, std::function<std::string()> render)
    : listener_(std::move(listener)),
      wake_read_(std::move(wake_read)),
      wake_write_(std::move(wake_write)),
      render_(std::move(render)) {}

MetricsEndpoint::~MetricsEndpoint() { stop(); }

void MetricsEndpoint::stop() {
  std::lock_guard lock(stop_mu_);
  if (thread_.joinable()) {
    // The byte is never read: the pipe stays readable, so every wait the thread is in, or
    // comes to, returns at once.
    const char byte = 1;
    while (::write(wake_write_.get(), &byte, 1) < 0 && errno == EINTR) {
    }
    thread_.join();
  }
  listener_.close();
}

void MetricsEndpoint::serve() {
  pthread_setname_np(pthread_self(), "vkv-metrics");
  for (;;) {
    pollfd fds[2] = {{listener_.fd(), POLLIN, 0}, {wake_read_.get(), POLLIN, 0}};
    if (::poll(fds, 2, -1) < 0 && errno != EINTR) {
      // Out of memory for the poll, say: try again shortly, not in a spin.
      if (wait(-1, 0, Clock::now() + kAcceptRetryDelay) == Wait::kStopped) return;
      continue;
    }
    if (fds[1].revents != 0) return;
    if (fds[0].revents == 0) continue;
    Result<UniqueFd> conn = listener_.accept();
    if (conn.is_ok()) {
      accepted_.fetch_add(1);
      serve_connection(conn->get());
    } else if (!conn.status().is_not_found()) {
      // Out of descriptors, say: the listener stays readable, so pause rather than spin.
      if (wait(-1, 0, Clock::now() + kAcceptRetryDelay) == Wait::kStopped) return;
    }
  }  // the connection closes as its UniqueFd goes
}

//! [endpoint-read-request]
void MetricsEndpoint::serve_connection(int fd) {
  // Read until the blank line that ends the head: never more than kMaxRequestBytes, never
  // after kReadTimeout.
  const auto read_deadline = Clock::now() + kReadTimeout;
  std::string request;
  std::string response;
  while (response.empty()) {
    const Wait ready = wait(fd, POLLIN, read_deadline);
    if (ready == Wait::kStopped) return;
    if (ready == Wait::kTimedOut) {
      response = error_response("408 Request Timeout", "no whole request in time");
      break;
    }
    char buf[4096];
    const std::size_t room = std::min(sizeof buf, kMaxRequestBytes - request.size());
    const ssize_t n = ::recv(fd, buf, room, 0);
    if (n < 0 && (errno == EINTR || errno == EAGAIN || errno == EWOULDBLOCK)) continue;
    if (n <= 0) return;  // the client left (or broke) before a whole request: no one to answer
    request.append(buf, static_cast<std::size_t>(n));
    if (const auto end = head_end(request)) {
      response = respond(std::string_view(request).substr(0, *end));
    } else if (request.size() == kMaxRequestBytes) {
      response = error_response(
          "400 Bad Request", "request head over " + std::to_string(kMaxRequestBytes) + " bytes");
    }
  }
  const auto write_deadline = Clock::now() + kWriteTimeout;
  if (!write_response(fd, response, write_deadline)) return;
  // Our end is done; wait for the client to close its own, so that our close cannot reset
  // the connection before the client has read the response.
  ::shutdown(fd, SHUT_WR);
  drain(fd, write_deadline);
}
//! [endpoint-read-request]

//! [endpoint-respond]
std::string MetricsEndpoint::respond(std::string_view head) {
  const std::vector<std::string_view> lines = split_lines(head);
  // The request line: METHOD SP TARGET SP HTTP-VERSION, single spaces.
  const std::string_view line = lines.empty() ? std::string_view() : lines[0];
  const std::size_t sp1 = line.find(' ');
  const std::size_t sp2 = sp1 == std::string_view::npos ? sp1 : line.find(' ', sp1 + 1);
  if (sp2 == std::string_view::npos) {
    return error_response("400 Bad Request", "expected METHOD /path HTTP/1.1");
  }
  const std::string_view method = line.substr(0, sp1);
  std::string_view target = line.substr(sp1 + 1, sp2 - sp1 - 1);
  const std::string_view version = line.substr(sp2 + 1);
  if (!is_token(method) || !is_target(target) ||
      (version != "HTTP/1.1" && version != "HTTP/1.0")) {
    return error_response("400 Bad Request", "expected METHOD /path HTTP/1.1");
  }
  // Each header `Name: value`. None is needed, but a malformed one means the client is not
  // speaking HTTP, and guessing what it meant is how request smuggling starts.
  for (std::size_t i = 1; i < lines.size(); ++i) {
    const std::size_t colon = lines[i].find(':');
    if (colon == std::string_view::npos || !is_token(lines[i].substr(0, colon))) {
      return error_response("400 Bad Request", "malformed header line");
    }
  }
  const bool head_only = method == "HEAD";
  // The path is the target up to its query; a proxy's absolute form names it after the host.
  for (std::string_view scheme : {"http://", "https://"}) {
    if (target.starts_with(scheme)) {
      target.remove_prefix(scheme.size());
      target.remove_prefix(std::min(target.find('/'), target.size()));
    }
  }
  const std::string_view path = target.substr(0, target.find('?'));
  if (path != "/metrics") {
    return error_response("404 Not Found", "only /metrics is served here", head_only);
  }
  if (method != "GET" && method != "HEAD") {
    return error_response("405 Method Not Allowed", "only GET and HEAD", head_only,
                          "Allow: GET, HEAD\r\n");
  }
  std::string body;
  try {
    body = render_();
  } catch (const std::exception& e) {  // a bug in rendering costs a scrape, not the server
    return error_response("500 Internal Server Error", e.what(), head_only);
  }
  return http_response("200 OK", engine::PrometheusText::kContentType, "", body, head_only);
}
//! [endpoint-respond]

bool MetricsEndpoint::write_response(int fd, std::string_view bytes, Clock::time_point deadline) {
  while (!bytes.empty()) {
    if (wait(fd, POLLOUT, deadline) != Wait::kReady) return false;
    // MSG_NOSIGNAL: a client that has gone gets EPIPE here, not a SIGPIPE that ends the server.
    const ssize_t n = ::send(fd, bytes.data(), bytes.size(), MSG_NOSIGNAL);
    if (n < 0 && (errno == EINTR || errno == EAGAIN || errno == EWOULDBLOCK)) continue;
    if (n <= 0) return false;
    bytes.remove_prefix(static_cast<std::size_t>(n));
  }
  return true;
}

void MetricsEndpoint::drain(int fd, Clock::time_point deadline) {
  std::size_t drained = 0;
  while (drained < kMaxDrainBytes) {
    if (wait(fd, POLLIN, deadline) != Wait::kReady) return;
    char buf[4096];
    const ssize_t n = ::recv(fd, buf, sizeof buf, 0);
    if (n < 0 && (errno == EINTR || errno == EAGAIN || errno == EWOULDBLOCK)) continue;
    if (n <= 0) return;  // the client closed: done
    drained += static_cast<std::size_t>(n);
  }
}

MetricsEndpoint::Wait MetricsEndpoint::wait(int fd, short events, Clock::time_point deadline) {
  for (;;) {
    // A negative fd is ignored by poll(): then this waits only for stop() or the deadline.
    pollfd fds[2] = {{fd, events, 0}, {wake_read_.get(), POLLIN, 0}};
    const int timeout = millis_until(deadline);
    const int n = ::poll(fds, 2, timeout);
    if (n < 0 && errno == EINTR) continue;
    if (fds[1].revents != 0) return Wait::kStopped;
    // An error or hang-up counts as ready too: the read or write that follows reports it.
    if (n > 0 && fds[0].revents != 0) return Wait::kReady;
    if (timeout == 0 || n < 0) return Wait::kTimedOut;
  }
}

}  // namespace vkv::net
