// SPDX-License-Identifier: Apache-2.0
#include "eth/abi_codec.hpp"

#include <algorithm>
#include <cstring>
#include <limits>
#include <utility>

namespace lottery::eth {
namespace {

constexpr std::size_t kWord = 32;

std::size_t padded_size(std::size_t len) noexcept {
  return (len + kWord - 1) / kWord * kWord;
}

// The members of a tuple (one type per member) or the elements of an array (one type
// repeated `count` times), so tuples and arrays share one head/tail walker.
struct Members {
  const AbiType* types;
  std::size_t type_count;
  std::size_t count;

  const AbiType& at(std::size_t i) const noexcept { return types[type_count == 1 ? 0 : i]; }

  static Members tuple(const std::vector<AbiType>& members) noexcept {
    return {members.data(), members.size(), members.size()};
  }
  static Members repeated(const AbiType& element, std::size_t n) noexcept {
    return {&element, 1, n};
  }
};

bool all_zero(const std::uint8_t* p, std::size_t n) noexcept {
  return std::all_of(p, p + n, [](std::uint8_t b) { return b == 0; });
}

U256 word_to_u256(const std::uint8_t* word) noexcept {
  U256 value;
  boost::multiprecision::import_bits(value, word, word + kWord);
  return value;
}

// ---------------------------------------------------------------------------------------
// Encoding: a validating measure pass, one allocation, then an infallible write pass.

class Encoder {
 public:
  // Exact encoded size of `value` as `type` (tail size for dynamic types), validating
  // every shape and range rule so that `write` cannot fail.
  static Result<std::size_t> measure(const AbiType& type, const AbiValue& value,
                                     std::size_t depth) noexcept {
    if (depth > kAbiMaxDepth) return make_error_code(Errc::kTooDeep);
    switch (type.kind) {
      case AbiKind::kUint: {
        const U256* v = value.as_u256();
        if (v == nullptr) return make_error_code(Errc::kInvalidType);
        if (type.size == 0 || type.size > 256 || type.size % 8 != 0) {
          return make_error_code(Errc::kInvalidType);
        }
        if (type.size < 256 && (*v >> static_cast<unsigned>(type.size)) != 0) {
          return make_error_code(Errc::kOutOfRange);
        }
        return kWord;
      }
      case AbiKind::kInt: {
        const U256* v = value.as_u256();
        if (v == nullptr) return make_error_code(Errc::kInvalidType);
        if (type.size == 0 || type.size > 256 || type.size % 8 != 0) {
          return make_error_code(Errc::kInvalidType);
        }
        if (type.size < 256) {
          // Valid iff every bit from M-1 upwards equals the sign bit.
          const auto shift = static_cast<unsigned>(type.size - 1);
          const U256 high = *v >> shift;
          if (high != 0 && high != (~U256{0} >> shift)) return make_error_code(Errc::kOutOfRange);
        }
        return kWord;
      }
      case AbiKind::kAddress:
        if (value.as_address() == nullptr) return make_error_code(Errc::kInvalidType);
        return kWord;
      case AbiKind::kBool:
        if (value.as_bool() == nullptr) return make_error_code(Errc::kInvalidType);
        return kWord;
      case AbiKind::kFixedBytes: {
        const Bytes* v = value.as_bytes();
        if (v == nullptr || type.size == 0 || type.size > kWord) {
          return make_error_code(Errc::kInvalidType);
        }
        if (v->size() != type.size) return make_error_code(Errc::kWrongLength);
        return kWord;
      }
      case AbiKind::kBytes: {
        const Bytes* v = value.as_bytes();
        if (v == nullptr) return make_error_code(Errc::kInvalidType);
        return kWord + padded_size(v->size());
      }
      case AbiKind::kString: {
        const std::string* v = value.as_string();
        if (v == nullptr) return make_error_code(Errc::kInvalidType);
        return kWord + padded_size(v->size());
      }
      case AbiKind::kArray: {
        const AbiList* list = value.as_list();
        if (list == nullptr || type.components.size() != 1) {
          return make_error_code(Errc::kInvalidType);
        }
        auto body =
            measure_seq(Members::repeated(type.components.front(), list->size()), *list, depth + 1);
        if (!body) return body.error();
        return kWord + *body;
      }
      case AbiKind::kFixedArray: {
        const AbiList* list = value.as_list();
        if (list == nullptr || type.components.size() != 1) {
          return make_error_code(Errc::kInvalidType);
        }
        if (list->size() != type.size) return make_error_code(Errc::kWrongLength);
        return measure_seq(Members::repeated(type.components.front(), list->size()), *list,
                           depth + 1);
      }
      case AbiKind::kTuple: {
        const AbiList* list = value.as_list();
        if (list == nullptr) return make_error_code(Errc::kInvalidType);
        if (list->size() != type.components.size()) return make_error_code(Errc::kWrongLength);
        return measure_seq(Members::tuple(type.components), *list, depth + 1);
      }
    }
    return make_error_code(Errc::kInvalidType);
  }

