/// \file
/// promtool_check_metrics: Prometheus's own parser and linter, run over a scrape's text.
#pragma once

#include <catch2/catch.hpp>

#include <filesystem>
#include <string>

#include "common/testing/test_util.hpp"

namespace vkv::testing {

/// Where Debian's `prometheus` package puts promtool.
inline constexpr const char* kPromtool = "/usr/bin/promtool";

/// Runs `promtool check metrics` with `text` on its standard input. Fails the test (it does
/// not skip it) when promtool is not installed: `make test` installs it.
inline ProgramOutput promtool_check_metrics(const std::string& text) {
  if (!std::filesystem::exists(kPromtool)) {
    FAIL("promtool is missing: install Debian's prometheus package "
         "(apt-get install prometheus), as `make test` does");
  }
  return run_program(kPromtool, {"check", "metrics"}, text);
}

}  // namespace vkv::testing
