#include "07-fast/window_maker.hpp"

#include <pthread.h>
#include <sys/mman.h>

#include <cerrno>

namespace vkv::storage {

WindowMaker::WindowMaker(int fd, std::size_t window_bytes)
    : fd_(fd), size_(window_bytes), thread_([this] { run(); }) {
  pthread_setname_np(thread_.native_handle(), "vkv-log-map");  // as `top -H` shows it
}

WindowMaker::~WindowMaker() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  changed_.notify_all();
  thread_.join();
  if (made_ && made_->map != nullptr) ::munmap(made_->map, size_);
}

void WindowMaker::make(std::uint64_t start) {
  {
    std::lock_guard lock(mu_);
    asked_ = start;
    made_.reset();
  }
  changed_.notify_all();
}

std::optional<WindowMaker::Window> WindowMaker::take(std::uint64_t start) {
  std::unique_lock lock(mu_);
  if (!asked_) return std::nullopt;
  changed_.wait(lock, [this] { return made_.has_value(); });
  const Window made = *made_;
  const bool wanted = *asked_ == start;
  asked_.reset();
  made_.reset();
  if (wanted) return made;
  if (made.map != nullptr) to_unmap_.push_back(made.map);
  lock.unlock();
  changed_.notify_all();
  return std::nullopt;
}

void WindowMaker::unmap_later(char* map) {
  {
    std::lock_guard lock(mu_);
    to_unmap_.push_back(map);
  }
  changed_.notify_all();
}

// LEARNER: begin WindowMaker::run() and map_window(): on its own thread, unmap old windows and map the one asked for
//! [window-maker]
void WindowMaker::run() {
  std::unique_lock lock(mu_);
  while (true) {
    changed_.wait(lock, [this] { return stopping_ || !to_unmap_.empty() || (asked_ && !made_); });
    std::vector<char*> old = std::move(to_unmap_);
    to_unmap_.clear();
    const bool to_make = asked_.has_value() && !made_.has_value();
    const std::uint64_t start = to_make ? *asked_ : 0;
    if (old.empty() && !to_make) return;  // stopping, and nothing left to do
    lock.unlock();
    for (char* map : old) ::munmap(map, size_);
    Window made;
    if (to_make) made = map_window(start);
    lock.lock();
    if (to_make) {
      made_ = made;
      changed_.notify_all();
    }
  }
}

WindowMaker::Window WindowMaker::map_window(std::uint64_t start) const {
  void* at = ::mmap(nullptr, size_, PROT_READ | PROT_WRITE, MAP_SHARED, fd_,
                    static_cast<off_t>(start));
  if (at == MAP_FAILED) return {nullptr, errno};
#ifdef MADV_POPULATE_WRITE
  // Fault the whole window in now, writable, with one system call, instead of a page fault
  // on the writer's first copy into each page (Linux 5.14 and later; on an older kernel this
  // fails and the writer takes the faults, one by one). The price: the window's pages are
  // dirty from here on, so a sync may write some of its zeros early.
  (void)::madvise(at, size_, MADV_POPULATE_WRITE);
#endif
  return {static_cast<char*>(at), 0};
}
//! [window-maker]
// LEARNER: end

}  // namespace vkv::storage
