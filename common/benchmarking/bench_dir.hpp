/// \file
/// BenchDir: a benchmark's scratch directory, on the disk the benchmark means to measure.
#pragma once

#include <cstdlib>
#include <filesystem>
#include <string>
#include <string_view>
#include <system_error>

namespace vkv::bench {

/// A scratch directory `name` under $VKV_BENCH_DIR, or else under `bench-data` beside the
/// program's own directory (build/bench-data/NAME for build/bench/PROGRAM). It is emptied when
/// made (a crashed run may have left files) and removed, files and all, when destroyed.
///
/// Why not /tmp: it is often a tmpfs, where fdatasync costs nothing and a storage benchmark
/// would measure memory instead of the disk.
class BenchDir {
 public:
  /// Creates the directory (emptied if it was there).
  explicit BenchDir(std::string_view name) {
    const char* from_env = std::getenv("VKV_BENCH_DIR");
    path_ = from_env != nullptr
                ? std::filesystem::path(from_env) / name
                : std::filesystem::read_symlink("/proc/self/exe").parent_path().parent_path() /
                      "bench-data" / name;
    std::filesystem::remove_all(path_);
    std::filesystem::create_directories(path_);
  }
  /// Removes the directory and everything in it.
  ~BenchDir() {
    std::error_code ignored;
    std::filesystem::remove_all(path_, ignored);
  }
  BenchDir(const BenchDir&) = delete;
  BenchDir& operator=(const BenchDir&) = delete;

  /// The path of `name` inside the directory, as it is (nothing is made or removed).
  [[nodiscard]] std::string file(const std::string& name) const { return (path_ / name).string(); }
  /// The path of `name` inside the directory, with whatever was there removed first.
  [[nodiscard]] std::string fresh(const std::string& name) const {
    const auto p = path_ / name;
    std::filesystem::remove_all(p);
    return p.string();
  }

 private:
  std::filesystem::path path_;
};

}  // namespace vkv::bench
