// The pieces behind INFO's added lines: the sessions' byte counts and protocol errors, the
// instantaneous rates, STATS in the text protocol, and ServerReport's sections over a real
// store.
#include <catch2/catch.hpp>

#include <memory>
#include <string>
#include <vector>

#include "08-compaction/version_set.hpp"
#include "09-resp/resp_session.hpp"
#include "11-metrics/instantaneous_meter.hpp"
#include "11-metrics/server_report.hpp"
#include "11-metrics/stats_text_command.hpp"
#include "11-metrics/traffic.hpp"
#include "11-metrics/tests/metrics_fixture.hpp"
#include "common/testing/test_util.hpp"

using vkv::runtime::CountingSession;
using vkv::runtime::InstantaneousMeter;
using vkv::runtime::Traffic;
using vkv::testing::MetricsFixture;
using vkv::testing::contains;

namespace {

}  // namespace

TEST_CASE("traffic: bytes in and out are counted, and a protocol error is told once",
          "[ch11]") {
  MetricsFixture f;
  Traffic traffic;
  std::vector<std::string> told;
  CountingSession session(
      std::make_unique<vkv::runtime::RespSession>(*f.metered, 1, vkv::protocol::RespLimits{}),
      traffic, [&](std::string_view e) { told.emplace_back(e); });
  std::string out;
  session.feed("*1\r\n$4\r\nPING\r\n", &out);
  CHECK(out == "+PONG\r\n");
  CHECK(traffic.bytes_in() == 14);
  CHECK(traffic.bytes_out() == 7);
  session.feed("*1\r\n$x\r\n", &out);
  CHECK(session.wants_close());
  REQUIRE(told.size() == 1);
  CHECK(told[0].rfind("ERR Protocol error", 0) == 0);
  CHECK(traffic.protocol_errors() == 1);
  CHECK(traffic.bytes_out() == out.size());
}

TEST_CASE("traffic: the counting session is fed the pieces its inner session asks for",
          "[ch11]") {
  MetricsFixture f;
  Traffic traffic;
  CountingSession session(
      std::make_unique<vkv::runtime::RespSession>(*f.metered, 1, vkv::protocol::RespLimits{}),
      traffic, nullptr);
  const std::string ping = "*1\r\n$4\r\nPING\r\n";
  CHECK(session.next_piece(ping + ping) == ping.size());  // a whole request, as RESP asks
  CHECK(session.next_piece("*1\r\n$4\r\nPI") == 4);      // not all here: a line
}

TEST_CASE("traffic: QUIT closes without a protocol error", "[ch11]") {
  MetricsFixture f;
  Traffic traffic;
  int told = 0;
  CountingSession session(
      std::make_unique<vkv::runtime::RespSession>(*f.metered, 1, vkv::protocol::RespLimits{}),
      traffic, [&](std::string_view) { ++told; });
  std::string out;
  session.feed("*1\r\n$4\r\nQUIT\r\n", &out);
  CHECK(session.wants_close());
  CHECK(told == 0);
  CHECK(traffic.protocol_errors() == 0);
}

TEST_CASE("instantaneous meter: the rate over the samples kept", "[ch11]") {
  InstantaneousMeter m;
  CHECK(m.per_second() == 0);
  m.sample(0, 0);
  CHECK(m.per_second() == 0);
  for (int i = 1; i <= 40; ++i) m.sample(i * 100, static_cast<std::uint64_t>(i) * 50);
  CHECK(m.per_second() == Approx(500));  // 50 every 100 ms
  m.sample(4100, 0);  // the counter went back (CONFIG RESETSTAT): no rate, rather than a lie
  CHECK(m.per_second() == 0);
}

TEST_CASE("stats: the text protocol shows INFO's report line by line", "[ch11]") {
  CHECK(vkv::runtime::stats_lines("# Server\r\nredis_version:7.0.0\r\nos:Linux 6 x86_64\r\n"
                                  "\r\n# Stats\r\nkeyspace_hits:3\r\n") ==
        "SECTION Server\nSTAT redis_version 7.0.0\nSTAT os \"Linux 6 x86_64\"\n"
        "SECTION Stats\nSTAT keyspace_hits 3\nEND\n");
  CHECK(vkv::runtime::stats_lines("") == "END\n");
  MetricsFixture f;
  f("SET a 1");
  vkv::runtime::StatsTextCommand stats(*f.metered, nullptr);
  std::string out;
  std::vector<std::string_view> words = {"stats", "commandstats"};
  REQUIRE(stats.run(words, &out));
  CHECK(out.rfind("SECTION Commandstats\nSTAT cmdstat_set calls=1,", 0) == 0);
  std::vector<std::string_view> other = {"GET", "a"};
  out.clear();
  CHECK_FALSE(stats.run(other, &out));
  CHECK(out.empty());
  CHECK(stats.names() == "STATS");
}

TEST_CASE("server report: memory, persistence, LSM and CPU lines from a real store",
          "[ch11]") {
  vkv::testing::TempDir dir;
  vkv::storage::VersionSet* levels = nullptr;
  vkv::storage::LsmStoreOptions o;
  o.durable.dir = dir.file("data");
  o.durable.sync = vkv::storage::SyncPolicy::kAlways;
  o.memtable_bytes = vkv::storage::kMinMemtableBytes;
  o.table_set = vkv::storage::VersionSet::factory({}, &levels);
  auto store = vkv::storage::LsmStore::open(vkv::Env::posix(), o);
  REQUIRE(store.is_ok());
  for (int i = 0; i < 2000; ++i) {
    REQUIRE((*store)->set("key" + std::to_string(i), std::string(100, 'v')).is_ok());
  }
  REQUIRE((*store)->flush().is_ok());
  Traffic traffic;
  vkv::runtime::ReportSources sources;
  sources.store = store->get();
  sources.levels = levels;
  sources.traffic = &traffic;
  sources.sync = "always";
  vkv::runtime::ServerReport report(sources);
  report.sample(0);
  const std::string memory = report.info("memory");
  CHECK(contains(memory, "used_memory:"));
  CHECK(contains(memory, "used_memory_rss:"));
  CHECK(contains(memory, "vkv_memtable_bytes:"));
  if (vkv::testing::kGlibcMalloc) CHECK(report.memory().used > 0);
  CHECK(report.memory().rss > 0);
  const std::string persistence = report.info("persistence");
  CHECK(contains(persistence, "vkv_sync:always\r\n"));
  CHECK(contains(persistence, "aof_last_write_status:ok\r\n"));
  CHECK(contains(persistence, "vkv_log_unsynced_bytes:0\r\n"));  // under always, all synced
  report.note_write_error();
  CHECK(contains(report.info("persistence"), "aof_last_write_status:err\r\n"));
  const std::string lsm = report.info("lsm");
  CHECK(contains(lsm, "level0:tables="));
  CHECK(contains(lsm, "vkv_write_amplification:"));
  CHECK_FALSE(contains(lsm, "vkv_flushed_bytes:0\r\n"));
  CHECK(contains(report.info("cpu"), "used_cpu_user:"));
  CHECK(report.info("clients") == "blocked_clients:0\r\n");  // the rest once it serves
  CHECK(report.info("server").empty());  // no server yet: no port to tell
  CHECK(report.info("nosuch").empty());
}
