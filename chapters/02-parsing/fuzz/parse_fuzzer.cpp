// libFuzzer target: any bytes through the framer, lexer, parser, engine and encoder.
//
// Checks, beyond "no crash, no hang, no unbounded allocation": every reply is one line, and
// every token the lexer produced comes back unchanged through the encoder and the lexer.
#include <cstdint>
#include <cstdlib>
#include <string>
#include <vector>

#include "02-parsing/engine.hpp"
#include "02-parsing/lexer.hpp"
#include "02-parsing/memory_store.hpp"
#include "02-parsing/reply_encoder.hpp"
#include "02-parsing/text_session.hpp"

namespace {

void check_tokens_round_trip(std::string_view line) {
  vkv::protocol::Lexer lexer;
  std::vector<std::string_view> tokens;
  if (!lexer.lex(line, &tokens).is_ok()) return;
  std::string encoded;
  for (auto t : tokens) {
    vkv::protocol::append_token(&encoded, t);
    encoded += ' ';
  }
  std::vector<std::string> expected(tokens.begin(), tokens.end());
  vkv::protocol::Lexer again;
  std::vector<std::string_view> tokens2;
  if (!again.lex(encoded, &tokens2).is_ok()) std::abort();
  if (std::vector<std::string>(tokens2.begin(), tokens2.end()) != expected) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  vkv::storage::MemoryStore store;
  vkv::engine::Engine engine(store);
  vkv::runtime::TextSession session(engine, 256);
  std::string out;
  // Feed in uneven pieces so the framer's joins are exercised too.
  for (std::size_t pos = 0, step = 1; pos < input.size(); pos += step, step = step % 7 + 1) {
    session.feed(input.substr(pos, step), &out);
  }
  session.finish(&out);
  if (!out.empty() && out.back() != '\n') std::abort();
  for (std::size_t start = 0; start < input.size();) {
    std::size_t nl = input.find('\n', start);
    if (nl == std::string_view::npos) nl = input.size();
    if (nl - start <= 256) check_tokens_round_trip(input.substr(start, nl - start));
    start = nl + 1;
  }
  return 0;
}
