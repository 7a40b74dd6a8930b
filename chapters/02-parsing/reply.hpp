/// \file
/// Reply: what the engine answers, before it is encoded for the wire.
#pragma once

#include <string>
#include <string_view>

namespace vkv::protocol {

/// The kinds of answer a command gets.
enum class ReplyKind {
  kOk,        ///< `OK`: SET or DEL done.
  kValue,     ///< `VALUE <value>`: GET found the key.
  kNotFound,  ///< `NOT_FOUND`: GET found no value.
  kError,     ///< `ERR <message>`: bad input or a storage failure.
};

/// One answer. `text` is the value for kValue and the message for kError, else empty.
struct Reply {
  ReplyKind kind = ReplyKind::kOk;  ///< What kind of answer.
  std::string text;                 ///< The value or the error message.

  /// `OK`.
  static Reply ok() { return {ReplyKind::kOk, {}}; }
  /// `VALUE <value>`.
  static Reply value(std::string v) { return {ReplyKind::kValue, std::move(v)}; }
  /// `NOT_FOUND`.
  static Reply not_found() { return {ReplyKind::kNotFound, {}}; }
  /// `ERR <message>`.
  static Reply error(std::string message) { return {ReplyKind::kError, std::move(message)}; }
};

}  // namespace vkv::protocol
