#include "11-metrics/metered_commands.hpp"

#include <cstdio>
#include <set>

#include "09-resp/command_helpers.hpp"
#include "09-resp/resp_parser.hpp"
#include "09-resp/transactions.hpp"

namespace vkv::engine {

namespace {

using runtime::CommandStats;

// An error reply's code: its first word, without the `-`.
std::string_view error_code(std::string_view reply) {
  reply.remove_prefix(1);
  const auto end = reply.find_first_of(" \r");
  return reply.substr(0, end);
}

// Redis counts a command refused before it ran (its arity, an unknown subcommand) as
// rejected, one that ran and failed as failed. An EXEC refused says why after EXECABORT.
[[maybe_unused]] CommandStats::Outcome outcome_of(std::string_view reply) {  // count()'s
  if (reply.empty() || reply[0] != '-') return CommandStats::Outcome::kOk;
  constexpr std::string_view kExecRefused = "-EXECABORT Transaction discarded because of: ";
  const std::string_view why =
      reply.substr(reply.starts_with(kExecRefused) ? kExecRefused.size() : 0);
  const bool refused = why.starts_with("-ERR wrong number of arguments") ||
                       why.starts_with("-ERR unknown subcommand") ||
                       why.starts_with("wrong number of arguments");
  return refused ? CommandStats::Outcome::kRejected : CommandStats::Outcome::kFailed;
}

// One of INFO's total_commands_processed, through `count_command` when given, for a command
// that ran, even if it failed; not for one refused (its `reply` says which).
void count_if_run(const std::function<void()>& count_command, std::string_view reply) {
  if (count_command && outcome_of(reply) != CommandStats::Outcome::kRejected) count_command();
}

// Microseconds with three decimals, as Redis writes latencystats: `1.003`.
std::string micros_3(std::uint64_t ns) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.3f", static_cast<double>(ns) / 1000.0);
  return buf;
}

const std::vector<CommandSpec>& own_rows() {
  static const std::vector<CommandSpec> rows = {
      {"slowlog", -2, 0, 0, 0, nullptr, "", "@slow", "server", "2.2.12",
       "A container for slow log commands.", {},
       {{"slowlog|get", -2, 0, 0, 0, nullptr, "admin loading stale", "@admin @slow @dangerous",
         "server", "2.2.12", "Returns the slow log's entries.",
         {{"count", "integer", {}, true, false, {}}}, {}},
        {"slowlog|len", 2, 0, 0, 0, nullptr, "admin loading stale", "@admin @slow @dangerous",
         "server", "2.2.12", "Returns the number of entries in the slow log.", {}, {}},
        {"slowlog|reset", 2, 0, 0, 0, nullptr, "admin loading stale",
         "@admin @slow @dangerous", "server", "2.2.12", "Clears all entries from the slow log.",
         {}, {}},
        {"slowlog|help", 2, 0, 0, 0, nullptr, "loading stale", "@slow", "server", "6.2.0",
         "Returns helpful text about the subcommands.", {}, {}}}},
  };
  return rows;
}

}  // namespace

void ErrorStats::count(std::string_view reply) {
  total_.fetch_add(1, std::memory_order_relaxed);
  std::string code(error_code(reply));
  std::lock_guard lock(mu_);
  if (codes_.size() >= kMaxCodes && codes_.count(code) == 0) code = "ERR";
  ++codes_[code];
}

std::map<std::string, std::uint64_t> ErrorStats::by_code() const {
  std::lock_guard lock(mu_);
  return codes_;
}

void ErrorStats::reset() {
  std::lock_guard lock(mu_);
  codes_.clear();
  total_.store(0, std::memory_order_relaxed);
}

std::vector<std::string> command_names(std::span<const CommandSpec* const> specs) {
  std::set<std::string> names;
  for (const CommandSpec* spec : specs) {
    names.emplace(spec->name);
    for (const CommandSpec& sub : spec->subcommands) names.emplace(sub.name);
  }
  return {names.begin(), names.end()};
}

MeteredCommands::MeteredCommands(RespCommands& inner, std::span<const std::string> names,
                                 MeteredOptions options)
    : inner_(inner),
      clock_(runtime::CycleClock::get()),
      options_(std::move(options)),
      stats_(names),
      slow_log_(options_.slowlog_threshold_micros, options_.slowlog_max_len) {}

std::vector<const CommandSpec*> MeteredCommands::specs() {
  std::vector<const CommandSpec*> out;
  for (const CommandSpec& row : own_rows()) out.push_back(&row);
  return out;
}

// What the error hook is told of an error reply: nothing a client sent but a known
// command's name. Redis's errors quote what they are about (`unknown command 'x', with args
// beginning with: 'v'`), and the quoted words may be a client's values: the text is cut
// before the first quote.
[[maybe_unused]] static CommandError loggable(const ClientState& client, std::span<const std::string_view> args,
                      int slot, std::string_view reply) {
  std::string_view text = reply.substr(1);
  text = text.substr(0, text.find_first_of("'\r"));
  while (!text.empty() && (text.back() == ' ' || text.back() == ':')) text.remove_suffix(1);
  const std::string_view command = slot >= 0 ? args[0] : std::string_view("(unknown)");
  return {client.id, command, text};
}

