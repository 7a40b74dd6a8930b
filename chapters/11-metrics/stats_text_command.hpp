/// \file
/// StatsTextCommand: `STATS [section ...]` in vkv's text protocol: what INFO shows a Redis
/// client, as `STAT name value` lines.
#pragma once

#include <memory>
#include <span>
#include <string>
#include <string_view>

#include "02-parsing/text_commands.hpp"
#include "09-resp/resp_commands.hpp"

namespace vkv::runtime {

//! [stats-command]
/// Takes `STATS [section ...]` (any case) and answers with INFO's report for the same
/// sections, one line per field, as memcached's `stats` does:
///
///     SECTION Server
///     STAT redis_version 7.0.0
///     ...
///     END
///
/// It asks `commands` for `INFO` with the same words, so the two protocols can never tell
/// different figures. Every other line goes to `rest` (may be null: then it is left alone).
/// Thread-safe, as `commands` is.
class StatsTextCommand final : public TextCommands {
 public:
  /// Over `commands` (which must outlive this), then `rest`.
  StatsTextCommand(engine::RespCommands& commands, std::unique_ptr<TextCommands> rest);

  bool run(std::span<const std::string_view> tokens, std::string* out) override;
  [[nodiscard]] std::string_view names() const override { return names_; }

 private:
  engine::RespCommands& commands_;
  std::unique_ptr<TextCommands> rest_;
  std::string names_;  // "STATS", then rest_'s
};
//! [stats-command]

/// The text protocol's lines for INFO's report `report` (`# Title` and `name:value` lines,
/// each ending in "\r\n"): `SECTION Title`, `STAT name value`, then `END`; a value with a
/// space or a quote comes back as a quoted token.
std::string stats_lines(std::string_view report);

}  // namespace vkv::runtime
