// Lexing and parsing typical commands (16-byte keys, 100-byte values), against a plain memchr
// scan of the same buffer in the same run. Target: at least 0.1.
#include <cstring>
#include <string>
#include <vector>

#include "02-parsing/lexer.hpp"
#include "01-framing/line_framer.hpp"
#include "02-parsing/parser.hpp"
#include "common/benchmarking/ratio_main.hpp"

namespace {

struct Workload {
  std::string buffer;
  std::size_t commands = 0;
};

// 32 MiB of half "SET <16-byte key> <100-byte value>", half "GET <16-byte key>".
const Workload& workload() {
  static const Workload w = [] {
    Workload w;
    const std::string value(100, 'v');
    char key[17];
    for (unsigned i = 0; w.buffer.size() < (32u << 20); ++i) {
      std::snprintf(key, sizeof key, "key:%012u", i * 2654435761u);
      w.buffer += (i % 2 == 0) ? std::string("SET ") + key + " " + value + "\n"
                               : std::string("GET ") + key + "\n";
      ++w.commands;
    }
    return w;
  }();
  return w;
}

void BM_MemchrScan(benchmark::State& state) {
  const Workload& w = workload();
  for (auto _ : state) {
    std::size_t lines = 0;
    const char* p = w.buffer.data();
    const char* end = p + w.buffer.size();
    while (const void* nl = std::memchr(p, '\n', static_cast<std::size_t>(end - p))) {
      ++lines;
      p = static_cast<const char*>(nl) + 1;
    }
    benchmark::DoNotOptimize(lines);
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * w.buffer.size()));
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * w.commands));
}
BENCHMARK(BM_MemchrScan)->Unit(benchmark::kMillisecond);

void BM_FrameLexParse(benchmark::State& state) {
  const Workload& w = workload();
  vkv::protocol::Lexer lexer;
  std::vector<std::string_view> tokens;
  for (auto _ : state) {
    vkv::protocol::LineFramer framer;
    std::size_t parsed = 0;
    auto on_frame = [&](const vkv::protocol::Frame& f) {
      if (lexer.lex(f.line, &tokens).is_ok() && vkv::protocol::parse_command(tokens).is_ok()) {
        ++parsed;
      }
    };
    for (std::size_t pos = 0; pos < w.buffer.size(); pos += 64 * 1024) {
      framer.feed(std::string_view(w.buffer).substr(pos, 64 * 1024), on_frame);
    }
    if (parsed != w.commands) state.SkipWithError("not every command parsed");
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * w.buffer.size()));
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * w.commands));
}
BENCHMARK(BM_FrameLexParse)->Unit(benchmark::kMillisecond);

}  // namespace

VKV_BENCHMARK_MAIN({{"frame+lex+parse vs memchr scan (bytes/s)", "BM_FrameLexParse",
                     "BM_MemchrScan", "bytes_per_second", 0.1}})