// LEARNER: begin MeteredCommands::run() and count(): time the command, look at its reply, count it; the slow ones to the slow log
//! [run]
void MeteredCommands::run(std::span<const std::string_view> args, ClientState& client,
                          protocol::RespWriter& out) {
  const std::size_t before = out.buffer().size();
  const std::uint64_t start = clock_.now();
  dispatch(args, client, out);
  const std::uint64_t ns = clock_.to_ns(clock_.now() - start);
  count(args, client, out.buffer().substr(before), ns, /*slow_logged=*/true);
}

void MeteredCommands::count(std::span<const std::string_view> args, const ClientState& client,
                            std::string_view reply, std::uint64_t ns, bool slow_logged) {
  const int slot = stats_.slot(args);
  const CommandStats::Outcome outcome = outcome_of(reply);
  if (outcome != CommandStats::Outcome::kOk) {
    errors_.count(reply);
    if (options_.on_error) options_.on_error(loggable(client, args, slot, reply));
  }
  if (slot >= 0) stats_.record(slot, ns, outcome);
  if (slow_logged && slow_log_.should_log(ns / 1000)) slow_log_.add(args, ns / 1000, client.name);
}
//! [run]
// LEARNER: end

namespace {

// What MeteredCommands::front() gives: a meter in front of chapter 9's transactions.
class TransactionsMeter final : public RespCommands {
 public:
  TransactionsMeter(MeteredCommands& meter, RespCommands& transactions,
                    std::function<void()> count_command)
      : meter_(meter),
        transactions_(transactions),
        clock_(runtime::CycleClock::get()),
        count_command_(std::move(count_command)) {}

  //! [transactions-meter]
  void run(std::span<const std::string_view> args, ClientState& client,
           protocol::RespWriter& out) override {
    const std::string_view name = args[0];
    const bool open = client.transaction.open;
    const bool own = TransactionCommands::is_own(name) &&
                     !(open && is_command(name, "UNWATCH"));  // inside MULTI, it is queued
    const bool queued = !own && open && !is_command(name, "QUIT");
    // Passed on to the commands behind the transactions, and metered there.
    if (!own && !queued) return transactions_.run(args, client, out);

    const bool exec = is_command(name, "EXEC");
    const std::size_t unwatches = exec && open ? queued_unwatches(client) : 0;
    const std::size_t before = out.buffer().size();
    const std::uint64_t start = clock_.now();
    transactions_.run(args, client, out);
    const std::uint64_t ns = clock_.to_ns(clock_.now() - start);
    const std::string_view reply = out.buffer().substr(before);
    if (queued && !reply.starts_with('-')) return;  // QUEUED: counted when EXEC runs it
    // As Redis: EXEC stays out of the slow log (the commands it runs go in on their own).
    meter_.count(args, client, reply, ns, /*slow_logged=*/!exec);
    if (own) count_if_run(count_command_, reply);
    // The UNWATCHes an EXEC ran answered itself, when it ran its commands (not aborted).
    if (reply.starts_with('*') && !reply.starts_with("*-1")) {
      static constexpr std::string_view kUnwatch[] = {"UNWATCH"};
      for (std::size_t i = 0; i < unwatches; ++i) {
        meter_.count(kUnwatch, client, "+OK\r\n", 0, /*slow_logged=*/false);
        count_if_run(count_command_, "+OK\r\n");
      }
    }
  }
  //! [transactions-meter]

  static std::size_t queued_unwatches(const ClientState& client) {
    std::size_t n = 0;
    for (const auto& command : client.transaction.queued) n += is_command(command[0], "UNWATCH");
    return n;
  }

  [[nodiscard]] std::optional<std::string> refusal(
      std::span<const std::string_view> args) const override {
    return transactions_.refusal(args);
  }
  Result<std::optional<std::string>> watch_state(std::string_view key) override {
    return transactions_.watch_state(key);
  }

 private:
  MeteredCommands& meter_;
  RespCommands& transactions_;
  const runtime::CycleClock& clock_;
  const std::function<void()> count_command_;
};

}  // namespace

std::unique_ptr<RespCommands> MeteredCommands::front(RespCommands& transactions) {
  return std::make_unique<TransactionsMeter>(*this, transactions, options_.count_command);
}

void MeteredCommands::dispatch(std::span<const std::string_view> args, ClientState& client,
                               protocol::RespWriter& out) {
  if (is_command(args[0], "SLOWLOG")) {
    const std::size_t before = out.buffer().size();
    slowlog(args, out);
    // Counted as chapter 9 counts its commands: once it has run, and not when refused.
    return count_if_run(options_.count_command, out.buffer().substr(before));
  }
  inner_.run(args, client, out);
  // CONFIG RESETSTAT resets these counts too, once chapter 9's have been reset.
  if (args.size() == 2 && is_command(args[0], "CONFIG") && is_command(args[1], "RESETSTAT") &&
      out.buffer().ends_with("+OK\r\n")) {
    stats_.reset();
    errors_.reset();
  }
}

