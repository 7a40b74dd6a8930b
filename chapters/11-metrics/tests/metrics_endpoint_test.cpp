// MetricsEndpoint over a real socket, with a small HTTP client written here: what a scraper
// gets, what a bad or slow client gets, and that stop() is prompt whatever a client does.
#include <catch2/catch.hpp>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>

#include <atomic>
#include <cctype>
#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "11-metrics/metrics_endpoint.hpp"
#include "11-metrics/prometheus_text.hpp"
#include "11-metrics/tests/promtool.hpp"
#include "common/testing/test_util.hpp"
#include "common/unique_fd.hpp"

using vkv::UniqueFd;
using vkv::engine::PrometheusText;
using vkv::net::MetricsEndpoint;
using Clock = std::chrono::steady_clock;
using namespace std::chrono_literals;

namespace {

// Long enough for any answer on a loaded machine, short of hanging the suite.
constexpr auto kReplyTimeout = 20s;

// A blocking TCP connection to 127.0.0.1:port, or nothing if it was refused. Safe on any
// thread (no Catch2 assertion inside).
UniqueFd try_connect(std::uint16_t port) {
  UniqueFd fd(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(port);
  ::inet_pton(AF_INET, "127.0.0.1", &addr.sin_addr);
  if (!fd || ::connect(fd.get(), reinterpret_cast<const sockaddr*>(&addr), sizeof addr) != 0) {
    return UniqueFd();
  }
  return fd;
}

// As try_connect(), on the test's thread, which fails if the connection was refused.
UniqueFd connect_to(std::uint16_t port) {
  UniqueFd fd = try_connect(port);
  REQUIRE(fd.valid());
  return fd;
}

// Sends all of `bytes`; false once the server has closed or reset the connection.
bool send_all(int fd, std::string_view bytes) {
  while (!bytes.empty()) {
    const ssize_t n = ::send(fd, bytes.data(), bytes.size(), MSG_NOSIGNAL);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    bytes.remove_prefix(static_cast<std::size_t>(n));
  }
  return true;
}

// Everything the server sends until it closes the connection; nullopt if it has not closed
// it within `timeout`. A reset ends it too (what arrived before it is returned).
std::optional<std::string> read_until_closed(int fd, Clock::duration timeout) {
  const auto deadline = Clock::now() + timeout;
  std::string got;
  for (;;) {
    const auto left =
        std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
    if (left.count() <= 0) return std::nullopt;
    pollfd p{fd, POLLIN, 0};
    if (::poll(&p, 1, static_cast<int>(left.count())) <= 0) continue;
    char buf[65536];
    const ssize_t n = ::recv(fd, buf, sizeof buf, 0);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return got;
    got.append(buf, static_cast<std::size_t>(n));
  }
}

// One HTTP response, taken apart.
struct Reply {
  std::string status_line;                     // "HTTP/1.1 200 OK"
  int status = 0;                              // 200
  std::map<std::string, std::string> headers;  // by lower-case name
  std::string body;
};

Reply parse_reply(const std::string& raw) {
  Reply reply;
  const std::size_t end = raw.find("\r\n\r\n");
  INFO("the response: " << raw);
  REQUIRE(end != std::string::npos);
  std::string_view head = std::string_view(raw).substr(0, end + 2);
  reply.body = raw.substr(end + 4);
  const std::size_t first = head.find("\r\n");
  reply.status_line = std::string(head.substr(0, first));
  REQUIRE(reply.status_line.starts_with("HTTP/1.1 "));
  reply.status = std::stoi(reply.status_line.substr(9, 3));
  head.remove_prefix(first + 2);
  while (!head.empty()) {
    const std::size_t eol = head.find("\r\n");
    const std::string_view line = head.substr(0, eol);
    const std::size_t colon = line.find(": ");
    REQUIRE(colon != std::string_view::npos);
    std::string name(line.substr(0, colon));
    for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    reply.headers[name] = std::string(line.substr(colon + 2));
    head.remove_prefix(eol + 2);
  }
  return reply;
}

// Sends `request` on a new connection and returns the whole response.
Reply exchange(std::uint16_t port, std::string_view request) {
  UniqueFd fd = connect_to(port);
  REQUIRE(send_all(fd.get(), request));
  const std::optional<std::string> raw = read_until_closed(fd.get(), kReplyTimeout);
  REQUIRE(raw.has_value());
  return parse_reply(*raw);
}

std::string get_request(std::string_view target) {
  return "GET " + std::string(target) + " HTTP/1.1\r\nHost: 127.0.0.1\r\n"
         "User-Agent: vkv-test\r\nAccept: text/plain\r\n\r\n";
}

// A started endpoint whose text counts the scrapes.
struct Served {
  std::atomic<int> renders{0};
  std::unique_ptr<MetricsEndpoint> endpoint;

  Served() {
    auto started = MetricsEndpoint::start("127.0.0.1", 0, [this] {
      const int n = ++renders;
      PrometheusText text;
      text.counter("vkv_scrapes_total", "Scrapes served.");
      text.sample(n);
      return text.take();
    });
    INFO(started.status().to_string());
    REQUIRE(started.is_ok());
    endpoint = std::move(started).value();
  }
  std::uint16_t port() const { return endpoint->port(); }
};

std::string scrape_text(int n) {
  return "# HELP vkv_scrapes_total Scrapes served.\n# TYPE vkv_scrapes_total counter\n"
         "vkv_scrapes_total " + std::to_string(n) + "\n";
}

}  // namespace

TEST_CASE("metrics endpoint: GET /metrics is render's text, with what a scraper needs",
          "[ch11]") {
  Served served;
  CHECK(served.endpoint->address() == "127.0.0.1:" + std::to_string(served.port()));
  const Reply reply = exchange(served.port(), get_request("/metrics"));
  CHECK(reply.status_line == "HTTP/1.1 200 OK");
  CHECK(reply.headers.at("content-type") == "text/plain; version=0.0.4; charset=utf-8");
  CHECK(reply.headers.at("content-length") == std::to_string(reply.body.size()));
  CHECK(reply.headers.at("connection") == "close");
  CHECK(reply.body == scrape_text(1));
  // render runs per request: the next scrape sees the next count.
  CHECK(exchange(served.port(), get_request("/metrics")).body == scrape_text(2));
  CHECK(served.endpoint->accepted() == 2);
}

TEST_CASE("metrics endpoint: the forms of a GET that a client may send", "[ch11]") {
  Served served;
  const std::string forms[] = {
      get_request("/metrics?name[]=vkv_scrapes_total"),
      get_request("http://127.0.0.1:9100/metrics"),
      "GET /metrics HTTP/1.0\r\n\r\n",
      "GET /metrics HTTP/1.1\nHost: x\n\n",  // bare LFs
  };
  for (const std::string& request : forms) {
    INFO(request);
    const Reply reply = exchange(served.port(), request);
    CHECK(reply.status == 200);
    CHECK(reply.body.starts_with("# HELP vkv_scrapes_total"));
  }
}

TEST_CASE("metrics endpoint: HEAD has GET's headers and no body", "[ch11]") {
  Served served;
  const Reply head = exchange(served.port(), "HEAD /metrics HTTP/1.1\r\nHost: x\r\n\r\n");
  CHECK(head.status_line == "HTTP/1.1 200 OK");
  CHECK(head.body.empty());
  CHECK(head.headers.at("content-length") == std::to_string(scrape_text(1).size()));
  CHECK(head.headers.at("content-type") == std::string(PrometheusText::kContentType));
}

TEST_CASE("metrics endpoint: another path is 404, another method 405", "[ch11]") {
  Served served;
  for (const char* target : {"/", "/metric", "/metrics/", "/metricsx", "/favicon.ico", "*"}) {
    INFO(target);
    const Reply reply = exchange(served.port(), get_request(target));
    CHECK(reply.status_line == "HTTP/1.1 404 Not Found");
    CHECK(reply.body == "404 Not Found: only /metrics is served here\n");
    CHECK(reply.headers.at("connection") == "close");
  }
  CHECK(exchange(served.port(), "HEAD /nope HTTP/1.1\r\n\r\n").body.empty());
  for (const char* method : {"POST", "PUT", "DELETE", "OPTIONS", "BREW"}) {
    INFO(method);
    const Reply reply = exchange(
        served.port(), std::string(method) + " /metrics HTTP/1.1\r\nContent-Length: 0\r\n\r\n");
    CHECK(reply.status_line == "HTTP/1.1 405 Method Not Allowed");
    CHECK(reply.headers.at("allow") == "GET, HEAD");
  }
  CHECK(served.renders == 0);  // none of them rendered
}

TEST_CASE("metrics endpoint: a request that is not HTTP is 400", "[ch11]") {
  Served served;
  const char binary[] = "GET /metrics HTTP/1.1\r\nX: \0\xff\r\nBad\xff: x\r\n\r\n";
  const std::string bad[] = {
      "garbage\r\n\r\n",
      "\r\n\r\n",
      "GET /metrics\r\n\r\n",                       // no version
      "GET /metrics HTTP/2.0\r\n\r\n",              // not ours
      "GET  /metrics HTTP/1.1\r\n\r\n",             // two spaces
      "G(T /metrics HTTP/1.1\r\n\r\n",              // not a token
      "GET /metrics HTTP/1.1\r\nNo colon here\r\n\r\n",
      "GET /metrics HTTP/1.1\r\nHost: x\r\n folded: header\r\n\r\n",
      "GET /met\x01rics HTTP/1.1\r\n\r\n",
      std::string(binary, sizeof binary - 1),  // a NUL in a value, a name not a token
  };
  for (const std::string& request : bad) {
    INFO(request);
    const Reply reply = exchange(served.port(), request);
    CHECK(reply.status_line == "HTTP/1.1 400 Bad Request");
    CHECK(reply.headers.at("connection") == "close");
  }
  CHECK(served.renders == 0);
}

TEST_CASE("metrics endpoint: a head over kMaxRequestBytes is 400, one just within it is served",
          "[ch11]") {
  Served served;
  const std::string start = "GET /metrics HTTP/1.1\r\nX-Pad: ";
  const std::string end = "\r\n\r\n";
  const std::size_t pad = MetricsEndpoint::kMaxRequestBytes - start.size() - end.size();
  const std::string fits = start + std::string(pad, 'a') + end;
  REQUIRE(fits.size() == MetricsEndpoint::kMaxRequestBytes);
  CHECK(exchange(served.port(), fits).status == 200);
  const std::string over = start + std::string(pad + 1, 'a') + end;
  CHECK(exchange(served.port(), over).status_line == "HTTP/1.1 400 Bad Request");
  // Far over: the endpoint stops reading at the limit, answers, and drains the rest, so the
  // client still reads its 400 (no reset) and the endpoint's memory did not grow with it.
  const std::string huge = start + std::string(1 << 20, 'a') + end;
  UniqueFd fd = connect_to(served.port());
  std::jthread sender([&] { send_all(fd.get(), huge); });  // may stop early: the server closed
  const std::optional<std::string> raw = read_until_closed(fd.get(), kReplyTimeout);
  sender.join();
  REQUIRE(raw.has_value());
  CHECK(raw->starts_with("HTTP/1.1 400 Bad Request\r\n"));
  CHECK(exchange(served.port(), get_request("/metrics")).status == 200);
}

TEST_CASE("metrics endpoint: half a request and then silence gets 408 after kReadTimeout",
          "[ch11]") {
  Served served;
  UniqueFd fd = connect_to(served.port());
  const auto sent = Clock::now();
  REQUIRE(send_all(fd.get(), "GET /metr"));
  const std::optional<std::string> raw =
      read_until_closed(fd.get(), MetricsEndpoint::kReadTimeout + kReplyTimeout);
  const auto waited = Clock::now() - sent;
  REQUIRE(raw.has_value());
  CHECK(parse_reply(*raw).status_line == "HTTP/1.1 408 Request Timeout");
  CHECK(waited >= MetricsEndpoint::kReadTimeout - 100ms);  // the timeout ended it, not more
  fd.reset();  // else the endpoint waits (kWriteTimeout at most) for this client to close
  CHECK(exchange(served.port(), get_request("/metrics")).status == 200);
}

TEST_CASE("metrics endpoint: clients that leave early, or send garbage, do not hurt it",
          "[ch11]") {
  Served served;
  {  // connects and leaves at once
    UniqueFd fd = connect_to(served.port());
  }
  {  // leaves halfway through its request
    UniqueFd fd = connect_to(served.port());
    send_all(fd.get(), "GET /metrics HTT");
  }
  {  // sends a whole request and leaves without reading the answer
    UniqueFd fd = connect_to(served.port());
    send_all(fd.get(), get_request("/metrics"));
  }
  {  // leaves with a reset (SO_LINGER 0) in the middle of its request
    UniqueFd fd = connect_to(served.port());
    const linger reset{1, 0};
    ::setsockopt(fd.get(), SOL_SOCKET, SO_LINGER, &reset, sizeof reset);
    send_all(fd.get(), "GET /metrics HTTP/1.1\r\nHo");
  }
  {  // binary garbage with every byte value, no blank line: fills the head limit, gets 400
    std::string garbage;
    for (int i = 0; garbage.size() < 3 * MetricsEndpoint::kMaxRequestBytes; ++i) {
      garbage.push_back(static_cast<char>((i * 7919) & 0xff));
    }
    UniqueFd fd = connect_to(served.port());
    std::jthread sender([&] { send_all(fd.get(), garbage); });
    const std::optional<std::string> raw = read_until_closed(fd.get(), kReplyTimeout);
    sender.join();
    REQUIRE(raw.has_value());
    CHECK(raw->starts_with("HTTP/1.1 400 Bad Request\r\n"));
  }
  // Still serving, and it saw every one of them.
  CHECK(exchange(served.port(), get_request("/metrics")).status == 200);
  CHECK(served.endpoint->accepted() == 6);
}

TEST_CASE("metrics endpoint: a client that will not read its response is dropped after "
          "kWriteTimeout", "[ch11]") {
  // The first text is far bigger than the sockets' buffers, so its write must wait for the
  // client; the next ones are small, so what the second client waits for is the first.
  const std::string big(32 << 20, '#');
  std::atomic<int> renders{0};
  auto started = MetricsEndpoint::start("127.0.0.1", 0, [&] {
    return ++renders == 1 ? big : std::string("small\n");
  });
  REQUIRE(started.is_ok());
  MetricsEndpoint& endpoint = *started.value();
  UniqueFd stuck = connect_to(endpoint.port());
  REQUIRE(send_all(stuck.get(), get_request("/metrics")));
  REQUIRE(vkv::testing::wait_for([&] { return renders == 1; }));
  // The next client waits its turn, then is served: the stuck one held the endpoint for
  // about kWriteTimeout, not for ever.
  const auto asked = Clock::now();
  const Reply reply = exchange(endpoint.port(), get_request("/metrics"));
  CHECK(reply.body == "small\n");
  CHECK(Clock::now() - asked >= MetricsEndpoint::kWriteTimeout - 500ms);
  // The stuck client got the start of the text and then the end of the connection.
  const std::optional<std::string> got = read_until_closed(stuck.get(), kReplyTimeout);
  REQUIRE(got.has_value());
  CHECK(got->starts_with("HTTP/1.1 200 OK\r\n"));
  CHECK(got->size() < big.size());
}

TEST_CASE("metrics endpoint: stop() is prompt while a client is connected and silent",
          "[ch11]") {
  Served served;
  const std::uint16_t port = served.port();
  UniqueFd idle = connect_to(port);
  REQUIRE(vkv::testing::wait_for([&] { return served.endpoint->accepted() == 1; }));
  const auto asked = Clock::now();
  served.endpoint->stop();
  CHECK(Clock::now() - asked < MetricsEndpoint::kReadTimeout);
  // The idle client's connection was closed without an answer...
  const std::optional<std::string> raw = read_until_closed(idle.get(), kReplyTimeout);
  REQUIRE(raw.has_value());
  CHECK(raw->empty());
  // ...no new one is accepted, and stop() again (and the destructor) are harmless.
  CHECK_FALSE(try_connect(port).valid());
  served.endpoint->stop();
  served.endpoint.reset();
}

TEST_CASE("metrics endpoint: stop() from another thread while clients come and go", "[ch11]") {
  Served served;
  std::jthread client([&](std::stop_token done) {
    while (!done.stop_requested()) {
      UniqueFd fd = try_connect(served.port());
      if (!fd) break;  // stopped
      send_all(fd.get(), get_request("/metrics"));
      read_until_closed(fd.get(), kReplyTimeout);
    }
  });
  REQUIRE(vkv::testing::wait_for([&] { return served.renders >= 5; }));
  served.endpoint->stop();
}

TEST_CASE("metrics endpoint: clients at once are all served, one after another", "[ch11]") {
  Served served;
  constexpr int kClients = 4;
  constexpr int kEach = 10;
  std::atomic<int> ok{0};
  std::vector<std::thread> clients;
  for (int c = 0; c < kClients; ++c) {
    clients.emplace_back([&] {
      for (int i = 0; i < kEach; ++i) {
        UniqueFd fd = try_connect(served.port());
        send_all(fd.get(), get_request("/metrics"));
        const auto raw = read_until_closed(fd.get(), kReplyTimeout);
        if (raw && raw->starts_with("HTTP/1.1 200 OK\r\n")) ++ok;
      }
    });
  }
  for (auto& t : clients) t.join();
  CHECK(ok == kClients * kEach);
  CHECK(served.renders == kClients * kEach);
}

TEST_CASE("metrics endpoint: start() refuses an address it cannot bind", "[ch11]") {
  const auto render = [] { return std::string(); };
  const auto bad = MetricsEndpoint::start("not-an-address", 0, render);
  REQUIRE_FALSE(bad.is_ok());
  CHECK(bad.status().code() == vkv::StatusCode::kInvalidArgument);
  CHECK(bad.status().message().starts_with("metrics endpoint: "));
  CHECK(bad.status().message().find("not-an-address") != std::string::npos);

  Served served;
  const auto taken = MetricsEndpoint::start("127.0.0.1", served.port(), render);
  REQUIRE_FALSE(taken.is_ok());
  CHECK(taken.status().code() == vkv::StatusCode::kIoError);
  CHECK(taken.status().message().find("bind 127.0.0.1:" + std::to_string(served.port())) !=
        std::string::npos);
}

TEST_CASE("metrics endpoint: what it serves, promtool parses", "[ch11]") {
  auto started = MetricsEndpoint::start("127.0.0.1", 0, [] {
    PrometheusText text;
    text.counter("vkv_commands_total", "Commands run, by command.");
    text.sample(5, {{"cmd", "get"}});
    text.gauge("vkv_connected_clients", "Clients connected now.");
    text.sample(1);
    text.histogram("vkv_command_duration_seconds", "Time to run a command.");
    const double bounds[] = {0.001, 0.01};
    const std::uint64_t counts[] = {3, 5};
    text.histogram_sample({{"cmd", "get"}}, bounds, counts, 0.012, 5);
    return text.take();
  });
  REQUIRE(started.is_ok());
  const Reply reply = exchange(started.value()->port(), get_request("/metrics"));
  REQUIRE(reply.status == 200);
  const auto checked = vkv::testing::promtool_check_metrics(reply.body);
  INFO("promtool said:\n" << checked.out << checked.err);
  CHECK(checked.exit_code == 0);
}
