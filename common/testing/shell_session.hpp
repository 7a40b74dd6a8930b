/// \file
/// Shell sessions: what a learner types at a terminal and what comes back, kept as a file
/// that a test runs, so that a page's "Run it" shows what the programs really do.
///
/// A shell session is a transcript file (see transcript.hpp) whose commands are typed at a
/// shell: a `# $ command` line is one command, and the lines after it, up to the next
/// command, are what must come back (standard output and standard error together, as a
/// terminal shows them). A line that starts with `~ ` comes back with other numbers on
/// every run (a rate, a process's memory): its words must match and its numbers are not
/// compared. Other lines starting with `#` are comments. The docs' page filter shows the
/// file as a terminal session, without the markup.
///
/// ShellSession runs the commands one after the other in one bash, in a fresh directory in
/// which `build` is a link to the build tree, so that `build/bin/vkv` means what it means
/// on the page. A command is typed only once everything the one before it must print has
/// come, so a server started in the background (`... &`) has printed its ready line before
/// the next command talks to it (and once every job has ended with lines still missing, no
/// more can come: the step fails at once). The word 9999 (the port the pages use, with no
/// letter or digit either side) is replaced, in commands and replies, by a free port the OS
/// picked, so that a session runs beside other tests. bash's notices that a job of its was
/// killed or terminated ("line 7: 1234 Killed ..."), which a terminal shows at a moment of
/// its own choosing, are left out, as the pages leave them out. When the session ends,
/// every process it started is killed.
///
/// Contract: a command is one line and reads nothing from the terminal (pipe its input in).
#pragma once

#include <signal.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <regex>
#include <sstream>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "common/testing/child_process.hpp"
#include "common/testing/free_port.hpp"
#include "common/testing/test_util.hpp"

namespace vkv::testing {

/// One command of a shell session, what must come back, and (once run) what did.
struct ShellStep {
  std::string file;                   ///< The session file it comes from.
  std::string command;                ///< The command, as typed (after the port is set).
  std::vector<std::string> expected;  ///< The lines that must come back, markup removed.
  std::vector<bool> numbers_vary;     ///< Per expected line: compare words, not numbers.
  std::vector<std::string> actual;    ///< The lines that came back.
  int exit_code = -1;                 ///< The command's exit status ($?).
  bool timed_out = false;             ///< The lines did not all come in time.
  bool output_ended = false;          ///< Lines were missing when every job had ended.

  /// Empty when what came back is what the session says, else what differs, for a
  /// failure message.
  [[nodiscard]] std::string mismatch() const {
    bool same = !timed_out && !output_ended && actual.size() == expected.size();
    for (std::size_t i = 0; same && i < expected.size(); ++i) {
      same = numbers_vary[i] ? same_words(expected[i], actual[i]) : expected[i] == actual[i];
    }
    if (same) return "";
    std::string out = file + ": $ " + command + (timed_out ? "\n(timed out)" : "") +
                      (output_ended ? "\n(every job ended before the rest came)" : "") +
                      "\nexpected:\n";
    for (std::size_t i = 0; i < expected.size(); ++i) {
      out += (numbers_vary[i] ? "~ " : "  ") + expected[i] + "\n";
    }
    out += "got:\n";
    for (const auto& line : actual) out += "  " + line + "\n";
    return out;
  }

  /// `a` and `b` have the same words once every number in them is taken out.
  static bool same_words(const std::string& a, const std::string& b) {
    return without_numbers(a) == without_numbers(b);
  }

