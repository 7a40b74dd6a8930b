/// \file
/// Benchmarks that state their figure as a ratio against a baseline run in the same process.
///
/// These machines are shared and noisy, so a lone absolute number means little. Each vkv
/// benchmark program runs its subject and a baseline (a memchr scan, a raw write loop, a
/// std::map under a mutex, LevelDB...) one after the other, then prints the ratio of the two
/// and the target it must meet. Usage, in a benchmark's .cpp instead of BENCHMARK_MAIN():
///
///     VKV_BENCHMARK_MAIN({{"framing vs memchr", "BM_Frame", "BM_Memchr", "bytes_per_second", 0.5}})
#pragma once

#include <benchmark/benchmark.h>

#include <cstdio>
#include <map>
#include <string>
#include <vector>

namespace vkv::bench {

/// One ratio to print after the runs: subject's counter over baseline's counter.
struct Ratio {
  std::string title;     ///< What the ratio measures, e.g. "framing vs memchr".
  std::string subject;   ///< Benchmark name (as printed, with arguments) of the subject.
  std::string baseline;  ///< Benchmark name of the baseline.
  std::string counter;   ///< "bytes_per_second", "items_per_second" or a user counter's name.
  double target = 0;     ///< The least acceptable ratio (0: none, just show it).
  bool lower_is_better = false;  ///< For costs (bytes per entry): baseline over subject.
};

/// A console reporter that also remembers every run's counters by benchmark name.
class RecordingReporter : public benchmark::ConsoleReporter {
 public:
  /// Prints the runs as usual and records their counters.
  void ReportRuns(const std::vector<Run>& runs) override {
    ConsoleReporter::ReportRuns(runs);
    for (const auto& run : runs) {
      if (run.run_type != Run::RT_Iteration && run.aggregate_name != "mean") continue;
      auto& values = values_[run.benchmark_name()];
      for (const auto& [name, counter] : run.counters) values[name] = counter.value;
    }
  }
  /// The recorded value of `counter` for `benchmark`, or a negative number if none.
  double value(const std::string& benchmark, const std::string& counter) const {
    auto b = values_.find(benchmark);
    if (b == values_.end()) return -1;
    auto c = b->second.find(counter);
    return c == b->second.end() ? -1 : c->second;
  }

 private:
  std::map<std::string, std::map<std::string, double>> values_;
};

/// Prints each ratio with its target; returns how many ratios missed their target.
inline int print_ratios(const RecordingReporter& reporter, const std::vector<Ratio>& ratios) {
  int missed = 0;
  std::printf("\n%-44s %12s %8s  %s\n", "ratio (same run)", "value", "target", "verdict");
  for (const auto& r : ratios) {
    const double s = reporter.value(r.subject, r.counter);
    const double b = reporter.value(r.baseline, r.counter);
    if (s <= 0 || b <= 0) {
      std::printf("%-44s %12s %8.2f  not run (filtered out or unavailable)\n", r.title.c_str(),
                  "-", r.target);
      continue;
    }
    const double ratio = r.lower_is_better ? b / s : s / b;
    const bool ok = ratio >= r.target;
    missed += ok ? 0 : 1;
    std::printf("%-44s %12.2f %8.2f  %s\n", r.title.c_str(), ratio, r.target,
                r.target == 0 ? "(shown)" : ok ? "meets target" : "MISSES target");
  }
  return missed;
}

/// Runs the registered benchmarks with a recording reporter, then prints the ratios.
inline int run_with_ratios(int argc, char** argv, const std::vector<Ratio>& ratios) {
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  RecordingReporter reporter;
  benchmark::RunSpecifiedBenchmarks(&reporter);
  benchmark::Shutdown();
  print_ratios(reporter, ratios);
  return 0;
}

}  // namespace vkv::bench

/// Defines main() for a benchmark program that prints `ratios` after its runs.
#define VKV_BENCHMARK_MAIN(...)                                         \
  int main(int argc, char** argv) {                                     \
    return ::vkv::bench::run_with_ratios(argc, argv, __VA_ARGS__);      \
  }
