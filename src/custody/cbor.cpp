// SPDX-License-Identifier: Apache-2.0
#include "custody/cbor.hpp"

#include <array>

namespace lottery::custody::cbor {

Value Value::uint(std::uint64_t n) {
  Value v;
  v.type = Type::kUnsigned;
  v.number = n;
  return v;
}

Value Value::integer(std::int64_t n) {
  if (n >= 0) return uint(static_cast<std::uint64_t>(n));
  Value v;
  v.type = Type::kNegative;
  // -1 - n computed without overflow for INT64_MIN.
  v.number = static_cast<std::uint64_t>(-(n + 1));
  return v;
}

Value Value::byte_string(eth::ByteView data) {
  Value v;
  v.type = Type::kBytes;
  v.bytes.assign(data.begin(), data.end());
  return v;
}

Value Value::text_string(std::string_view s) {
  Value v;
  v.type = Type::kText;
  v.text = std::string(s);
  return v;
}

Value Value::array(std::vector<Value> elements) {
  Value v;
  v.type = Type::kArray;
  v.items = std::move(elements);
  return v;
}

Value Value::map(std::vector<std::pair<Value, Value>> pairs) {
  Value v;
  v.type = Type::kMap;
  v.entries = std::move(pairs);
  return v;
}

Value Value::tag(std::uint64_t tag_number, Value content) {
  Value v;
  v.type = Type::kTag;
  v.number = tag_number;
  v.items.push_back(std::move(content));
  return v;
}

Value Value::boolean(bool b) {
  Value v;
  v.type = b ? Type::kTrue : Type::kFalse;
  return v;
}

Value Value::null() {
  return Value{};
}

const Value* Value::find(std::string_view key) const noexcept {
  if (type != Type::kMap) return nullptr;
  for (const auto& [k, v] : entries) {
    if (k.type == Type::kText && k.text == key) return &v;
  }
  return nullptr;
}

const Value* Value::find(std::int64_t key) const noexcept {
  if (type != Type::kMap) return nullptr;
  const Value wanted = integer(key);
  for (const auto& [k, v] : entries) {
    if (k.type == wanted.type && k.number == wanted.number) return &v;
  }
  return nullptr;
}

namespace {

void put_head(eth::Bytes& out, std::uint8_t major, std::uint64_t n) {
  const auto mt = static_cast<std::uint8_t>(major << 5);
  if (n < 24) {
    out.push_back(static_cast<std::uint8_t>(mt | n));
    return;
  }
  int width = 0;
  std::uint8_t info = 0;
  if (n <= 0xff) {
    width = 1;
    info = 24;
  } else if (n <= 0xffff) {
    width = 2;
    info = 25;
  } else if (n <= 0xffffffffULL) {
    width = 4;
    info = 26;
  } else {
    width = 8;
    info = 27;
  }
  out.push_back(static_cast<std::uint8_t>(mt | info));
  for (int i = width - 1; i >= 0; --i) {
    out.push_back(static_cast<std::uint8_t>(n >> (8 * i)));
  }
}

void encode_into(eth::Bytes& out, const Value& v) {
  switch (v.type) {
    case Type::kUnsigned:
      put_head(out, 0, v.number);
      break;
    case Type::kNegative:
      put_head(out, 1, v.number);
      break;
    case Type::kBytes:
      put_head(out, 2, v.bytes.size());
      out.insert(out.end(), v.bytes.begin(), v.bytes.end());
      break;
    case Type::kText:
      put_head(out, 3, v.text.size());
      out.insert(out.end(), v.text.begin(), v.text.end());
      break;
    case Type::kArray:
      put_head(out, 4, v.items.size());
      for (const auto& item : v.items) encode_into(out, item);
      break;
    case Type::kMap:
      put_head(out, 5, v.entries.size());
      for (const auto& [k, val] : v.entries) {
        encode_into(out, k);
        encode_into(out, val);
      }
      break;
    case Type::kTag:
      put_head(out, 6, v.number);
      if (v.items.size() != 1) throw Error("a CBOR tag must wrap exactly one item");
      encode_into(out, v.items.front());
      break;
    case Type::kFalse:
      out.push_back(0xf4);
      break;
    case Type::kTrue:
      out.push_back(0xf5);
      break;
    case Type::kNull:
      out.push_back(0xf6);
      break;
    case Type::kUndefined:
      out.push_back(0xf7);
      break;
  }
}

// True when `s` is well-formed UTF-8 (no overlongs, no surrogates, <= U+10FFFF).
bool valid_utf8(std::string_view s) {
  std::size_t i = 0;
  while (i < s.size()) {
    const auto c = static_cast<unsigned char>(s[i]);
    std::size_t extra = 0;
    std::uint32_t cp = 0;
    if (c < 0x80) {
      ++i;
      continue;
    }
    if (c >= 0xc2 && c <= 0xdf) {
      extra = 1;
      cp = c & 0x1fU;
    } else if (c >= 0xe0 && c <= 0xef) {
      extra = 2;
      cp = c & 0x0fU;
    } else if (c >= 0xf0 && c <= 0xf4) {
      extra = 3;
      cp = c & 0x07U;
    } else {
      return false;
    }
    if (s.size() - i <= extra) return false;
    for (std::size_t k = 1; k <= extra; ++k) {
      const auto cc = static_cast<unsigned char>(s[i + k]);
      if ((cc & 0xc0U) != 0x80U) return false;
      cp = (cp << 6) | (cc & 0x3fU);
    }
    if ((extra == 2 && cp < 0x800) || (extra == 3 && (cp < 0x10000 || cp > 0x10ffff)) ||
        (cp >= 0xd800 && cp <= 0xdfff)) {
      return false;
    }
    i += extra + 1;
  }
  return true;
}

class Decoder {
 public:
  Decoder(eth::ByteView input, const Limits& limits) : in_(input), limits_(limits) {}

