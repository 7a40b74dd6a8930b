#include "11-metrics/command_stats.hpp"

#include <algorithm>
#include <array>
#include <cstring>

namespace vkv::runtime {

namespace {

std::atomic<std::uint64_t> g_next_id{1};


// The names this thread looked up last, as they were sent (any case), with their slots: a
// pipeline of SETs finds "SET" here with one comparison, without lower-casing or hashing.
struct CachedName {
  std::uint64_t owner = 0;  // the CommandStats it is for; 0: empty
  std::uint8_t size = 0;
  std::array<char, 23> name{};
  int slot = -1;
};
// (maybe_unused: the starter's stub of slot() leaves them unused.)
[[maybe_unused]] thread_local std::array<CachedName, 4> t_names;
[[maybe_unused]] thread_local unsigned t_next_name = 0;

// Longest command name looked up (Redis's longest is shorter than this).
constexpr std::size_t kMaxName = 64;

// `word` in lower case into `buf`; its length, or 0 when it does not fit.
std::size_t lower_into(std::string_view word, std::array<char, kMaxName>& buf, std::size_t at) {
  if (at + word.size() > buf.size()) return 0;
  for (std::size_t i = 0; i < word.size(); ++i) {
    const char c = word[i];
    buf[at + i] = (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
  }
  return at + word.size();
}

}  // namespace

CommandStats::CommandStats(std::span<const std::string> names)
    : id_(g_next_id.fetch_add(1)),
      names_(names.begin(), names.end()),
      threads_([n = names_.size()] { return std::make_unique<ThreadCounts>(n); }) {
  has_subcommands_.assign(names_.size(), false);
  for (std::size_t i = 0; i < names_.size(); ++i) slots_.emplace(names_[i], static_cast<int>(i));
  for (const auto& name : names_) {
    const auto bar = name.find('|');
    if (bar == std::string::npos) continue;
    if (auto it = slots_.find(std::string_view(name).substr(0, bar)); it != slots_.end()) {
      has_subcommands_[static_cast<std::size_t>(it->second)] = true;
    }
  }
}

// LEARNER: begin CommandStats::slot(): the thread's cache of names first, then the table; remember what the name alone decides
//! [slot]
int CommandStats::slot(std::span<const std::string_view> args) const {
  if (args.empty()) return -1;
  const std::string_view sent = args[0];
  for (const CachedName& c : t_names) {
    if (c.owner == id_ && c.size == sent.size() &&
        std::memcmp(c.name.data(), sent.data(), sent.size()) == 0) {
      return c.slot;
    }
  }
  const int found = find_slot(args);
  // Remembered when the name alone says the slot: not for a command with subcommands.
  const int command = find_slot(args.first(1));
  if (found >= 0 && found == command && !has_subcommands_[static_cast<std::size_t>(found)] &&
      sent.size() <= CachedName{}.name.size()) {
    CachedName& c = t_names[t_next_name++ % t_names.size()];
    c.owner = id_;
    c.size = static_cast<std::uint8_t>(sent.size());
    std::memcpy(c.name.data(), sent.data(), sent.size());
    c.slot = found;
  }
  return found;
}
//! [slot]
// LEARNER: end

int CommandStats::find_slot(std::span<const std::string_view> args) const {
  std::array<char, kMaxName> buf{};
  const std::size_t n = lower_into(args[0], buf, 0);
  if (n == 0) return -1;
  auto it = slots_.find(std::string_view(buf.data(), n));
  if (it == slots_.end()) return -1;
  if (args.size() < 2 || !has_subcommands_[static_cast<std::size_t>(it->second)]) {
    return it->second;
  }
  buf[n] = '|';
  const std::size_t m = lower_into(args[1], buf, n + 1);
  if (m == 0) return it->second;
  auto sub = slots_.find(std::string_view(buf.data(), m));
  return sub == slots_.end() ? it->second : sub->second;
}

std::vector<CommandTotals> CommandStats::snapshot() const {
  std::vector<CommandTotals> totals(names_.size());
  threads_.for_each([&](const ThreadCounts& counts) {
    for (std::size_t i = 0; i < names_.size(); ++i) {
      const Counts& c = counts.commands[i];
      totals[i].calls += c.calls.load(std::memory_order_relaxed);
      totals[i].rejected += c.rejected.load(std::memory_order_relaxed);
      totals[i].failed += c.failed.load(std::memory_order_relaxed);
      c.latency.add_to(&totals[i].latency);
    }
  });
  std::vector<CommandTotals> called;
  for (std::size_t i = 0; i < names_.size(); ++i) {
    if (totals[i].calls == 0 && totals[i].rejected == 0) continue;
    totals[i].name = names_[i];
    called.push_back(std::move(totals[i]));
  }
  std::sort(called.begin(), called.end(),
            [](const CommandTotals& a, const CommandTotals& b) { return a.name < b.name; });
  return called;
}

std::uint64_t CommandStats::total_calls() const {
  std::uint64_t n = 0;
  threads_.for_each([&n](const ThreadCounts& counts) {
    for (const Counts& c : counts.commands) n += c.calls.load(std::memory_order_relaxed);
  });
  return n;
}

LatencySnapshot CommandStats::all_latency() const {
  LatencySnapshot all;
  threads_.for_each([&all](const ThreadCounts& counts) {
    for (const Counts& c : counts.commands) c.latency.add_to(&all);
  });
  return all;
}

void CommandStats::reset() {
  threads_.for_each([](ThreadCounts& counts) {
    for (Counts& c : counts.commands) {
      c.calls.store(0, std::memory_order_relaxed);
      c.rejected.store(0, std::memory_order_relaxed);
      c.failed.store(0, std::memory_order_relaxed);
      c.latency.reset();
    }
  });
}

}  // namespace vkv::runtime
