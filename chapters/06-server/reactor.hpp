/// \file
/// Reactor: an epoll set, the readiness of the sockets one worker owns.
#pragma once

#include <sys/epoll.h>

#include <cstdint>
#include <span>

#include "common/status.hpp"
#include "common/unique_fd.hpp"

namespace vkv::runtime {

/// What a watched descriptor waits for.
enum class Interest : std::uint32_t {
  kRead = 1,       ///< Bytes to read (or the peer closed).
  kWrite = 2,      ///< Room to write.
  kReadWrite = 3,  ///< Either.
};

/// One ready descriptor, as wait() reports it.
struct Ready {
  void* tag;             ///< The tag it was registered with; nullptr: wake_all() was called.
  std::uint32_t events;  ///< The epoll event bits.
};

/// An epoll set, level-triggered. The server gives each worker its own: a connection is
/// registered with one reactor for its whole life, so only that worker ever serves it, its
/// commands run in order, and no re-arming is needed between requests. An idle connection
/// costs an epoll entry and no thread.
///
/// add(), modify() and remove() are safe from any thread; wait() is called by the owning
/// worker only.
class Reactor {
 public:
  /// Creates the epoll set and its wake-up descriptor.
  static Result<Reactor> create();

  /// Starts watching `fd` for `interest`, tagged with `tag`.
  Status add(int fd, void* tag, Interest interest);
  /// Watches a listening socket shared with other reactors: a new connection wakes only one
  /// of them (EPOLLEXCLUSIVE), and that one accepts it.
  Status add_shared_listener(int fd, void* tag);
  /// Changes what `fd` waits for.
  Status modify(int fd, void* tag, Interest interest);
  /// Stops watching `fd`. Call before closing it.
  void remove(int fd);

  /// Blocks until something is ready and fills `out` with up to out.size() of them; returns
  /// how many. After wake_all() it reports an entry whose tag is nullptr, every time.
  std::size_t wait(std::span<Ready> out);
  /// Like wait(), but never blocks: returns 0 at once when nothing is ready.
  std::size_t poll(std::span<Ready> out);

  /// Makes every current and future wait() report the wake-up entry. Async-signal-safe.
  void wake_all();

 private:
  Reactor(UniqueFd epoll, UniqueFd wake) : epoll_(std::move(epoll)), wake_(std::move(wake)) {}

  UniqueFd epoll_;
  UniqueFd wake_;  // an eventfd; once written it stays readable
};

}  // namespace vkv::runtime
