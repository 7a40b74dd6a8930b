// RedisCommands: the commands about the server (COMMAND, CONFIG, INFO).
#include <sys/utsname.h>
#include <unistd.h>

#include <algorithm>
#include <initializer_list>
#include <set>

#include "09-resp/command_helpers.hpp"
#include "09-resp/glob.hpp"
#include "09-resp/redis_commands.hpp"
#include "09-resp/resp_writer.hpp"

namespace vkv::engine {

namespace {

void write_help(protocol::RespWriter& out, std::initializer_list<std::string_view> lines) {
  out.array(lines.size());
  for (const auto line : lines) out.simple(line);
}

// The settings every vkv has, before those the program adds (RedisServerInfo::config).
std::vector<ConfigParam> base_config() {
  return {{"save", ""},  // no snapshots: the log and the tables are the data
          {"appendonly", "yes"},  // every write is logged before it is acknowledged
          {"databases", "1"}};
}

std::string operating_system() {
  utsname u{};
  if (::uname(&u) != 0) return "unknown";
  return std::string(u.sysname) + " " + u.release + " " + u.machine;
}

// INFO's header for a section: Redis's, "Server" for `server`, "CPU" for `cpu`; "LSM" for
// vkv's `lsm`.
std::string info_section_title(std::string_view section) {
  if (section == "cpu") return "CPU";
  if (section == "lsm") return "LSM";
  std::string title(section);
  if (!title.empty()) title[0] = static_cast<char>(title[0] - 'a' + 'A');
  return title;
}

}  // namespace

void RedisCommands::command(Args, ClientState&, protocol::RespWriter& out) {
  out.array(told_.size());
  for (const CommandSpec* spec : told_) write_command_info(*spec, out);
}

void RedisCommands::command_count(Args, ClientState&, protocol::RespWriter& out) {
  out.integer(static_cast<std::int64_t>(told_.size()));
}

void RedisCommands::command_list(Args, ClientState&, protocol::RespWriter& out) {
  out.array(told_.size());
  for (const CommandSpec* spec : told_) out.bulk(spec->name);
}

void RedisCommands::command_info(Args args, ClientState& client, protocol::RespWriter& out) {
  if (args.size() == 2) return command(args, client, out);  // no names: every command
  out.array(args.size() - 2);
  for (std::size_t i = 2; i < args.size(); ++i) {
    const CommandSpec* spec = find_told(args[i]);
    spec ? write_command_info(*spec, out) : out.null();
  }
}

// redis-cli asks for this when it starts interactively, and shows each command's arguments
// as a hint while you type it.
void RedisCommands::command_docs(Args args, ClientState&, protocol::RespWriter& out) {
  std::vector<const CommandSpec*> specs;
  if (args.size() == 2) {
    specs = told_;
  } else {
    for (std::size_t i = 2; i < args.size(); ++i) {  // a name vkv lacks is left out
      if (const CommandSpec* spec = find_told(args[i])) specs.push_back(spec);
    }
  }
  out.map(specs.size());
  for (const CommandSpec* spec : specs) {
    out.bulk(spec->name);
    write_command_docs(*spec, out);
  }
}

void RedisCommands::command_help(Args, ClientState&, protocol::RespWriter& out) {
  write_help(out, {"COMMAND <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
                   "(no subcommand)", "    Return details about all commands.",
                   "COUNT", "    Return the total number of commands.",
                   "DOCS [<command-name> ...]", "    Return documentation details about "
                   "multiple commands.",
                   "INFO [<command-name> ...]", "    Return details about multiple commands.",
                   "LIST", "    Return a list of all commands.",
                   "HELP", "    Print this help."});
}

void RedisCommands::config_get(Args args, ClientState&, protocol::RespWriter& out) {
  std::vector<ConfigParam> params = base_config();
  for (const auto& p : info_.config) {
    auto same = std::find_if(params.begin(), params.end(),
                             [&](const ConfigParam& q) { return q.name == p.name; });
    same != params.end() ? void(*same = p) : params.push_back(p);
  }
  std::set<std::size_t> matched;  // each setting once, however many patterns match it
  for (std::size_t i = 2; i < args.size(); ++i) {
    const std::string pattern = lower(args[i]);
    for (std::size_t j = 0; j < params.size(); ++j) {
      if (match_glob(pattern, params[j].name)) matched.insert(j);
    }
  }
  out.map(matched.size());
  for (const std::size_t j : matched) {
    out.bulk(params[j].name);
    out.bulk(params[j].value);
  }
}

void RedisCommands::config_set(Args, ClientState&, protocol::RespWriter& out) {
  out.error("ERR CONFIG SET is not supported: vkv's settings are the flags it was started "
            "with (see --help)");
}

void RedisCommands::config_resetstat(Args, ClientState&, protocol::RespWriter& out) {
  commands_processed_ = 0;
  keyspace_hits_ = 0;
  keyspace_misses_ = 0;
  out.simple("OK");
}

void RedisCommands::config_help(Args, ClientState&, protocol::RespWriter& out) {
  write_help(out, {"CONFIG <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
                   "GET <pattern>", "    Return parameters matching the glob-like <pattern> "
                   "and their values.",
                   "SET <directive> <value>", "    Not in vkv: its settings are start-up flags.",
                   "RESETSTAT", "    Reset statistics reported by the INFO command.",
                   "HELP", "    Print this help."});
}

//! [info]
void RedisCommands::info(Args args, ClientState&, protocol::RespWriter& out) {
  // The sections asked for; with none, the default ones.
  std::set<std::string> asked;
  for (std::size_t i = 1; i < args.size(); ++i) asked.insert(lower(args[i]));
  const bool all = asked.count("all") > 0 || asked.count("everything") > 0;
  const bool standard = asked.empty() || asked.count("default") > 0;
  auto wants = [&](std::string_view section) {
    if (all || asked.count(std::string(section)) > 0) return true;
    return standard && std::find(kInfoSectionsNotByDefault.begin(),
                                 kInfoSectionsNotByDefault.end(),
                                 section) == kInfoSectionsNotByDefault.end();
  };
  std::string text;
  for (std::string_view section : kInfoSections) {
    if (!wants(section)) continue;
    std::string lines;
    if (const Status s = info_lines(section, &lines); !s.is_ok()) return storage_error(out, s);
    if (info_.more_info) lines += info_.more_info(section);
    // This chapter's sections are shown even when empty (as Redis shows an empty Keyspace);
    // a later chapter's only when it has something to say.
    const bool own = section == "server" || section == "clients" ||
                     section == "persistence" || section == "stats" || section == "keyspace";
    if (lines.empty() && !own) continue;
    if (!text.empty()) text += "\r\n";
    text += "# " + info_section_title(section) + "\r\n" + lines;
  }
  out.verbatim("txt", text);
}

Status RedisCommands::info_lines(std::string_view section, std::string* lines) {
  auto field = [lines](std::string_view name, const std::string& value) {
    *lines += name;
    *lines += ":";
    *lines += value;
    *lines += "\r\n";
  };
  if (section == "server") {
    const auto up = std::chrono::duration_cast<std::chrono::seconds>(
                        std::chrono::steady_clock::now() - started_).count();
    field("redis_version", std::string(kRedisVersion));
    field("vkv_chapter", info_.chapter);
    field("redis_mode", "standalone");
    field("os", operating_system());
    field("arch_bits", std::to_string(sizeof(void*) * 8));
    field("process_id", std::to_string(::getpid()));
    field("uptime_in_seconds", std::to_string(up));
    field("uptime_in_days", std::to_string(up / 86400));
  } else if (section == "clients") {
    if (info_.connected_clients) field("connected_clients", std::to_string(info_.connected_clients()));
  } else if (section == "persistence") {
    field("loading", "0");  // the store is open before the server listens
    field("async_loading", "0");
    field("aof_enabled", "1");  // vkv logs every write, as Redis's append-only file does
    if (info_.store_info) *lines += info_.store_info();
  } else if (section == "stats") {
    field("total_commands_processed", std::to_string(commands_processed_.load()));
    field("keyspace_hits", std::to_string(keyspace_hits_.load()));
    field("keyspace_misses", std::to_string(keyspace_misses_.load()));
    if (info_.expired_keys) field("expired_keys", std::to_string(info_.expired_keys()));
  } else if (section == "keyspace") {
    std::uint64_t keys = 0;
    VKV_RETURN_IF_ERROR(count_keys(&keys));
    // The deadlines noted may include keys that have expired and are not counted in `keys`.
    const std::uint64_t expires =
        std::min(keys, info_.keys_with_deadlines ? info_.keys_with_deadlines() : 0);
    if (keys > 0) {
      field("db0", "keys=" + std::to_string(keys) + ",expires=" + std::to_string(expires) +
                       ",avg_ttl=0");
    }
  }
  return Status::ok();
}
//! [info]

//! [shutdown]
void RedisCommands::shutdown(Args args, ClientState& client, protocol::RespWriter& out) {
  bool save = false, nosave = false, now_or_force = false, abort = false;
  for (std::string_view word : args.subspan(1)) {
    if (is_command(word, "SAVE")) save = true;
    else if (is_command(word, "NOSAVE")) nosave = true;
    else if (is_command(word, "NOW") || is_command(word, "FORCE")) now_or_force = true;
    else if (is_command(word, "ABORT")) abort = true;
    else return out.error("ERR syntax error");
  }
  if ((save && nosave) || (abort && (save || nosave || now_or_force))) {
    return out.error("ERR syntax error");  // Redis's words for these pairs too
  }
  // vkv stops at once (its log is its data: there is no snapshot to wait for), so no
  // shutdown is ever in progress to abort.
  if (abort) return out.error("ERR No shutdown in progress.");
  if (!info_.shutdown) return out.error("ERR SHUTDOWN is not possible here: no server to stop");
  info_.shutdown();
  // No reply, as Redis's (a client such as redis-cli or redis-py takes the closed connection
  // for success); nothing after it on this connection runs.
  client.close_after_reply = true;
}
//! [shutdown]

}  // namespace vkv::engine
