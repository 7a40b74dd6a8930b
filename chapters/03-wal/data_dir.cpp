#include "03-wal/data_dir.hpp"

#include <algorithm>
#include <charconv>
#include <cstdio>

#include "common/path.hpp"

namespace vkv::storage {

namespace {

constexpr std::string_view kLogSuffix = ".log";

// Creates `dir` if it is missing, and makes its new entry in the parent durable.
Status create_if_missing(Env& env, const std::string& dir) {
  if (env.file_exists(dir)) return env.create_dir(dir);  // checks it is a directory
  VKV_RETURN_IF_ERROR(env.create_dir(dir));
  return env.sync_dir(parent_dir(dir));
}

}  // namespace

//! [data-dir-open]
Result<DataDir> DataDir::open(Env& env, std::string path) {
  while (path.size() > 1 && path.back() == '/') path.pop_back();
  VKV_RETURN_IF_ERROR(create_if_missing(env, path));
  const std::string lock_path = path + "/" + std::string(kLockName);
  auto lock = env.lock_file(lock_path);
  if (!lock.is_ok()) {
    if (lock.status().code() != StatusCode::kBusy) return lock.status();
    return Status::busy("data directory " + path + " is in use by another process (it holds " +
                        lock_path + "); stop that process or choose another directory");
  }
  return DataDir(env, std::move(path), std::move(lock).value());
}
//! [data-dir-open]

std::string DataDir::log_name(std::uint64_t number) {
  return numbered_name(number, kLogSuffix);
}

std::optional<std::uint64_t> DataDir::parse_log_name(std::string_view name) {
  return parse_numbered_name(name, kLogSuffix);
}

std::string DataDir::numbered_name(std::uint64_t number, std::string_view suffix) {
  char name[32];
  std::snprintf(name, sizeof name, "%06llu", static_cast<unsigned long long>(number));
  return std::string(name) + std::string(suffix);
}

std::optional<std::uint64_t> DataDir::parse_numbered_name(std::string_view name,
                                                          std::string_view suffix) {
  if (name.size() <= suffix.size() || !name.ends_with(suffix)) return std::nullopt;
  name.remove_suffix(suffix.size());
  std::uint64_t number = 0;
  const char* end = name.data() + name.size();
  auto [ptr, ec] = std::from_chars(name.data(), end, number);
  if (ec != std::errc() || ptr != end || number == 0) return std::nullopt;
  return number;
}

std::string DataDir::file_path(std::string_view name) const {
  return path_ + "/" + std::string(name);
}

std::string DataDir::log_path(std::uint64_t number) const { return file_path(log_name(number)); }

Result<std::vector<std::uint64_t>> DataDir::log_numbers() const {
  auto names = env_->list_dir(path_);
  if (!names.is_ok()) return names.status();
  std::vector<std::uint64_t> numbers;
  for (const auto& name : *names) {
    if (auto n = parse_log_name(name)) numbers.push_back(*n);
  }
  std::sort(numbers.begin(), numbers.end());
  return numbers;
}

}  // namespace vkv::storage