  Value item(std::size_t depth) {
    if (depth > limits_.max_depth) throw Error("CBOR nesting is too deep");
    if (++items_ > limits_.max_items) throw Error("CBOR input has too many items");
    const std::uint8_t initial = byte();
    const auto major = static_cast<std::uint8_t>(initial >> 5);
    const auto info = static_cast<std::uint8_t>(initial & 0x1f);
    if (major == 7) return simple(info);
    const std::uint64_t n = argument(info);
    switch (major) {
      case 0:
        return Value::uint(n);
      case 1: {
        Value v;
        v.type = Type::kNegative;
        v.number = n;
        return v;
      }
      case 2: {
        const auto data = take(n);
        return Value::byte_string(data);
      }
      case 3: {
        const auto data = take(n);
        std::string_view text(reinterpret_cast<const char*>(data.data()), data.size());
        if (!valid_utf8(text)) throw Error("CBOR text string is not valid UTF-8");
        return Value::text_string(text);
      }
      case 4: {
        // Every element takes at least one byte: a count beyond the rest is a lie.
        if (n > remaining()) throw Error("CBOR array is longer than the input");
        Value v;
        v.type = Type::kArray;
        v.items.reserve(static_cast<std::size_t>(n));
        for (std::uint64_t i = 0; i < n; ++i) v.items.push_back(item(depth + 1));
        return v;
      }
      case 5: {
        if (n > remaining() / 2) throw Error("CBOR map is longer than the input");
        Value v;
        v.type = Type::kMap;
        v.entries.reserve(static_cast<std::size_t>(n));
        for (std::uint64_t i = 0; i < n; ++i) {
          Value key = item(depth + 1);
          for (const auto& existing : v.entries) {
            if (existing.first == key) throw Error("CBOR map has a duplicate key");
          }
          Value val = item(depth + 1);
          v.entries.emplace_back(std::move(key), std::move(val));
        }
        return v;
      }
      default:
        return Value::tag(n, item(depth + 1));  // major 6
    }
  }

  std::size_t remaining() const noexcept { return in_.size() - pos_; }

 private:
  std::uint8_t byte() {
    if (pos_ >= in_.size()) throw Error("CBOR input ends early");
    return in_[pos_++];
  }

  eth::ByteView take(std::uint64_t n) {
    if (n > remaining()) throw Error("CBOR string is longer than the input");
    const auto count = static_cast<std::size_t>(n);
    eth::ByteView out = in_.subspan(pos_, count);
    pos_ += count;
    return out;
  }

