#include "06-server/reactor.hpp"

#include <sys/eventfd.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <string>

namespace vkv::runtime {

namespace {

std::uint32_t epoll_bits(Interest interest) {
  std::uint32_t bits = 0;
  if ((static_cast<std::uint32_t>(interest) & 1) != 0) bits |= EPOLLIN | EPOLLRDHUP;
  if ((static_cast<std::uint32_t>(interest) & 2) != 0) bits |= EPOLLOUT;
  return bits;
}

Status epoll_error(const char* what) {
  return Status::io_error(std::string(what) + ": " + std::strerror(errno));
}

Status control(int epoll, int op, int fd, void* tag, std::uint32_t bits) {
  epoll_event ev{};
  ev.events = bits;
  ev.data.ptr = tag;
  if (::epoll_ctl(epoll, op, fd, &ev) != 0) return epoll_error("epoll_ctl");
  return Status::ok();
}

}  // namespace

Result<Reactor> Reactor::create() {
  UniqueFd epoll(::epoll_create1(EPOLL_CLOEXEC));
  if (!epoll) return epoll_error("epoll_create1");
  UniqueFd wake(::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK));
  if (!wake) return epoll_error("eventfd");
  VKV_RETURN_IF_ERROR(control(epoll.get(), EPOLL_CTL_ADD, wake.get(), nullptr, EPOLLIN));
  return Reactor(std::move(epoll), std::move(wake));
}

Status Reactor::add(int fd, void* tag, Interest interest) {
  return control(epoll_.get(), EPOLL_CTL_ADD, fd, tag, epoll_bits(interest));
}

Status Reactor::add_shared_listener(int fd, void* tag) {
  return control(epoll_.get(), EPOLL_CTL_ADD, fd, tag, EPOLLIN | EPOLLEXCLUSIVE);
}

Status Reactor::modify(int fd, void* tag, Interest interest) {
  return control(epoll_.get(), EPOLL_CTL_MOD, fd, tag, epoll_bits(interest));
}

void Reactor::remove(int fd) { ::epoll_ctl(epoll_.get(), EPOLL_CTL_DEL, fd, nullptr); }

// LEARNER: begin Reactor::wait(): epoll_wait until something is ready, retrying an interrupted wait; hand out each event's tag
//! [wait]
std::size_t Reactor::wait(std::span<Ready> out) {
  epoll_event events[64];
  const int capacity = static_cast<int>(std::min<std::size_t>(out.size(), 64));
  while (true) {
    const int n = ::epoll_wait(epoll_.get(), events, capacity, -1);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) continue;
    for (int i = 0; i < n; ++i) out[i] = Ready{events[i].data.ptr, events[i].events};
    return static_cast<std::size_t>(n);
  }
}
//! [wait]
// LEARNER: end

std::size_t Reactor::poll(std::span<Ready> out) {
  epoll_event events[64];
  const int capacity = static_cast<int>(std::min<std::size_t>(out.size(), 64));
  const int n = ::epoll_wait(epoll_.get(), events, capacity, 0);
  if (n <= 0) return 0;  // nothing ready, or interrupted: the caller asks again or sleeps
  for (int i = 0; i < n; ++i) out[i] = Ready{events[i].data.ptr, events[i].events};
  return static_cast<std::size_t>(n);
}

void Reactor::wake_all() {
  const std::uint64_t one = 1;
  [[maybe_unused]] ssize_t n = ::write(wake_.get(), &one, sizeof one);
}

}  // namespace vkv::runtime
