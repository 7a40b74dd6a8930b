#include "08-compaction/level_iterator.hpp"

namespace vkv::storage {

void LevelIterator::open(std::size_t i) {
  index_ = i;
  table_.reset();
  if (i < tables_.size()) table_.emplace(*tables_[i]->file().table);
}

void LevelIterator::seek_to_first() {
  open(0);
  if (table_) table_->seek_to_first();
  skip_finished_tables();
}

void LevelIterator::seek(std::string_view target) {
  // Every table before this one ends before `target`.
  open(first_table_reaching(tables_, target));
  if (table_) table_->seek(target);
  skip_finished_tables();
}

void LevelIterator::next() {
  table_->next();
  skip_finished_tables();
}

void LevelIterator::skip_finished_tables() {
  while (table_ && !table_->valid() && table_->status().is_ok()) {
    open(index_ + 1);
    if (table_) table_->seek_to_first();
  }
}

}  // namespace vkv::storage
