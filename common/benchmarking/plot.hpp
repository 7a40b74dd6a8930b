/// \file
/// Charts from a benchmark's data: where a benchmark program writes the data it plots, and how
/// it has gnuplot draw it. A run without gnuplot still writes its data and says what it did
/// not draw. (The shell benchmarks call gnuplot themselves, the same way.)
#pragma once

#include <spawn.h>
#include <sys/wait.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <vector>

extern char** environ;

namespace vkv::bench {

/// The directory a benchmark writes its charts and their data to: $PLOTS_DIR, else `plots`
/// beside the program (build/bench/plots for build/bench/PROGRAM). Made if missing.
inline std::filesystem::path plots_dir() {
  const char* from_env = std::getenv("PLOTS_DIR");
  const std::filesystem::path dir =
      from_env != nullptr ? std::filesystem::path(from_env)
                          : std::filesystem::read_symlink("/proc/self/exe").parent_path() / "plots";
  std::filesystem::create_directories(dir);
  return dir;
}

/// Runs `gnuplot -e "SETTINGS" SCRIPT`, where SETTINGS is `settings` (gnuplot statements such
/// as "data='x.dat'; out='x.svg'") and SCRIPT draws the chart. Prints what it drew, or why it
/// drew nothing (gnuplot missing: apt-get install gnuplot-nox). Returns whether gnuplot
/// drew.
inline bool draw_with_gnuplot(const std::string& script, const std::string& settings,
                              const std::string& svg) {
  std::vector<std::string> args = {"gnuplot", "-e", settings, script};
  std::vector<char*> argv;
  for (std::string& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  pid_t pid = 0;
  const int spawned = ::posix_spawnp(&pid, "gnuplot", nullptr, nullptr, argv.data(), environ);
  if (spawned == ENOENT) {
    std::printf("gnuplot is not installed: %s not drawn (apt-get install gnuplot-nox)\n",
                svg.c_str());
    return false;
  }
  int status = 0;
  if (spawned != 0 || ::waitpid(pid, &status, 0) != pid || !WIFEXITED(status) ||
      WEXITSTATUS(status) != 0) {
    std::printf("gnuplot failed: %s not drawn\n", svg.c_str());
    return false;
  }
  std::printf("drawn: %s\n", svg.c_str());
  return true;
}

}  // namespace vkv::bench
