// SPDX-License-Identifier: Apache-2.0
#include "custody/secret.hpp"

#include <openssl/crypto.h>
#include <sys/mman.h>

#include <cstring>
#include <new>
#include <utility>

namespace lottery::custody {

SecretBytes::SecretBytes(std::size_t size) : size_(size), capacity_(size) {
  if (size == 0) return;
  data_ = new std::uint8_t[size]();
  // Locking can fail without privileges; the buffer is still wiped, so go on.
  locked_ = ::mlock(data_, size) == 0;
}

SecretBytes::SecretBytes(eth::ByteView data) : SecretBytes(data.size()) {
  if (data_ != nullptr && !data.empty()) std::memcpy(data_, data.data(), data.size());
}

SecretBytes::SecretBytes(SecretBytes&& other) noexcept
    : data_(std::exchange(other.data_, nullptr)),
      size_(std::exchange(other.size_, 0)),
      capacity_(std::exchange(other.capacity_, 0)),
      locked_(std::exchange(other.locked_, false)) {}

SecretBytes& SecretBytes::operator=(SecretBytes&& other) noexcept {
  if (this != &other) {
    release();
    data_ = std::exchange(other.data_, nullptr);
    size_ = std::exchange(other.size_, 0);
    capacity_ = std::exchange(other.capacity_, 0);
    locked_ = std::exchange(other.locked_, false);
  }
  return *this;
}

SecretBytes::~SecretBytes() {
  release();
}

std::string_view SecretBytes::chars() const noexcept {
  return {reinterpret_cast<const char*>(data_), size_};
}

void SecretBytes::shrink(std::size_t size) noexcept {
  if (size >= size_) return;
  wipe(data_ + size, size_ - size);
  size_ = size;
}

void SecretBytes::release() noexcept {
  if (data_ == nullptr) return;
  wipe(data_, capacity_);
  if (locked_) ::munlock(data_, capacity_);
  delete[] data_;
  data_ = nullptr;
  size_ = capacity_ = 0;
  locked_ = false;
}

void wipe(void* data, std::size_t size) noexcept {
  if (data != nullptr && size != 0) OPENSSL_cleanse(data, size);
}

bool constant_time_equal(eth::ByteView a, eth::ByteView b) noexcept {
  if (a.size() != b.size()) return false;
  if (a.empty()) return true;
  return CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

}  // namespace lottery::custody
