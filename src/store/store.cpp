// SPDX-License-Identifier: Apache-2.0
#include "store/store.hpp"

#include "store/describe.hpp"
#include "store/json.hpp"

#include <boost/json/serialize.hpp>

#include <algorithm>
#include <limits>
#include <map>
#include <tuple>
#include <utility>

namespace lottery::store {

// ---------------------------------------------------------------- Batch

void Batch::set_round(Round round) {
  round_ = std::move(round);
}
void Batch::set_participants(std::vector<Participant> participants) {
  participants_ = std::move(participants);
}
void Batch::set_config(ContractConfig config) {
  config_ = std::move(config);
}
void Batch::set_chain_status(ChainStatus status) {
  chain_ = status;
}
void Batch::set_operator_status(OperatorStatus status) {
  operator_ = std::move(status);
}
void Batch::set_capacities(std::size_t history_capacity, std::size_t feed_capacity) {
  capacities_ = {std::max<std::size_t>(history_capacity, 1),
                 std::max<std::size_t>(feed_capacity, 1)};
}
void Batch::set_refund_progress(std::uint64_t round_id, std::uint64_t refunded,
                                std::uint64_t block_number) {
  refund_reads_.push_back(RefundRead{round_id, refunded, block_number});
}
void Batch::apply(ChainEvent event) {
  ops_.emplace_back(std::move(event));
}
void Batch::mark_final(std::uint64_t block_number) {
  ops_.emplace_back(MarkFinal{block_number});
}
void Batch::rollback_to(std::uint64_t ancestor_block) {
  ops_.emplace_back(Rollback{ancestor_block});
}

bool Batch::empty() const noexcept {
  return !round_ && !participants_ && !config_ && !chain_ && !operator_ && !capacities_ &&
         ops_.empty() && refund_reads_.empty();
}

std::string_view change_type_name(ChangeKind kind) noexcept {
  switch (kind) {
    case ChangeKind::kReorg:
      return "reorg";
    case ChangeKind::kConfig:
      return "config_update";
    case ChangeKind::kRound:
      return "round_update";
    case ChangeKind::kParticipants:
      return "participants_update";
    case ChangeKind::kHistory:
      return "history_update";
    case ChangeKind::kActivity:
      return "activity";
    case ChangeKind::kOperatorStatus:
      return "operator_status";
    case ChangeKind::kChainHead:
    case ChangeKind::kFinality:
      return "";
  }
  return "";
}

// --------------------------------------------------------- Subscription

struct Subscription::Slot {
  std::function<void()> cancel;
};

Subscription::Subscription(Subscription&& other) noexcept : slot_(std::move(other.slot_)) {}

Subscription& Subscription::operator=(Subscription&& other) noexcept {
  if (this != &other) {
    reset();
    slot_ = std::move(other.slot_);
  }
  return *this;
}

Subscription::~Subscription() {
  reset();
}

void Subscription::reset() noexcept {
  if (slot_) {
    slot_->cancel();
    slot_.reset();
  }
}

// ---------------------------------------------------------------- Store

struct Store::Subscribers {
  std::mutex mutex;
  std::uint64_t next_id = 1;
  std::map<std::uint64_t, std::shared_ptr<const Callback>> callbacks;
};

/// Writer-only state that is not part of snapshots.
struct Store::Writer {
  StoreOptions options;
  /// Keys of applied events, for exactly-once application.
  std::unordered_set<EventKey> keys;
  /// The same keys with their block numbers, ordered by block, so a rollback
  /// pops from the back and the capacity bound drops the oldest.
  std::deque<std::pair<std::uint64_t, EventKey>> key_order;
  std::uint64_t next_activity_id = 1;
};

namespace {

auto chain_pos(const FinishedRound& r) {
  return std::tie(r.block_number, r.log_index);
}
auto chain_pos(const Activity& a) {
  return std::tie(a.block_number, a.log_index);
}
auto chain_pos(const BetRecord& b) {
  return std::tie(b.block_number, b.log_index);
}

/// Inserts `item` keeping `items` in chain order; appending is the usual case.
template <class T>
void insert_in_chain_order(std::vector<std::shared_ptr<const T>>& items,
                           std::shared_ptr<const T> item) {
  if (items.empty() || chain_pos(*items.back()) <= chain_pos(*item)) {
    items.push_back(std::move(item));
    return;
  }
  auto pos = std::upper_bound(items.begin(), items.end(), item, [](const auto& a, const auto& b) {
    return chain_pos(*a) < chain_pos(*b);
  });
  items.insert(pos, std::move(item));
}

std::shared_ptr<const std::string> share(std::string text) {
  return std::make_shared<const std::string>(std::move(text));
}

std::shared_ptr<const std::string> share_json(const boost::json::object& object) {
  return share(boost::json::serialize(object));
}

/// `{"type":…,"payload":<payload>,"timestamp":…}` around an already
/// serialised payload; byte-identical to serialising the whole object.
std::shared_ptr<const std::string> wrap_message(std::string_view type, const std::string& payload,
                                                std::uint64_t timestamp) {
  std::string out;
  out.reserve(payload.size() + type.size() + 48);
  out += R"({"type":")";
  out += type;
  out += R"(","payload":)";
  out += payload;
  out += R"(,"timestamp":)";
  out += std::to_string(timestamp);
  out += '}';
  return share(std::move(out));
}

