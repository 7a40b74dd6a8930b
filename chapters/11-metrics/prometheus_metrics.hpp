/// \file
/// render_metrics: the server's counters as Prometheus reads them, for `/metrics`.
#pragma once

#include <array>
#include <chrono>
#include <cstdint>
#include <functional>
#include <string>

#include "09-resp/redis_commands.hpp"
#include "11-metrics/metered_commands.hpp"
#include "11-metrics/server_report.hpp"

namespace vkv::runtime {

/// The upper bounds, in seconds, of the command latency histogram's buckets: 1 us to 10 s,
/// 1-2.5-5 in each decade. Each is the sum of the fine buckets (latency_histogram.hpp) that
/// end at or below it, so a bucket never counts a command slower than its bound.
inline constexpr std::array<double, 22> kPrometheusLatencyBounds = {
    1e-6, 2.5e-6, 5e-6, 1e-5, 2.5e-5, 5e-5, 1e-4, 2.5e-4, 5e-4, 1e-3, 2.5e-3,
    5e-3, 1e-2,   2.5e-2, 5e-2, 0.1,  0.25,   0.5,  1,      2.5,  5,    10};

/// Where render_metrics() reads. Each pointer must outlive the rendering; functions may be
/// empty (their metric is left out).
struct MetricsSources {
  const ServerReport* report = nullptr;               ///< Server, memory, store, traffic.
  const engine::MeteredCommands* commands = nullptr;  ///< Per command and per error code.
  const engine::RedisCommands* redis = nullptr;       ///< Commands, hits and misses.
  std::function<std::uint64_t()> expired_keys;        ///< Keys deleted as expired.
  std::function<std::uint64_t()> keys_with_deadlines; ///< Keys with a deadline now.
  std::chrono::steady_clock::time_point started;      ///< When the server started.
};

/// Everything in `sources` in the Prometheus text format 0.0.4: counters (named `..._total`)
/// for what only grows, gauges for what goes up and down, and a histogram of each command's
/// latency with kPrometheusLatencyBounds.
std::string render_metrics(const MetricsSources& sources);

}  // namespace vkv::runtime
