// SPDX-License-Identifier: Apache-2.0
#include "eth/abi_event.hpp"

#include "eth/abi_codec.hpp"
#include "eth/keccak.hpp"

#include <algorithm>
#include <utility>

namespace lottery::eth {
namespace {

bool is_name_start(char c) noexcept {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c == '$';
}

bool is_name(std::string_view s) noexcept {
  return !s.empty() && is_name_start(s.front()) && std::all_of(s.begin(), s.end(), [](char c) {
    return is_name_start(c) || (c >= '0' && c <= '9');
  });
}

std::string_view trim(std::string_view s) noexcept {
  while (!s.empty() && s.front() == ' ') s.remove_prefix(1);
  while (!s.empty() && s.back() == ' ') s.remove_suffix(1);
  return s;
}

// Splits at spaces, dropping empty pieces.
std::vector<std::string_view> words(std::string_view s) {
  std::vector<std::string_view> out;
  while (true) {
    s = trim(s);
    if (s.empty()) return out;
    const std::size_t end = std::min(s.find(' '), s.size());
    out.push_back(s.substr(0, end));
    s.remove_prefix(end);
  }
}

Result<AbiEventParam> parse_param(std::string_view text) noexcept {
  const std::vector<std::string_view> parts = words(text);
  if (parts.empty() || parts.size() > 3) return make_error_code(Errc::kInvalidType);
  auto type = parse_abi_type(parts[0]);
  if (!type) return type.error();
  AbiEventParam param{std::string{}, std::move(*type), false};
  std::size_t next = 1;
  if (next < parts.size() && parts[next] == "indexed") {
    param.indexed = true;
    ++next;
  }
  if (next < parts.size()) {
    if (!is_name(parts[next])) return make_error_code(Errc::kInvalidType);
    param.name = std::string(parts[next]);
    ++next;
  }
  if (next != parts.size()) return make_error_code(Errc::kInvalidType);
  return param;
}

}  // namespace

std::string AbiEvent::signature() const {
  std::string out = name + "(";
  for (std::size_t i = 0; i < inputs.size(); ++i) {
    if (i != 0) out += ',';
    out += inputs[i].type.canonical();
  }
  return out + ")";
}

Hash32 AbiEvent::topic0() const noexcept {
  return keccak256(std::string_view(signature()));
}

Result<AbiEvent> parse_abi_event(std::string_view text) noexcept {
  text = trim(text);
  const std::size_t open = text.find('(');
  if (open == std::string_view::npos) return make_error_code(Errc::kInvalidType);
  AbiEvent event;
  const std::string_view name = text.substr(0, open);
  if (!is_name(name)) return make_error_code(Errc::kInvalidType);
  event.name = std::string(name);
  // Parameters are split at commas outside parentheses (tuple types contain commas).
  std::size_t depth = 1;
  std::size_t start = open + 1;
  std::size_t i = open + 1;
  for (; i < text.size() && depth > 0; ++i) {
    const char c = text[i];
    if (c == '(') {
      ++depth;
    } else if (c == ')' || (c == ',' && depth == 1)) {
      if (c == ')' && --depth > 0) continue;
      const std::string_view piece = text.substr(start, i - start);
      // "()" is an event without parameters; any other empty piece is a stray comma.
      if (!(c == ')' && event.inputs.empty() && trim(piece).empty())) {
        auto param = parse_param(piece);
        if (!param) return param.error();
        event.inputs.push_back(std::move(*param));
      }
      start = i + 1;
    }
  }
  if (depth != 0) return make_error_code(Errc::kInvalidType);
  const std::string_view rest = trim(text.substr(i));
  if (rest == "anonymous") {
    event.anonymous = true;
  } else if (!rest.empty()) {
    return make_error_code(Errc::kInvalidType);
  }
  return event;
}

Result<std::vector<AbiLogField>> abi_decode_log(const AbiEvent& event,
                                                std::span<const Hash32> topics,
                                                ByteView data) noexcept {
  const auto indexed_count = static_cast<std::size_t>(std::count_if(
      event.inputs.begin(), event.inputs.end(), [](const AbiEventParam& p) { return p.indexed; }));
  const std::size_t first_topic = event.anonymous ? 0 : 1;
  if (indexed_count + first_topic > 4) return make_error_code(Errc::kInvalidType);
  if (!event.anonymous) {
    if (topics.empty()) return make_error_code(Errc::kWrongLength);
    if (topics.front() != event.topic0()) return make_error_code(Errc::kInvalidType);
  }
  if (topics.size() != first_topic + indexed_count) return make_error_code(Errc::kWrongLength);

  std::vector<AbiType> data_types;
  data_types.reserve(event.inputs.size() - indexed_count);
  for (const auto& p : event.inputs) {
    if (!p.indexed) data_types.push_back(p.type);
  }
  auto data_values = abi_decode(data_types, data);
  if (!data_values) return data_values.error();

  std::vector<AbiLogField> fields;
  fields.reserve(event.inputs.size());
  std::size_t topic = first_topic;
  std::size_t data_index = 0;
  for (const auto& p : event.inputs) {
    AbiLogField field{p.name, AbiValue{}, p.indexed, false};
    if (!p.indexed) {
      field.value = std::move((*data_values)[data_index++]);
    } else if (p.type.is_value_type()) {
      auto value = abi_decode_word(p.type, topics[topic++]);
      if (!value) return value.error();
      field.value = std::move(*value);
    } else {
      const Hash32& hash = topics[topic++];
      field.value = abi_bytes(Bytes(hash.begin(), hash.end()));
      field.hashed = true;
    }
    fields.push_back(std::move(field));
  }
  return fields;
}

const AbiLogField* find_field(const std::vector<AbiLogField>& fields,
                              std::string_view name) noexcept {
  for (const auto& f : fields) {
    if (f.name == name) return &f;
  }
  return nullptr;
}

}  // namespace lottery::eth