 private:
  static std::vector<std::string> without_numbers(const std::string& line) {
    static const std::regex number("[0-9][0-9.,]*");
    std::istringstream words(std::regex_replace(line, number, "#"));
    std::vector<std::string> out;
    for (std::string w; words >> w;) out.push_back(w);
    return out;
  }
};

/// Splits a shell session's text into its commands and their replies. Lines before the
/// first command are its caption and are skipped.
inline std::vector<ShellStep> parse_shell_session(std::string_view text,
                                                  const std::string& file = "") {
  std::vector<ShellStep> steps;
  while (!text.empty()) {
    const std::size_t nl = text.find('\n');
    const std::string line(text.substr(0, nl));
    text.remove_prefix(nl == std::string_view::npos ? text.size() : nl + 1);
    if (line.rfind("# $ ", 0) == 0) {
      steps.push_back(ShellStep{file, line.substr(4), {}, {}, {}, -1, false, false});
    } else if (steps.empty() || line.rfind("#", 0) == 0) {
      continue;
    } else {
      const bool vary = line.rfind("~ ", 0) == 0;
      steps.back().expected.push_back(vary ? line.substr(2) : line);
      steps.back().numbers_vary.push_back(vary);
    }
  }
  return steps;
}

/// Every `.session` file in `dir`, in name order: the parts of a page's session, which a
/// ShellSession runs one after the other (run_all).
inline std::vector<std::string> session_files(const std::string& dir) {
  std::vector<std::string> paths = files_in(dir, ".session");
  if (paths.empty()) throw std::runtime_error("no .session file in " + dir);
  return paths;
}

/// One bash, in a fresh directory, that runs shell sessions; see the file comment.
/// Not thread-safe: one thread drives one session.
class ShellSession {
 public:
  /// How long one command may take to print what it must.
  static constexpr std::chrono::seconds kStepTimeout{120};
  // How long a step waits, after its command is done, for what its background jobs print (a
  // server's ready line comes within a second): short, so that a session whose server hangs
  // fails in seconds rather than minutes. (One whose jobs have all ended fails at once.)
  static constexpr std::chrono::seconds kBackgroundOutputTimeout{10};
  // How often that wait looks whether a job is left that could still print.
  static constexpr std::chrono::milliseconds kJobPoll{50};
  /// The port the pages use, replaced by port().
  static constexpr std::string_view kPagePort = "9999";

  /// A bash in a fresh directory where `build` links to `build_dir`.
  explicit ShellSession(const std::string& build_dir)
      : port_(std::to_string(vkv::testing::free_port())),
        // setsid: bash leads a process group of its own, which the destructor kills whole,
        // background jobs included.
        shell_("/usr/bin/setsid", {"bash", "--noprofile", "--norc"},
               {ChildStream::pipe(), ChildStream::pipe(), ChildStream::inherited()}) {
    std::filesystem::create_directory_symlink(std::filesystem::absolute(build_dir),
                                              dir_.file("build"));
    const std::string setup = "exec 2>&1; export LC_ALL=C; cd '" + dir_.path() + "'";
    if (!type(setup) || wait_for_marker(nullptr).timed_out) {
      throw std::runtime_error("ShellSession: bash did not start");
    }
  }
  ~ShellSession() {
    const pid_t group = shell_.pid();
    if (group <= 0) return;
    ::kill(-group, SIGKILL);
    shell_.wait();
    // Give the killed jobs a moment to go before their directory is removed.
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
    while (group_running(group) && std::chrono::steady_clock::now() < deadline) {
      ::usleep(10 * 1000);
    }
  }
  ShellSession(const ShellSession&) = delete;
  ShellSession& operator=(const ShellSession&) = delete;

  /// The directory the commands run in.
  [[nodiscard]] const std::string& dir() const { return dir_.path(); }
  /// The port that stands for 9999.
  [[nodiscard]] const std::string& port() const { return port_; }

  /// Runs every command of the session in `path`, in order, and returns each with what
  /// came back. Once a step's lines have not all come (it timed out, or its program died),
  /// the steps after it, in this session and any later one, are not run but reported as
  /// timed out, so that a broken program fails the session in seconds. Throws
  /// std::runtime_error when the file has no command.
  std::vector<ShellStep> run(const std::string& path) {
    std::vector<ShellStep> steps = parse_shell_session(read_whole_file(path), path);
    if (steps.empty()) throw std::runtime_error("shell session " + path + " has no command");
    for (auto& step : steps) {
      step.command = with_port(step.command);
      for (auto& line : step.expected) line = with_port(line);
      if (gave_up_) {  // what follows a step that timed out would only time out in turn
        step.timed_out = true;
        step.actual = {"(not run: an earlier step did not print all it must)"};
        continue;
      }
      run_step(step);
      gave_up_ = step.timed_out || step.output_ended;
    }
    return steps;
  }

  /// Runs the sessions in `paths` in order, in this one shell (a later one goes on where the
  /// one before left off: its server still runs).
  std::vector<ShellStep> run_all(const std::vector<std::string>& paths) {
    std::vector<ShellStep> all;
    for (const auto& path : paths) {
      auto steps = run(path);
      all.insert(all.end(), steps.begin(), steps.end());
    }
    return all;
  }

