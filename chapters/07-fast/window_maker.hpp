/// \file
/// WindowMaker: maps windows of one file ahead of its writer, on a thread of its own.
#pragma once

#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <mutex>
#include <optional>
#include <thread>
#include <vector>

namespace vkv::storage {

/// Maps the next window of a MappedFile while its writer fills the one before.
///
/// Mapping a window and faulting its pages in costs about 3 µs a page (the page cache page
/// is allocated, zeroed and tied to its disk block): close to a millisecond for a window of
/// 1 MiB, every 8,000 or so log records. Made here, that time is off the writer's path; the
/// writer waits only if it catches up. Old windows are unmapped here too.
///
/// One window is asked for at a time. Thread safety: make(), take() and unmap_later() are
/// called by the file's one writer; the thread only touches what the mutex guards.
class WindowMaker {
 public:
  /// What make() made: the map, or the errno of the mmap that failed.
  struct Window {
    char* map = nullptr;  ///< The window's first byte, or null if mmap failed.
    int error = 0;        ///< mmap's errno when it failed.
  };

  /// Maps windows of `window_bytes` of the open file `fd` (which must outlive this object).
  WindowMaker(int fd, std::size_t window_bytes);
  /// Waits for the thread, then unmaps the window made and not taken, if any.
  ~WindowMaker();
  /// Not copyable: it owns a thread.
  WindowMaker(const WindowMaker&) = delete;
  /// Not copyable: it owns a thread.
  WindowMaker& operator=(const WindowMaker&) = delete;

  /// Starts making the window at file offset `start`, whose space must be reserved already.
  /// REQUIRES: every window asked for before has been taken.
  void make(std::uint64_t start);

  /// The window at `start`, waiting for it if it is still being made; nullopt if it was not
  /// asked for. A window asked for at another offset is unmapped.
  std::optional<Window> take(std::uint64_t start);

  /// Hands over a window the writer is done with, for the thread to unmap.
  void unmap_later(char* map);

 private:
  void run();
  [[nodiscard]] Window map_window(std::uint64_t start) const;

  const int fd_;
  const std::size_t size_;
  std::mutex mu_;
  std::condition_variable changed_;
  std::optional<std::uint64_t> asked_;  // GUARDED_BY(mu_): the window asked for, if any
  std::optional<Window> made_;          // GUARDED_BY(mu_): and, once made, the result
  std::vector<char*> to_unmap_;         // GUARDED_BY(mu_)
  bool stopping_ = false;               // GUARDED_BY(mu_)
  std::thread thread_;  // last: it starts in the constructor, once all the above exist
};

}  // namespace vkv::storage
