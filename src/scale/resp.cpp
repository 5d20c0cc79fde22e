// SPDX-License-Identifier: Apache-2.0
#include "scale/resp.hpp"

#include <hiredis/hiredis.h>

namespace lottery::scale {
namespace {

redisReader* as_reader(void* p) noexcept {
  return static_cast<redisReader*>(p);
}

Reply convert(const redisReply& r) {
  Reply out;
  switch (r.type) {
    case REDIS_REPLY_STRING:
      out.type = Reply::Type::kString;
      out.str.assign(r.str, r.len);
      break;
    case REDIS_REPLY_STATUS:
      out.type = Reply::Type::kStatus;
      out.str.assign(r.str, r.len);
      break;
    case REDIS_REPLY_ERROR:
      out.type = Reply::Type::kError;
      out.str.assign(r.str, r.len);
      break;
    case REDIS_REPLY_INTEGER:
      out.type = Reply::Type::kInteger;
      out.integer = r.integer;
      break;
    case REDIS_REPLY_ARRAY:
      out.type = Reply::Type::kArray;
      out.elements.reserve(r.elements);
      for (std::size_t i = 0; i < r.elements; ++i) out.elements.push_back(convert(*r.element[i]));
      break;
    default:
      out.type = Reply::Type::kNil;
      break;
  }
  return out;
}

}  // namespace

std::string encode_command(const std::vector<std::string>& args) {
  std::size_t size = 16;
  for (const auto& a : args) size += a.size() + 16;
  std::string out;
  out.reserve(size);
  out += '*';
  out += std::to_string(args.size());
  out += "\r\n";
  for (const auto& a : args) {
    out += '$';
    out += std::to_string(a.size());
    out += "\r\n";
    out += a;
    out += "\r\n";
  }
  return out;
}

void ReplyParser::Deleter::operator()(void* reader) const noexcept {
  redisReaderFree(as_reader(reader));
}

ReplyParser::ReplyParser(std::size_t max_buffer)
    : reader_(redisReaderCreate()), max_buffer_(max_buffer) {
  if (!reader_) throw std::bad_alloc();
}

ReplyParser::~ReplyParser() = default;

void ReplyParser::reset() {
  reader_.reset(redisReaderCreate());
  if (!reader_) throw std::bad_alloc();
  buffered_ = 0;
}

void ReplyParser::feed(std::string_view bytes) {
  if (bytes.empty()) return;
  if (buffered_ + bytes.size() > max_buffer_) {
    throw std::runtime_error("redis: reply larger than " + std::to_string(max_buffer_) + " bytes");
  }
  if (redisReaderFeed(as_reader(reader_.get()), bytes.data(), bytes.size()) != REDIS_OK) {
    throw std::runtime_error("redis: cannot buffer the reply");
  }
  buffered_ += bytes.size();
}

std::optional<Reply> ReplyParser::next() {
  void* raw = nullptr;
  redisReader* reader = as_reader(reader_.get());
  if (redisReaderGetReply(reader, &raw) != REDIS_OK) {
    throw std::runtime_error(std::string("redis: protocol error: ") + reader->errstr);
  }
  if (raw == nullptr) return std::nullopt;
  std::unique_ptr<redisReply, void (*)(void*)> owned(static_cast<redisReply*>(raw),
                                                     freeReplyObject);
  Reply out = convert(*owned);
  // What the reader still holds; it compacts its buffer as replies are taken.
  buffered_ = reader->len - reader->pos;
  return out;
}

}  // namespace lottery::scale
