// SPDX-License-Identifier: Apache-2.0
#pragma once
// A fixed-size buffer for secrets: its pages are locked in memory (mlock,
// best effort: an unprivileged process may have a small RLIMIT_MEMLOCK) so
// they are not swapped out, and it is wiped with OPENSSL_cleanse when it is
// destroyed or moved from. No printing support on purpose.

#include "eth/bytes.hpp"

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace lottery::custody {

class SecretBytes {
 public:
  SecretBytes() = default;
  /// `size` zero bytes.
  explicit SecretBytes(std::size_t size);
  /// A copy of `data` (the caller wipes its own copy).
  explicit SecretBytes(eth::ByteView data);
  SecretBytes(const SecretBytes&) = delete;
  SecretBytes& operator=(const SecretBytes&) = delete;
  SecretBytes(SecretBytes&& other) noexcept;
  SecretBytes& operator=(SecretBytes&& other) noexcept;
  ~SecretBytes();

  std::uint8_t* data() noexcept { return data_; }
  const std::uint8_t* data() const noexcept { return data_; }
  std::size_t size() const noexcept { return size_; }
  bool empty() const noexcept { return size_ == 0; }
  eth::ByteView view() const noexcept { return {data_, size_}; }
  /// The bytes as characters (for a key in hex). Do not copy it into a std::string.
  std::string_view chars() const noexcept;
  /// Shrinks the logical size (wiping the tail); never grows.
  void shrink(std::size_t size) noexcept;
  /// True when the pages were locked.
  bool locked() const noexcept { return locked_; }

 private:
  void release() noexcept;

  std::uint8_t* data_ = nullptr;
  std::size_t size_ = 0;
  std::size_t capacity_ = 0;
  bool locked_ = false;
};

/// Wipes `size` bytes at `data` in a way the compiler cannot optimise away.
void wipe(void* data, std::size_t size) noexcept;

/// Constant-time equality of two equally long buffers (false when the lengths differ;
/// the length itself is not secret).
bool constant_time_equal(eth::ByteView a, eth::ByteView b) noexcept;

}  // namespace lottery::custody