 private:
  static constexpr std::string_view kMarker = "__vkv_shell_step_done__";

  struct MarkerResult {
    int exit_code = -1;
    bool timed_out = false;
  };

  // Whether a process of process group `group`, other than `except`, still runs (a zombie
  // has ended: its parent, once bash is gone, may never reap it).
  static bool group_running(pid_t group, pid_t except = 0) {
    std::error_code ec;
    for (const auto& entry : std::filesystem::directory_iterator("/proc", ec)) {
      if (except > 0 && entry.path().filename() == std::to_string(except)) continue;
      const auto stat = read_proc_stat(entry.path().string() + "/stat");
      if (!stat || stat->fields.size() < 3) continue;
      const std::string& state = stat->fields[0];  // then the parent's id, then the group's
      if (std::stol(stat->fields[2]) == group && state != "Z") return true;
    }
    return false;
  }

  // bash's notice that a background job was killed or terminated (by the session's kill).
  static bool is_job_notice(const std::string& line) {
    static const std::regex notice("bash: line [0-9]+: +[0-9]+ (Killed|Terminated)( .*)?");
    return std::regex_match(line, notice);
  }

  // `text` with the word 9999 (no letter or digit either side) replaced by port_.
  [[nodiscard]] std::string with_port(const std::string& text) const {
    const auto is_word = [](char c) { return std::isalnum(static_cast<unsigned char>(c)) != 0; };
    std::string out;
    std::size_t from = 0;
    for (std::size_t at; (at = text.find(kPagePort, from)) != std::string::npos;) {
      const std::size_t end = at + kPagePort.size();
      const bool word = (at == 0 || !is_word(text[at - 1])) &&
                        (end == text.size() || !is_word(text[end]));
      out.append(text, from, at - from).append(word ? port_ : std::string(kPagePort));
      from = end;
    }
    return out.append(text, from);
  }

  // Types `command`, then a command that prints the marker and the exit status.
  bool type(const std::string& command) {
    return shell_.write_stdin(command + "\necho \"" + std::string(kMarker) + " $?\"\n");
  }

  // Reads lines until the marker; the lines before it go to `lines` (when given).
  MarkerResult wait_for_marker(std::vector<std::string>* lines) {
    const auto deadline = std::chrono::steady_clock::now() + kStepTimeout;
    while (auto line = read_line(deadline)) {
      const std::size_t at = line->find(kMarker);
      if (at == std::string::npos) {
        if (lines != nullptr && !is_job_notice(*line)) lines->push_back(*line);
        continue;
      }
      // A command whose output does not end in a newline leaves it before the marker.
      if (at > 0 && lines != nullptr) lines->push_back(line->substr(0, at));
      return {std::stoi(line->substr(at + kMarker.size())), false};
    }
    return {-1, true};
  }

  std::optional<std::string> read_line(std::chrono::steady_clock::time_point deadline) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) return std::nullopt;
    return shell_.read_stdout_line(left);
  }

  void run_step(ShellStep& step) {
    if (!type(step.command)) {
      step.timed_out = true;
      return;
    }
    const MarkerResult done = wait_for_marker(&step.actual);
    step.exit_code = done.exit_code;
    step.timed_out = done.timed_out;
    // A job started in the background prints after the marker (a server's ready line):
    // wait for as many lines as the session says come back, while a job that could print
    // them runs. bash prints nothing more now but job notices, and what an ended job printed
    // is in the pipe already: once no job is left and the pipe is empty, no more can come.
    const auto deadline = std::chrono::steady_clock::now() + kBackgroundOutputTimeout;
    bool jobs_ended = false;
    while (!step.timed_out && !step.output_ended &&
           step.actual.size() < step.expected.size()) {
      auto line = read_line(std::min(deadline, std::chrono::steady_clock::now() + kJobPoll));
      if (line) {
        if (!is_job_notice(*line)) step.actual.push_back(*line);
      } else if (jobs_ended) {  // no job was left, and nothing more came since
        step.output_ended = true;
      } else if (std::chrono::steady_clock::now() >= deadline) {
        step.timed_out = true;
      } else {
        jobs_ended = !group_running(shell_.pid(), shell_.pid());
      }
    }
  }

  TempDir dir_;
  std::string port_;
  ChildProcess shell_;
  bool gave_up_ = false;  // a step timed out: the rest of every session is not run
};

}  // namespace vkv::testing