bool same_addresses(const std::vector<Participant>& a, const std::vector<Participant>& b) {
  return std::equal(
      a.begin(), a.end(), b.begin(), b.end(),
      [](const Participant& x, const Participant& y) { return x.address == y.address; });
}

HistorySummary summarise(const HistoryList& history) {
  HistorySummary s;
  for (const auto& entry : history) {
    ++s.total_rounds;
    if (entry->kind == FinishKind::kCompleted) {
      ++s.completed_rounds;
    } else {
      ++s.refunded_rounds;
    }
    s.total_volume_wei += entry->total_pot_wei;
  }
  return s;
}

/// Copy-on-write access to the snapshot's shared collections during one commit:
/// the first mutation copies (pointers only for history and feed), later ones
/// reuse the copy, untouched collections keep their pointer.
template <class T>
class CowSlot {
 public:
  explicit CowSlot(std::shared_ptr<const T> base) : base_(std::move(base)) {}
  const T& read() const { return copy_ ? *copy_ : *base_; }
  T& write() {
    if (!copy_) copy_ = std::make_shared<T>(*base_);
    return *copy_;
  }
  bool modified() const noexcept { return copy_ != nullptr; }
  std::shared_ptr<const T> result() const { return copy_ ? copy_ : base_; }

 private:
  std::shared_ptr<const T> base_;
  std::shared_ptr<T> copy_;
};

}  // namespace

Store::Store(StoreOptions options)
    : writer_(std::make_unique<Writer>()), subscribers_(std::make_shared<Subscribers>()) {
  options.history_capacity = std::max<std::size_t>(options.history_capacity, 1);
  options.feed_capacity = std::max<std::size_t>(options.feed_capacity, 1);
  writer_->options = options;

  auto initial = std::make_shared<Snapshot>();
  initial->contract_address = options.contract_address;
  initial->participants = std::make_shared<const std::vector<Participant>>();
  initial->history = std::make_shared<const HistoryList>();
  initial->feed = std::make_shared<const FeedList>();
  initial->bets = std::make_shared<const BetBook>();
  initial->views.round_status = share_json(round_status_json(*initial));
  initial->views.participants =
      share_json(participants_view_json(*initial, kParticipantsViewLimit));
  initial->views.history = share_json(history_view_json(*initial, kHistoryViewLimit));
  initial->views.activities = share_json(activities_view_json(*initial, kActivitiesViewLimit));
  initial->views.config = share_json(config_view_json(*initial));
  initial->views.operator_status = share_json(operator_status_json(initial->operator_status));
  initial->views.ws_snapshot = share(ws_snapshot_message(*initial));
  current_ = std::move(initial);
}

Store::~Store() = default;

std::shared_ptr<const Snapshot> Store::snapshot() const {
  std::lock_guard lock(snapshot_mutex_);
  return current_;
}

