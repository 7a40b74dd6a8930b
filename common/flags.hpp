/// \file
/// Flags: the small command-line parser every vkv program uses.
///
/// Each program registers its flags with a pointer to where the value goes and a line of
/// help; `--help` prints them all. Flags are `--name value` or `--name=value`; sizes take
/// a K, M or G suffix (powers of 1024), so `--max-line 64K` works.
#pragma once

#include <cstddef>
#include <functional>
#include <iosfwd>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace vkv {

/// Parses a size such as "4096", "64K", "4M" or "1G" (powers of 1024).
/// Returns false, leaving `out` untouched, on anything else or on overflow.
bool parse_size(std::string_view text, std::size_t* out);

/// A program's command-line flags.
class Flags {
 public:
  /// What the program should do after parse().
  enum class Outcome {
    kRun,        ///< All flags were good: go on.
    kExitOk,     ///< `--help` was given and printed: exit 0.
    kExitError,  ///< A bad flag was reported: exit 2.
  };

  /// `program` is the name in the usage line, `summary` one line on what it does.
  Flags(std::string program, std::string summary);

  /// A size flag (bytes or a count), with K/M/G suffixes.
  void add_size(std::string name, std::size_t* target, std::string help);
  /// A size flag that refuses values above `max` (the error names the limit).
  void add_size_at_most(std::string name, std::size_t* target, std::size_t max,
                        std::string help);
  /// A string flag.
  void add_string(std::string name, std::string* target, std::string help);
  /// A string flag that must be one of `choices`.
  void add_choice(std::string name, std::string* target, std::vector<std::string> choices,
                  std::string help);
  /// A flag with no value: present means true.
  void add_bool(std::string name, bool* target, std::string help);

  /// Parses argv. Prints usage to `out` for --help and one-line errors to `err`.
  Outcome parse(int argc, const char* const* argv, std::ostream& out, std::ostream& err);

  /// parse() for a main(): usage to standard output, errors to standard error. Returns
  /// nothing when the program should run, else the code main() should return (0 after
  /// `--help`, 2 after a bad flag): `if (auto code = flags.parse_main(argc, argv)) return *code;`
  std::optional<int> parse_main(int argc, const char* const* argv);

  /// The usage text: one line per flag with its default.
  [[nodiscard]] std::string usage() const;

 private:
  struct Flag {
    std::string name;
    std::string help;
    std::string default_text;
    bool takes_value = true;
    std::function<bool(std::string_view)> set;  // false: the value is malformed
    std::string expects;                        // what a good value looks like, for errors
  };

  Flag* find(std::string_view name);

  std::string program_;
  std::string summary_;
  std::vector<Flag> flags_;
};

}  // namespace vkv
