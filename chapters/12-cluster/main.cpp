/// \file
/// ch12-cluster: the pieces of a vkv cluster behind twemproxy that a script cannot do well:
/// the proxy's configuration, where a key lands, a free port.
///
///     ch12-cluster config --servers 127.0.0.1:7001,127.0.0.1:7002 --listen 127.0.0.1:22121
///     printf 'user:1\n{user:7}:name\n' | ch12-cluster where --nodes 3
///     ch12-cluster free-port

#include <netinet/in.h>
#include <sys/socket.h>

#include <iostream>
#include <string>
#include <vector>

#include "12-cluster/ketama_ring.hpp"
#include "12-cluster/nutcracker_config.hpp"
#include "common/flags.hpp"
#include "common/unique_fd.hpp"

namespace {

/// The most nodes `where` builds a ring of.
constexpr std::size_t kMaxNodes = 1000;

constexpr const char* kUsage =
    "usage: ch12-cluster config|where|free-port [flags] (--help after one of them lists its "
    "flags)\n"
    "  config     print nutcracker's configuration for vkv servers\n"
    "  where      read keys, one a line, and print the node each lands on\n"
    "  free-port  print a TCP port on 127.0.0.1 that nobody listens on now\n";

// The servers of `list` ("host:port,host:port").
std::vector<std::string> split_servers(const std::string& list) {
  std::vector<std::string> out;
  std::size_t at = 0;
  while (at <= list.size()) {
    const auto comma = list.find(',', at);
    const std::string one = list.substr(at, comma == std::string::npos ? std::string::npos : comma - at);
    if (!one.empty()) out.push_back(one);
    if (comma == std::string::npos) break;
    at = comma + 1;
  }
  return out;
}

//! [config]
int config(int argc, char** argv) {
  vkv::cluster::NutcrackerConfig c;
  std::string servers;
  std::string hash = "md5";
  std::string eject = "yes";
  std::size_t failure_limit = c.server_failure_limit;
  std::size_t retry_ms = c.server_retry_timeout_ms;
  std::size_t timeout_ms = c.timeout_ms;
  vkv::Flags flags("ch12-cluster config", "Prints nutcracker's YAML for a pool of vkv servers.");
  flags.add_string("servers", &servers, "host:port of each server, comma-separated, in order");
  flags.add_string("listen", &c.listen, "host:port the proxy listens on");
  flags.add_string("hash-tag", &c.hash_tag, "two characters that mark a hash tag (\"\": none)");
  flags.add_choice("hash", &hash, {"md5", "fnv1a_64"}, "the key hash");
  flags.add_choice("eject", &eject, {"yes", "no"}, "take a failing server off the ring");
  flags.add_size("failure-limit", &failure_limit, "failed requests that eject a server");
  flags.add_size("retry-ms", &retry_ms, "milliseconds before an ejected server is tried again");
  flags.add_size("timeout-ms", &timeout_ms, "milliseconds the proxy waits for a reply");
  if (auto code = flags.parse_main(argc, argv)) return *code;
  c.servers = split_servers(servers);
  if (c.servers.empty()) {
    std::cerr << "ch12-cluster config: --servers is required\n";
    return 2;
  }
  if (!c.hash_tag.empty() && c.hash_tag.size() != 2) {
    std::cerr << "ch12-cluster config: bad value '" << c.hash_tag
              << "' for --hash-tag: expected two characters, such as {}\n";
    return 2;
  }
  c.auto_eject = eject == "yes";
  c.hash = hash == "md5" ? vkv::cluster::KeyHash::kMd5 : vkv::cluster::KeyHash::kFnv1a64;
  c.server_failure_limit = static_cast<std::uint32_t>(failure_limit);
  c.server_retry_timeout_ms = static_cast<std::uint32_t>(retry_ms);
  c.timeout_ms = static_cast<std::uint32_t>(timeout_ms);
  std::cout << vkv::cluster::nutcracker_yaml(c);
  return 0;
}
//! [config]

int where(int argc, char** argv) {
  std::size_t nodes = 3;
  std::string tag = "{}";
  std::string hash = "md5";
  vkv::Flags flags("ch12-cluster where",
                   "Reads keys on standard input, one a line, and prints the node of a ring of "
                   "--nodes (named node1, node2... as in `config`) each one lands on.");
  flags.add_size("nodes", &nodes, "nodes in the ring");
  flags.add_string("hash-tag", &tag, "the hash tag's two characters (\"\": none)");
  flags.add_choice("hash", &hash, {"md5", "fnv1a_64"}, "the proxy's key hash");
  if (auto code = flags.parse_main(argc, argv)) return *code;
  if (nodes == 0 || nodes > kMaxNodes) {
    std::cerr << "ch12-cluster where: bad value '" << nodes << "' for --nodes: expected 1 to "
              << kMaxNodes << "\n";
    return 2;
  }
  std::vector<std::string> names;
  for (std::size_t i = 0; i < nodes; ++i) names.push_back(vkv::cluster::node_name(i));
  const vkv::cluster::KetamaRing ring(names);
  std::string key;
  while (std::getline(std::cin, key)) {
    const auto h = hash == "md5" ? vkv::cluster::KeyHash::kMd5 : vkv::cluster::KeyHash::kFnv1a64;
    std::cout << key << " " << names[ring.server_for_key(key, tag, h)] << "\n";
  }
  return 0;
}

int free_port() {
  vkv::UniqueFd fd(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof addr;
  if (!fd.valid() || ::bind(fd.get(), reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 ||
      ::getsockname(fd.get(), reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
    std::cerr << "ch12-cluster free-port: cannot bind a socket on 127.0.0.1\n";
    return 1;
  }
  std::cout << ntohs(addr.sin_port) << "\n";
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  const std::string command = argc > 1 ? argv[1] : "";
  if (command == "config") return config(argc - 1, argv + 1);
  if (command == "where") return where(argc - 1, argv + 1);
  if (command == "free-port") return free_port();
  const bool help = command.empty() || command == "--help" || command == "-h";
  (help ? std::cout : std::cerr) << kUsage;
  return help ? 0 : 2;
}
