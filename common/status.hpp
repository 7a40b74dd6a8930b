/// \file
/// Status and Result<T>: expected failures as values.
///
/// Bad input, I/O errors and corruption are not bugs, so they are not exceptions: every
/// function that can fail that way returns a Status (or a Result<T>, a value or a Status),
/// and the reader of the caller sees every error path. Exceptions are kept for bugs.
#pragma once

#include <cassert>
#include <optional>
#include <string>
#include <utility>

namespace vkv {

/// What kind of failure a Status reports.
enum class StatusCode {
  kOk,               ///< No failure.
  kNotFound,         ///< The key (or file) is not there; often not an error at all.
  kInvalidArgument,  ///< The caller passed something malformed (bad input, a bad flag).
  kIoError,          ///< The operating system refused a call (open, write, fsync...).
  kCorruption,       ///< Bytes on disk failed a check: a checksum, a length, a magic number.
  kBusy,             ///< The resource is held by someone else (the data directory's LOCK).
};

/// The outcome of an operation that can fail in an expected way: ok, or a code and a message.
class Status {
 public:
  /// An ok status.
  Status() = default;

  /// An ok status (reads better at a return site than `Status()`).
  static Status ok() { return Status(); }
  /// The key or file is not there.
  static Status not_found(std::string msg) { return Status(StatusCode::kNotFound, std::move(msg)); }
  /// The caller passed something malformed.
  static Status invalid_argument(std::string msg) {
    return Status(StatusCode::kInvalidArgument, std::move(msg));
  }
  /// The operating system refused a call.
  static Status io_error(std::string msg) { return Status(StatusCode::kIoError, std::move(msg)); }
  /// Stored bytes failed a check.
  static Status corruption(std::string msg) {
    return Status(StatusCode::kCorruption, std::move(msg));
  }
  /// The resource is held by someone else.
  static Status busy(std::string msg) { return Status(StatusCode::kBusy, std::move(msg)); }

  /// True when there was no failure.
  [[nodiscard]] bool is_ok() const { return code_ == StatusCode::kOk; }
  /// True when the failure is "not found".
  [[nodiscard]] bool is_not_found() const { return code_ == StatusCode::kNotFound; }
  /// True when stored bytes failed a check.
  [[nodiscard]] bool is_corruption() const { return code_ == StatusCode::kCorruption; }
  /// The failure's kind.
  [[nodiscard]] StatusCode code() const { return code_; }
  /// The failure's message, empty when ok.
  [[nodiscard]] const std::string& message() const { return message_; }
  /// The same failure, its message after `context` and ": " (ok stays ok): what a caller
  /// adds when it says what it was doing.
  [[nodiscard]] Status with_context(const std::string& context) const {
    return is_ok() ? *this : Status(code_, context + ": " + message_);
  }
  /// A one-line description: "ok", or the kind and the message ("IO error: open /x: ...").
  [[nodiscard]] std::string to_string() const;

 private:
  Status(StatusCode code, std::string msg) : code_(code), message_(std::move(msg)) {}

  StatusCode code_ = StatusCode::kOk;
  std::string message_;
};

/// A value of type T, or the Status that explains why there is none.
///
/// REQUIRES of the error constructor: the status is not ok (a Result with neither a value nor
/// an error would be a bug).
template <typename T>
class [[nodiscard]] Result {
 public:
  /// A successful result holding `value`.
  Result(T value) : value_(std::move(value)) {}  // NOLINT: implicit on purpose
  /// A failed result. REQUIRES: !status.is_ok().
  Result(Status status) : status_(std::move(status)) {  // NOLINT: implicit on purpose
    assert(!status_.is_ok());
  }

  /// True when a value is held.
  [[nodiscard]] bool is_ok() const { return value_.has_value(); }
  /// The failure, or an ok status when a value is held.
  [[nodiscard]] const Status& status() const { return status_; }
  /// The value. REQUIRES: is_ok().
  T& value() & { return *value_; }
  /// The value. REQUIRES: is_ok().
  const T& value() const& { return *value_; }
  /// The value, moved out. REQUIRES: is_ok().
  T&& value() && { return std::move(*value_); }
  /// The value. REQUIRES: is_ok().
  T& operator*() & { return *value_; }
  /// A member of the value. REQUIRES: is_ok().
  T* operator->() { return &*value_; }
  /// A member of the value. REQUIRES: is_ok().
  const T* operator->() const { return &*value_; }

 private:
  std::optional<T> value_;
  Status status_;
};

}  // namespace vkv

/// Returns early from the enclosing function with `expr`'s status when it is not ok.
#define VKV_RETURN_IF_ERROR(expr)          \
  do {                                     \
    ::vkv::Status vkv_status_ = (expr);    \
    if (!vkv_status_.is_ok()) return vkv_status_; \
  } while (0)
