/// \file
/// MappedFile: a log file that takes its appends by a copy into a shared memory map.
#pragma once

#include <cstdint>
#include <memory>
#include <string_view>

#include "07-fast/preallocated_file.hpp"
#include "07-fast/window_maker.hpp"

namespace vkv::storage {

/// The log file for SyncPolicy::kEverySec and kNever, where a sync is rare and the system
/// call per append is the cost.
///
/// An append is a copy into a shared memory map of the file: no system call, yet the bytes
/// are in the operating system's page cache the moment the copy ends, so a process crash
/// cannot lose them (the same promise as a write(2)); sync() makes them durable as usual.
/// The map is a window of kWindowBytes. Each window's space is reserved with fallocate
/// before it is mapped, so that no page of it can lack a disk block (a store into such a
/// page on a full disk kills the process with SIGBUS instead of returning an error). Once
/// the writer is half way through a window, a WindowMaker maps the next one on its own
/// thread. close() gives back the reserved space the data did not reach. A file system that
/// cannot reserve space gets pwrite instead, from then on.
///
/// REQUIRES: the descriptor is open for reading and writing (a shared writable map needs
/// both).
class MappedFile final : public PreallocatedFile {
 public:
  /// The size of one mapped window.
  static constexpr std::uint64_t kWindowBytes = 1 << 20;

  using PreallocatedFile::PreallocatedFile;
  /// Unmaps (the copies are in the page cache already); gives no space back.
  ~MappedFile() override;
  /// Not copyable: it owns its maps.
  MappedFile(const MappedFile&) = delete;
  /// Not copyable: it owns its maps.
  MappedFile& operator=(const MappedFile&) = delete;

  /// Copies `data` into the window at size(), moving to the next window as it fills.
  Status append(std::string_view data) override;

 protected:
  /// Unmaps, so that close() can give the space back.
  void before_close() override;

 private:
  static constexpr std::uint64_t kNever = ~std::uint64_t{0};

  // Reserves the space of every window after this one up to `end`, the end of an append.
  Status reserve_windows_for(std::uint64_t end);
  // Maps the window that starts at size_ (rounded down to a page), after making sure the
  // file's space under it is reserved: the one the maker has ready, or a new one.
  Status next_window();
  // Reserves the space of the window after this one and has the maker map it.
  void make_next_window();
  void unmap();

  char* window_ = nullptr;               // the mapped window, or null
  std::uint64_t window_start_ = 0;       // the file offset where the window starts
  std::uint64_t window_end_ = 0;         // and where it ends (0 with no window)
  std::uint64_t make_next_at_ = kNever;  // once size_ reaches this, the next window is made
  bool can_map_ = true;
  std::unique_ptr<WindowMaker> maker_;  // made with the first window
};

}  // namespace vkv::storage
