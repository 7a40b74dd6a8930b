// A real cluster: three vkv servers and a real nutcracker in front, on loopback, started and
// stopped by vkv-cluster (the script users run). Keys written through the proxy spread over
// the nodes, each on the node KetamaRing says; hash-tagged keys land together; a node killed
// is ejected and the others go on serving; restarted on its directory, it is back with its
// keys; redis-cli and redis-py work through the proxy.
#include <catch2/catch.hpp>

#include <unistd.h>

#include <fstream>
#include <memory>
#include <string>
#include <vector>

#include "09-resp/tests/resp_client.hpp"
#include "12-cluster/ketama_ring.hpp"
#include "12-cluster/nutcracker_config.hpp"
#include "common/testing/shell_session.hpp"
#include "common/testing/test_util.hpp"

using vkv::testing::read_whole_file;
using vkv::testing::RespClient;
using vkv::testing::run_program;
using vkv::testing::TempDir;
using vkv::testing::wait_for;

namespace {

constexpr std::size_t kNodes = 3;

std::string trim(std::string s) {
  while (!s.empty() && (s.back() == '\n' || s.back() == '\r')) s.pop_back();
  return s;
}

// A cluster in a temporary directory: started by `vkv-cluster start`, stopped (every process
// by its pid) by `vkv-cluster stop` when it goes out of scope.
class Cluster {
 public:
  /// Starts the cluster, with `more` flags for `start` (say, a longer `--retry-ms`).
  explicit Cluster(const std::vector<std::string>& more = {}) {
    INFO("needs nutcracker (Debian's nutcracker; make test installs it)");
    REQUIRE(::access("/usr/sbin/nutcracker", X_OK) == 0);
    port_ = static_cast<std::uint16_t>(std::stoi(trim(run_program(CH12_TOOL, {"free-port"}, "").out)));
    std::vector<std::string> args = {"start", "--nodes", std::to_string(kNodes), "--port",
                                     std::to_string(port_)};
    args.insert(args.end(), more.begin(), more.end());
    const auto started = run(args);
    INFO(started.out << started.err);
    REQUIRE(started.exit_code == 0);
  }
  ~Cluster() { run({"stop"}); }
  Cluster(const Cluster&) = delete;
  Cluster& operator=(const Cluster&) = delete;

  vkv::testing::ProgramOutput run(std::vector<std::string> args) const {
    args.insert(args.end(), {"--dir", dir_.file("cluster")});
    return run_program(CH12_CLUSTER, args, "");
  }
  [[nodiscard]] std::uint16_t proxy_port() const { return port_; }
  // Node i's port, from 0.
  [[nodiscard]] std::uint16_t node_port(std::size_t i) const {
    return static_cast<std::uint16_t>(std::stoi(
        trim(read_whole_file(dir_.file("cluster/node-" + std::to_string(i + 1) + ".port")))));
  }

 private:
  TempDir dir_;
  std::uint16_t port_ = 0;
};

std::vector<std::string> node_names() {
  std::vector<std::string> out;
  for (std::size_t i = 0; i < kNodes; ++i) out.push_back(vkv::cluster::node_name(i));
  return out;
}

std::string bulk(const std::string& s) { return "$" + std::to_string(s.size()) + "\r\n" + s + "\r\n"; }
std::string node_key(int i) { return "key:" + std::to_string(i); }
std::string value(int i) { return "value-" + std::to_string(i); }

}  // namespace

TEST_CASE("cluster: bad flag values are refused, and nothing is started", "[ch12][e2e]") {
  TempDir dir;
  const std::string where = dir.file("cluster");
  const std::vector<std::pair<std::vector<std::string>, std::string>> cases = {
      {{"--nodes", "0"}, "bad value '0' for --nodes"},
      {{"--port", "70000"}, "bad value '70000' for --port"},
      {{"--retry-ms", "soon"}, "bad value 'soon' for --retry-ms"},
      {{"--retry-ms"}, "--retry-ms needs a value"},
      {{"--frobnicate"}, "unknown flag '--frobnicate'"},
  };
  for (const auto& [flags, said] : cases) {
    std::vector<std::string> args = {"start", "--dir", where};
    args.insert(args.end(), flags.begin(), flags.end());
    const auto r = run_program(CH12_CLUSTER, args, "");
    INFO(flags[0] << ": " << r.err);
    CHECK(r.exit_code == 2);
    CHECK(r.err.find(said) != std::string::npos);
    CHECK(::access(where.c_str(), F_OK) != 0);  // no directory: nothing was started
  }
}

