/// \file
/// The long overwrite run as a library: a small set of keys overwritten for a long time, the
/// workload under which a store without compaction grows without bound. Each engine of the run
/// (every VkvSetup given, LevelDB, RocksDB; db_bench.hpp opens them with matched settings)
/// gets, on a new store:
/// - a load of kLongKeys keys in order, then long_writes() overwrites of keys drawn at random
///   (100-byte values, 16-byte keys; the live data is kLongKeys x 116 bytes, 11.6 MB),
///   unsynced (vkv `--sync never`), with a write buffer of kLongWriteBuffer (16 MiB);
/// - every kLongReportEvery writes, a line with the data directory's size over the live data,
///   and every kLongSampleEvery writes a sample for the chart: the directory's bytes and the
///   write amplification so far;
/// - at the end, once the process has stopped writing (background compactions done): the
///   directory's size over the live data (and the logs' share of it: a log holds up to a
///   write buffer of records, 16 MiB, more than the live data), the write amplification (write_meter.hpp, as in
///   db_bench), and the restart: the time to close the store and the time to open it again,
///   what it says it holds after opening (vkv: the LsmStats of its recovery), and a check that
///   every key reads back the value it was last given.
/// Then one table, the engines side by side, with the targets that compaction must meet:
/// tables at most 1.3 times the live data, restart within 0.5 s, write-amp at most LevelDB's;
/// and each write's latency (99th, 99.9th percentile and the longest), where compaction's
/// backpressure shows.
///
/// The samples of every engine go to PLOTS_DIR/`dir_name`.dat (plot.hpp: build/bench/plots),
/// and, where the chapter gives a gnuplot script, into a chart beside it, `dir_name`.svg.
///
/// The number of overwrites is $VKV_LONG_WRITES ("10M", "500k", "2000000"), else
/// kDefaultLongWrites (5M). A chapter runs it with its setups:
/// `return long_overwrite_main(argc, argv, "ch07-long", {fast_setup()});`
#pragma once

#include <algorithm>
#include <chrono>
#include <cinttypes>
#include <cstdio>
#include <cstdlib>
#include <limits>
#include <map>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include "05-sstables/bench/db_bench.hpp"
#include "common/benchmarking/plot.hpp"

