#include "common/status.hpp"

namespace vkv {

std::string Status::to_string() const {
  const char* kind = "ok";
  switch (code_) {
    case StatusCode::kOk:
      return "ok";
    case StatusCode::kNotFound:
      kind = "not found";
      break;
    case StatusCode::kInvalidArgument:
      kind = "invalid argument";
      break;
    case StatusCode::kIoError:
      kind = "IO error";
      break;
    case StatusCode::kCorruption:
      kind = "corruption";
      break;
    case StatusCode::kBusy:
      kind = "busy";
      break;
  }
  return std::string(kind) + ": " + message_;
}

}  // namespace vkv
