#include "09-resp/command_table.hpp"

#include "09-resp/resp_writer.hpp"

namespace vkv::engine {

namespace {

// The space-separated words of `text`.
std::vector<std::string_view> words(std::string_view text) {
  std::vector<std::string_view> out;
  while (!text.empty()) {
    const std::size_t space = text.find(' ');
    if (space != 0) out.push_back(text.substr(0, space));
    if (space == std::string_view::npos) break;
    text.remove_prefix(space + 1);
  }
  return out;
}

// A set of simple strings, as COMMAND writes flags and categories.
void write_word_set(std::string_view text, protocol::RespWriter& out) {
  const auto list = words(text);
  out.set(list.size());
  for (const auto w : list) out.simple(w);
}

void write_arg_doc(const ArgDoc& arg, protocol::RespWriter& out) {
  const std::size_t flags = (arg.optional ? 1 : 0) + (arg.multiple ? 1 : 0);
  out.map(2 + (arg.token.empty() ? 0 : 1) + (flags > 0 ? 1 : 0) + (arg.choices.empty() ? 0 : 1));
  out.bulk("name");
  out.bulk(arg.name);
  out.bulk("type");
  out.bulk(arg.type);
  if (!arg.token.empty()) {
    out.bulk("token");
    out.bulk(arg.token);
  }
  if (flags > 0) {  // redis-cli wants these as simple strings
    out.bulk("flags");
    out.set(flags);
    if (arg.optional) out.simple("optional");
    if (arg.multiple) out.simple("multiple");
  }
  if (!arg.choices.empty()) {
    out.bulk("arguments");
    out.array(arg.choices.size());
    for (const auto& choice : arg.choices) write_arg_doc(choice, out);
  }
}

}  // namespace

bool has_empty_key(const CommandSpec& spec, std::span<const std::string_view> args) {
  if (spec.first_key <= 0) return false;
  const auto last = static_cast<std::size_t>(
      spec.last_key < 0 ? static_cast<int>(args.size()) + spec.last_key : spec.last_key);
  for (auto i = static_cast<std::size_t>(spec.first_key); i <= last && i < args.size();
       i += static_cast<std::size_t>(spec.key_step)) {
    if (args[i].empty()) return true;
  }
  return false;
}

std::optional<std::string> row_refusal(const CommandSpec& spec,
                                       std::span<const std::string_view> args) {
  if (!arity_fits(spec.arity, args.size())) {
    return "ERR wrong number of arguments for '" + std::string(spec.name) + "' command";
  }
  if (has_empty_key(spec, args)) return std::string("ERR empty key");
  return std::nullopt;
}

void write_command_info(const CommandSpec& spec, protocol::RespWriter& out) {
  out.array(10);
  out.bulk(spec.name);
  out.integer(spec.arity);
  write_word_set(spec.flags, out);
  out.integer(spec.first_key);
  out.integer(spec.last_key);
  out.integer(spec.key_step);
  write_word_set(spec.acl, out);
  out.set(0);  // tips
  out.set(0);  // key specs: vkv has no cluster to route by them; first/last/step say it
  if (spec.subcommands.empty()) {
    out.set(0);
  } else {
    out.array(spec.subcommands.size());
    for (const auto& sub : spec.subcommands) write_command_info(sub, out);
  }
}

void write_command_docs(const CommandSpec& spec, protocol::RespWriter& out) {
  out.map(3 + (spec.args.empty() ? 0 : 1) + (spec.subcommands.empty() ? 0 : 1));
  out.bulk("summary");
  out.bulk(spec.summary);
  out.bulk("since");
  out.bulk(spec.since);
  out.bulk("group");
  out.bulk(spec.group);
  if (!spec.args.empty()) {
    out.bulk("arguments");
    out.array(spec.args.size());
    for (const auto& arg : spec.args) write_arg_doc(arg, out);
  }
  if (!spec.subcommands.empty()) {
    out.bulk("subcommands");
    out.map(spec.subcommands.size());
    for (const auto& sub : spec.subcommands) {
      out.bulk(sub.name);
      write_command_docs(sub, out);
    }
  }
}

}  // namespace vkv::engine
