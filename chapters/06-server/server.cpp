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

runtime::Interest interest_for(NextStep step) {
  switch (step) {
    case NextStep::kRead: return runtime::Interest::kRead;
    case NextStep::kWrite: return runtime::Interest::kWrite;
    case NextStep::kReadWrite: return runtime::Interest::kReadWrite;
    default: return runtime::Interest::kNone;
  }
}

}  // namespace

Result<std::unique_ptr<Server>> Server::create(engine::Engine& engine, ServerOptions options,
                                               DurabilityGate* gate) {
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
  return std::make_unique<Server>(engine, std::move(options), std::move(*listener),
                                  std::move(reactors), gate);
}

Server::Server(engine::Engine& engine, ServerOptions options, Listener listener,
               std::vector<runtime::Reactor> reactors, DurabilityGate* gate)
    : engine_(engine),
      options_(std::move(options)),
      listener_(std::move(listener)),
      reactors_(std::move(reactors)),
      gate_(gate) {}

Server::~Server() = default;

std::size_t Server::connections() const {
  std::lock_guard lock(mu_);
  return connections_.size();
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
  if (gate_ != nullptr) gate_->settle_all();  // held replies: durable (send them) or not
  std::lock_guard lock(mu_);
  for (auto& [raw, conn] : connections_) conn->flush_best_effort();
  connections_.clear();
}
//! [run]

//! [worker-loop]
void Server::worker_loop(runtime::Reactor& reactor) {
  std::vector<char> scratch(64 * 1024);
  std::array<runtime::Ready, 64> ready{};
  std::vector<Connection*> served;
  while (true) {
    const std::size_t n = reactor.wait(ready);
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
    // One sync of the log covers every connection served in this round (inline gate).
    if (gate_ != nullptr && gate_->is_inline() && !served.empty()) {
      (void)gate_->settle_inline(gate_->ticket());
    }
    for (Connection* conn : served) apply(reactor, conn, conn->end_turn());
  }
}
//! [worker-loop]

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
  if (step == NextStep::kDurable) wait_until_durable(reactor, conn);
}

// The connection watches nothing until the gate has synced the log past its replies; the
// gate's thread then has it watch again, and its worker sends them.
void Server::wait_until_durable(runtime::Reactor& reactor, Connection* conn) {
  auto resume = [&reactor, conn](bool durable) {
    conn->durability_settled(durable);
    (void)reactor.modify(conn->fd(), conn, runtime::Interest::kReadWrite);
  };
  if (!gate_->when_durable(conn->durability_ticket(), resume)) resume(true);
  // Either way the connection now waits for kReadWrite; its worker resets `interest` on the
  // next turn.
  conn->interest = runtime::Interest::kReadWrite;
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
      (void)::send(fd->get(), kTooManyConnections.data(), kTooManyConnections.size(),
                   MSG_NOSIGNAL | MSG_DONTWAIT);
      continue;  // the UniqueFd closes it
    }
    auto conn = std::make_unique<Connection>(std::move(*fd), engine_, options_.max_line,
                                             options_.output_limit, gate_);
    Connection* raw = conn.get();
    connections_.emplace(raw, std::move(conn));
    lock.unlock();
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