void Store::publish(std::shared_ptr<const Snapshot> next) {
  std::lock_guard lock(snapshot_mutex_);
  current_.swap(next);
  // The previous snapshot (now in `next`) is released outside the lock when
  // it goes out of scope here; readers holding it keep it alive.
}

Subscription Store::subscribe(Callback callback) {
  auto slot = std::make_shared<Subscription::Slot>();
  std::uint64_t id = 0;
  {
    std::lock_guard lock(subscribers_->mutex);
    id = subscribers_->next_id++;
    subscribers_->callbacks.emplace(id, std::make_shared<const Callback>(std::move(callback)));
  }
  slot->cancel = [weak = std::weak_ptr<Subscribers>(subscribers_), id] {
    if (auto subs = weak.lock()) {
      std::lock_guard lock(subs->mutex);
      subs->callbacks.erase(id);
    }
  };
  return Subscription(std::move(slot));
}

CommitResult Store::commit(Batch batch) {
  std::lock_guard write_lock(write_mutex_);
  Writer& w = *writer_;
  const std::shared_ptr<const Snapshot> prev = snapshot();
  auto next = std::make_shared<Snapshot>(*prev);
  CommitResult result;
  next->version = prev->version + 1;

  // ---- whole-value replacements; equal values keep the previous pointer
  if (batch.capacities_) {
    w.options.history_capacity = batch.capacities_->first;
    w.options.feed_capacity = batch.capacities_->second;
  }
  if (batch.round_) next->round = std::move(*batch.round_);
  if (batch.participants_ && *batch.participants_ != *prev->participants) {
    next->participants =
        std::make_shared<const std::vector<Participant>>(std::move(*batch.participants_));
  }
  if (batch.config_ && (!prev->config || *batch.config_ != *prev->config)) {
    next->config = std::make_shared<const ContractConfig>(std::move(*batch.config_));
  }
  if (batch.chain_) next->chain = *batch.chain_;
  if (batch.operator_) next->operator_status = std::move(*batch.operator_);

  // ---- event operations, in order
  CowSlot<HistoryList> history(prev->history);
  CowSlot<FeedList> feed(prev->feed);
  CowSlot<BetBook> bets(prev->bets);
  const std::uint64_t first_new_activity = w.next_activity_id;
  std::vector<std::shared_ptr<const FinishedRound>> created_rounds;
  std::vector<Change> reorgs;
  // RoundBets created by this commit and not yet visible to anyone else.
  std::map<std::uint64_t, std::shared_ptr<RoundBets>> fresh_bets;

  for (Batch::Op& op : batch.ops_) {
    if (auto* event = std::get_if<ChainEvent>(&op)) {
      const EventMeta& meta = event->meta;
      EventKey key{meta.block_hash, meta.log_index};
      if (w.keys.contains(key)) {
        ++result.duplicates_ignored;
        continue;
      }
      w.keys.insert(key);
      std::pair<std::uint64_t, EventKey> ordered{meta.block_number, key};
      if (w.key_order.empty() || w.key_order.back().first <= meta.block_number) {
        w.key_order.push_back(ordered);
      } else {
        auto pos = std::upper_bound(
            w.key_order.begin(), w.key_order.end(), meta.block_number,
            [](std::uint64_t block, const auto& entry) { return block < entry.first; });
        w.key_order.insert(pos, ordered);
      }
      ++result.events_applied;

      auto activity =
          std::make_shared<Activity>(detail::describe_event(*event, w.next_activity_id++));
      activity->final = next->final_block != 0 && meta.block_number <= next->final_block;
      insert_in_chain_order<Activity>(feed.write(), std::move(activity));

      if (const auto* bet = std::get_if<BetPlaced>(&event->body)) {
        BetRecord record{bet->player,       bet->amount,    bet->new_total, meta.timestamp,
                         meta.block_number, meta.log_index, meta.tx_hash};
        BetBook& book = bets.write();
        // A round's bets are copied once per commit, then extended in place,
        // so a backfill batch with many bets stays linear.
        std::shared_ptr<RoundBets>& updated = fresh_bets[bet->round_id];
        if (!updated) {
          updated = std::make_shared<RoundBets>();
          if (auto it = book.find(bet->round_id); it != book.end()) *updated = *it->second;
          updated->round_id = bet->round_id;
          book[bet->round_id] = updated;
        }
        auto& records = updated->records;
        if (records.empty() || chain_pos(records.back()) <= chain_pos(record)) {
          records.push_back(std::move(record));
        } else {
          auto pos = std::upper_bound(
              records.begin(), records.end(), record,
              [](const BetRecord& a, const BetRecord& b) { return chain_pos(a) < chain_pos(b); });
          records.insert(pos, std::move(record));
        }
      } else if (const auto* done = std::get_if<RoundCompleted>(&event->body)) {
        auto entry = std::make_shared<FinishedRound>();
        entry->kind = FinishKind::kCompleted;
        entry->round_id = done->round_id;
        entry->participant_count = done->participant_count;
        entry->total_pot_wei = done->total_pot;
        entry->winner = done->winner;
        entry->winner_prize_wei = done->winner_prize;
        entry->publisher_commission_wei = done->publisher_commission;
        entry->random_seed = done->random_seed;
        created_rounds.push_back(entry);
        entry->finished_at = meta.timestamp;
        entry->tx_hash = meta.tx_hash;
        entry->block_number = meta.block_number;
        entry->log_index = meta.log_index;
        const BetBook& book = bets.read();
        auto it = book.find(done->round_id);
        fresh_bets.erase(done->round_id);  // now shared with the history entry
        entry->bets = it != book.end()
                          ? it->second
                          : std::make_shared<const RoundBets>(RoundBets{done->round_id, {}});
        insert_in_chain_order<FinishedRound>(history.write(), std::move(entry));
      } else if (const auto* batched = std::get_if<RefundsPending>(&event->body)) {
        RefundProgress& progress = next->refunds[batched->round_id];
        if (progress.round_id == 0 && progress.since_block == 0) {
          progress.round_id = batched->round_id;
          progress.since_block = meta.block_number;
        }
        progress.participant_count = batched->refunded + batched->remaining;
        if (meta.block_number >= progress.updated_block) {
          progress.refunded = batched->refunded;
          progress.updated_block = meta.block_number;
        }
      } else if (const auto* refund = std::get_if<RoundRefunded>(&event->body)) {
        auto entry = std::make_shared<FinishedRound>();
        entry->kind = FinishKind::kRefunded;
        entry->round_id = refund->round_id;
        entry->participant_count = refund->participant_count;
        entry->total_pot_wei = refund->total_refunded;
        entry->refund_reason = refund->reason;
        created_rounds.push_back(entry);
        entry->finished_at = meta.timestamp;
        entry->tx_hash = meta.tx_hash;
        entry->block_number = meta.block_number;
        entry->log_index = meta.log_index;
        const BetBook& book = bets.read();
        auto it = book.find(refund->round_id);
        fresh_bets.erase(refund->round_id);  // now shared with the history entry
        entry->bets = it != book.end()
                          ? it->second
                          : std::make_shared<const RoundBets>(RoundBets{refund->round_id, {}});
        insert_in_chain_order<FinishedRound>(history.write(), std::move(entry));
      }
    } else if (const auto* fin = std::get_if<Batch::MarkFinal>(&op)) {
      if (fin->block_number <= next->final_block) continue;
      next->final_block = fin->block_number;
      // Final items form a prefix of the feed (finality only grows and a
      // rollback only pops the newest), so scan back to the first final one.
      std::size_t i = feed.read().size();
      while (i > 0 && !feed.read()[i - 1]->final) --i;
      for (; i < feed.read().size() && feed.read()[i]->block_number <= fin->block_number; ++i) {
        auto marked = std::make_shared<Activity>(*feed.read()[i]);
        marked->final = true;
        feed.write()[i] = std::move(marked);
      }
    } else if (const auto* back = std::get_if<Batch::Rollback>(&op)) {
      const std::uint64_t ancestor = back->ancestor_block;
      fresh_bets.clear();
      Change change;
      change.kind = ChangeKind::kReorg;
      change.from_block =
          std::max(prev->chain.latest_block, w.key_order.empty() ? 0 : w.key_order.back().first);
      change.to_block = ancestor;
      while (!w.key_order.empty() && w.key_order.back().first > ancestor) {
        w.keys.erase(w.key_order.back().second);
        w.key_order.pop_back();
        ++result.events_rolled_back;
      }
      if (!history.read().empty() && history.read().back()->block_number > ancestor) {
        auto& list = history.write();
        while (!list.empty() && list.back()->block_number > ancestor) list.pop_back();
      }
      if (!feed.read().empty() && feed.read().back()->block_number > ancestor) {
        auto& list = feed.write();
        while (!list.empty() && list.back()->block_number > ancestor) list.pop_back();
      }
      // Round ids grow in chain order, so only the newest rounds can hold
      // bets above the ancestor.
      while (!bets.read().empty()) {
        const auto& newest = *bets.read().rbegin();
        const auto& records = newest.second->records;
        if (!records.empty() && records.back().block_number <= ancestor) break;
        BetBook& book = bets.write();
        auto trimmed = std::make_shared<RoundBets>(*book.rbegin()->second);
        while (!trimmed->records.empty() && trimmed->records.back().block_number > ancestor) {
          trimmed->records.pop_back();
        }
        if (trimmed->records.empty()) {
          book.erase(std::prev(book.end()));
        } else {
          book.rbegin()->second = std::move(trimmed);
          break;
        }
      }
      std::erase_if(next->refunds,
                    [&](const auto& entry) { return entry.second.since_block > ancestor; });
      next->final_block = std::min(next->final_block, ancestor);
      ++next->stats.reorgs;
      reorgs.push_back(std::move(change));
    }
  }

  // ---- batched refunds: what the follower read at this head, then drop the
  // finished ones whose last update can no longer be rolled back
  for (const auto& read : batch.refund_reads_) {
    auto it = next->refunds.find(read.round_id);
    if (it == next->refunds.end() || read.block_number < it->second.updated_block) continue;
    it->second.refunded = read.refunded;
    it->second.updated_block = read.block_number;
  }
  std::erase_if(next->refunds, [&](const auto& entry) {
    return entry.second.complete() && entry.second.updated_block <= next->final_block;
  });

  // ---- capacities: drop the oldest entries
  if (history.read().size() > w.options.history_capacity) {
    auto& list = history.write();
    list.erase(list.begin(), list.begin() + static_cast<std::ptrdiff_t>(
                                                list.size() - w.options.history_capacity));
  }
  if (feed.read().size() > w.options.feed_capacity) {
    auto& list = feed.write();
    list.erase(list.begin(),
               list.begin() + static_cast<std::ptrdiff_t>(list.size() - w.options.feed_capacity));
  }
  // The bet book serves /api/user/{address}/bets: the rounds in history plus
  // the current one.
  while (bets.read().size() > w.options.history_capacity + 1) {
    auto& book = bets.write();
    book.erase(book.begin());
  }
  while (w.key_order.size() > w.options.dedup_capacity) {
    w.keys.erase(w.key_order.front().second);
    w.key_order.pop_front();
  }

  next->history = history.result();
  next->feed = feed.result();
  next->bets = bets.result();
  if (history.modified()) next->summary = summarise(*next->history);
  next->stats.commits += 1;
  next->stats.events_applied += result.events_applied;
  next->stats.duplicate_events += result.duplicates_ignored;
  next->stats.events_rolled_back += result.events_rolled_back;

  // ---- what changed, and the views that depend on it
  const bool time_changed = next->chain_time() != prev->chain_time();
  const bool chain_changed = next->chain != prev->chain;
  const bool round_changed =
      next->round != prev->round || !same_addresses(*next->participants, *prev->participants);
  const bool participants_changed = next->participants != prev->participants;
  const bool config_changed = next->config != prev->config;
  const bool operator_changed = next->operator_status != prev->operator_status;
  const bool history_changed = next->history != prev->history;
  const bool feed_changed = next->feed != prev->feed;
  const bool round_header_changed =
      next->round.round_id != prev->round.round_id || next->round.state != prev->round.state;

  Views& views = next->views;
  bool any_view = false;
  if (round_changed || time_changed) {
    views.round_status = share_json(round_status_json(*next));
    any_view = true;
  }
  if (participants_changed || round_header_changed || time_changed) {
    views.participants = share_json(participants_view_json(*next, kParticipantsViewLimit));
    any_view = true;
  }
  if (history_changed || time_changed) {
    views.history = share_json(history_view_json(*next, kHistoryViewLimit));
    any_view = true;
  }
  if (feed_changed || time_changed) {
    views.activities = share_json(activities_view_json(*next, kActivitiesViewLimit));
    any_view = true;
  }
  if (config_changed || time_changed || next->chain.chain_id != prev->chain.chain_id) {
    views.config = share_json(config_view_json(*next));
    any_view = true;
  }
  if (operator_changed) {
    views.operator_status = share_json(operator_status_json(next->operator_status));
    any_view = true;
  }
  if (any_view) views.ws_snapshot = share(ws_snapshot_message(*next));

  // ---- typed changes with their WebSocket messages
  const std::uint64_t ts = next->chain_time();
  std::vector<Change> changes;
  for (Change& change : reorgs) {
    boost::json::object payload{{"from_block", change.from_block}, {"to_block", change.to_block}};
    change.message = share(ws_message(change_type_name(ChangeKind::kReorg), payload, ts));
    changes.push_back(std::move(change));
  }
  auto add = [&](ChangeKind kind, const std::string& payload) {
    Change change;
    change.kind = kind;
    change.message = wrap_message(change_type_name(kind), payload, ts);
    changes.push_back(std::move(change));
  };
  if (config_changed) add(ChangeKind::kConfig, *views.config);
  if (round_changed) add(ChangeKind::kRound, *views.round_status);
  if (participants_changed) {
    add(ChangeKind::kParticipants, boost::json::serialize(participants_view_json(
                                       *next, std::numeric_limits<std::size_t>::max())));
  }
  if (!created_rounds.empty()) {
    boost::json::array rounds;
    // Newest first, like /api/history; only the ones still held.
    for (auto it = next->history->rbegin(); it != next->history->rend(); ++it) {
      if (std::find(created_rounds.begin(), created_rounds.end(), *it) != created_rounds.end()) {
        rounds.push_back(finished_round_json(**it, false));
      }
    }
    if (!rounds.empty()) {
      boost::json::object payload{{"rounds", std::move(rounds)},
                                  {"summary", summary_json(next->summary)}};
      add(ChangeKind::kHistory, boost::json::serialize(payload));
    }
  }
  if (feed_changed) {
    for (const auto& item : *next->feed) {
      if (item->activity_id < first_new_activity) continue;
      Change change;
      change.kind = ChangeKind::kActivity;
      change.activity = item;
      change.message = wrap_message(change_type_name(ChangeKind::kActivity),
                                    boost::json::serialize(activity_json(*item)), ts);
      changes.push_back(std::move(change));
    }
  }
  if (operator_changed) add(ChangeKind::kOperatorStatus, *views.operator_status);
  if (chain_changed) changes.push_back(Change{ChangeKind::kChainHead, nullptr, nullptr, 0, 0});
  if (next->final_block > prev->final_block) {
    changes.push_back(Change{ChangeKind::kFinality, nullptr, nullptr, 0, 0});
  }

  result.version = next->version;
  result.changes = changes.size();
  std::shared_ptr<const Snapshot> published = next;
  publish(published);

  if (!changes.empty()) {
    std::vector<std::shared_ptr<const Callback>> callbacks;
    {
      std::lock_guard lock(subscribers_->mutex);
      callbacks.reserve(subscribers_->callbacks.size());
      for (const auto& [id, callback] : subscribers_->callbacks) callbacks.push_back(callback);
    }
    ChangeSet set{std::move(published), std::move(changes)};
    for (const auto& callback : callbacks) (*callback)(set);
  }
  return result;
}

}  // namespace lottery::store
