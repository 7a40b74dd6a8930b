#include "02-parsing/engine.hpp"

namespace vkv::engine {

namespace {

protocol::Reply storage_error(const Status& status) {
  return protocol::Reply::error("storage: " + status.to_string());
}

}  // namespace

//! [execute]
protocol::Reply Engine::execute(const protocol::Command& command) {
  using protocol::Reply;
  if (const auto* set = std::get_if<protocol::SetCommand>(&command)) {
    Status s = store_.set(set->key, set->value);
    return s.is_ok() ? Reply::ok() : storage_error(s);
  }
  if (const auto* get = std::get_if<protocol::GetCommand>(&command)) {
    std::string value;
    Status s = store_.get(get->key, &value);
    if (s.is_ok()) return Reply::value(std::move(value));
    return s.is_not_found() ? Reply::not_found() : storage_error(s);
  }
  const auto& del = std::get<protocol::DelCommand>(command);
  Status s = store_.del(del.key);
  return s.is_ok() ? Reply::ok() : storage_error(s);
}
//! [execute]

}  // namespace vkv::engine
