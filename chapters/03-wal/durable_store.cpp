#include "durable_store.hpp"

namespace vkv::storage {

//! [open]
Result<std::unique_ptr<DurableStore>> DurableStore::open(Env& env,
                                                         const DurableStoreOptions& options,
                                                         std::unique_ptr<Store> inner) {
  auto dir = DataDir::open(env, options.dir);
  if (!dir.is_ok()) return dir.status();
  auto store = std::make_unique<DurableStore>(Key{}, std::move(dir).value(), std::move(inner));
  auto live = store->replay_logs(options);
  if (!live.is_ok()) return live.status();
  VKV_RETURN_IF_ERROR(store->open_log(*live, options));
  return store;
}
//! [open]

Result<std::uint64_t> DurableStore::replay_logs(const DurableStoreOptions& options) {
  auto numbers = dir_.log_numbers();
  if (!numbers.is_ok()) return numbers.status();
  if (numbers->empty()) return std::uint64_t{1};
  const RecordVisitor visit = [this](const LogRecord& r) { return r.apply_to(*inner_); };
  for (std::uint64_t n : *numbers) {
    auto report = replay_log(dir_.env(), dir_.log_path(n), visit, {options.repair});
    if (!report.is_ok()) return report.status();
    recovery_.push_back(std::move(report).value());
  }
  return numbers->back();
}

Status DurableStore::open_log(std::uint64_t number, const DurableStoreOptions& options) {
  Env& env = dir_.env();
  const std::string path = dir_.log_path(number);
  const bool exists = env.file_exists(path);
  auto file = exists ? env.new_appendable_file(path) : env.new_writable_file(path);
  if (!file.is_ok()) return file.status();
  // A new file's name is durable only once its directory is synced; without this a power
  // loss could take away the whole log, synced records and all.
  if (!exists) VKV_RETURN_IF_ERROR(env.sync_dir(dir_.path()));
  log_ = std::make_unique<LogWriter>(std::move(file).value(), path,
                                     LogWriterOptions{options.sync, options.sync_interval});
  apply_ = [this](const LogRecord& r) { return r.apply_to(*inner_); };
  return Status::ok();
}

//! [write]
Status DurableStore::set(std::string_view key, std::string_view value) {
  return write(LogRecord::set(key, value));
}

Status DurableStore::del(std::string_view key) { return write(LogRecord::del(key)); }

Status DurableStore::write(const LogRecord& record) {
  if (record.key.empty()) return Status::invalid_argument("empty key");
  return log_->write(record, apply_);
}
//! [write]

Status DurableStore::get(std::string_view key, std::string* value) {
  return inner_->get(key, value);
}

}  // namespace vkv::storage
