#include "10-expiry/expiry_rules.hpp"

#include "09-resp/command_helpers.hpp"

namespace vkv::engine {

using storage::UnixMillis;

Status ExpiryRules::write(std::string_view key, std::string_view value,
                          std::optional<UnixMillis> deadline, std::optional<UnixMillis> now) {
  // Gone at once, as in Redis.
  if (deadline && *deadline <= (now ? *now : this->now())) return store_.del(key);
  return store_.put(key, value, deadline);
}

Status ExpiryRules::read_deadline(std::string_view key, std::optional<UnixMillis>* deadline) {
  std::string value;
  return store_.read(key, &value, deadline);
}

//! [set]
Result<SetOutcome> ExpiryRules::set(std::string_view key, std::string_view value,
                                    const SetOptions& options, std::string_view command) {
  std::optional<UnixMillis> deadline;
  std::optional<UnixMillis> at;  // a SET with a deadline reads the clock once, here
  if (options.ttl == SetTtl::kSet) {
    at = now();
    auto when = option_deadline(options.time, *at, command);
    if (!when.is_ok()) return when.status();
    deadline = *when;
  }
  auto held = locks_.lock(key);
  SetOutcome outcome;
  // A plain SET (or SET EX) reads nothing: it replaces the value and the deadline.
  if (!options.get && !options.if_absent && !options.if_present && options.ttl != SetTtl::kKeep) {
    VKV_RETURN_IF_ERROR(write(key, value, deadline, at));
    outcome.written = true;
    return outcome;
  }
  std::string old;
  std::optional<UnixMillis> old_deadline;
  const Status s = store_.read(key, &old, &old_deadline);
  if (!s.is_ok() && !s.is_not_found()) return s;
  const bool found = s.is_ok();
  if (options.get && found) outcome.old = std::move(old);
  if ((options.if_absent && found) || (options.if_present && !found)) return outcome;
  if (options.ttl == SetTtl::kKeep) deadline = old_deadline;
  VKV_RETURN_IF_ERROR(write(key, value, deadline, at));
  outcome.written = true;
  return outcome;
}
//! [set]

Result<std::optional<std::string>> ExpiryRules::getex(std::string_view key,
                                                      const GetexOptions& options) {
  auto held = locks_.lock(key);
  std::string value;
  const Status s = store_.read(key, &value, nullptr);
  if (s.is_not_found()) return std::optional<std::string>();
  VKV_RETURN_IF_ERROR(s);
  if (options.time) {
    auto when = option_deadline(*options.time, now(), "getex");
    if (!when.is_ok()) return when.status();
    VKV_RETURN_IF_ERROR(write(key, value, *when));
  } else if (options.persist) {
    VKV_RETURN_IF_ERROR(store_.put(key, value, std::nullopt));
  }
  return std::optional<std::string>(std::move(value));
}

Result<std::optional<std::string>> ExpiryRules::watch_state(std::string_view key) {
  std::string value;
  std::optional<UnixMillis> deadline;
  const Status s = store_.read(key, &value, &deadline);
  if (s.is_not_found()) return std::optional<std::string>();
  if (!s.is_ok()) return s.with_context("storage");
  return std::optional<std::string>((deadline ? std::to_string(*deadline) : "none") + ":" + value);
}

//! [expire]
Result<bool> ExpiryRules::expire(std::string_view key, UnixMillis deadline,
                                 const ExpireCondition& condition) {
  auto held = locks_.lock(key);
  std::string value;
  std::optional<UnixMillis> current;
  const Status s = store_.read(key, &value, &current);
  if (s.is_not_found()) return false;
  VKV_RETURN_IF_ERROR(s);
  if (!condition.allows(current, deadline)) return false;
  VKV_RETURN_IF_ERROR(write(key, value, deadline));  // in the past: deleted, and that is 1
  return true;
}
//! [expire]

Result<bool> ExpiryRules::expire(std::string_view command, std::string_view key,
                                 std::string_view number,
                                 std::span<const std::string_view> conditions) {
  auto condition = parse_expire_condition(conditions);
  if (!condition.is_ok()) return condition.status();
  const std::string name = lower(command);
  const TimeArg time{number, unit_of_command(name), name.ends_with("at")};
  auto deadline = expire_deadline(time, now(), name);
  if (!deadline.is_ok()) return deadline.status();
  return expire(key, *deadline, *condition);
}

Result<bool> ExpiryRules::persist(std::string_view key) {
  auto held = locks_.lock(key);
  std::string value;
  std::optional<UnixMillis> current;
  const Status s = store_.read(key, &value, &current);
  if (s.is_not_found()) return false;
  VKV_RETURN_IF_ERROR(s);
  if (!current) return false;
  VKV_RETURN_IF_ERROR(store_.put(key, value, std::nullopt));
  return true;
}

// LEARNER: begin ExpiryRules::ttl(): -2, -1, or the time left, seconds rounded to the nearest
//! [ttl]
Result<std::int64_t> ExpiryRules::ttl(std::string_view key, TimeUnit unit) {
  std::optional<UnixMillis> deadline;
  const Status s = read_deadline(key, &deadline);
  if (s.is_not_found()) return std::int64_t{-2};
  VKV_RETURN_IF_ERROR(s);
  if (!deadline) return std::int64_t{-1};
  const std::int64_t left = std::max<std::int64_t>(*deadline - now(), 0);
  return unit == TimeUnit::kMillis ? left : (left + 500) / 1000;  // Redis rounds, not truncates
}
//! [ttl]
// LEARNER: end

Result<std::int64_t> ExpiryRules::expire_time(std::string_view key, TimeUnit unit) {
  std::optional<UnixMillis> deadline;
  const Status s = read_deadline(key, &deadline);
  if (s.is_not_found()) return std::int64_t{-2};
  VKV_RETURN_IF_ERROR(s);
  if (!deadline) return std::int64_t{-1};
  const std::int64_t at = std::max<std::int64_t>(*deadline, 0);
  return unit == TimeUnit::kMillis ? at : (at + 500) / 1000;
}

}  // namespace vkv::engine
