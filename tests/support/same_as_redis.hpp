/// \file
/// same_replies_as_redis(): sends the same requests to a vkv server and to a real
/// redis-server and checks that the replies are the same bytes, so that a chapter's claim to
/// answer as Redis does is checked against the Redis that is installed.
#pragma once

#include <catch2/catch.hpp>

#include <unistd.h>

#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "09-resp/tests/redis_fixture.hpp"
#include "09-resp/tests/resp_client.hpp"
#include "common/escape.hpp"
#include "common/testing/test_util.hpp"
#include "tests/support/redis_server_process.hpp"
#include "tests/support/server_process.hpp"

namespace vkv::testing {

/// One request, and how its two replies are compared.
struct RedisStep {
  std::string_view line;  ///< The request's words, split at single spaces.
  long within = -1;       ///< -1: the same bytes; else both integers, at most this far apart
                          ///< (a TTL counts down between the two askings).
};

/// Starts `server` (a vkv server binary, `--sync never`, an empty directory) and an empty
/// redis-server, sends each step to both, one connection each, in order, and CHECKs each
/// pair of replies as the step says. Fails at once if redis-server is not installed.
inline void same_replies_as_redis(const std::string& server, const std::vector<RedisStep>& steps) {
  if (::access(kRedisServer, X_OK) != 0) {
    FAIL("needs Debian's redis-server at " << kRedisServer << " (make test installs it)");
  }
  TempDir redis_dir;
  TempDir vkv_dir;
  RedisServerProcess redis(redis_dir.path());
  ServerProcess vkv(server, {"--dir", vkv_dir.file("data"), "--sync", "never"},
                    vkv_dir.file("stderr"));
  RespClient to_redis(redis.port());
  RespClient to_vkv(vkv.port());
  for (const RedisStep& step : steps) {
    const auto args = split_words(step.line);
    const std::string expected = to_redis.call(args);
    const std::string got = to_vkv.call(args);
    INFO("request: " << step.line);
    INFO("redis: " << escape_bytes(expected));
    INFO("vkv:   " << escape_bytes(got));
    if (step.within < 0) {
      CHECK(got == expected);
      continue;
    }
    // Both must be RESP integers (":42\r\n").
    const auto integer = [](const std::string& reply, long* n) {
      if (reply.size() < 4 || reply[0] != ':' || reply.compare(reply.size() - 2, 2, "\r\n") != 0) {
        return false;
      }
      const std::string digits = reply.substr(1, reply.size() - 3);
      char* end = nullptr;
      *n = std::strtol(digits.c_str(), &end, 10);
      return !digits.empty() && end != nullptr && *end == '\0';
    };
    long a = 0;
    long b = 0;
    REQUIRE(integer(expected, &a));
    REQUIRE(integer(got, &b));
    CHECK(std::labs(a - b) <= step.within);
  }
  CHECK(redis.stop() == 0);
}

}  // namespace vkv::testing
