/// \file
/// ExpiryTextCommands: chapter 10's commands in vkv's text protocol (a TextCommands).
#pragma once

#include <memory>
#include <span>
#include <string>
#include <string_view>

#include "02-parsing/text_commands.hpp"
#include "10-expiry/expiry_rules.hpp"

namespace vkv::engine {

//! [expiry-text-commands]
/// The expiry commands for `nc`, with the same rules as Redis's (ExpiryRules) and the same
/// error texts, each as one `ERR` line:
///
///     SET key value [NX|XX] [GET] [EX s|PX ms|EXAT t|PXAT ms-t|KEEPTTL]
///         -> OK, or NOT_SET when NX or XX kept it from writing;
///            with GET: VALUE <old> or NOT_FOUND (whether it wrote or not, as Redis)
///     GETEX key [EX s|PX ms|EXAT t|PXAT ms-t|PERSIST]   -> VALUE <value> or NOT_FOUND
///     EXPIRE|PEXPIRE|EXPIREAT|PEXPIREAT key time [NX|XX|GT|LT]   -> INTEGER 1 or INTEGER 0
///     PERSIST key                                      -> INTEGER 1 or INTEGER 0
///     TTL|PTTL|EXPIRETIME|PEXPIRETIME key              -> INTEGER n (-2: no key, -1: no expiry)
///
/// An integer is one line, `INTEGER ` and the number in decimal. A SET with no options
/// (`SET key value`) is left to the parser, whose SET, over the ExpiringStore, clears the
/// deadline as Redis's does. Lines this does not take go to `next`, if any.
///
/// Thread-safe.
class ExpiryTextCommands final : public runtime::TextCommands {
 public:
  /// Runs the commands with `rules`, which must outlive this; offers other lines to `next`.
  explicit ExpiryTextCommands(ExpiryRules& rules,
                              std::unique_ptr<runtime::TextCommands> next = nullptr);

  bool run(std::span<const std::string_view> tokens, std::string* out) override;
  /// These commands' names (but SET, which the parser names already), then `next`'s.
  [[nodiscard]] std::string_view names() const override { return names_; }

 private:
  // Runs a line that is one of these commands; appends its reply.
  void run_command(std::string_view name, std::span<const std::string_view> tokens,
                   std::string* out);

  ExpiryRules& rules_;
  std::unique_ptr<runtime::TextCommands> next_;
  std::string names_;
};
//! [expiry-text-commands]

}  // namespace vkv::engine
