// SPDX-License-Identifier: Apache-2.0
#pragma once

// The Redis protocol (RESP2) on our side of the wire: commands are encoded here (arrays of bulk
// strings, binary safe), replies are parsed by hiredis' `redisReader` and copied into `Reply`.
// Pure: no I/O, no locking. The socket work is in redis_connection.hpp.

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace lottery::scale {

/// One Redis reply (RESP2 types).
struct Reply {
  enum class Type : std::uint8_t { kString, kStatus, kError, kInteger, kNil, kArray };
  Type type = Type::kNil;
  std::string str;              ///< kString, kStatus, kError
  std::int64_t integer = 0;     ///< kInteger
  std::vector<Reply> elements;  ///< kArray

  bool is_nil() const noexcept { return type == Type::kNil; }
  bool is_error() const noexcept { return type == Type::kError; }
};

/// A `-ERR …` reply turned into an exception by `RedisConnection::command`.
class RedisError : public std::runtime_error {
 public:
  explicit RedisError(const std::string& message) : std::runtime_error(message) {}
};

/// `args` as one RESP command (`*N\r\n$len\r\narg\r\n…`). Arguments may hold any bytes.
std::string encode_command(const std::vector<std::string>& args);

/// Incremental reply parser over hiredis' `redisReader`. Not thread-safe.
class ReplyParser {
 public:
  /// `max_buffer`: the most unparsed bytes kept (a reply larger than this is a protocol error).
  explicit ReplyParser(std::size_t max_buffer = std::size_t{64} * 1024 * 1024);
  ~ReplyParser();
  ReplyParser(const ReplyParser&) = delete;
  ReplyParser& operator=(const ReplyParser&) = delete;

  /// Adds bytes read from the socket. Throws std::runtime_error when the buffer limit is passed.
  void feed(std::string_view bytes);
  /// The next complete reply, or nullopt when more bytes are needed. Throws std::runtime_error on
  /// a protocol error (the connection must be dropped).
  std::optional<Reply> next();
  /// Drops everything buffered (a new connection starts clean).
  void reset();
  /// Unparsed bytes held.
  std::size_t buffered() const noexcept { return buffered_; }

 private:
  struct Deleter {
    void operator()(void* reader) const noexcept;
  };
  std::unique_ptr<void, Deleter> reader_;
  std::size_t max_buffer_;
  std::size_t buffered_ = 0;
};

}  // namespace lottery::scale
