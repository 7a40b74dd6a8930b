#include "12-cluster/nutcracker_config.hpp"

namespace vkv::cluster {

std::string node_name(std::size_t index) { return "node" + std::to_string(index + 1); }

// LEARNER: begin nutcracker_yaml(): the pool's name, its settings, then each server as host:port:1 and its name
//! [yaml-body]
std::string nutcracker_yaml(const NutcrackerConfig& config) {
  std::string y = config.pool + ":\n";
  auto line = [&y](const std::string& key, const std::string& value) {
    y += "  " + key + ": " + value + "\n";
  };
  line("listen", config.listen);
  line("hash", std::string(key_hash_name(config.hash)));
  line("distribution", "ketama");
  if (!config.hash_tag.empty()) line("hash_tag", "\"" + config.hash_tag + "\"");
  line("redis", "true");
  line("preconnect", "true");
  line("auto_eject_hosts", config.auto_eject ? "true" : "false");
  line("server_failure_limit", std::to_string(config.server_failure_limit));
  line("server_retry_timeout", std::to_string(config.server_retry_timeout_ms));
  line("timeout", std::to_string(config.timeout_ms));
  y += "  servers:\n";
  for (std::size_t i = 0; i < config.servers.size(); ++i) {
    y += "   - " + config.servers[i] + ":1 " + node_name(i) + "\n";
  }
  return y;
}
//! [yaml-body]
// LEARNER: end

}  // namespace vkv::cluster
