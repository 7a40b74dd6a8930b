/// \file
/// ChildProcess: a program that a test starts, talks to through its standard streams, and
/// signals and waits for. The one way the tests start a program.
#pragma once

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "common/unique_fd.hpp"

extern char** environ;

namespace vkv::testing {

/// Where one of a child's standard streams goes: the test's own stream, a pipe the test
/// holds the other end of, or a file (read for stdin; created or truncated for output).
struct ChildStream {
  /// The kinds of connection.
  enum class Kind { kInherited, kPipe, kFile };
  Kind kind = Kind::kInherited;  ///< How the stream is connected.
  std::string path;              ///< The file, for kFile.

  /// The test's own stream.
  static ChildStream inherited() { return {}; }
  /// A pipe: the test writes the child's stdin, or reads its stdout.
  static ChildStream pipe() { return {Kind::kPipe, ""}; }
  /// The file at `path`.
  static ChildStream file(std::string path) { return {Kind::kFile, std::move(path)}; }
};

/// A running program with its standard streams connected as asked.
///
/// Contract: the constructor starts the program or throws std::runtime_error (a test bug:
/// the program is missing). Only stdin and stdout may be pipes. The pipe ends the test holds
/// are close-on-exec, so a second child never inherits them. A child still running when the
/// object is destroyed is killed (SIGKILL) and reaped, so no test leaves a process behind.
/// Not thread-safe: one thread drives one child.
class ChildProcess {
 public:
  /// How the three standard streams are connected.
  struct Streams {
    ChildStream in;   ///< Standard input.
    ChildStream out;  ///< Standard output.
    ChildStream err;  ///< Standard error.
  };

  /// Starts `program` with `args` (argv[0] is `program`) and `streams`.
  ChildProcess(const std::string& program, const std::vector<std::string>& args,
               const Streams& streams) {
    if (streams.err.kind == ChildStream::Kind::kPipe) {
      throw std::logic_error("ChildProcess: standard error cannot be a pipe");
    }
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    UniqueFd in_child = connect(&actions, 0, streams.in, &stdin_, /*child_reads=*/true);
    UniqueFd out_child = connect(&actions, 1, streams.out, &stdout_, /*child_reads=*/false);
    connect(&actions, 2, streams.err, nullptr, false);
    std::vector<char*> argv{const_cast<char*>(program.c_str())};
    for (const auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
    argv.push_back(nullptr);
    const int rc = posix_spawn(&pid_, program.c_str(), &actions, nullptr, argv.data(), environ);
    posix_spawn_file_actions_destroy(&actions);
    if (rc != 0) {
      pid_ = -1;
      throw std::runtime_error("cannot start " + program);
    }
  }  // the child's pipe ends close here: the test holds only its own
  ~ChildProcess() {
    if (pid_ > 0) {
      ::kill(pid_, SIGKILL);
      wait();
    }
  }
  ChildProcess(const ChildProcess&) = delete;
  ChildProcess& operator=(const ChildProcess&) = delete;

  /// The process id; -1 once it has ended and been reaped.
  [[nodiscard]] pid_t pid() const { return pid_; }

  /// Writes all of `bytes` to the child's stdin; false if it could not (the child closed it).
  /// REQUIRES: stdin is a pipe that close_stdin() has not closed.
  bool write_stdin(std::string_view bytes) {
    while (!bytes.empty()) {
      const ssize_t n = ::write(stdin_.get(), bytes.data(), bytes.size());
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) return false;
      bytes.remove_prefix(static_cast<std::size_t>(n));
    }
    return true;
  }
  /// Closes the child's stdin: it reads end of input, as after Ctrl-D.
  void close_stdin() { stdin_.reset(); }

  /// The next line of the child's stdout, without its newline; nullopt when none came within
  /// `timeout`, or the output ended first (stdout_ended() tells which).
  /// REQUIRES: stdout is a pipe.
  std::optional<std::string> read_stdout_line(std::chrono::milliseconds timeout) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    for (;;) {
      if (const auto nl = pending_.find('\n'); nl != std::string::npos) {
        std::string line = pending_.substr(0, nl);
        pending_.erase(0, nl + 1);
        return line;
      }
      if (stdout_ended_) return std::nullopt;
      const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
          deadline - std::chrono::steady_clock::now());
      if (left.count() <= 0) return std::nullopt;
      pollfd p{stdout_.get(), POLLIN, 0};
      if (::poll(&p, 1, static_cast<int>(left.count())) <= 0) continue;
      char buf[4096];
      const ssize_t n = ::read(stdout_.get(), buf, sizeof buf);
      if (n == 0) stdout_ended_ = true;
      if (n > 0) pending_.append(buf, static_cast<std::size_t>(n));
    }
  }
  /// True once the child's stdout has reached its end (it closed it, or it ended).
  [[nodiscard]] bool stdout_ended() const { return stdout_ended_; }

  /// Sends `sig`; false if the process is gone (or was waited for already).
  bool signal(int sig) { return pid_ > 0 && ::kill(pid_, sig) == 0; }

  /// Waits for the child to end; its exit code, or 128 + the signal that ended it. Once it
  /// has ended (found by wait() or has_ended()), the same code again, without waiting.
  int wait() {
    if (pid_ > 0) {
      int status = 0;
      while (::waitpid(pid_, &status, 0) < 0 && errno == EINTR) {
      }
      ended(status);
    }
    return exit_code_;
  }

  /// True if the child has ended (it is then reaped, and wait() returns its code at once).
  /// Does not block.
  bool has_ended() {
    if (pid_ <= 0) return true;
    int status = 0;
    if (::waitpid(pid_, &status, WNOHANG) != pid_) return false;
    ended(status);
    return true;
  }

 private:
  void ended(int status) {
    pid_ = -1;
    exit_code_ = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  }

  // Adds to `actions` what connects the child's descriptor `fd` as `stream` says. For a
  // pipe, the test's end goes to `*ours` and the child's end is returned: it must stay open
  // until the child is spawned.
  static UniqueFd connect(posix_spawn_file_actions_t* actions, int fd, const ChildStream& stream,
                          UniqueFd* ours, bool child_reads) {
    switch (stream.kind) {
      case ChildStream::Kind::kInherited:
        return UniqueFd();
      case ChildStream::Kind::kFile:
        posix_spawn_file_actions_addopen(actions, fd, stream.path.c_str(),
                                         child_reads ? O_RDONLY : O_WRONLY | O_CREAT | O_TRUNC,
                                         0600);
        return UniqueFd();
      case ChildStream::Kind::kPipe: {
        int ends[2];
        if (pipe2(ends, O_CLOEXEC) != 0) throw std::runtime_error("pipe2 failed");
        UniqueFd read_end(ends[0]);
        UniqueFd write_end(ends[1]);
        posix_spawn_file_actions_adddup2(actions, (child_reads ? read_end : write_end).get(), fd);
        *ours = std::move(child_reads ? write_end : read_end);
        return child_reads ? std::move(read_end) : std::move(write_end);
      }
    }
    return UniqueFd();
  }

  pid_t pid_ = -1;
  int exit_code_ = -1;  // once it has ended
  UniqueFd stdin_;
  UniqueFd stdout_;
  std::string pending_;  // read from stdout, not yet returned as a line
  bool stdout_ended_ = false;
};

}  // namespace vkv::testing
