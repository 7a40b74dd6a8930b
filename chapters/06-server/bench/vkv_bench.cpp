/// \file
/// vkv-bench: a load generator for vkv, and for Redis, so both can be measured alike.
///
/// N connections, each keeping P requests in flight (pipelining), over a key space of K keys
/// with values of V bytes. It runs a SET phase and then a GET phase (or a mix) and prints
/// throughput and p50/p99 latency for each. `--protocol vkv` speaks vkv's text protocol;
/// `--protocol resp` speaks Redis's (arrays of bulk strings, as redis-benchmark sends them).

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <iostream>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "common/flags.hpp"
#include "common/unique_fd.hpp"

namespace {

using Clock = std::chrono::steady_clock;

struct Options {
  std::string host = "127.0.0.1";
  std::size_t port = 9999;
  std::size_t connections = 50;
  std::size_t pipeline = 1;
  std::size_t requests = 200000;  // per phase
  std::size_t keys = 100000;
  std::size_t key_offset = 0;  // keys are key_offset .. key_offset + keys - 1
  std::size_t value_size = 100;
  std::size_t threads = 1;
  std::string protocol = "vkv";
  std::string phases = "set,get";
  std::size_t idle_connections = 0;  // idle mode: open this many, send nothing, hold them
  std::size_t hold_seconds = 5;
};

// Appends one request in the chosen protocol.
void append_request(std::string* out, const Options& o, bool is_set, std::size_t key_index,
                    const std::string& value) {
  char key[32];
  const int klen = std::snprintf(key, sizeof key, "key:%012zu", key_index);
  if (o.protocol == "resp") {
    char head[64];
    if (is_set) {
      std::snprintf(head, sizeof head, "*3\r\n$3\r\nSET\r\n$%d\r\n", klen);
      out->append(head).append(key, klen).append("\r\n");
      std::snprintf(head, sizeof head, "$%zu\r\n", value.size());
      out->append(head).append(value).append("\r\n");
    } else {
      std::snprintf(head, sizeof head, "*2\r\n$3\r\nGET\r\n$%d\r\n", klen);
      out->append(head).append(key, klen).append("\r\n");
    }
  } else {
    out->append(is_set ? "SET " : "GET ").append(key, klen);
    if (is_set) out->append(" ").append(value);
    out->append("\n");
  }
}

// Counts the complete replies at the front of `in` and removes them. Sets *error on an
// error reply. vkv: a reply is a line. RESP: +, -, : lines, and $len bulk strings.
std::size_t take_replies(std::string* in, const Options& o, bool* error) {
  std::size_t count = 0;
  std::size_t pos = 0;
  while (pos < in->size()) {
    const std::size_t nl = in->find('\n', pos);
    if (nl == std::string::npos) break;
    const char kind = (*in)[pos];
    if (o.protocol == "resp" && kind == '$') {
      const long len = std::strtol(in->c_str() + pos + 1, nullptr, 10);
      if (len >= 0) {
        const std::size_t end = nl + 1 + static_cast<std::size_t>(len) + 2;
        if (end > in->size()) break;
        pos = end;
        ++count;
        continue;
      }
    }
    if (kind == '-' || (o.protocol == "vkv" && kind == 'E')) *error = true;
    pos = nl + 1;
    ++count;
  }
  in->erase(0, pos);
  return count;
}

vkv::UniqueFd connect_to(const Options& o) {
  vkv::UniqueFd fd(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<std::uint16_t>(o.port));
  inet_pton(AF_INET, o.host.c_str(), &addr.sin_addr);
  if (!fd || ::connect(fd.get(), reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    std::fprintf(stderr, "vkv-bench: connect %s:%zu: %s\n", o.host.c_str(), o.port,
                 std::strerror(errno));
    std::exit(1);
  }
  const int one = 1;
  ::setsockopt(fd.get(), IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  return fd;
}

// One connection's state: the batch in flight and when it was sent.
struct Client {
  vkv::UniqueFd fd;
  std::string in;
  std::size_t awaiting = 0;
  Clock::time_point sent_at;
};

struct PhaseResult {
  std::size_t done = 0;
  bool error = false;
  std::vector<double> latencies_us;  // one per request
};

// Runs `quota` requests over `clients`, keeping `pipeline` in flight on each.
void run_clients(const Options& o, bool is_set, std::size_t quota, std::vector<Client>& clients,
                 std::uint64_t seed, PhaseResult* result) {
  std::mt19937_64 rng(seed);
  const std::string value(o.value_size, 'v');
  vkv::UniqueFd ep(::epoll_create1(EPOLL_CLOEXEC));
  std::size_t issued = 0;
  auto send_batch = [&](Client& c) {
    const std::size_t n = std::min(o.pipeline, quota - issued);
    if (n == 0) return;
    std::string out;
    for (std::size_t i = 0; i < n; ++i) append_request(&out, o, is_set, o.key_offset + rng() % o.keys, value);
    issued += n;
    c.awaiting = n;
    c.sent_at = Clock::now();
    for (std::size_t off = 0; off < out.size();) {
      const ssize_t w = ::send(c.fd.get(), out.data() + off, out.size() - off, MSG_NOSIGNAL);
      if (w <= 0) {
        std::fprintf(stderr, "vkv-bench: send: %s\n", std::strerror(errno));
        std::exit(1);
      }
      off += static_cast<std::size_t>(w);
    }
  };
  for (std::size_t i = 0; i < clients.size(); ++i) {
    epoll_event ev{};
    ev.events = EPOLLIN;
    ev.data.u64 = i;
    ::epoll_ctl(ep.get(), EPOLL_CTL_ADD, clients[i].fd.get(), &ev);
    send_batch(clients[i]);
  }
  std::vector<epoll_event> events(clients.size());
  char buf[64 * 1024];
  while (result->done < quota) {
    const int n = ::epoll_wait(ep.get(), events.data(), static_cast<int>(events.size()), 10000);
    if (n <= 0) {
      std::fprintf(stderr, "vkv-bench: no reply for 10 s\n");
      std::exit(1);
    }
    for (int e = 0; e < n; ++e) {
      Client& c = clients[events[e].data.u64];
      const ssize_t r = ::read(c.fd.get(), buf, sizeof buf);
      if (r <= 0) {
        std::fprintf(stderr, "vkv-bench: the server closed the connection\n");
        std::exit(1);
      }
      c.in.append(buf, static_cast<std::size_t>(r));
      const std::size_t got = take_replies(&c.in, o, &result->error);
      if (got == 0) continue;
      c.awaiting -= std::min(got, c.awaiting);
      result->done += got;
      if (c.awaiting == 0) {
        const double us = std::chrono::duration<double, std::micro>(Clock::now() - c.sent_at).count();
        for (std::size_t i = 0; i < o.pipeline; ++i) result->latencies_us.push_back(us);
        send_batch(c);
      }
    }
  }
  for (auto& c : clients) ::epoll_ctl(ep.get(), EPOLL_CTL_DEL, c.fd.get(), nullptr);
}

// Opens o.idle_connections connections, checks the last one is served, says so on standard
// output and holds them all for o.hold_seconds (to measure a server's memory per connection).
int hold_idle_connections(const Options& o) {
  rlimit lim{};
  if (getrlimit(RLIMIT_NOFILE, &lim) == 0) {
    lim.rlim_cur = lim.rlim_max;
    setrlimit(RLIMIT_NOFILE, &lim);
  }
  std::vector<vkv::UniqueFd> held;
  held.reserve(o.idle_connections);
  for (std::size_t i = 0; i < o.idle_connections; ++i) held.push_back(connect_to(o));
  const std::string ping = o.protocol == "resp" ? "*2\r\n$3\r\nGET\r\n$1\r\nx\r\n" : "GET x\n";
  char buf[256];
  if (::send(held.back().get(), ping.data(), ping.size(), MSG_NOSIGNAL) < 0 ||
      ::read(held.back().get(), buf, sizeof buf) <= 0) {
    std::fprintf(stderr, "vkv-bench: the last idle connection was not served\n");
    return 1;
  }
  std::printf("holding %zu idle connections\n", held.size());
  std::fflush(stdout);
  std::this_thread::sleep_for(std::chrono::seconds(o.hold_seconds));
  return 0;
}

double percentile(std::vector<double>& v, double p) {
  if (v.empty()) return 0;
  const auto k = static_cast<std::size_t>(p * static_cast<double>(v.size() - 1));
  std::nth_element(v.begin(), v.begin() + static_cast<std::ptrdiff_t>(k), v.end());
  return v[k];
}

}  // namespace

int main(int argc, char** argv) {
  Options o;
  vkv::Flags flags("vkv-bench", "Load generator for vkv (and Redis): throughput and latency.");
  flags.add_string("host", &o.host, "server address");
  flags.add_size("port", &o.port, "server port");
  flags.add_size("connections", &o.connections, "connections, all busy at once");
  flags.add_size("pipeline", &o.pipeline, "requests in flight per connection");
  flags.add_size("requests", &o.requests, "requests per phase");
  flags.add_size("keys", &o.keys, "key space (keys are key:NNNNNNNNNNNN, 16 bytes)");
  flags.add_size("key-offset", &o.key_offset, "number of the key space's first key");
  flags.add_size("value-size", &o.value_size, "value size in bytes");
  flags.add_size("threads", &o.threads, "client threads");
  flags.add_choice("protocol", &o.protocol, {"vkv", "resp"}, "wire protocol");
  flags.add_string("phases", &o.phases, "comma-separated phases: set, get");
  flags.add_size("idle-connections", &o.idle_connections,
                 "instead of a load: open this many connections and hold them idle");
  flags.add_size("hold-seconds", &o.hold_seconds, "how long to hold idle connections");
  if (auto code = flags.parse_main(argc, argv)) return *code;
  if (o.idle_connections > 0) return hold_idle_connections(o);
  o.threads = std::max<std::size_t>(1, std::min(o.threads, o.connections));
  std::vector<std::vector<Client>> groups(o.threads);
  for (std::size_t i = 0; i < o.connections; ++i) {
    Client c;
    c.fd = connect_to(o);
    groups[i % o.threads].push_back(std::move(c));
  }

  std::string phases = o.phases + ",";
  for (std::size_t pos = 0; pos < phases.size();) {
    const std::size_t comma = phases.find(',', pos);
    const std::string phase = phases.substr(pos, comma - pos);
    pos = comma + 1;
    if (phase != "set" && phase != "get") continue;
    std::vector<PhaseResult> results(o.threads);
    std::vector<std::thread> threads;
    const auto start = Clock::now();
    for (std::size_t t = 0; t < o.threads; ++t) {
      const std::size_t quota = o.requests / o.threads + (t < o.requests % o.threads ? 1 : 0);
      threads.emplace_back(run_clients, std::cref(o), phase == "set", quota, std::ref(groups[t]),
                           1234 + t, &results[t]);
    }
    for (auto& t : threads) t.join();
    const double seconds = std::chrono::duration<double>(Clock::now() - start).count();
    PhaseResult all;
    for (auto& r : results) {
      all.done += r.done;
      all.error = all.error || r.error;
      all.latencies_us.insert(all.latencies_us.end(), r.latencies_us.begin(), r.latencies_us.end());
    }
    std::printf("%-4s %10.0f ops/s  p50 %8.3f ms  p99 %8.3f ms  (%zu requests, %zu conns, pipeline %zu)%s\n",
                phase == "set" ? "SET" : "GET", static_cast<double>(all.done) / seconds,
                percentile(all.latencies_us, 0.50) / 1000, percentile(all.latencies_us, 0.99) / 1000,
                all.done, o.connections, o.pipeline, all.error ? "  ERRORS SEEN" : "");
    std::fflush(stdout);
  }
  return 0;
}