  std::uint64_t argument(std::uint8_t info) {
    if (info < 24) return info;
    if (info > 27) {
      throw Error(info == 31 ? "indefinite-length CBOR items are not accepted"
                             : "reserved CBOR additional information");
    }
    const int width = 1 << (info - 24);
    std::uint64_t n = 0;
    for (int i = 0; i < width; ++i) n = (n << 8) | byte();
    // Preferred serialisation: the shortest width that holds the value.
    const bool shortest = (width == 1 && n >= 24) || (width == 2 && n > 0xff) ||
                          (width == 4 && n > 0xffff) || (width == 8 && n > 0xffffffffULL);
    if (!shortest) throw Error("CBOR integer or length is not in its shortest form");
    return n;
  }

  Value simple(std::uint8_t info) {
    Value v;
    switch (info) {
      case 20:
        v.type = Type::kFalse;
        return v;
      case 21:
        v.type = Type::kTrue;
        return v;
      case 22:
        v.type = Type::kNull;
        return v;
      case 23:
        v.type = Type::kUndefined;
        return v;
      case 25:
      case 26:
      case 27:
        throw Error("CBOR floating-point values are not accepted");
      case 31:
        throw Error("unexpected CBOR break byte");
      default:
        throw Error("unsupported CBOR simple value");
    }
  }

  eth::ByteView in_;
  const Limits& limits_;
  std::size_t pos_ = 0;
  std::size_t items_ = 0;
};

void hex_into(std::string& out, eth::ByteView data) {
  static constexpr std::string_view kDigits = "0123456789abcdef";
  for (std::uint8_t b : data) {
    out += kDigits[b >> 4];
    out += kDigits[b & 0xf];
  }
}

void diagnostic_into(std::string& out, const Value& v) {
  switch (v.type) {
    case Type::kUnsigned:
      out += std::to_string(v.number);
      break;
    case Type::kNegative:
      // -1 - n can exceed int64: print it from the unsigned magnitude.
      if (v.number == UINT64_MAX) {
        out += "-18446744073709551616";
      } else {
        out += '-';
        out += std::to_string(v.number + 1);
      }
      break;
    case Type::kBytes:
      out += "h'";
      hex_into(out, v.bytes);
      out += '\'';
      break;
    case Type::kText:
      out += '"';
      for (char c : v.text) {
        if (c == '"' || c == '\\') out += '\\';
        out += c;
      }
      out += '"';
      break;
    case Type::kArray:
      out += '[';
      for (std::size_t i = 0; i < v.items.size(); ++i) {
        if (i != 0) out += ", ";
        diagnostic_into(out, v.items[i]);
      }
      out += ']';
      break;
    case Type::kMap:
      out += '{';
      for (std::size_t i = 0; i < v.entries.size(); ++i) {
        if (i != 0) out += ", ";
        diagnostic_into(out, v.entries[i].first);
        out += ": ";
        diagnostic_into(out, v.entries[i].second);
      }
      out += '}';
      break;
    case Type::kTag:
      out += std::to_string(v.number);
      out += '(';
      if (!v.items.empty()) diagnostic_into(out, v.items.front());
      out += ')';
      break;
    case Type::kFalse:
      out += "false";
      break;
    case Type::kTrue:
      out += "true";
      break;
    case Type::kNull:
      out += "null";
      break;
    case Type::kUndefined:
      out += "undefined";
      break;
  }
}

}  // namespace

eth::Bytes encode(const Value& value) {
  eth::Bytes out;
  encode_into(out, value);
  return out;
}

Value decode(eth::ByteView input, const Limits& limits) {
  if (input.size() > limits.max_input) throw Error("CBOR input is too large");
  if (input.empty()) throw Error("CBOR input is empty");
  Decoder decoder(input, limits);
  Value v = decoder.item(0);
  if (decoder.remaining() != 0) throw Error("trailing bytes after the CBOR item");
  return v;
}

std::string diagnostic(const Value& value) {
  std::string out;
  diagnostic_into(out, value);
  return out;
}

}  // namespace lottery::custody::cbor
