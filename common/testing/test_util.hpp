/// \file
/// Test helpers shared by every chapter's tests: a wait for a condition, a temporary directory
/// that cleans up after itself, and a way to run a chapter's real program with given input.
#pragma once

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <optional>
#include <sstream>
#include <stdexcept>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "common/testing/child_process.hpp"

namespace vkv::testing {

/// False in a build under AddressSanitizer or ThreadSanitizer (`make test SANITIZE=...`),
/// whose allocator takes the place of glibc's malloc: mallinfo2() then counts nothing, and a
/// figure read from it (INFO's used_memory) is 0. The test binary and the servers it starts
/// are built alike, so this says it for both.
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
inline constexpr bool kGlibcMalloc = false;
#else
inline constexpr bool kGlibcMalloc = true;
#endif

/// True when `text` holds `part` somewhere (a log line, a reply, an error message).
inline bool contains(std::string_view text, std::string_view part) {
  return text.find(part) != std::string_view::npos;
}

/// Waits until `condition` holds, checking every few milliseconds; false after `timeout`.
inline bool wait_for(const std::function<bool()>& condition,
                     std::chrono::milliseconds timeout = std::chrono::seconds(20)) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    if (condition()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  return condition();
}

/// A fresh directory under the system's temporary directory, removed with all its contents
/// when the object is destroyed.
class TempDir {
 public:
  /// Creates the directory.
  TempDir() {
    std::string pattern = (std::filesystem::temp_directory_path() / "vkv-test-XXXXXX").string();
    if (mkdtemp(pattern.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
    path_ = pattern;
  }
  ~TempDir() {
    std::error_code ignored;
    std::filesystem::remove_all(path_, ignored);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  /// The directory's path.
  [[nodiscard]] const std::string& path() const { return path_; }
  /// The path of `name` inside the directory.
  [[nodiscard]] std::string file(const std::string& name) const { return path_ + "/" + name; }

 private:
  std::string path_;
};

/// What a finished program left behind.
struct ProgramOutput {
  int exit_code = -1;  ///< The exit status, or 128 + the signal that ended it.
  std::string out;     ///< Everything it wrote to standard output.
  std::string err;     ///< Everything it wrote to standard error.
};

/// Reads a whole file into a string (empty if it cannot be opened).
inline std::string read_whole_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

/// A `/proc/.../stat` file, of a process or of one of its threads: the command name, and the
/// fields after it, from field 3 (the state) on, so that field n is `fields[n - 3]`.
struct ProcStat {
  std::string name;
  std::vector<std::string> fields;
};

/// Reads the stat file at `path`; nothing if it could not be read (the process has gone).
inline std::optional<ProcStat> read_proc_stat(const std::string& path) {
  const std::string stat = read_whole_file(path);
  const std::size_t open = stat.find('(');
  const std::size_t close = stat.rfind(')');  // the name may hold ')' and spaces itself
  if (open == std::string::npos || close == std::string::npos || close < open) return {};
  ProcStat result{stat.substr(open + 1, close - open - 1), {}};
  std::istringstream rest(stat.substr(close + 1));
  for (std::string field; rest >> field;) result.fields.push_back(field);
  return result;
}

/// The stat of each thread of process `pid` (/proc/PID/task/*/stat), those still there.
inline std::vector<ProcStat> read_thread_stats(pid_t pid) {
  std::vector<ProcStat> threads;
  const std::string tasks = "/proc/" + std::to_string(pid) + "/task/";
  for (const auto& task : std::filesystem::directory_iterator(tasks)) {
    if (auto stat = read_proc_stat(task.path() / "stat")) threads.push_back(std::move(*stat));
  }
  return threads;
}

/// Writes `bytes` to `path`, replacing it.
inline void write_whole_file(const std::string& path, const std::string& bytes) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << bytes;
}

/// The paths of the files in `dir` whose names end in `extension` (".log"), sorted.
inline std::vector<std::string> files_in(const std::string& dir, const std::string& extension) {
  std::vector<std::string> paths;
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    if (entry.path().extension() == extension) paths.push_back(entry.path().string());
  }
  std::sort(paths.begin(), paths.end());
  return paths;
}

/// Changes the byte at `offset` of the file at `path` in place, as a disk's damage would: the
/// file keeps its size, so a map of it stays valid. False when it could not be written.
inline bool damage_byte(const std::string& path, std::uint64_t offset) {
  std::fstream f(path, std::ios::in | std::ios::out | std::ios::binary);
  f.seekg(static_cast<std::streamoff>(offset));
  const int was = f.get();
  f.seekp(static_cast<std::streamoff>(offset));
  f.put(static_cast<char>(was ^ 0x55));
  return f.good();
}

/// Waits (at most 10 s) until the files in `dir`, their names and sizes, stop changing for
/// 200 ms: a server's flushes and compactions are done. A file the server removes while it
/// looks is a change, not an error.
inline void wait_until_settled(const std::string& dir) {
  const auto snapshot = [&dir] {
    std::string all;
    for (const auto& e : std::filesystem::directory_iterator(dir)) {
      std::error_code gone;
      const auto size = e.file_size(gone);
      all += e.path().filename().string() + ":" + (gone ? "gone" : std::to_string(size)) + " ";
    }
    return all;
  };
  std::string before = snapshot();
  for (int i = 0; i < 50; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
    std::string now = snapshot();
    if (now == before) return;
    before = std::move(now);
  }
}

/// Runs `program` with `args`, `input` on its standard input, and waits for it to finish.
/// Throws std::runtime_error when the program cannot be started at all (a test bug).
inline ProgramOutput run_program(const std::string& program, const std::vector<std::string>& args,
                                 const std::string& input) {
  TempDir scratch;
  const std::string in_path = scratch.file("stdin");
  const std::string out_path = scratch.file("stdout");
  const std::string err_path = scratch.file("stderr");
  write_whole_file(in_path, input);
  ChildProcess child(program, args,
                     {ChildStream::file(in_path), ChildStream::file(out_path),
                      ChildStream::file(err_path)});
  ProgramOutput result;
  result.exit_code = child.wait();
  result.out = read_whole_file(out_path);
  result.err = read_whole_file(err_path);
  return result;
}

}  // namespace vkv::testing