  static Result<std::size_t> measure_seq(Members members, std::span<const AbiValue> values,
                                         std::size_t depth) noexcept {
    if (depth > kAbiMaxDepth) return make_error_code(Errc::kTooDeep);
    std::size_t total = 0;
    for (std::size_t i = 0; i < members.count; ++i) {
      const AbiType& type = members.at(i);
      auto size = measure(type, values[i], depth);
      if (!size) return size.error();
      // A dynamic member costs an offset word in the head plus its tail.
      total += *size + (type.is_dynamic() ? kWord : 0);
    }
    return total;
  }

  explicit Encoder(Bytes& out) noexcept : out_(out) {}

  // Writes `value` at `pos` (already measured, so in bounds); returns the end position.
  std::size_t write(const AbiType& type, const AbiValue& value, std::size_t pos) noexcept {
    switch (type.kind) {
      case AbiKind::kUint:
      case AbiKind::kInt:
        write_u256(*value.as_u256(), pos);
        return pos + kWord;
      case AbiKind::kAddress: {
        const auto& a = value.as_address()->bytes;
        std::memcpy(out_.data() + pos + (kWord - a.size()), a.data(), a.size());
        return pos + kWord;
      }
      case AbiKind::kBool:
        out_[pos + kWord - 1] = *value.as_bool() ? 1 : 0;
        return pos + kWord;
      case AbiKind::kFixedBytes: {
        const Bytes& b = *value.as_bytes();
        std::copy(b.begin(), b.end(), out_.begin() + static_cast<std::ptrdiff_t>(pos));
        return pos + kWord;
      }
      case AbiKind::kBytes: {
        const Bytes& b = *value.as_bytes();
        return write_blob(b.data(), b.size(), pos);
      }
      case AbiKind::kString: {
        const std::string& s = *value.as_string();
        return write_blob(reinterpret_cast<const std::uint8_t*>(s.data()), s.size(), pos);
      }
      case AbiKind::kArray: {
        const AbiList& list = *value.as_list();
        write_u256(U256{list.size()}, pos);
        return write_seq(Members::repeated(type.components.front(), list.size()), list,
                         pos + kWord);
      }
      case AbiKind::kFixedArray: {
        const AbiList& list = *value.as_list();
        return write_seq(Members::repeated(type.components.front(), list.size()), list, pos);
      }
      case AbiKind::kTuple:
        return write_seq(Members::tuple(type.components), *value.as_list(), pos);
    }
    return pos;
  }

  // Writes the head of `members` at `base` and their tails after it; returns the end.
  std::size_t write_seq(Members members, std::span<const AbiValue> values,
                        std::size_t base) noexcept {
    std::size_t head = 0;
    for (std::size_t i = 0; i < members.count; ++i) head += members.at(i).head_size();
    std::size_t pos = base;
    std::size_t tail = base + head;
    for (std::size_t i = 0; i < members.count; ++i) {
      const AbiType& type = members.at(i);
      if (type.is_dynamic()) {
        write_u256(U256{tail - base}, pos);
        tail = write(type, values[i], tail);
        pos += kWord;
      } else {
        pos = write(type, values[i], pos);
      }
    }
    return tail;
  }

 private:
  std::size_t write_blob(const std::uint8_t* data, std::size_t len, std::size_t pos) noexcept {
    write_u256(U256{len}, pos);
    if (len != 0) std::memcpy(out_.data() + pos + kWord, data, len);
    return pos + kWord + padded_size(len);
  }

  void write_u256(const U256& v, std::size_t pos) noexcept {
    const Hash32 word = u256_to_be32(v);
    std::memcpy(out_.data() + pos, word.data(), kWord);
  }

