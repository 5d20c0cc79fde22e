// SPDX-License-Identifier: Apache-2.0
#pragma once

// The fan-out frame: what the leader publishes on the Redis channel for one store commit, and what
// every replica relays to its WebSocket clients. Pure (no I/O).
//
//   "<seq> delta\n"  then entries  "<type> <byte length>\n<bytes>" … and last "snapshot
//   <len>\n<bytes>"
//   "<seq> reset\n"  then only the snapshot entry (a new leader, or a publisher that fell behind:
//                    clients replace their state)
//
// `seq` is assigned by Redis (INCR inside the publish script), so frames of successive leaders are
// numbered in one sequence. Every frame carries the snapshot of the state after it, so a replica
// that sees a gap (a missed frame) sends its clients that snapshot instead of guessing.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace lottery::scale {

/// One WebSocket message of a frame: its `type` ("round_update", …) and the serialised message.
struct FeedEntry {
  std::string type;
  std::string text;
  friend bool operator==(const FeedEntry&, const FeedEntry&) = default;
};

struct Frame {
  std::uint64_t seq = 0;
  bool reset = false;               ///< only a snapshot: clients replace their state
  std::vector<FeedEntry> messages;  ///< in order; empty for a reset
  std::string snapshot;             ///< the WebSocket `snapshot` message after this frame
  friend bool operator==(const Frame&, const Frame&) = default;
};

/// Largest number of messages one frame may carry (a commit has a handful).
inline constexpr std::size_t kMaxFrameMessages = 4096;

/// True for the WebSocket types a frame may carry besides the snapshot.
bool is_feed_type(std::string_view type) noexcept;

/// The entries part of a frame (what the publish script prefixes with "<seq> <kind>\n").
std::string encode_entries(const std::vector<FeedEntry>& messages, std::string_view snapshot);
/// One snapshot entry ("snapshot <len>\n<bytes>").
std::string encode_snapshot_entry(std::string_view snapshot);
/// A whole frame (tests; the real header is written by Redis).
std::string encode_frame(const Frame& frame);

/// Parses a frame strictly: header, known types, exact lengths, exactly one snapshot entry and it
/// last, nothing after it, at most `kMaxFrameMessages` messages, a reset without messages.
/// nullopt for anything else.
std::optional<Frame> decode_frame(std::string_view bytes);

}  // namespace lottery::scale
