// nutcracker_yaml: the configuration, line for line, and read by nutcracker itself
// (`nutcracker --test-conf`), the only parser whose opinion counts.
#include <catch2/catch.hpp>

#include <unistd.h>

#include "12-cluster/nutcracker_config.hpp"
#include "common/testing/test_util.hpp"

using vkv::cluster::NutcrackerConfig;
using vkv::cluster::nutcracker_yaml;

TEST_CASE("nutcracker config: ketama, redis, ejection and named servers", "[ch12]") {
  NutcrackerConfig c;
  c.listen = "127.0.0.1:9999";
  c.servers = {"127.0.0.1:7001", "127.0.0.1:7002"};
  CHECK(nutcracker_yaml(c) ==
        "vkv:\n"
        "  listen: 127.0.0.1:9999\n"
        "  hash: md5\n"
        "  distribution: ketama\n"
        "  hash_tag: \"{}\"\n"
        "  redis: true\n"
        "  preconnect: true\n"
        "  auto_eject_hosts: true\n"
        "  server_failure_limit: 2\n"
        "  server_retry_timeout: 2000\n"
        "  timeout: 1000\n"
        "  servers:\n"
        "   - 127.0.0.1:7001:1 node1\n"
        "   - 127.0.0.1:7002:1 node2\n");
  c.hash_tag = "";
  CHECK(nutcracker_yaml(c).find("hash_tag") == std::string::npos);
  c.auto_eject = false;
  CHECK(nutcracker_yaml(c).find("  auto_eject_hosts: false\n") != std::string::npos);
}

TEST_CASE("nutcracker config: nutcracker --test-conf accepts it", "[ch12]") {
  INFO("needs nutcracker (Debian's nutcracker; make test installs it)");
  REQUIRE(::access("/usr/sbin/nutcracker", X_OK) == 0);
  vkv::testing::TempDir dir;
  NutcrackerConfig c;
  c.servers = {"127.0.0.1:7001", "127.0.0.1:7002", "127.0.0.1:7003"};
  vkv::testing::write_whole_file(dir.file("nutcracker.yml"), nutcracker_yaml(c));
  const auto checked = vkv::testing::run_program(
      "/usr/sbin/nutcracker", {"--test-conf", "-c", dir.file("nutcracker.yml")}, "");
  INFO(checked.out << checked.err);
  CHECK(checked.exit_code == 0);
  CHECK((checked.out + checked.err).find("syntax is ok") != std::string::npos);
  // And a broken one is refused, so the check above means something.
  vkv::testing::write_whole_file(dir.file("bad.yml"), "vkv:\n  listen: nowhere\n");
  CHECK(vkv::testing::run_program("/usr/sbin/nutcracker", {"--test-conf", "-c", dir.file("bad.yml")},
                                  "").exit_code != 0);
}