TEST_CASE("cluster: keys written through the proxy spread over the nodes, each where ketama "
          "says, and all read back", "[ch12][e2e]") {
  Cluster cluster;
  RespClient proxy(cluster.proxy_port());
  for (int i = 0; i < 300; ++i) REQUIRE(proxy.call({"SET", node_key(i), value(i)}) == "+OK\r\n");
  const vkv::cluster::KetamaRing ring(node_names());
  std::vector<std::unique_ptr<RespClient>> nodes;
  for (std::size_t n = 0; n < kNodes; ++n) nodes.push_back(std::make_unique<RespClient>(cluster.node_port(n)));
  std::vector<int> held(kNodes);
  for (int i = 0; i < 300; ++i) {
    const std::size_t n = ring.server_for_key(node_key(i));
    INFO(node_key(i) << " on node" << n + 1);
    CHECK(nodes[n]->call({"GET", node_key(i)}) == bulk(value(i)));  // where the model says
    ++held[n];
  }
  std::int64_t total = 0;
  for (std::size_t n = 0; n < kNodes; ++n) {
    const std::string dbsize = nodes[n]->call({"DBSIZE"});
    CHECK(dbsize == ":" + std::to_string(held[n]) + "\r\n");  // and nowhere else
    CHECK(held[n] > 30);  // each node a share
    total += held[n];
  }
  CHECK(total == 300);
  // Read back through the proxy, MGET split by the proxy over the nodes.
  CHECK(proxy.call({"MGET", node_key(0), node_key(1), node_key(2)}) ==
        "*3\r\n" + bulk(value(0)) + bulk(value(1)) + bulk(value(2)));
  for (int i = 0; i < 300; ++i) CHECK(proxy.call({"GET", node_key(i)}) == bulk(value(i)));
}

TEST_CASE("cluster: keys with one hash tag land on one node", "[ch12][e2e]") {
  Cluster cluster;
  RespClient proxy(cluster.proxy_port());
  for (const char* field : {"name", "mail", "cart", "visits"}) {
    REQUIRE(proxy.call({"SET", std::string("{user:42}:") + field, field}) == "+OK\r\n");
  }
  int nodes_with_them = 0;
  for (std::size_t n = 0; n < kNodes; ++n) {
    RespClient node(cluster.node_port(n));
    const std::string count = node.call({"EXISTS", "{user:42}:name", "{user:42}:mail",
                                         "{user:42}:cart", "{user:42}:visits"});
    CHECK((count == ":0\r\n" || count == ":4\r\n"));
    if (count == ":4\r\n") ++nodes_with_them;
  }
  CHECK(nodes_with_them == 1);
  // A command over several keys needs them on one node to be one command: with a tag, the
  // proxy can pass MSET whole.
  CHECK(proxy.call({"MSET", "{user:42}:a", "1", "{user:42}:b", "2"}) == "+OK\r\n");
  CHECK(proxy.call({"MGET", "{user:42}:a", "{user:42}:b"}) == "*2\r\n" + bulk("1") + bulk("2"));
}

TEST_CASE("cluster: a node killed is ejected, the others go on serving, and restarted on its "
          "directory, it is back with its keys", "[ch12][e2e]") {
  // The proxy tries an ejected node again after --retry-ms. The default, 2 s, is short enough
  // that on a loaded machine it could pass between the ejection and the write below, which
  // would then go to the dead node and fail: 6 s leaves room.
  Cluster cluster({"--retry-ms", "6000"});
  RespClient proxy(cluster.proxy_port());
  for (int i = 0; i < 200; ++i) REQUIRE(proxy.call({"SET", node_key(i), value(i)}) == "+OK\r\n");
  const vkv::cluster::KetamaRing ring(node_names());
  std::vector<int> on_node2, elsewhere;
  for (int i = 0; i < 200; ++i) (ring.server_for_key(node_key(i)) == 1 ? on_node2 : elsewhere).push_back(i);
  REQUIRE(!on_node2.empty());
  REQUIRE(cluster.run({"kill-node", "2"}).exit_code == 0);
  // The first requests for node 2's keys fail (connection refused) until the proxy has
  // counted server_failure_limit of them and ejected it; then the ring has two nodes.
  REQUIRE(wait_for([&] {
    RespClient fresh(cluster.proxy_port());
    return fresh.call({"GET", key(on_node2[0])}) == "$-1\r\n";  // now asked of another node
  }));
  RespClient after(cluster.proxy_port());
  for (int i : elsewhere) CHECK(after.call({"GET", node_key(i)}) == bulk(value(i)));
  // A write to one of node 2's keys while it is out goes to another node...
  CHECK(after.call({"SET", key(on_node2[0]), "written-while-out"}) == "+OK\r\n");
  // Node 2 back on its port and directory: once the retry timeout has passed, the proxy puts
  // it back in the ring, and its keys are read from its disk.
  REQUIRE(cluster.run({"restart-node", "2"}).exit_code == 0);
  REQUIRE(wait_for([&] {
    RespClient fresh(cluster.proxy_port());
    return fresh.call({"GET", key(on_node2[0])}) == bulk(value(on_node2[0]));
  }));
  RespClient back(cluster.proxy_port());
  // ...so once node 2 is back, the value from before it failed is read again: the write made
  // meanwhile is on a node the ring no longer sends that key to.
  for (int i : on_node2) CHECK(back.call({"GET", node_key(i)}) == bulk(value(i)));
}

