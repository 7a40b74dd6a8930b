/// \file
/// ExpiryFixture: chapter 10's ExpiryBackend over a real LsmStore in a temporary directory,
/// with a ManualClock, and both protocols' commands to run against it.
#pragma once

#include <catch2/catch.hpp>

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "02-parsing/engine.hpp"
#include "02-parsing/lexer.hpp"
#include "02-parsing/parser.hpp"
#include "02-parsing/reply_encoder.hpp"
#include "05-sstables/lsm_store.hpp"
#include "09-resp/tests/redis_fixture.hpp"
#include "09-resp/resp_writer.hpp"
#include "10-expiry/expiry_backend.hpp"
#include "common/testing/test_util.hpp"

namespace vkv::testing {

/// An LsmStore (sync never, the smallest memtable), a ManualClock, the ExpiryBackend over
/// them, and the text protocol's engine over its text store.
class ExpiryFixture {
 public:
  ExpiryFixture() {
    storage::LsmStoreOptions o;
    o.durable.dir = dir_.file("data");
    o.durable.sync = storage::SyncPolicy::kNever;
    o.memtable_bytes = storage::kMinMemtableBytes;
    auto opened = storage::LsmStore::open(Env::posix(), o);
    REQUIRE(opened.is_ok());
    lsm = std::move(opened).value();
    backend = std::make_unique<engine::ExpiryBackend>(*lsm, engine::RedisServerInfo{}, &clock);
    text_commands = backend->text_commands();
    engine = std::make_unique<engine::Engine>(backend->text_store());
  }

  /// Runs the RESP request of the words of `line` (split at spaces); returns the reply's bytes.
  std::string operator()(std::string_view line) { return run(words(line)); }
  /// Runs the RESP request `args`; returns the reply's bytes.
  std::string run(const std::vector<std::string>& args) {
    std::vector<std::string_view> views(args.begin(), args.end());
    std::string out;
    protocol::RespWriter writer(&out, client.version);
    backend->commands().run(views, client, writer);
    return out;
  }

  /// Runs `line` in the text protocol as a session would: the added commands first, then the
  /// parser's SET, GET and DEL. Returns the reply without its last newline.
  std::string text(std::string_view line) {
    std::vector<std::string_view> views;
    REQUIRE(lexer_.lex(line, &views).is_ok());
    std::string out;
    if (!text_commands->run(views, &out)) {
      auto command = protocol::parse_command(views, text_commands->names());
      protocol::append_reply(&out, command.is_ok() ? engine->execute(*command)
                                                   : protocol::Reply::error(command.status().message()));
    }
    if (!out.empty() && out.back() == '\n') out.pop_back();
    return out;
  }

  static std::vector<std::string> words(std::string_view line) { return split_words(line); }

  protocol::Lexer lexer_;
  TempDir dir_;
  storage::ManualClock clock;  ///< Starts at 2026-01-01 00:00 UTC: 1767225600000 ms.
  std::unique_ptr<storage::LsmStore> lsm;
  std::unique_ptr<engine::ExpiryBackend> backend;
  std::unique_ptr<runtime::TextCommands> text_commands;
  std::unique_ptr<engine::Engine> engine;
  engine::ClientState client;
};

}  // namespace vkv::testing