  Bytes& out_;
};

// ---------------------------------------------------------------------------------------
// Decoding. Every position is checked against the input size before it is read, every
// length before anything is allocated for it, and tails must sit at their canonical place.

Result<AbiValue> decode_value_word(const AbiType& type, const std::uint8_t* w) noexcept {
  switch (type.kind) {
    case AbiKind::kUint: {
      if (type.size == 0 || type.size > 256 || type.size % 8 != 0) {
        return make_error_code(Errc::kInvalidType);
      }
      if (!all_zero(w, kWord - type.size / 8)) return make_error_code(Errc::kOutOfRange);
      return abi_uint(word_to_u256(w));
    }
    case AbiKind::kInt: {
      if (type.size == 0 || type.size > 256 || type.size % 8 != 0) {
        return make_error_code(Errc::kInvalidType);
      }
      const std::size_t fill_len = kWord - type.size / 8;
      const std::uint8_t fill = (w[fill_len] & 0x80) != 0 ? 0xff : 0x00;
      if (!std::all_of(w, w + fill_len, [fill](std::uint8_t b) { return b == fill; })) {
        return make_error_code(Errc::kOutOfRange);
      }
      return abi_int_twos(word_to_u256(w));
    }
    case AbiKind::kAddress: {
      Address a;
      if (!all_zero(w, kWord - a.bytes.size())) return make_error_code(Errc::kOutOfRange);
      std::memcpy(a.bytes.data(), w + (kWord - a.bytes.size()), a.bytes.size());
      return abi_address(a);
    }
    case AbiKind::kBool:
      if (!all_zero(w, kWord - 1) || w[kWord - 1] > 1) return make_error_code(Errc::kOutOfRange);
      return abi_bool(w[kWord - 1] == 1);
    case AbiKind::kFixedBytes:
      if (type.size == 0 || type.size > kWord) return make_error_code(Errc::kInvalidType);
      if (!all_zero(w + type.size, kWord - type.size)) return make_error_code(Errc::kNonCanonical);
      return abi_bytes(Bytes(w, w + type.size));
    default:
      return make_error_code(Errc::kInvalidType);
  }
}

class Decoder {
 public:
  explicit Decoder(ByteView in) noexcept : in_(in) {}

  // Decodes the head at `base` and the tails after it; returns the end of the last tail.
  Result<std::size_t> seq(Members members, std::size_t base, AbiList& out,
                          std::size_t depth) noexcept {
    if (depth > kAbiMaxDepth) return make_error_code(Errc::kTooDeep);
    std::size_t head = 0;
    for (std::size_t i = 0; i < members.count; ++i) {
      const std::size_t h = members.at(i).head_size();
      // Zero-sized repeated elements (only possible in hand-built types) would make the
      // element count unbounded by the input.
      if (h == 0 && members.type_count == 1) return make_error_code(Errc::kInvalidType);
      if (h > in_.size() - base - head) return make_error_code(Errc::kTruncated);
      head += h;
      // Repeated elements all have the same head: one multiplication bounds the rest.
      if (members.type_count == 1 && members.count > 1) {
        if (h != 0 && members.count - 1 > (in_.size() - base - head) / h) {
          return make_error_code(Errc::kTruncated);
        }
        head += h * (members.count - 1);
        break;
      }
    }
    out.reserve(members.count);
    std::size_t pos = base;
    std::size_t tail = base + head;
    for (std::size_t i = 0; i < members.count; ++i) {
      const AbiType& type = members.at(i);
      if (type.is_dynamic()) {
        const std::size_t offset = read_size(pos);
        if (offset > in_.size() - base) return make_error_code(Errc::kOutOfRange);
        if (base + offset != tail) return make_error_code(Errc::kNonCanonical);
        auto end = dynamic(type, tail, out, depth);
        if (!end) return end.error();
        tail = *end;
        pos += kWord;
      } else {
        auto end = fixed(type, pos, out, depth);
        if (!end) return end.error();
        pos = *end;
      }
    }
    return tail;
  }

 private:
  // A static value at `pos` (its head is known to be in bounds); appends it to `out`.
  Result<std::size_t> fixed(const AbiType& type, std::size_t pos, AbiList& out,
                            std::size_t depth) noexcept {
    switch (type.kind) {
      case AbiKind::kFixedArray:
      case AbiKind::kTuple:
        return composite(type, pos, out, depth);
      default: {
        if (kWord > in_.size() - pos) return make_error_code(Errc::kTruncated);
        auto value = decode_value_word(type, in_.data() + pos);
        if (!value) return value.error();
        out.push_back(std::move(*value));
        return pos + kWord;
      }
    }
  }

