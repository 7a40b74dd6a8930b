/// \file
/// FakeCommands: a small RespCommands for the session's tests (PING, ECHO, HELLO, QUIT), which
/// records every request it runs.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "02-parsing/store.hpp"
#include "09-resp/resp_commands.hpp"

namespace vkv::testing {

/// Answers PING (+PONG), ECHO x ($x), HELLO [2|3] (a map with "proto", in the new version),
/// QUIT (+OK, then close) and anything else with an error; remembers each request's
/// arguments joined by spaces. Thread-safe only as the tests use it: one thread.
class FakeCommands : public engine::RespCommands {
 public:
  void run(std::span<const std::string_view> args, engine::ClientState& client,
           protocol::RespWriter& out) override {
    std::string line;
    for (auto a : args) line += (line.empty() ? "" : " ") + std::string(a);
    ran.push_back(line);
    const std::string_view name = args[0];
    if (name == "PING") {
      out.simple("PONG");
    } else if (name == "ECHO" && args.size() == 2) {
      out.bulk(args[1]);
    } else if (name == "HELLO") {
      if (args.size() == 2) {
        client.version = args[1] == "3" ? protocol::RespVersion::kResp3
                                        : protocol::RespVersion::kResp2;
        out.set_version(client.version);
      }
      out.map(1);
      out.bulk("proto");
      out.integer(static_cast<int>(client.version));
    } else if (name == "NULL") {
      out.null();
    } else if (name == "QUIT") {
      client.close_after_reply = true;
      out.simple("OK");
    } else {
      out.error("ERR unknown command '" + std::string(name) + "'");
    }
  }

  /// Nothing is refused before it runs.
  [[nodiscard]] std::optional<std::string> refusal(
      std::span<const std::string_view> /*args*/) const override {
    return std::nullopt;
  }
  /// Cannot be watched.
  Result<std::optional<std::string>> watch_state(std::string_view /*key*/) override {
    return Status::invalid_argument("FakeCommands cannot be watched");
  }

  std::vector<std::string> ran;  ///< Every request run, its arguments joined by spaces.
};

/// SET key value and GET key on a store, as Redis answers them (+OK, the bulk or a null, an
/// error when the store fails): enough to test what the server promises about writes that
/// come over RESP, without the chapter's full commands. Thread-safe as the store is.
class StoreCommands : public engine::RespCommands {
 public:
  /// Runs on `store`, which must outlive it.
  explicit StoreCommands(storage::Store& store) : store_(store) {}

  void run(std::span<const std::string_view> args, engine::ClientState& /*client*/,
           protocol::RespWriter& out) override {
    if (args[0] == "SET" && args.size() == 3) {
      const Status s = store_.set(args[1], args[2]);
      if (s.is_ok()) {
        out.simple("OK");
      } else {
        out.error("ERR " + s.to_string());
      }
    } else if (args[0] == "GET" && args.size() == 2) {
      std::string value;
      const Status s = store_.get(args[1], &value);
      if (s.is_ok()) {
        out.bulk(value);
      } else if (s.is_not_found()) {
        out.null();
      } else {
        out.error("ERR " + s.to_string());
      }
    } else {
      out.error("ERR unknown command");
    }
  }

  /// Nothing is refused before it runs.
  [[nodiscard]] std::optional<std::string> refusal(
      std::span<const std::string_view> /*args*/) const override {
    return std::nullopt;
  }
  /// The key's value.
  Result<std::optional<std::string>> watch_state(std::string_view key) override {
    std::string value;
    const Status s = store_.get(key, &value);
    if (s.is_not_found()) return std::optional<std::string>();
    if (!s.is_ok()) return s;
    return std::optional<std::string>(std::move(value));
  }

 private:
  storage::Store& store_;
};

}  // namespace vkv::testing
