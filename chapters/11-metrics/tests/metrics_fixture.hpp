/// \file
/// MetricsFixture: chapter 10's backend (ExpiryFixture) with chapter 11's MeteredCommands in
/// front of its Redis commands, and INFO's added lines wired as the server wires them.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "09-resp/redis_commands.hpp"
#include "10-expiry/expiry_commands.hpp"
#include "10-expiry/tests/expiry_fixture.hpp"
#include "11-metrics/metered_commands.hpp"
#include "11-metrics/metrics_program.hpp"

namespace vkv::testing {

/// ExpiryFixture's commands behind a MeteredCommands, INFO showing its sections; errors told
/// to it are kept in `errors`.
class MetricsFixture {
 public:
  explicit MetricsFixture(engine::MeteredOptions options = {}) {
    options.on_error = [this](const engine::CommandError& e) {
      errors.push_back(std::string(e.command) + " " + std::string(e.error));
    };
    // The backend again, its INFO told of these counts, as the server's is.
    engine::RedisServerInfo info;
    info.more_commands = engine::MeteredCommands::specs();
    info.more_info = [this](std::string_view section) {
      return metered ? metered->info(section) : std::string();
    };
    inner.engine.reset();
    inner.text_commands.reset();
    inner.backend = std::make_unique<engine::ExpiryBackend>(*inner.lsm, info, &inner.clock);
    inner.text_commands = inner.backend->text_commands();
    inner.engine = std::make_unique<engine::Engine>(inner.backend->text_store());
    const auto names = runtime::counted_command_names();  // as the server counts
    metered = std::make_unique<engine::MeteredCommands>(inner.backend->commands(), names, options);
  }

  /// Runs the RESP request of the words of `line`; returns the reply's bytes.
  std::string operator()(std::string_view line) {
    const auto args = split_words(line);
    std::vector<std::string_view> views(args.begin(), args.end());
    std::string out;
    protocol::RespWriter writer(&out, client.version);
    metered->run(views, client, writer);
    return out;
  }

  ExpiryFixture inner;
  std::unique_ptr<engine::MeteredCommands> metered;
  engine::ClientState client;
  std::vector<std::string> errors;  ///< "command error" for each error told.
};

}  // namespace vkv::testing
