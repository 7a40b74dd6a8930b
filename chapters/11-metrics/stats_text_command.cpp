#include "11-metrics/stats_text_command.hpp"

#include <vector>

#include "02-parsing/parser.hpp"
#include "02-parsing/reply_encoder.hpp"
#include "09-resp/resp_writer.hpp"

namespace vkv::runtime {

StatsTextCommand::StatsTextCommand(engine::RespCommands& commands,
                                   std::unique_ptr<TextCommands> rest)
    : commands_(commands), rest_(std::move(rest)), names_("STATS") {
  if (rest_ && !rest_->names().empty()) names_ += ", " + std::string(rest_->names());
}

std::string stats_lines(std::string_view report) {
  std::string out;
  while (!report.empty()) {
    const auto end = report.find("\r\n");
    std::string_view line = report.substr(0, end);
    report = end == std::string_view::npos ? std::string_view() : report.substr(end + 2);
    if (line.empty()) continue;
    if (line.starts_with("# ")) {
      out += "SECTION ";
      protocol::append_token(&out, line.substr(2));
    } else {
      const auto colon = line.find(':');
      out += "STAT ";
      protocol::append_token(&out, line.substr(0, colon));
      out += ' ';
      protocol::append_token(&out, colon == std::string_view::npos ? "" : line.substr(colon + 1));
    }
    out += '\n';
  }
  out += "END\n";
  return out;
}

//! [stats-run]
bool StatsTextCommand::run(std::span<const std::string_view> tokens, std::string* out) {
  if (!protocol::is_command(tokens[0], "STATS")) return rest_ && rest_->run(tokens, out);
  std::vector<std::string_view> info = {"INFO"};
  info.insert(info.end(), tokens.begin() + 1, tokens.end());
  std::string reply;
  protocol::RespWriter writer(&reply, protocol::RespVersion::kResp2);
  engine::ClientState client;
  commands_.run(info, client, writer);
  // A RESP2 bulk string: `$len\r\n`, the report, `\r\n`; or an error, `-ERR ...\r\n`.
  if (reply.starts_with("-")) {
    std::string message = reply.substr(1, reply.find('\r') - 1);
    if (message.starts_with("ERR ")) message.erase(0, 4);  // the text protocol adds its own
    protocol::append_reply(out, protocol::Reply::error(message));
    return true;
  }
  const auto start = reply.find("\r\n");
  const std::string_view report =
      start == std::string::npos ? std::string_view() : std::string_view(reply).substr(start + 2);
  out->append(stats_lines(report));
  return true;
}
//! [stats-run]

}  // namespace vkv::runtime
