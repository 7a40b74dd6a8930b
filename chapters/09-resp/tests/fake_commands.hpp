/// \file
/// FakeCommands: a small RespCommands for the session's tests (PING, ECHO, HELLO, QUIT), which
/// records every request it runs.
#pragma once

#include <string>
#include <string_view>
#include <vector>

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

  std::vector<std::string> ran;  ///< Every request run, its arguments joined by spaces.
};

}  // namespace vkv::testing
