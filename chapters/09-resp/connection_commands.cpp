// RedisCommands: the commands about the connection itself (PING, ECHO, QUIT, HELLO, AUTH,
// SELECT, CLIENT ...).
#include <initializer_list>

#include "09-resp/command_helpers.hpp"
#include "09-resp/redis_commands.hpp"
#include "09-resp/resp_writer.hpp"

namespace vkv::engine {

namespace {

constexpr std::string_view kWrongPass =
    "WRONGPASS invalid username-password pair or user is disabled.";

// A client name or library name may hold only printable ASCII without spaces: CLIENT LIST
// shows them as `name=value` separated by spaces.
bool valid_client_attribute(std::string_view text) {
  return std::all_of(text.begin(), text.end(), [](char c) { return c >= '!' && c <= '~'; });
}

// Whether `user` may authenticate. vkv has no passwords: as Redis with none configured, the
// default user takes any password and there is no other user.
bool user_exists(std::string_view user) { return user == "default"; }

// A HELP reply: the lines, as status replies, as Redis writes them.
void write_help(protocol::RespWriter& out, std::initializer_list<std::string_view> lines) {
  out.array(lines.size());
  for (const auto line : lines) out.simple(line);
}

}  // namespace

void RedisCommands::ping(Args args, ClientState&, protocol::RespWriter& out) {
  if (args.size() > 2) return out.error("ERR wrong number of arguments for 'ping' command");
  args.size() == 2 ? out.bulk(args[1]) : out.simple("PONG");
}

void RedisCommands::echo(Args args, ClientState&, protocol::RespWriter& out) {
  out.bulk(args[1]);
}

void RedisCommands::quit(Args, ClientState& client, protocol::RespWriter& out) {
  out.simple("OK");
  client.close_after_reply = true;
}

//! [hello]
void RedisCommands::hello(Args args, ClientState& client, protocol::RespWriter& out) {
  std::optional<protocol::RespVersion> version;
  std::size_t next = 1;
  if (args.size() >= 2) {
    const auto asked = parse_redis_integer(args[1]);
    if (!asked) return out.error("ERR Protocol version is not an integer or out of range");
    if (*asked != 2 && *asked != 3) return out.error("NOPROTO unsupported protocol version");
    version = *asked == 2 ? protocol::RespVersion::kResp2 : protocol::RespVersion::kResp3;
    next = 2;
  }
  std::optional<std::string_view> user, name;
  for (std::size_t i = next; i < args.size(); ++i) {
    const std::size_t more = args.size() - 1 - i;
    if (is_command(args[i], "AUTH") && more >= 2) {
      user = args[i + 1];  // the password, args[i + 2], is not checked: vkv has none
      i += 2;
    } else if (is_command(args[i], "SETNAME") && more >= 1) {
      name = args[i + 1];
      if (!valid_client_attribute(*name)) {
        return out.error("ERR Client names cannot contain spaces, newlines or special "
                         "characters.");
      }
      i += 1;
    } else {
      return out.error("ERR Syntax error in HELLO option '" + std::string(args[i]) + "'");
    }
  }
  if (user && !user_exists(*user)) return out.error(kWrongPass);
  if (name) client.name = *name;
  if (version) {  // this reply already goes out in the new version
    client.version = *version;
    out.set_version(*version);
  }
  out.map(7);
  out.bulk("server");
  out.bulk("vkv");
  out.bulk("version");
  out.bulk(kRedisVersion);
  out.bulk("proto");
  out.integer(static_cast<int>(client.version));
  out.bulk("id");
  out.integer(static_cast<std::int64_t>(client.id));
  out.bulk("mode");
  out.bulk("standalone");
  out.bulk("role");
  out.bulk("master");
  out.bulk("modules");
  out.array(0);
}
//! [hello]

void RedisCommands::auth(Args args, ClientState&, protocol::RespWriter& out) {
  if (args.size() > 3) return out.error("ERR syntax error");
  if (args.size() == 2) {  // AUTH password: the default user's, which has none
    return out.error("ERR AUTH <password> called without any password configured for the "
                     "default user. Are you sure your configuration is correct?");
  }
  if (!user_exists(args[1])) return out.error(kWrongPass);
  out.simple("OK");
}

void RedisCommands::select(Args args, ClientState&, protocol::RespWriter& out) {
  const auto index = parse_redis_integer(args[1]);
  if (!index) return out.error(kNotInteger);
  if (*index != 0) return out.error("ERR DB index is out of range");
  out.simple("OK");
}

void RedisCommands::client_id(Args, ClientState& client, protocol::RespWriter& out) {
  out.integer(static_cast<std::int64_t>(client.id));
}

void RedisCommands::client_getname(Args, ClientState& client, protocol::RespWriter& out) {
  client.name.empty() ? out.null() : out.bulk(client.name);
}

void RedisCommands::client_setname(Args args, ClientState& client, protocol::RespWriter& out) {
  if (!valid_client_attribute(args[2])) {
    return out.error("ERR Client names cannot contain spaces, newlines or special characters.");
  }
  client.name = args[2];  // empty: no name
  out.simple("OK");
}

void RedisCommands::client_setinfo(Args args, ClientState& client, protocol::RespWriter& out) {
  std::string* field = nullptr;
  if (is_command(args[2], "LIB-NAME")) {
    field = &client.lib_name;
  } else if (is_command(args[2], "LIB-VER")) {
    field = &client.lib_version;
  } else {
    return out.error("ERR Unrecognized option '" + std::string(args[2]) + "'");
  }
  if (!valid_client_attribute(args[3])) {
    return out.error("ERR " + std::string(args[2]) +
                     " cannot contain spaces, newlines or special characters.");
  }
  *field = args[3];
  out.simple("OK");
}

void RedisCommands::client_info(Args, ClientState& client, protocol::RespWriter& out) {
  const std::string line = "id=" + std::to_string(client.id) + " name=" + client.name +
                           " db=0 resp=" + std::to_string(static_cast<int>(client.version)) +
                           " lib-name=" + client.lib_name + " lib-ver=" + client.lib_version +
                           "\n";
  out.verbatim("txt", line);
}

void RedisCommands::client_help(Args, ClientState&, protocol::RespWriter& out) {
  write_help(out, {"CLIENT <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
                   "GETNAME", "    Return the name of the current connection.",
                   "ID", "    Return the ID of the current connection.",
                   "INFO", "    Return information about the current client connection.",
                   "SETNAME <name>", "    Assign the name <name> to the current connection.",
                   "SETINFO <option> <value>",
                   "    Set client meta attr. Options are: LIB-NAME, LIB-VER.",
                   "HELP", "    Print this help."});
}

}  // namespace vkv::engine
