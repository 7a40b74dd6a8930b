#include "08-compaction/lsm_scanner.hpp"

#include "08-compaction/newest_wins_iterator.hpp"

namespace vkv::storage {

//! [scan]
Status LsmScanner::scan(std::string_view start, std::optional<std::string_view> end,
                        std::size_t limit, ScanPage* page) {
  page->entries.clear();
  page->next.reset();
  // Declared first, so destroyed last: the memtables and tables outlive the merge of them.
  LsmSources sources = store_.sources();
  NewestWinsIterator entries(std::move(sources.newest_first));
  std::size_t bytes = 0;
  for (entries.seek(start); entries.valid(); entries.next()) {
    if (end && entries.key() >= *end) break;
    if (entries.kind() == EntryKind::kTombstone) continue;  // deleted: hides older values
    if (page->entries.size() == limit || bytes >= kMaxScanPageBytes) {
      page->next = std::string(entries.key());  // the page is full; the next one starts here
      break;
    }
    page->entries.push_back({std::string(entries.key()), std::string(entries.value())});
    bytes += entries.key().size() + entries.value().size();
  }
  // A damaged table stops the merge: say so, never skip it; and tell the server's log, as
  // a GET that meets it does.
  const Status s = entries.status();
  if (!s.is_ok()) store_.report_read_error(s);
  return s;
}
//! [scan]

}  // namespace vkv::storage
