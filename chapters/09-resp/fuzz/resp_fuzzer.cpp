// libFuzzer target: any bytes through the RESP parser, whole and in uneven pieces.
//
// Checks, beyond "no crash, no hang, no allocation past the limits": the pieces give the same
// requests and the same error as the whole input; and every request, written again as RESP,
// parses back to the same arguments.
#include <cstdint>
#include <cstdlib>
#include <string>
#include <vector>

#include "09-resp/resp_parser.hpp"

namespace {

using vkv::protocol::RespLimits;
using vkv::protocol::RespParse;
using vkv::protocol::RespParser;

// Small limits, so that the fuzzer reaches them.
RespLimits small_limits() {
  RespLimits limits;
  limits.max_bulk_bytes = 512;
  limits.max_args = 16;
  limits.max_request_bytes = 1024;
  return limits;
}

// Each request as its arguments, then the error if there was one.
struct Outcome {
  std::vector<std::vector<std::string>> requests;
  std::string error;
  bool operator==(const Outcome&) const = default;
};

void take(RespParser& parser, std::string_view piece, Outcome* o) {
  while (o->error.empty()) {
    switch (parser.parse(&piece)) {
      case RespParse::kRequest:
        o->requests.emplace_back(parser.args().begin(), parser.args().end());
        break;
      case RespParse::kError:
        o->error = parser.error();
        return;
      case RespParse::kIncomplete:
        if (!piece.empty()) std::abort();  // kIncomplete takes every byte
        return;
    }
  }
}

std::string encode(const std::vector<std::string>& args) {
  std::string r = "*" + std::to_string(args.size()) + "\r\n";
  for (const auto& a : args) r += "$" + std::to_string(a.size()) + "\r\n" + a + "\r\n";
  return r;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  Outcome whole;
  RespParser parser(small_limits());
  take(parser, input, &whole);

  Outcome pieces;
  RespParser piecewise(small_limits());
  for (std::size_t pos = 0, step = 1; pos < input.size(); pos += step, step = step % 7 + 1) {
    take(piecewise, input.substr(pos, step), &pieces);
  }
  if (!(pieces == whole)) std::abort();

  for (const auto& args : whole.requests) {
    if (args.empty() || args.size() > 16) std::abort();
    Outcome again;
    RespParser reparse(small_limits());
    take(reparse, encode(args), &again);
    if (again.requests.size() != 1 || again.requests[0] != args || !again.error.empty()) {
      std::abort();
    }
  }
  return 0;
}
