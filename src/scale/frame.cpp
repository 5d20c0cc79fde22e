// SPDX-License-Identifier: Apache-2.0
#include "scale/frame.hpp"

#include <array>
#include <charconv>

namespace lottery::scale {
namespace {

constexpr std::string_view kSnapshot = "snapshot";

// Reads a decimal without sign or leading zeros (except "0") up to `stop`.
std::optional<std::uint64_t> read_number(std::string_view& in, char stop) {
  const auto end = in.find(stop);
  if (end == std::string_view::npos || end == 0 || end > 20) return std::nullopt;
  const std::string_view digits = in.substr(0, end);
  if (digits.size() > 1 && digits.front() == '0') return std::nullopt;
  std::uint64_t value = 0;
  const auto [ptr, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), value);
  if (ec != std::errc{} || ptr != digits.data() + digits.size()) return std::nullopt;
  in.remove_prefix(end + 1);
  return value;
}

void append_entry(std::string& out, std::string_view type, std::string_view text) {
  out += type;
  out += ' ';
  out += std::to_string(text.size());
  out += '\n';
  out += text;
}

}  // namespace

bool is_feed_type(std::string_view type) noexcept {
  static constexpr std::array<std::string_view, 7> kTypes = {
      "round_update",  "participants_update", "history_update", "activity",
      "config_update", "operator_status",     "reorg"};
  for (const auto t : kTypes) {
    if (t == type) return true;
  }
  return false;
}

std::string encode_entries(const std::vector<FeedEntry>& messages, std::string_view snapshot) {
  std::size_t size = snapshot.size() + 32;
  for (const auto& m : messages) size += m.type.size() + m.text.size() + 24;
  std::string out;
  out.reserve(size);
  for (const auto& m : messages) append_entry(out, m.type, m.text);
  append_entry(out, kSnapshot, snapshot);
  return out;
}

std::string encode_snapshot_entry(std::string_view snapshot) {
  std::string out;
  append_entry(out, kSnapshot, snapshot);
  return out;
}

std::string encode_frame(const Frame& frame) {
  std::string out = std::to_string(frame.seq) + (frame.reset ? " reset\n" : " delta\n");
  out += encode_entries(frame.reset ? std::vector<FeedEntry>{} : frame.messages, frame.snapshot);
  return out;
}

std::optional<Frame> decode_frame(std::string_view in) {
  Frame frame;
  const auto seq = read_number(in, ' ');
  if (!seq || *seq == 0) return std::nullopt;
  frame.seq = *seq;
  if (in.starts_with("delta\n")) {
    in.remove_prefix(6);
  } else if (in.starts_with("reset\n")) {
    in.remove_prefix(6);
    frame.reset = true;
  } else {
    return std::nullopt;
  }
  bool have_snapshot = false;
  while (!in.empty()) {
    if (have_snapshot) return std::nullopt;  // the snapshot entry comes last
    const auto space = in.find(' ');
    if (space == std::string_view::npos || space == 0 || space > 32) return std::nullopt;
    const std::string_view type = in.substr(0, space);
    in.remove_prefix(space + 1);
    const auto length = read_number(in, '\n');
    if (!length || *length > in.size()) return std::nullopt;
    const std::string_view text = in.substr(0, static_cast<std::size_t>(*length));
    in.remove_prefix(static_cast<std::size_t>(*length));
    if (type == kSnapshot) {
      frame.snapshot = std::string(text);
      have_snapshot = true;
    } else {
      if (frame.reset || !is_feed_type(type) || frame.messages.size() >= kMaxFrameMessages) {
        return std::nullopt;
      }
      frame.messages.push_back({std::string(type), std::string(text)});
    }
  }
  if (!have_snapshot) return std::nullopt;
  return frame;
}

}  // namespace lottery::scale