  // A dynamic value whose tail starts at `at`; appends it to `out`, returns its end.
  Result<std::size_t> dynamic(const AbiType& type, std::size_t at, AbiList& out,
                              std::size_t depth) noexcept {
    switch (type.kind) {
      case AbiKind::kBytes:
      case AbiKind::kString: {
        if (kWord > in_.size() - at) return make_error_code(Errc::kTruncated);
        const std::size_t data_at = at + kWord;
        const std::size_t room = in_.size() - data_at;
        const std::size_t len = read_size(at);
        if (len > room) return make_error_code(Errc::kTooLarge);
        const std::size_t padded = padded_size(len);
        if (padded > room) return make_error_code(Errc::kTruncated);
        const std::uint8_t* data = in_.data() + data_at;
        if (!all_zero(data + len, padded - len)) return make_error_code(Errc::kNonCanonical);
        if (type.kind == AbiKind::kBytes) {
          out.push_back(abi_bytes(Bytes(data, data + len)));
        } else {
          out.push_back(abi_string(std::string(reinterpret_cast<const char*>(data), len)));
        }
        return data_at + padded;
      }
      case AbiKind::kArray: {
        if (type.components.size() != 1) return make_error_code(Errc::kInvalidType);
        if (kWord > in_.size() - at) return make_error_code(Errc::kTruncated);
        const AbiType& element = type.components.front();
        const std::size_t element_head = element.head_size();
        // A zero-sized element would let a tiny input claim billions of elements.
        if (element_head == 0) return make_error_code(Errc::kInvalidType);
        const std::size_t count = read_size(at);
        const std::size_t room = in_.size() - at - kWord;
        if (count > room / element_head) return make_error_code(Errc::kTooLarge);
        AbiList list;
        auto end = seq(Members::repeated(element, count), at + kWord, list, depth + 1);
        if (!end) return end.error();
        out.push_back(abi_list(std::move(list)));
        return *end;
      }
      case AbiKind::kFixedArray:
      case AbiKind::kTuple:
        return composite(type, at, out, depth);
      default:
        return make_error_code(Errc::kInvalidType);
    }
  }

  Result<std::size_t> composite(const AbiType& type, std::size_t at, AbiList& out,
                                std::size_t depth) noexcept {
    Members members = Members::tuple(type.components);
    if (type.kind == AbiKind::kFixedArray) {
      if (type.components.size() != 1) return make_error_code(Errc::kInvalidType);
      members = Members::repeated(type.components.front(), type.size);
    }
    AbiList list;
    auto end = seq(members, at, list, depth + 1);
    if (!end) return end.error();
    out.push_back(abi_list(std::move(list)));
    return *end;
  }

  // A length or offset word as size_t; SIZE_MAX when it does not fit, which every
  // caller's bound check then rejects. The caller has checked the word is in bounds.
  std::size_t read_size(std::size_t pos) const noexcept {
    const std::uint8_t* w = in_.data() + pos;
    constexpr std::size_t kSizeBytes = sizeof(std::uint64_t);
    if (!all_zero(w, kWord - kSizeBytes)) return std::numeric_limits<std::size_t>::max();
    std::uint64_t v = 0;
    for (std::size_t i = kWord - kSizeBytes; i < kWord; ++i) v = (v << 8) | w[i];
    if constexpr (sizeof(std::size_t) < sizeof(std::uint64_t)) {
      if (v > std::numeric_limits<std::size_t>::max()) {
        return std::numeric_limits<std::size_t>::max();
      }
    }
    return static_cast<std::size_t>(v);
  }

  ByteView in_;
};

}  // namespace

Result<Bytes> abi_encode(std::span<const AbiType> types,
                         std::span<const AbiValue> values) noexcept {
  if (types.size() != values.size()) return make_error_code(Errc::kWrongLength);
  const Members members{types.data(), types.size(), types.size()};
  auto size = Encoder::measure_seq(members, values, 1);
  if (!size) return size.error();
  Bytes out(*size, 0);
  Encoder(out).write_seq(members, values, 0);
  return out;
}

Result<AbiList> abi_decode(std::span<const AbiType> types, ByteView data) noexcept {
  Decoder decoder(data);
  AbiList out;
  auto end = decoder.seq(Members{types.data(), types.size(), types.size()}, 0, out, 1);
  if (!end) return end.error();
  if (*end != data.size()) return make_error_code(Errc::kTrailingBytes);
  return out;
}

Result<AbiValue> abi_decode_word(const AbiType& type, ByteView word) noexcept {
  if (!type.is_value_type()) return make_error_code(Errc::kInvalidType);
  if (word.size() != kWord) return make_error_code(Errc::kWrongLength);
  return decode_value_word(type, word.data());
}

}  // namespace lottery::eth
