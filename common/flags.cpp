#include "common/flags.hpp"

#include <charconv>
#include <iostream>
#include <limits>
#include <ostream>
#include <sstream>

namespace vkv {

bool parse_size(std::string_view text, std::size_t* out) {
  if (text.empty()) return false;
  std::size_t multiplier = 1;
  switch (text.back()) {
    case 'K': case 'k': multiplier = std::size_t{1} << 10; break;
    case 'M': case 'm': multiplier = std::size_t{1} << 20; break;
    case 'G': case 'g': multiplier = std::size_t{1} << 30; break;
    default: break;
  }
  if (multiplier != 1) text.remove_suffix(1);
  std::size_t value = 0;
  const char* end = text.data() + text.size();
  auto [ptr, ec] = std::from_chars(text.data(), end, value);
  if (ec != std::errc() || ptr != end || text.empty()) return false;
  if (value > std::numeric_limits<std::size_t>::max() / multiplier) return false;
  *out = value * multiplier;
  return true;
}

Flags::Flags(std::string program, std::string summary)
    : program_(std::move(program)), summary_(std::move(summary)) {
  add_bool("help", nullptr, "print this help and exit");
}

void Flags::add_size(std::string name, std::size_t* target, std::string help) {
  flags_.push_back({std::move(name), std::move(help), std::to_string(*target), true,
                    [target](std::string_view v) { return parse_size(v, target); },
                    "a size such as 4096, 64K or 4M"});
}

void Flags::add_size_at_most(std::string name, std::size_t* target, std::size_t max,
                             std::string help) {
  flags_.push_back({std::move(name), std::move(help), std::to_string(*target), true,
                    [target, max](std::string_view v) {
                      std::size_t value = 0;
                      if (!parse_size(v, &value) || value > max) return false;
                      *target = value;
                      return true;
                    },
                    "a size from 0 to " + std::to_string(max)});
}

void Flags::add_string(std::string name, std::string* target, std::string help) {
  flags_.push_back({std::move(name), std::move(help), *target, true,
                    [target](std::string_view v) {
                      *target = std::string(v);
                      return true;
                    },
                    "a string"});
}

void Flags::add_choice(std::string name, std::string* target, std::vector<std::string> choices,
                       std::string help) {
  std::string expects = "one of";
  for (const auto& c : choices) expects += " " + c;
  flags_.push_back({std::move(name), std::move(help), *target, true,
                    [target, choices](std::string_view v) {
                      for (const auto& c : choices) {
                        if (c == v) {
                          *target = c;
                          return true;
                        }
                      }
                      return false;
                    },
                    expects});
}

void Flags::add_bool(std::string name, bool* target, std::string help) {
  flags_.push_back({std::move(name), std::move(help), "", false,
                    [target](std::string_view) {
                      if (target != nullptr) *target = true;
                      return true;
                    },
                    ""});
}

Flags::Flag* Flags::find(std::string_view name) {
  for (auto& f : flags_) {
    if (f.name == name) return &f;
  }
  return nullptr;
}

Flags::Outcome Flags::parse(int argc, const char* const* argv, std::ostream& out,
                            std::ostream& err) {
  for (int i = 1; i < argc; ++i) {
    std::string_view arg = argv[i];
    if (arg.substr(0, 2) != "--" || arg.size() == 2) {
      err << program_ << ": unexpected argument '" << arg << "' (try --help)\n";
      return Outcome::kExitError;
    }
    arg.remove_prefix(2);
    std::string_view name = arg;
    std::string_view value;
    bool has_inline_value = false;
    if (auto eq = arg.find('='); eq != std::string_view::npos) {
      name = arg.substr(0, eq);
      value = arg.substr(eq + 1);
      has_inline_value = true;
    }
    if (name == "help") {
      out << usage();
      return Outcome::kExitOk;
    }
    Flag* flag = find(name);
    if (flag == nullptr) {
      err << program_ << ": unknown flag --" << name << " (try --help)\n";
      return Outcome::kExitError;
    }
    if (!flag->takes_value) {
      if (has_inline_value) {
        err << program_ << ": --" << name << " takes no value\n";
        return Outcome::kExitError;
      }
      flag->set("");
      continue;
    }
    if (!has_inline_value) {
      if (i + 1 >= argc) {
        err << program_ << ": --" << name << " needs a value: " << flag->expects << "\n";
        return Outcome::kExitError;
      }
      value = argv[++i];
    }
    if (!flag->set(value)) {
      err << program_ << ": bad value '" << value << "' for --" << name << ": expected "
          << flag->expects << "\n";
      return Outcome::kExitError;
    }
  }
  return Outcome::kRun;
}

std::string Flags::usage() const {
  std::ostringstream s;
  s << "usage: " << program_ << " [flags]\n" << summary_ << "\n\nflags:\n";
  for (const auto& f : flags_) {
    std::string left = "  --" + f.name + (f.takes_value ? " VALUE" : "");
    s << left;
    for (std::size_t pad = left.size(); pad < 28; ++pad) s << ' ';
    s << ' ' << f.help;
    if (f.takes_value) s << " (default: " << (f.default_text.empty() ? "\"\"" : f.default_text) << ")";
    s << "\n";
  }
  return s.str();
}

std::optional<int> Flags::parse_main(int argc, const char* const* argv) {
  switch (parse(argc, argv, std::cout, std::cerr)) {
    case Outcome::kRun: return std::nullopt;
    case Outcome::kExitOk: return 0;
    case Outcome::kExitError: break;
  }
  return 2;
}

}  // namespace vkv
