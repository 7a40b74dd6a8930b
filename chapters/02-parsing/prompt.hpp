/// \file
/// run_prompt: the programs' command loop on standard input, before the server chapter.
#pragma once

#include <cstddef>

#include "02-parsing/engine.hpp"
#include "01-framing/line_framer.hpp"

namespace vkv::runtime {

/// How run_prompt behaves.
struct PromptOptions {
  std::size_t max_line = protocol::kDefaultMaxLine;  ///< The longest line accepted.
  int in_fd = 0;                                      ///< Where commands come from.
  int out_fd = 1;                                     ///< Where replies go.
};

/// Reads commands from `options.in_fd` until it ends and writes each reply to
/// `options.out_fd` as soon as its line is complete. Shows a `vkv> ` prompt only when the input
/// is a terminal, so a piped file of commands gives exactly its replies. Returns the process
/// exit code: 0, or 1 if reading or writing failed (with a message on standard error).
int run_prompt(engine::Engine& engine, const PromptOptions& options);

}  // namespace vkv::runtime