namespace vkv::bench::db {

inline constexpr int kLongKeys = 100'000;
// The run is 10M overwrites; on a 2-core machine that takes LevelDB and RocksDB over a
// minute each (several when the machine is shared), so the default is half of it, enough to
// see which stores grow and which stay flat. VKV_LONG_WRITES=10M runs the whole of it.
inline constexpr std::uint64_t kDefaultLongWrites = 5'000'000;
inline constexpr std::uint64_t kLongReportEvery = 1'000'000;
inline constexpr std::uint64_t kLongSampleEvery = 100'000;  // a point of the chart
inline constexpr std::size_t kLongWriteBuffer = 16 << 20;
inline constexpr double kLongLiveBytes = static_cast<double>(kLongKeys) * (kKeySize + kValueSize);
// The targets compaction must meet (a store without it is shown against them).
// Tables / live data at the end. The target is on the tables, what compaction keeps bounded;
// the logs hold up to a write buffer of records whatever compaction does (16 MiB here, more
// than the 11.6 MB live), so the whole directory's ratio is shown beside it, not judged.
inline constexpr double kLongDiskTarget = 1.3;
inline constexpr double kLongRestartTarget = 0.5;  // seconds to close and reopen

// "10M", "500k", "2000000" as a count; nothing if it is not one.
inline std::optional<std::uint64_t> parse_count(const std::string& text) {
  char* end = nullptr;
  const double n = std::strtod(text.c_str(), &end);
  if (end == text.c_str() || n <= 0) return std::nullopt;
  const std::string unit(end);
  const double scale = unit.empty() ? 1 : unit == "k" || unit == "K" ? 1e3 : unit == "M" ? 1e6 : 0;
  if (scale == 0) return std::nullopt;
  return static_cast<std::uint64_t>(n * scale);
}

// The overwrites of the run: $VKV_LONG_WRITES, else kDefaultLongWrites.
inline std::uint64_t long_writes() {
  static const std::uint64_t n = [] {
    const char* text = std::getenv("VKV_LONG_WRITES");
    if (text == nullptr) return kDefaultLongWrites;
    const std::optional<std::uint64_t> parsed = parse_count(text);
    if (!parsed) {
      std::fprintf(stderr, "VKV_LONG_WRITES=%s is not a count (say 10M, 500k or 2000000)\n", text);
      std::exit(2);
    }
    return *parsed;
  }();
  return n;
}

// The bytes of the write-ahead logs in `dir`: files named *.log, in vkv, LevelDB and RocksDB
// alike (their info logs are named LOG).
inline std::uint64_t log_bytes(const std::string& dir) {
  std::uint64_t total = 0;
  for (const auto& e : std::filesystem::directory_iterator(dir)) {
    if (e.path().extension() != ".log") continue;
    std::error_code gone;
    const std::uintmax_t size = e.is_regular_file(gone) ? e.file_size(gone) : 0;
    if (!gone) total += size;
  }
  return total;
}

// The files in `dir` (as dir_bytes, a file removed meanwhile is not counted).
inline std::size_t dir_files(const std::string& dir) {
  std::size_t n = 0;
  for (const auto& e : std::filesystem::directory_iterator(dir)) {
    std::error_code gone;
    n += e.is_regular_file(gone) && !gone ? 1 : 0;
  }
  return n;
}

// One point of an engine's run: after `writes` overwrites, the directory's bytes and the bytes
// the process has written since the store was opened (0: no write meter here).
struct LongSample {
  std::uint64_t writes = 0;
  std::uint64_t dir_bytes = 0;
  std::uint64_t written = 0;
};

// What one engine's long run found.
struct LongRun {
  std::vector<LongSample> samples;     // every kLongSampleEvery overwrites
  std::vector<double> disk_over_live;  // after each kLongReportEvery overwrites
  double final_disk_over_live = 0;     // at rest, at the end
  double final_logs_over_live = 0;     // the logs' part of it
  std::size_t final_files = 0;
  double write_amp = 0;                // 0: no write meter here
  double put_p99_us = 0;               // the overwrites' latency: 99th percentile,
  double put_p999_us = 0;              //   99.9th,
  double put_max_ms = 0;               //   and the longest (a write that waited for compaction)
  double writes_per_s = 0;
  double close_s = 0;
  double open_s = 0;
  std::string after_open;              // what the reopened store says it holds
  int keys_verified = 0;               // keys that read back their last value
};

inline std::map<std::string, LongRun>& long_runs() {
  static std::map<std::string, LongRun> runs;
  return runs;
}

inline double seconds_since(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

// How many keys of `db` hold the value of the write `last[k]` recorded for them.
inline int count_current_keys(Db& db, const std::vector<std::uint64_t>& last) {
  char key[kKeySize + 1];
  std::string value;
  int current = 0;
  for (int k = 0; k < kLongKeys; ++k) {
    make_key(k, key);
    current += db.get(std::string_view(key, kKeySize), &value) && value == value_for(last[k]);
  }
  return current;
}

inline void long_overwrite(benchmark::State& state, const Engine& engine) {
  using Clock = std::chrono::steady_clock;
  const DbSettings settings{.sync = false, .write_buffer = kLongWriteBuffer};
  const std::string dir = bench_dir().fresh("long-" + engine.name);
  const std::uint64_t writes = long_writes();
  LongRun run;
  settle_disk();
  const std::uint64_t before = bytes_written_so_far();
  auto db = engine.open(dir, settings);

  std::vector<std::uint64_t> last(kLongKeys);  // the write whose value each key holds
  char key[kKeySize + 1];
  for (int k = 0; k < kLongKeys; ++k) {  // the load, keys in order
    make_key(k, key);
    db->put(std::string_view(key, kKeySize), value_for(static_cast<std::uint64_t>(k)));
    last[k] = static_cast<std::uint64_t>(k);
  }
  std::mt19937_64 rng(5);
  std::vector<std::uint32_t> put_ns;  // each overwrite's time, to see compaction's stalls
  put_ns.reserve(writes);
  const auto start = Clock::now();
  for (auto _ : state) {
    for (std::uint64_t i = 1; i <= writes; ++i) {
      const int k = static_cast<int>(rng() % kLongKeys);
      const std::uint64_t w = kLongKeys + i;
      make_key(k, key);
      const auto put_start = Clock::now();
      db->put(std::string_view(key, kKeySize), value_for(w));
      put_ns.push_back(static_cast<std::uint32_t>(std::min<std::int64_t>(
          std::chrono::duration_cast<std::chrono::nanoseconds>(Clock::now() - put_start).count(),
          UINT32_MAX)));
      last[k] = w;
      if (i % kLongSampleEvery == 0) {
        const std::uint64_t now = bytes_written_so_far();
        run.samples.push_back({i, dir_bytes(dir), now > before ? now - before : 0});
      }
      if (i % kLongReportEvery == 0) {
        const double disk = static_cast<double>(dir_bytes(dir));
        run.disk_over_live.push_back(disk / kLongLiveBytes);
        std::printf("  %s: %5.1fM writes, %6.1f s: disk %8.1f MB = %6.2f x live, %4zu files\n",
                    engine.name.c_str(), static_cast<double>(i) / 1e6, seconds_since(start),
                    disk / 1e6, disk / kLongLiveBytes, dir_files(dir));
        std::fflush(stdout);
      }
    }
  }
  run.writes_per_s = static_cast<double>(writes) / seconds_since(start);
  if (!put_ns.empty()) {
    std::sort(put_ns.begin(), put_ns.end());
    const auto at = [&](double q) {
      return put_ns[std::min(put_ns.size() - 1, static_cast<std::size_t>(q * put_ns.size()))];
    };
    run.put_p99_us = at(0.99) / 1e3;
    run.put_p999_us = at(0.999) / 1e3;
    run.put_max_ms = put_ns.back() / 1e6;
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(writes));

  if (!vkv::bench::wait_until_writes_stop()) {
    std::fprintf(stderr, "%s: still writing after 5 minutes; measured as it is\n",
                 engine.name.c_str());
  }
  const std::uint64_t after = bytes_written_so_far();
  if (after > 0) {
    run.write_amp = static_cast<double>(after - before) /
                    (static_cast<double>(kLongKeys + writes) * (kKeySize + kValueSize));
  }
  run.final_disk_over_live = static_cast<double>(dir_bytes(dir)) / kLongLiveBytes;
  run.final_logs_over_live = static_cast<double>(log_bytes(dir)) / kLongLiveBytes;
  run.final_files = dir_files(dir);

  auto t = Clock::now();
  db.reset();
  run.close_s = seconds_since(t);
  t = Clock::now();
  db = engine.open(dir, settings);
  run.open_s = seconds_since(t);
  run.after_open = db->describe();
  run.keys_verified = count_current_keys(*db, last);
  db.reset();

  state.counters["disk/live"] = run.final_disk_over_live;
  state.counters["write_amp"] = run.write_amp;
  state.counters["restart_s"] = run.close_s + run.open_s;
  long_runs()[engine.name] = run;
}

// One row of the side-by-side table: `label`, then `cell(run)` for each engine that ran.
inline void print_long_row(const std::string& label, const std::vector<std::string>& names,
                           const std::function<std::string(const LongRun&)>& cell) {
  std::printf("%-24s", label.c_str());
  for (const std::string& name : names) std::printf(" %14s", cell(long_runs()[name]).c_str());
  std::printf("\n");
}

inline std::string fixed(double value, int decimals) {
  char text[32];
  std::snprintf(text, sizeof text, "%.*f", decimals, value);
  return text;
}

// The engines side by side, then each vkv setup against the targets.
inline void print_long_table(const std::vector<Engine>& ran) {
  std::vector<std::string> names;
  for (const Engine& e : ran) {
    if (long_runs().count(e.name) != 0) names.push_back(e.name);
  }
  if (names.empty()) return;
  std::printf("\nlong overwrite: %d keys x %zu bytes = %.1f MB live; %" PRIu64
              " random overwrites; %zu MiB write buffer; unsynced\n",
              kLongKeys, kKeySize + kValueSize, kLongLiveBytes / 1e6, long_writes(),
              kLongWriteBuffer >> 20);
  std::printf("%-24s", "engine");
  for (const std::string& name : names) std::printf(" %14s", name.c_str());
  std::printf("\n");
  const std::size_t steps = long_writes() / kLongReportEvery;
  for (std::size_t i = 0; i < steps; ++i) {
    print_long_row("disk/live @ " + std::to_string(i + 1) + "M", names, [i](const LongRun& r) {
      return i < r.disk_over_live.size() ? fixed(r.disk_over_live[i], 2) : std::string("-");
    });
  }
  print_long_row("disk/live at rest", names, [](const LongRun& r) { return fixed(r.final_disk_over_live, 2); });
  print_long_row("  of which logs", names, [](const LongRun& r) { return fixed(r.final_logs_over_live, 2); });
  print_long_row("  of which tables", names, [](const LongRun& r) {
    return fixed(r.final_disk_over_live - r.final_logs_over_live, 2);
  });
  print_long_row("files at rest", names, [](const LongRun& r) { return std::to_string(r.final_files); });
  print_long_row("write-amp", names, [](const LongRun& r) {
    return r.write_amp > 0 ? fixed(r.write_amp, 2) : std::string("-");
  });
  print_long_row("overwrites/s", names, [](const LongRun& r) { return fixed(r.writes_per_s, 0); });
  print_long_row("write p99 (us)", names, [](const LongRun& r) { return fixed(r.put_p99_us, 1); });
  print_long_row("write p99.9 (us)", names, [](const LongRun& r) { return fixed(r.put_p999_us, 1); });
  print_long_row("write max (ms)", names, [](const LongRun& r) { return fixed(r.put_max_ms, 1); });
  print_long_row("close (s)", names, [](const LongRun& r) { return fixed(r.close_s, 3); });
  print_long_row("reopen (s)", names, [](const LongRun& r) { return fixed(r.open_s, 3); });
  print_long_row("restart (s)", names, [](const LongRun& r) { return fixed(r.close_s + r.open_s, 3); });
  print_long_row("keys current", names, [](const LongRun& r) { return std::to_string(r.keys_verified); });
  std::printf("\nafter reopening:\n");
  for (const std::string& name : names) {
    std::printf("  %-10s %s\n", name.c_str(), long_runs()[name].after_open.c_str());
  }

  std::printf("\n%-44s %12s %8s  %s\n", "long overwrite (same run)", "value", "target", "verdict");
  const auto verdict = [](const std::string& title, double value, double target) {
    std::printf("%-44s %12.2f %8s  %s\n", title.c_str(), value, ("<= " + fixed(target, 2)).c_str(),
                value <= target ? "meets target" : "MISSES target");
  };
  for (const VkvSetup& setup : vkv_setups()) {
    if (long_runs().count(setup.name) == 0) continue;
    const LongRun& ours = long_runs()[setup.name];
    verdict(setup.name + ": tables / live at the end",
            ours.final_disk_over_live - ours.final_logs_over_live, kLongDiskTarget);
    std::printf("%-44s %12.2f %8s  (shown: the logs are a write buffer's worth)\n",
                (setup.name + ": disk / live at the end").c_str(), ours.final_disk_over_live, "-");
    verdict(setup.name + ": restart (s)", ours.close_s + ours.open_s, kLongRestartTarget);
    if (ours.keys_verified != kLongKeys) {
      std::printf("%-44s %12d %8d  MISSES target\n", (setup.name + ": keys current").c_str(),
                  ours.keys_verified, kLongKeys);
    }
    if (long_runs().count("leveldb") != 0 && ours.write_amp > 0) {
      verdict(setup.name + ": write-amp / leveldb's", ours.write_amp / long_runs()["leveldb"].write_amp,
              1.0);
    }
    if (long_runs().count("rocksdb") != 0 && ours.write_amp > 0) {
      std::printf("%-44s %12.2f %8s  (shown)\n", (setup.name + ": write-amp / rocksdb's").c_str(),
                  ours.write_amp / long_runs()["rocksdb"].write_amp, "-");
    }
  }
}

// The write amplification of `sample`: the bytes written over the load's and the overwrites'
// keys and values; NaN (which gnuplot leaves out) where there is no write meter.
inline double write_amp_at(const LongSample& sample) {
  if (sample.written == 0) return std::numeric_limits<double>::quiet_NaN();
  return static_cast<double>(sample.written) /
         (static_cast<double>(kLongKeys + sample.writes) * (kKeySize + kValueSize));
}

// The engines' samples as one table for gnuplot, at `path`: a line a sample, the overwrites in
// millions, then each engine's directory in MB, then each engine's write amplification; the
// column headers are the engines' names.
inline void write_long_series(const std::vector<std::string>& names, const std::string& path) {
  std::FILE* out = std::fopen(path.c_str(), "w");
  if (out == nullptr) {
    std::printf("cannot write %s\n", path.c_str());
    return;
  }
  std::fprintf(out, "# long overwrite: %d keys x %zu bytes = %.1f MB live; %" PRIu64
                    " random overwrites; %zu MiB write buffer; unsynced\n",
               kLongKeys, kKeySize + kValueSize, kLongLiveBytes / 1e6, long_writes(),
               kLongWriteBuffer >> 20);
  std::fprintf(out, "# overwrites (M), then each engine's directory (MB), then each engine's "
                    "write amplification\nwrites_M");
  for (int part = 0; part < 2; ++part) {
    for (const std::string& name : names) std::fprintf(out, " %s", name.c_str());
  }
  std::fprintf(out, "\n");
  std::size_t rows = SIZE_MAX;
  for (const std::string& name : names) rows = std::min(rows, long_runs()[name].samples.size());
  for (std::size_t i = 0; i < rows; ++i) {
    std::fprintf(out, "%.1f", static_cast<double>(long_runs()[names[0]].samples[i].writes) / 1e6);
    for (const std::string& name : names) {
      std::fprintf(out, " %.2f", static_cast<double>(long_runs()[name].samples[i].dir_bytes) / 1e6);
    }
    for (const std::string& name : names) {
      std::fprintf(out, " %.3f", write_amp_at(long_runs()[name].samples[i]));
    }
    std::fprintf(out, "\n");
  }
  std::fclose(out);
}

// Writes the engines' samples to PLOTS_DIR/`name`.dat and, given a gnuplot script, draws them
// into `name`.svg.
inline void plot_long_runs(const std::vector<Engine>& ran, const std::string& name,
                           const std::string& gnuplot_script) {
  std::vector<std::string> names;
  for (const Engine& e : ran) {
    if (long_runs().count(e.name) != 0) names.push_back(e.name);
  }
  if (names.empty()) return;
  const std::filesystem::path dir = vkv::bench::plots_dir();
  const std::string data = (dir / (name + ".dat")).string();
  const std::string svg = (dir / (name + ".svg")).string();
  write_long_series(names, data);
  std::printf("\nthe samples: %s\n", data.c_str());
  if (gnuplot_script.empty()) return;
  char settings[1024];
  std::snprintf(settings, sizeof settings,
                "data='%s'; out='%s'; engines=%zu; live=%.2f; "
                "note=\"%dk keys x %zu bytes (%.1f MB live), %gM random overwrites, "
                "%zu MiB write buffer, unsynced\"",
                data.c_str(), svg.c_str(), names.size(), kLongLiveBytes / 1e6, kLongKeys / 1000,
                kKeySize + kValueSize, kLongLiveBytes / 1e6,
                static_cast<double>(long_writes()) / 1e6, kLongWriteBuffer >> 20);
  vkv::bench::draw_with_gnuplot(gnuplot_script, settings, svg);
}

/// Runs the long overwrite on every vkv setup of `setups`, LevelDB and RocksDB, one after
/// the other, then prints them side by side and writes their samples (plot_long_runs:
/// PLOTS_DIR/`dir_name`.dat, drawn with `gnuplot_script` where one is given). Its scratch
/// directory is build/bench-data/`dir_name`.
inline int long_overwrite_main(int argc, char** argv, const std::string& dir_name,
                               std::vector<VkvSetup> setups,
                               const std::string& gnuplot_script = "") {
  long_writes();  // a bad $VKV_LONG_WRITES stops the run before it starts
  if (!begin_run(argc, argv, dir_name, std::move(setups))) return 1;
  const std::vector<Engine> all = engines();
  for (const Engine& e : all) {
    benchmark::RegisterBenchmark(("longoverwrite/" + e.name).c_str(),
                                 [e](benchmark::State& s) { long_overwrite(s, e); })
        ->Iterations(1)
        ->UseRealTime()
        ->Unit(benchmark::kSecond);
  }
  vkv::bench::RecordingReporter reporter;
  benchmark::RunSpecifiedBenchmarks(&reporter);
  benchmark::Shutdown();
  print_long_table(all);
  plot_long_runs(all, dir_name, gnuplot_script);
  return 0;
}

}  // namespace vkv::bench::db
