/// \file
/// vkv (also ch11-metrics): chapter 10's server, which shows what it does: INFO, SLOWLOG,
/// STATS, a Prometheus endpoint and structured logs.

#include "11-metrics/metrics_program.hpp"

//! [main]
int main(int argc, char** argv) {
  vkv::runtime::MetricsProgram metrics;  // chapter 10's server, metered (metrics_program.cpp)
  return vkv::runtime::run_server_program(metrics.program(), argc, argv);
}
//! [main]
