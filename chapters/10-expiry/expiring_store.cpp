#include "10-expiry/expiring_store.hpp"

#include <utility>

namespace vkv::storage {

ExpiringStore::ExpiringStore(Store& store, OrderedStore& ordered, const Clock& clock)
    : store_(store), ordered_(ordered), clock_(clock) {}

//! [put]
Status ExpiringStore::put(std::string_view key, std::string_view value,
                          std::optional<UnixMillis> deadline) {
  index_.prefetch(key);  // the index's slot loads while the store writes
  VKV_RETURN_IF_ERROR(store_.set(key, encode_expiring_value(deadline, value)));
  index_.note(key, deadline);
  return Status::ok();
}
//! [put]

Status ExpiringStore::set(std::string_view key, std::string_view value) {
  return put(key, value, std::nullopt);
}

Status ExpiringStore::del(std::string_view key) {
  index_.prefetch(key);
  VKV_RETURN_IF_ERROR(store_.del(key));
  index_.note(key, std::nullopt);
  return Status::ok();
}

Status ExpiringStore::read_stored(std::string_view key, std::string* value,
                                  std::optional<UnixMillis>* deadline) {
  std::string stored;
  VKV_RETURN_IF_ERROR(store_.get(key, &stored));
  auto decoded = decode_expiring_value(stored);
  if (!decoded.is_ok()) return decoded.status();
  *deadline = decoded->deadline;
  // The value is the tail of `stored`: drop the tag (and deadline) in place.
  stored.erase(0, stored.size() - decoded->value.size());
  *value = std::move(stored);
  return Status::ok();
}

// LEARNER: begin ExpiringStore::read(): read the stored bytes, and answer not found once the deadline has come
//! [read]
Status ExpiringStore::read(std::string_view key, std::string* value,
                           std::optional<UnixMillis>* deadline) {
  std::optional<UnixMillis> when;
  VKV_RETURN_IF_ERROR(read_stored(key, value, &when));
  if (when && *when <= clock_.now()) {
    value->clear();
    return Status::not_found(std::string(key));  // expired: gone for every read, whatever is on disk
  }
  if (deadline != nullptr) *deadline = when;
  return Status::ok();
}
//! [read]
// LEARNER: end

Status ExpiringStore::get(std::string_view key, std::string* value) {
  return read(key, value, nullptr);
}

Status ExpiringStore::Keeping::set(std::string_view key, std::string_view value) {
  std::string old;
  std::optional<UnixMillis> deadline;
  const Status s = store_.read(key, &old, &deadline);
  if (!s.is_ok() && !s.is_not_found()) return s;
  return store_.put(key, value, deadline);
}

Result<ExpiringStore::Stored> ExpiringStore::check_expired(std::string_view key,
                                                           UnixMillis now) {
  std::string value;
  std::optional<UnixMillis> deadline;
  const Status s = read_stored(key, &value, &deadline);
  if (s.is_not_found()) return Stored::kGone;
  VKV_RETURN_IF_ERROR(s);
  if (!deadline || *deadline > now) {
    index_.note(key, deadline);  // rewritten since it was noted: keep the newer deadline
    return Stored::kLive;
  }
  return Stored::kExpired;
}

Status ExpiringStore::delete_expired(std::string_view key) { return store_.del(key); }

Status ExpiringStore::delete_if_expired(std::string_view key, UnixMillis now, bool* deleted,
                                        bool* gone) {
  *deleted = false;
  if (gone != nullptr) *gone = false;
  auto stored = check_expired(key, now);
  if (!stored.is_ok()) return stored.status();
  if (gone != nullptr) *gone = *stored == Stored::kGone;
  if (*stored != Stored::kExpired) return Status::ok();
  VKV_RETURN_IF_ERROR(delete_expired(key));
  *deleted = true;
  return Status::ok();
}

// LEARNER: begin ExpiringStore::scan(): pages of the store below, without the expired keys, until one has a key or the range ends
//! [scan]
Status ExpiringStore::scan(std::string_view start, std::optional<std::string_view> end,
                           std::size_t limit, ScanPage* page) {
  page->entries.clear();
  page->next.reset();
  const UnixMillis now = clock_.now();
  std::string from(start);
  // A page of the store below may be all expired keys: read on until this page has one
  // live key, or the range ends.
  for (;;) {
    ScanPage raw;
    VKV_RETURN_IF_ERROR(ordered_.scan(from, end, limit - page->entries.size(), &raw));
    for (auto& e : raw.entries) {
      auto decoded = decode_expiring_value(e.value);
      if (!decoded.is_ok()) return decoded.status();
      if (decoded->expired_at(now)) continue;
      e.value.erase(0, e.value.size() - decoded->value.size());
      page->entries.push_back(std::move(e));
    }
    page->next = std::move(raw.next);
    if (!page->next || !page->entries.empty()) return Status::ok();
    from = *page->next;
  }
}
//! [scan]
// LEARNER: end

Status ExpiringStore::rebuild_index(std::size_t* noted) {
  std::size_t found = 0;
  std::optional<std::string> from = std::string();
  while (from) {
    ScanPage raw;
    VKV_RETURN_IF_ERROR(ordered_.scan(*from, std::nullopt, 1000, &raw));
    for (const auto& e : raw.entries) {
      auto decoded = decode_expiring_value(e.value);
      if (!decoded.is_ok()) return decoded.status();
      if (decoded->deadline) {
        index_.note(e.key, decoded->deadline);
        ++found;
      }
    }
    from = std::move(raw.next);
  }
  if (noted != nullptr) *noted = found;
  return Status::ok();
}

}  // namespace vkv::storage
