#include "06-server/server.hpp"

#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <chrono>
#include <cstdio>
#include <thread>

#include "06-server/worker_count.hpp"
#include "06-server/worker_pool.hpp"

namespace vkv::net {

namespace {

// The listener's tag in the reactors: an address no connection can have.
char listener_tag;

constexpr std::string_view kTooManyConnections = "ERR max connections\n";

// What the reactor watches for a connection's next step. REQUIRES: step != kClose.
runtime::Interest interest_for(NextStep step) {
  switch (step) {
    case NextStep::kWrite: return runtime::Interest::kWrite;
    case NextStep::kReadWrite: return runtime::Interest::kReadWrite;
    case NextStep::kRead:
    case NextStep::kClose: break;
  }
  return runtime::Interest::kRead;
}

}  // namespace

Result<std::unique_ptr<Server>> Server::create(SessionFactory make_session,
                                               engine::Durability& durability,
                                               ServerOptions options) {
  options.workers = worker_count(options.workers);
  auto listener = Listener::open(options.bind, options.port, 1024);
  if (!listener.is_ok()) return listener.status();
  std::vector<runtime::Reactor> reactors;
  for (std::size_t i = 0; i < options.workers; ++i) {
    auto reactor = runtime::Reactor::create();
    if (!reactor.is_ok()) return reactor.status();
    VKV_RETURN_IF_ERROR(reactor->add_shared_listener(listener->fd(), &listener_tag));
    reactors.push_back(std::move(*reactor));
  }
  return std::make_unique<Server>(std::move(make_session), durability, std::move(options),
                                  std::move(*listener), std::move(reactors));
}

Server::Server(SessionFactory make_session, engine::Durability& durability,
               ServerOptions options, Listener listener, std::vector<runtime::Reactor> reactors)
    : make_session_(std::move(make_session)),
      durability_(durability),
      options_(std::move(options)),
      listener_(std::move(listener)),
      reactors_(std::move(reactors)) {}

Server::~Server() = default;

std::size_t Server::connections() const {
  std::lock_guard lock(mu_);
  return connections_.size();
}

Status Server::failure() const {
  std::lock_guard lock(mu_);
  return failure_;
}

void Server::stop() {
  stopping_.store(true);
  for (auto& r : reactors_) r.wake_all();
}

//! [run]
void Server::run() {
  {
    runtime::WorkerPool workers(reactors_.size(),
                                [this](std::size_t i) { worker_loop(reactors_[i]); });
    while (!stopping_.load()) {  // the caller's thread sweeps for clients that never read
      std::this_thread::sleep_for(std::chrono::milliseconds(200));
      close_stalled_clients();
    }
  }  // every worker has finished its round and returned
  for (auto& r : reactors_) r.remove(listener_.fd());
  listener_.close();
  std::lock_guard lock(mu_);
  // Every worker made its last round durable before sending (or stopped the server because
  // it could not, and then these replies must not go out).
  if (failure_.is_ok()) {
    for (auto& [raw, conn] : connections_) conn->flush_best_effort();
  }
  connections_.clear();
}
//! [run]

// LEARNER: begin Server::worker_loop(): one round: wait, accept or run each ready connection, make the round durable, end each turn
//! [worker-loop]
void Server::worker_loop(runtime::Reactor& reactor) {
  std::vector<char> scratch(64 * 1024);
  std::array<runtime::Ready, 64> ready{};
  std::vector<Connection*> served;
  const Waiter wait = options_.make_waiter ? options_.make_waiter() : sleep_until_ready;
  while (true) {
    const std::size_t n = wait(reactor, ready);
    served.clear();
    for (std::size_t i = 0; i < n; ++i) {
      if (ready[i].tag == nullptr) return;  // stop() was called
      if (ready[i].tag == &listener_tag) {
        accept_all(reactor);
        continue;
      }
      auto* conn = static_cast<Connection*>(ready[i].tag);
      if (conn->take_input(scratch)) {
        served.push_back(conn);
      } else {
        close_connection(reactor, conn);
      }
    }
    // The round's commands have run; before any of their replies goes out, the log must
    // hold what they reveal. One sync covers every connection served in the round.
    if (!served.empty() && !make_round_durable()) return;
    for (Connection* conn : served) apply(reactor, conn, conn->end_turn());
  }
}
//! [worker-loop]
// LEARNER: end

// LEARNER: begin Server::make_round_durable(): one sync through the round's ticket; if it fails, say so once and stop
//! [round-durable]
bool Server::make_round_durable() {
  const Status synced = durability_.sync_through(durability_.ticket());
  if (synced.is_ok()) return true;
  // The log is in doubt, and no reply that depends on it may go out: not this round's,
  // not any later one's. Say so once, and stop, as Redis does when it cannot keep the
  // promise of `appendfsync always`. What was acknowledged before is on disk.
  std::lock_guard lock(mu_);
  if (failure_.is_ok()) {
    failure_ = synced;
    std::fprintf(stderr, "vkv: cannot make writes durable (%s); stopping without sending "
                 "the replies that depend on them\n", synced.to_string().c_str());
  }
  stop();
  return false;
}
//! [round-durable]
// LEARNER: end

void Server::apply(runtime::Reactor& reactor, Connection* conn, NextStep step) {
  if (step == NextStep::kClose) {
    close_connection(reactor, conn);
    return;
  }
  const runtime::Interest wanted = interest_for(step);
  if (wanted != conn->interest) {
    conn->interest = wanted;
    (void)reactor.modify(conn->fd(), conn, wanted);
  }
}

//! [accept]
void Server::accept_all(runtime::Reactor& reactor) {
  while (!stopping_.load()) {
    Result<UniqueFd> fd = listener_.accept();
    if (!fd.is_ok()) {
      if (!fd.status().is_not_found()) {
        std::fprintf(stderr, "vkv: %s\n", fd.status().to_string().c_str());
      }
      return;
    }
    std::unique_lock lock(mu_);
    if (connections_.size() >= options_.max_connections) {
      lock.unlock();
      rejected_.fetch_add(1, std::memory_order_relaxed);
      (void)::send(fd->get(), kTooManyConnections.data(), kTooManyConnections.size(),
                   MSG_NOSIGNAL | MSG_DONTWAIT);
      continue;  // the UniqueFd closes it
    }
    auto conn =
        std::make_unique<Connection>(std::move(*fd), make_session_(), options_.output_limit,
                                     options_.look_ahead ? &options_.look_ahead : nullptr,
                                     options_.batch_hook ? &options_.batch_hook : nullptr);
    Connection* raw = conn.get();
    connections_.emplace(raw, std::move(conn));
    lock.unlock();
    accepted_.fetch_add(1, std::memory_order_relaxed);
    if (!reactor.add(raw->fd(), raw, runtime::Interest::kRead).is_ok()) {
      close_connection(reactor, raw);
    }
  }
}
//! [accept]

void Server::close_connection(runtime::Reactor& reactor, Connection* conn) {
  reactor.remove(conn->fd());
  std::lock_guard lock(mu_);
  connections_.erase(conn);  // closes the socket
}

// A client whose replies have not moved for the timeout is shut down; its reactor then
// reports the socket, the worker's next send fails, and the worker closes it.
void Server::close_stalled_clients() {
  const std::int64_t now = steady_ms();
  const auto timeout = static_cast<std::int64_t>(options_.stalled_timeout_seconds) * 1000;
  std::lock_guard lock(mu_);
  for (auto& [raw, conn] : connections_) {
    const std::int64_t since = conn->stalled_since();
    if (since != 0 && now - since >= timeout) ::shutdown(conn->fd(), SHUT_RDWR);
  }
}

}  // namespace vkv::net