TEST_CASE("cluster: redis-cli and redis-py through the proxy, and what it cannot pass on",
          "[ch12][e2e]") {
  INFO("needs redis-cli and python3-redis (make test installs them)");
  REQUIRE(::access("/usr/bin/redis-cli", X_OK) == 0);
  Cluster cluster;
  const std::string port = std::to_string(cluster.proxy_port());
  auto cli = [&](std::vector<std::string> words) {
    words.insert(words.begin(), {"-p", port});
    return run_program("/usr/bin/redis-cli", words, "").out;
  };
  CHECK(cli({"SET", "greeting", "hello"}) == "OK\n");
  CHECK(cli({"GET", "greeting"}) == "hello\n");
  CHECK(cli({"INCR", "visits"}) == "1\n");
  CHECK(cli({"SET", "session", "s", "EX", "100"}) == "OK\n");
  CHECK(cli({"TTL", "session"}) == "100\n");
  CHECK(cli({"DEL", "greeting", "visits"}) == "2\n");
  // Commands over the whole key space have no one node to go to: the proxy refuses them
  // (nutcracker closes the connection).
  const std::vector<std::vector<std::string>> refused_commands = {
      {"KEYS", "*"}, {"SCAN", "0"}, {"FLUSHALL"}, {"DBSIZE"}, {"INFO"},
      {"MULTI"},     {"EXEC"},      {"WATCH", "greeting"}};
  for (const auto& words : refused_commands) {
    INFO(words[0]);
    std::vector<std::string> args = {"-p", port};
    args.insert(args.end(), words.begin(), words.end());
    const auto refused = run_program("/usr/bin/redis-cli", args, "");
    const std::string said = refused.out + refused.err;
    // The proxy closes the connection; redis-cli sees the close, or (if its read comes
    // after the close has reset the socket) a reset.
    CHECK((said.find("Server closed the connection") != std::string::npos ||
           said.find("Connection reset by peer") != std::string::npos));
  }
  CHECK(cli({"PING"}) == "PONG\n");  // the proxy's own answer
  const auto py = run_program(
      "/usr/bin/python3",
      {"-c",
       "import redis, sys\n"
       "r = redis.Redis(port=int(sys.argv[1]))\n"
       "r.set('py:a', '1'); r.set('py:b', '2')\n"
       "p = r.pipeline(transaction=False)\n"
       "for i in range(50): p.set('py:%d' % i, i)\n"
       "p.execute()\n"
       "print(r.mget('py:1', 'py:2', 'py:49'), r.incr('py:1'))\n",
       port},
      "");
  INFO(py.err);
  CHECK(py.out == "[b'1', b'2', b'49'] 2\n");
}

TEST_CASE("cluster: ioredis and node-redis through the proxy, told to skip what it refuses",
          "[ch12][e2e]") {
  INFO("needs node, and chapter 9's tests/clients packages (its build runs npm ci)");
  REQUIRE(::access(CH09_CLIENTS "/node_modules/ioredis/package.json", F_OK) == 0);
  Cluster cluster;
  const auto r = run_program("/usr/bin/timeout",
                             {"60", CH12_NODE, CH12_CLIENTS "/through_proxy.js",
                              std::to_string(cluster.proxy_port()), CH09_CLIENTS}, "");
  INFO(r.err);
  CHECK(r.exit_code == 0);
  CHECK(r.out == "ok ioredis node-redis\n");
}

TEST_CASE("cluster: the page's Run it session (tests/run-it), replayed in one shell",
          "[ch12][e2e]") {
  vkv::testing::ShellSession shell(VKV_BUILD_DIR);
  const auto steps = shell.run_all(vkv::testing::session_files(CH12_RUN_IT));
  for (const auto& step : steps) CHECK(step.mismatch() == "");
}
