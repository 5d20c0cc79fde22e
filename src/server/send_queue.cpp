// SPDX-License-Identifier: Apache-2.0
#include "server/send_queue.hpp"

#include <algorithm>
#include <array>

namespace lottery::server {

bool is_state_kind(MessageKind kind) noexcept {
  switch (kind) {
    case MessageKind::kSnapshot:
    case MessageKind::kRound:
    case MessageKind::kParticipants:
    case MessageKind::kConfig:
    case MessageKind::kOperatorStatus:
    case MessageKind::kPong:  // a pong answers "are you there"; one is enough
      return true;
    case MessageKind::kHistory:
    case MessageKind::kActivity:
    case MessageKind::kReorg:
      return false;
  }
  return false;
}

const std::shared_ptr<const std::string>& pong_message() {
  static const auto pong = std::make_shared<const std::string>(R"({"type":"pong"})");
  return pong;
}

SendQueue::SendQueue(std::size_t capacity, std::size_t max_resyncs)
    : capacity_(std::max<std::size_t>(capacity, 2)),
      max_resyncs_(std::max<std::size_t>(max_resyncs, 1)) {}

std::size_t SendQueue::coalesce() {
  // Walk from the newest: keep the first (newest) message of each state kind.
  std::array<bool, 16> seen{};
  std::vector<QueuedMessage> kept;  // newest first, reversed at the end
  kept.reserve(queue_.size());
  std::size_t dropped = 0;
  for (auto it = queue_.rbegin(); it != queue_.rend(); ++it) {
    const auto index = static_cast<std::size_t>(it->kind);
    if (is_state_kind(it->kind)) {
      if (seen[index]) {
        ++dropped;
        continue;
      }
      seen[index] = true;
    }
    kept.push_back(std::move(*it));
  }
  std::reverse(kept.begin(), kept.end());
  queue_ = std::move(kept);
  return dropped;
}

SendQueue::PushResult SendQueue::push(QueuedMessage message,
                                      const std::shared_ptr<const std::string>& resync,
                                      std::uint64_t resync_version) {
  PushResult result;
  if (has_floor_ && message.kind != MessageKind::kPong && message.version <= floor_version_) {
    return result;
  }
  if (queue_.size() < capacity_) {
    queue_.push_back(std::move(message));
    return result;
  }
  queue_.push_back(std::move(message));
  result.dropped = coalesce();
  if (queue_.size() <= capacity_) return result;
  if (resync) {
    // A pong still answers a question; keep it after the snapshot.
    const bool had_pong = std::any_of(queue_.begin(), queue_.end(), [](const QueuedMessage& m) {
      return m.kind == MessageKind::kPong;
    });
    result.dropped += queue_.size();
    queue_.clear();
    queue_.push_back({MessageKind::kSnapshot, resync_version, resync});
    result.resynced = true;
    ++resyncs_;
    // The rest of this commit's changes are in the snapshot already.
    floor_version_ = resync_version;
    has_floor_ = true;
    if (had_pong) {
      queue_.push_back({MessageKind::kPong, 0, pong_message()});
      --result.dropped;
    }
  } else {
    while (queue_.size() > capacity_) {
      queue_.erase(queue_.begin());
      ++result.dropped;
    }
    ++resyncs_;
  }
  result.stuck = resyncs_ >= max_resyncs_;
  return result;
}

void SendQueue::set_initial_snapshot(std::shared_ptr<const std::string> text,
                                     std::uint64_t version) {
  std::erase_if(queue_, [&](const QueuedMessage& m) {
    return m.kind != MessageKind::kPong && m.version <= version;
  });
  queue_.insert(queue_.begin(), {MessageKind::kSnapshot, version, std::move(text)});
  floor_version_ = version;
  has_floor_ = true;
}

std::optional<QueuedMessage> SendQueue::pop() {
  if (queue_.empty()) return std::nullopt;
  QueuedMessage message = std::move(queue_.front());
  queue_.erase(queue_.begin());
  if (queue_.empty()) resyncs_ = 0;
  return message;
}

}  // namespace lottery::server
