// SPDX-License-Identifier: Apache-2.0
#include "operation/intents.hpp"

#include <algorithm>
#include <stdexcept>

namespace lottery::operation {

std::string_view intent_state_name(IntentState state) noexcept {
  switch (state) {
    case IntentState::kPending:
      return "pending";
    case IntentState::kMined:
      return "mined";
    case IntentState::kReverted:
      return "reverted";
    case IntentState::kCancelled:
      return "cancelled";
    case IntentState::kAbandoned:
      return "abandoned";
  }
  return "unknown";
}

std::optional<eth::Hash32> Intent::newest_hash() const {
  if (attempts.empty()) return std::nullopt;
  return attempts.back().hash;
}

bool Intent::owns(const eth::Hash32& hash) const {
  return std::any_of(attempts.begin(), attempts.end(),
                     [&](const Attempt& a) { return a.hash == hash; });
}

bool IntentBook::covers(std::uint64_t round_id, Action action, std::uint64_t stage) const noexcept {
  if (pending_ && pending_->round_id == round_id && pending_->action == action) return true;
  return std::any_of(mined_.begin(), mined_.end(), [&](const Intent& i) {
    return i.round_id == round_id && i.action == action && i.stage == stage;
  });
}

Intent& IntentBook::open(std::uint64_t round_id, Action action, std::uint64_t nonce,
                         std::uint64_t gas_limit, std::uint64_t head, std::uint64_t stage) {
  if (pending_) throw std::logic_error("IntentBook::open with an intent in flight");
  Intent intent;
  intent.id = next_id_++;
  intent.round_id = round_id;
  intent.action = action;
  intent.stage = stage;
  intent.nonce = nonce;
  intent.gas_limit = gas_limit;
  intent.last_send_block = head;
  pending_ = std::move(intent);
  return *pending_;
}

void IntentBook::close(IntentState state) {
  if (!pending_) return;
  pending_->state = state;
  if (state == IntentState::kMined) mined_.push_back(std::move(*pending_));
  pending_.reset();
}

std::vector<Intent*> IntentBook::watched(std::uint64_t head) {
  std::erase_if(mined_, [&](const Intent& i) { return i.mined_block + watch_blocks_ < head; });
  std::vector<Intent*> out;
  out.reserve(mined_.size());
  for (auto& intent : mined_) out.push_back(&intent);
  return out;
}

Intent& IntentBook::reopen(std::uint64_t id, std::uint64_t head) {
  if (pending_) throw std::logic_error("IntentBook::reopen with an intent in flight");
  const auto it =
      std::find_if(mined_.begin(), mined_.end(), [&](const Intent& i) { return i.id == id; });
  if (it == mined_.end()) throw std::logic_error("IntentBook::reopen of an unknown intent");
  Intent intent = std::move(*it);
  mined_.erase(it);
  intent.state = IntentState::kPending;
  intent.mined_hash = {};
  intent.mined_block = 0;
  intent.mined_block_hash = {};
  intent.last_send_block = head;
  intent.resend_now = true;
  pending_ = std::move(intent);
  return *pending_;
}

}  // namespace lottery::operation
