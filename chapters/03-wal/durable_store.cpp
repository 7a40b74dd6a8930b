#include "03-wal/durable_store.hpp"

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
  const RecordVisitor visit = [this](const LogRecord& r) { return r.apply_to(*inner_); };
  auto replayed = storage::replay_logs(dir_, 1, visit, {options.repair});
  if (!replayed.is_ok()) return replayed.status();
  recovery_ = std::move(replayed->reports);
  return replayed->newest.value_or(1);
}

Status DurableStore::open_log(std::uint64_t number, const DurableStoreOptions& options) {
  auto log = LogWriter::open(dir_, number, options.log_options());
  if (!log.is_ok()) return log.status();
  log_ = std::move(log).value();
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
