// SPDX-License-Identifier: Apache-2.0
#include "eth/rlp.hpp"

#include <utility>

namespace lottery::eth::rlp {
namespace {

constexpr std::uint8_t kStringShort = 0x80;  // 0x80 + len for strings of 0..55 bytes
constexpr std::uint8_t kStringLong = 0xb7;   // 0xb7 + len-of-len for longer strings
constexpr std::uint8_t kListShort = 0xc0;    // 0xc0 + len for list payloads of 0..55 bytes
constexpr std::uint8_t kListLong = 0xf7;     // 0xf7 + len-of-len for longer payloads
constexpr std::size_t kMaxShortLength = 55;

std::size_t be_width(std::uint64_t value) noexcept {
  std::size_t width = 0;
  while (value != 0) {
    ++width;
    value >>= 8;
  }
  return width;
}

void append_be(Bytes& out, std::uint64_t value, std::size_t width) {
  for (std::size_t i = width; i > 0; --i) {
    out.push_back(static_cast<std::uint8_t>(value >> (8 * (i - 1))));
  }
}

void append_header(Bytes& out, std::size_t length, std::uint8_t short_base,
                   std::uint8_t long_base) {
  if (length <= kMaxShortLength) {
    out.push_back(static_cast<std::uint8_t>(short_base + length));
    return;
  }
  const std::size_t width = be_width(length);
  out.push_back(static_cast<std::uint8_t>(long_base + width));
  append_be(out, length, width);
}

struct Header {
  bool is_list = false;
  std::size_t header_size = 0;   // bytes before the payload
  std::size_t payload_size = 0;  // bytes of payload
};

// Reads the prefix of the item starting at `in[0]` and checks that the declared payload fits in
// `in`. All length arithmetic compares against what is left rather than adding to an offset, so a
// declared length near 2^64 cannot wrap around.
Result<Header> read_header(ByteView in) noexcept {
  if (in.empty()) return make_error_code(Errc::kTruncated);
  const std::uint8_t prefix = in[0];
  Header header;
  if (prefix < kStringShort) {
    header.payload_size = 1;
    return header;
  }
  std::size_t length = 0;
  if (prefix <= kStringLong || (prefix >= kListShort && prefix <= kListLong)) {
    header.is_list = prefix >= kListShort;
    header.header_size = 1;
    length = static_cast<std::size_t>(prefix - (header.is_list ? kListShort : kStringShort));
    if (!header.is_list && length == 1) {
      if (in.size() < 2) return make_error_code(Errc::kTruncated);
      // A lone byte below 0x80 is its own encoding; wrapping it is a second form of the same value.
      if (in[1] < kStringShort) return make_error_code(Errc::kNonCanonical);
    }
  } else {
    header.is_list = prefix > kListLong;
    const auto width =
        static_cast<std::size_t>(prefix - (header.is_list ? kListLong : kStringLong));
    if (in.size() - 1 < width) return make_error_code(Errc::kTruncated);
    if (in[1] == 0) return make_error_code(Errc::kLeadingZeros);
    std::uint64_t declared = 0;
    for (std::size_t i = 0; i < width; ++i) declared = (declared << 8) | in[1 + i];
    if (declared <= kMaxShortLength) return make_error_code(Errc::kNonCanonical);
    header.header_size = 1 + width;
    if (declared > in.size() - header.header_size) return make_error_code(Errc::kTruncated);
    length = static_cast<std::size_t>(declared);
  }
  if (length > in.size() - header.header_size) return make_error_code(Errc::kTruncated);
  header.payload_size = length;
  return header;
}

// Decodes one item at the start of `in` into `out`; returns the number of bytes it spans.
// `depth` is the number of lists already open around this item.
Result<std::size_t> decode_at(ByteView in, std::size_t depth, std::size_t max_depth,
                              Item& out) noexcept {
  auto header = read_header(in);
  if (!header) return header.error();
  const auto payload = in.subspan(header->header_size, header->payload_size);
  out.is_list = header->is_list;
  if (!header->is_list) {
    out.bytes.assign(payload.begin(), payload.end());
  } else {
    if (depth + 1 > max_depth) return make_error_code(Errc::kTooDeep);
    std::size_t offset = 0;
    while (offset < payload.size()) {
      Item child;
      auto used = decode_at(payload.subspan(offset), depth + 1, max_depth, child);
      if (!used) return used.error();
      offset += *used;
      out.items.push_back(std::move(child));
    }
  }
  return header->header_size + header->payload_size;
}

Result<ByteView> integer_bytes(const Item& item, std::size_t max_size) noexcept {
  if (item.is_list) return make_error_code(Errc::kUnexpectedList);
  if (!item.bytes.empty() && item.bytes.front() == 0) return make_error_code(Errc::kLeadingZeros);
  if (item.bytes.size() > max_size) return make_error_code(Errc::kOverflow);
  return ByteView(item.bytes);
}

}  // namespace

Item Item::string(ByteView data) {
  Item item;
  item.bytes.assign(data.begin(), data.end());
  return item;
}

Item Item::list(std::vector<Item> children) {
  Item item;
  item.is_list = true;
  item.items = std::move(children);
  return item;
}

void append_string(Bytes& out, ByteView data) {
  if (data.size() == 1 && data[0] < kStringShort) {
    out.push_back(data[0]);
    return;
  }
  append_header(out, data.size(), kStringShort, kStringLong);
  out.insert(out.end(), data.begin(), data.end());
}

void append_uint(Bytes& out, std::uint64_t value) {
  if (value != 0 && value < kStringShort) {
    out.push_back(static_cast<std::uint8_t>(value));
    return;
  }
  const std::size_t width = be_width(value);
  out.push_back(static_cast<std::uint8_t>(kStringShort + width));
  append_be(out, value, width);
}

void append_uint(Bytes& out, const U256& value) {
  append_string(out, u256_to_be_minimal(value));
}

void append_list(Bytes& out, ByteView payload) {
  append_header(out, payload.size(), kListShort, kListLong);
  out.insert(out.end(), payload.begin(), payload.end());
}

void append_item(Bytes& out, const Item& item) {
  if (!item.is_list) {
    append_string(out, item.bytes);
    return;
  }
  Bytes payload;
  for (const auto& child : item.items) append_item(payload, child);
  append_list(out, payload);
}

Bytes encode_string(ByteView data) {
  Bytes out;
  append_string(out, data);
  return out;
}

Bytes encode_uint(std::uint64_t value) {
  Bytes out;
  append_uint(out, value);
  return out;
}

Bytes encode_uint(const U256& value) {
  Bytes out;
  append_uint(out, value);
  return out;
}

Bytes encode_list(ByteView payload) {
  Bytes out;
  append_list(out, payload);
  return out;
}

Bytes encode(const Item& item) {
  Bytes out;
  append_item(out, item);
  return out;
}

Result<Item> decode(ByteView input, std::size_t max_depth) noexcept {
  if (input.empty()) return make_error_code(Errc::kEmptyInput);
  Item item;
  auto used = decode_at(input, 0, max_depth, item);
  if (!used) return used.error();
  if (*used != input.size()) return make_error_code(Errc::kTrailingBytes);
  return item;
}

Result<std::uint64_t> as_u64(const Item& item) noexcept {
  auto bytes = integer_bytes(item, sizeof(std::uint64_t));
  if (!bytes) return bytes.error();
  std::uint64_t value = 0;
  for (const std::uint8_t b : *bytes) value = (value << 8) | b;
  return value;
}

Result<U256> as_u256(const Item& item) noexcept {
  auto bytes = integer_bytes(item, 32);
  if (!bytes) return bytes.error();
  return u256_from_be(*bytes);
}

Result<Address> as_address(const Item& item) noexcept {
  auto bytes = as_fixed<20>(item);
  if (!bytes) return bytes.error();
  return Address{*bytes};
}

Result<ByteView> as_bytes(const Item& item) noexcept {
  if (item.is_list) return make_error_code(Errc::kUnexpectedList);
  return ByteView(item.bytes);
}

Result<std::span<const Item>> as_list(const Item& item) noexcept {
  if (!item.is_list) return make_error_code(Errc::kUnexpectedString);
  return std::span<const Item>(item.items);
}

}  // namespace lottery::eth::rlp