std::optional<std::string> MeteredCommands::refusal(std::span<const std::string_view> args) const {
  if (!is_command(args[0], "SLOWLOG")) return inner_.refusal(args);
  const CommandSpec& slowlog = own_rows().front();
  if (auto error = row_refusal(slowlog, args)) return error;
  const std::string wanted = "slowlog|" + lower(args[1]);
  for (const CommandSpec& sub : slowlog.subcommands) {
    if (sub.name == wanted) return row_refusal(sub, args);
  }
  return "ERR unknown subcommand '" + std::string(args[1].substr(0, 128)) +
         "'. Try SLOWLOG HELP.";
}

void MeteredCommands::slowlog(std::span<const std::string_view> args,
                              protocol::RespWriter& out) {
  if (args.size() < 2) return out.error("ERR wrong number of arguments for 'slowlog' command");
  const std::string sub = lower(args[1]);
  auto arity_error = [&] {
    out.error("ERR wrong number of arguments for 'slowlog|" + sub + "' command");
  };
  if (sub == "get") {
    if (args.size() > 3) return arity_error();
    std::int64_t count = 10;  // Redis's default
    if (args.size() == 3) {
      auto n = protocol::parse_redis_integer(args[2]);
      if (!n || *n < -1) {
        return out.error("ERR count should be greater than or equal to -1");
      }
      count = *n;
    }
    const auto entries = slow_log_.newest(count < 0 ? SIZE_MAX : static_cast<std::size_t>(count));
    out.array(entries.size());
    for (const auto& e : entries) {
      out.array(6);
      out.integer(static_cast<std::int64_t>(e.id));
      out.integer(e.unix_seconds);
      out.integer(static_cast<std::int64_t>(e.micros));
      out.array(e.args.size());
      for (const auto& a : e.args) out.bulk(a);
      out.bulk("");  // the client's address: a session does not know it in vkv
      out.bulk(e.client_name);
    }
    return;
  }
  if (sub == "len") {
    if (args.size() != 2) return arity_error();
    return out.integer(static_cast<std::int64_t>(slow_log_.size()));
  }
  if (sub == "reset") {
    if (args.size() != 2) return arity_error();
    slow_log_.reset();
    return out.simple("OK");
  }
  if (sub == "help") {
    if (args.size() != 2) return arity_error();
    const std::vector<std::string_view> lines = {
        "SLOWLOG <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
        "GET [<count>]",
        "    Return top <count> entries from the slowlog (default: 10, -1 mean all).",
        "    Entries are made of:",
        "    id, timestamp, time in microseconds, arguments array, client IP and port,",
        "    client name",
        "LEN",
        "    Return the length of the slowlog.",
        "RESET",
        "    Reset the slowlog.",
        "HELP",
        "    Print this help."};
    out.array(lines.size());
    for (auto line : lines) out.simple(line);
    return;
  }
  out.error("ERR unknown subcommand '" + std::string(args[1].substr(0, 128)) +
            "'. Try SLOWLOG HELP.");
}

//! [info]
std::string MeteredCommands::info(std::string_view section) const {
  std::string lines;
  if (section == "stats") {
    lines += "total_error_replies:" + std::to_string(errors_.total()) + "\r\n";
  } else if (section == "commandstats") {
    for (const auto& c : stats_.snapshot()) {
      const double per_call =
          c.calls == 0 ? 0
                       : static_cast<double>(c.latency.total_ns) / 1000.0 /
                             static_cast<double>(c.calls);
      char buf[64];
      std::snprintf(buf, sizeof buf, "%.2f", per_call);
      lines += "cmdstat_" + c.name + ":calls=" + std::to_string(c.calls) +
               ",usec=" + std::to_string(c.latency.total_ns / 1000) + ",usec_per_call=" + buf +
               ",rejected_calls=" + std::to_string(c.rejected) +
               ",failed_calls=" + std::to_string(c.failed) + "\r\n";
    }
  } else if (section == "errorstats") {
    for (const auto& [code, n] : errors_.by_code()) {
      lines += "errorstat_" + code + ":count=" + std::to_string(n) + "\r\n";
    }
  } else if (section == "latencystats") {
    for (const auto& c : stats_.snapshot()) {
      if (c.calls == 0) continue;  // only refused: no time to tell
      lines += "latency_percentiles_usec_" + c.name +
               ":p50=" + micros_3(c.latency.quantile_ns(0.50)) +
               ",p99=" + micros_3(c.latency.quantile_ns(0.99)) +
               ",p99.9=" + micros_3(c.latency.quantile_ns(0.999)) + "\r\n";
    }
  }
  return lines;
}
//! [info]

}  // namespace vkv::engine
