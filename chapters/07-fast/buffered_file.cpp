#include "07-fast/buffered_file.hpp"

namespace vkv::storage {

BufferedFile::~BufferedFile() { (void)write_buffer(); }

Status BufferedFile::append(std::string_view data) {
  VKV_RETURN_IF_ERROR(base_->make_room_for(size() + data.size()));
  buffer_.append(data);
  return buffer_.size() >= kFlushBytes ? write_buffer() : Status::ok();
}

Status BufferedFile::sync() {
  VKV_RETURN_IF_ERROR(write_buffer());
  return base_->sync();
}

Status BufferedFile::close() {
  VKV_RETURN_IF_ERROR(write_buffer());
  return base_->close();
}

Status BufferedFile::write_buffer() {
  if (buffer_.empty()) return Status::ok();
  Status s = base_->append(buffer_);
  // On failure the bytes are dropped all the same: the log above takes no more writes.
  buffer_.clear();
  return s;
}

}  // namespace vkv::storage
