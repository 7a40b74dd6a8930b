// logged_keys: what a log holds, for tests of the log writer on any Env.
#pragma once

#include <catch2/catch.hpp>
#include <string>
#include <vector>

#include "03-wal/recovery.hpp"

namespace vkv::testing {

/// The keys of the records in the log at `path`, in log order (replayed with replay_log,
/// which cuts a torn or zero tail first); fails the test if the replay fails.
inline std::vector<std::string> logged_keys(const std::string& path) {
  std::vector<std::string> keys;
  auto report = storage::replay_log(Env::posix(), path, [&keys](const storage::LogRecord& r) {
    keys.emplace_back(r.key);
    return Status::ok();
  });
  REQUIRE(report.is_ok());
  return keys;
}

}  // namespace vkv::testing
