// Framing throughput over a large buffer of typical command lines, against a plain memchr
// scan for '\n' over the same buffer in the same run. Target: at least 0.5.
#include <cstring>
#include <string>

#include "01-framing/line_framer.hpp"
#include "common/benchmarking/ratio_main.hpp"

namespace {

// 64 MiB of "SET key:<16 digits> <100-byte value>" and "GET key:<16 digits>" lines.
const std::string& command_buffer() {
  static const std::string buffer = [] {
    std::string b;
    const std::string value(100, 'v');
    char key[32];
    for (unsigned i = 0; b.size() < (64u << 20); ++i) {
      std::snprintf(key, sizeof key, "key:%012u", i * 2654435761u);
      b += (i % 2 == 0) ? std::string("SET ") + key + " " + value + "\n"
                        : std::string("GET ") + key + "\n";
    }
    return b;
  }();
  return buffer;
}

// Reads arrive as they would from a socket: 64 KiB at a time.
constexpr std::size_t kReadSize = 64 * 1024;

void BM_MemchrScan(benchmark::State& state) {
  const std::string& buf = command_buffer();
  for (auto _ : state) {
    std::size_t lines = 0;
    const char* p = buf.data();
    const char* end = p + buf.size();
    while (const void* nl = std::memchr(p, '\n', static_cast<std::size_t>(end - p))) {
      ++lines;
      p = static_cast<const char*>(nl) + 1;
    }
    benchmark::DoNotOptimize(lines);
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * buf.size()));
}
BENCHMARK(BM_MemchrScan)->Unit(benchmark::kMillisecond);

void BM_Frame(benchmark::State& state) {
  const std::string& buf = command_buffer();
  for (auto _ : state) {
    vkv::protocol::LineFramer framer;
    std::size_t lines = 0;
    std::size_t bytes = 0;
    auto count = [&](const vkv::protocol::Frame& f) {
      ++lines;
      bytes += f.line.size();
    };
    for (std::size_t pos = 0; pos < buf.size(); pos += kReadSize) {
      framer.feed(std::string_view(buf).substr(pos, kReadSize), count);
    }
    framer.finish(count);
    benchmark::DoNotOptimize(lines);
    benchmark::DoNotOptimize(bytes);
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * buf.size()));
}
BENCHMARK(BM_Frame)->Unit(benchmark::kMillisecond);

}  // namespace

VKV_BENCHMARK_MAIN({{"framing vs memchr scan (bytes/s)", "BM_Frame", "BM_MemchrScan",
                     "bytes_per_second", 0.5}})
