// SPDX-License-Identifier: Apache-2.0
#include "follower/follower.hpp"

#include "contract/events.hpp"
#include "eth/hex.hpp"
#include "follower/log_events.hpp"
#include "logging/log.hpp"
#include "rpc/error.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/system/system_error.hpp>

#include <algorithm>
#include <map>
#include <set>
#include <utility>
#include <variant>

namespace lottery::follower {

namespace asio = boost::asio;
using infra::Task;
using Clock = std::chrono::steady_clock;

namespace {

constexpr std::string_view kComponent = "follower";
// A repeated identical failure is logged at most this often (the rest at debug).
constexpr auto kRepeatLogInterval = std::chrono::seconds(30);
constexpr int kMaxLinkAttempts = 3;

std::string describe(const std::exception_ptr& error) {
  try {
    std::rethrow_exception(error);
  } catch (const rpc::RpcException& e) {
    return e.error().describe();
  } catch (const std::exception& e) {
    return e.what();
  } catch (...) {
    return "unknown error";
  }
}

bool is_range_error(rpc::RpcErrc kind) {
  return kind == rpc::RpcErrc::kRangeTooLarge || kind == rpc::RpcErrc::kResponseTooLarge;
}

Task<void> throw_if_cancelled() {
  auto state = co_await asio::this_coro::cancellation_state;
  if (state.cancelled() != asio::cancellation_type::none) {
    throw boost::system::system_error(asio::error::operation_aborted, "follower cancelled");
  }
}

Task<void> sleep_for(std::chrono::milliseconds delay) {
  asio::steady_timer timer(co_await asio::this_coro::executor, delay);
  co_await timer.async_wait(asio::use_awaitable);
}

std::uint64_t seconds_since(std::uint64_t unix_time) {
  const auto now = std::chrono::duration_cast<std::chrono::seconds>(
                       std::chrono::system_clock::now().time_since_epoch())
                       .count();
  const auto now_u = static_cast<std::uint64_t>(std::max<std::int64_t>(now, 0));
  return now_u > unix_time ? now_u - unix_time : 0;
}

void log_linkage_break(std::uint64_t number) {
  logging::log_debug(kComponent, "headers did not chain while being read; retrying",
                     {{"block", number}});
}

void check_chained(const std::vector<rpc::BlockHeader>& chain) {
  for (std::size_t i = 1; i < chain.size(); ++i) {
    if (chain[i].number != chain[i - 1].number + 1 || chain[i].parent_hash != chain[i - 1].hash) {
      log_linkage_break(chain[i].number);
      throw ChainDataError("the headers of blocks " + std::to_string(chain[i - 1].number) +
                           " and " + std::to_string(chain[i].number) +
                           " do not chain: the chain changed while it was read; retrying");
    }
  }
}

void log_head_seen(std::uint64_t number) {
  logging::log_debug(kComponent, "latest head", {{"block", number}});
}

void log_deep_reorg(std::uint64_t oldest, std::uint64_t ancestor, std::size_t ring_size) {
  logging::log_error(
      kComponent,
      "reorg deeper than the remembered blocks; rolled back to just below the oldest one, older "
      "events may be stale (raise EVENTMGR_REORG_DEPTH)",
      {{"oldest_remembered", oldest}, {"rolled_back_to", ancestor}, {"remembered", ring_size}});
}

void log_reorg(std::uint64_t from, std::uint64_t ancestor, std::uint64_t head) {
  logging::log_warn(kComponent,
                    "chain reorganisation: rolling back to the common ancestor and re-reading",
                    {{"previous_head", from},
                     {"ancestor", ancestor},
                     {"depth", from - ancestor},
                     {"new_head", head}});
}

void log_shrink(std::uint64_t from, std::uint64_t to, std::uint64_t next_size,
                const std::string& error) {
  logging::log_info(
      kComponent, "node refused the eth_getLogs range; shrinking",
      {{"from", from}, {"to", to}, {"next_chunk_blocks", next_size}, {"error", error}});
}

void log_malformed(const std::string& line) {
  logging::log_error(kComponent, "skipping a malformed contract log", {{"log", line}});
}

void log_hook_failure(const std::string& error) {
  logging::log_error(kComponent, "on_head hook threw; ignored", {{"error", error}});
}

}  // namespace

Follower::Follower(std::shared_ptr<ChainSource> source, store::Store& store,
                   FollowerOptions options)
    : source_(std::move(source)),
      store_(store),
      options_(options),
      ring_(options_.ring_size),
      chunk_(options_.initial_chunk_blocks, options_.max_chunk_blocks) {
  stats_.chunk_blocks = chunk_.size();
}

Follower::~Follower() = default;

void Follower::on_head(HeadCallback callback) {
  on_head_ = std::move(callback);
}

FollowerStats Follower::stats() const {
  std::lock_guard lock(stats_mutex_);
  return stats_;
}

// ---- start
// ---------------------------------------------------------------------------------------

namespace {

void check_chain_id(std::optional<std::uint64_t> expected, std::uint64_t actual) {
  if (expected && *expected != actual) {
    throw FatalError(
        "the RPC node is on chain id " + std::to_string(actual) + " but BLOCKCHAIN_CHAIN_ID is " +
        std::to_string(*expected) +
        ": point BLOCKCHAIN_RPC_URL at the intended network or correct BLOCKCHAIN_CHAIN_ID");
  }
}

void log_start(std::uint64_t chain_id, std::uint64_t head, std::uint64_t start, const char* how) {
  logging::log_info(
      kComponent, "following the chain",
      {{"chain_id", chain_id}, {"head", head}, {"start_block", start}, {"start_from", how}});
}

void log_deployment_search(std::uint64_t block, std::uint64_t calls) {
  logging::log_info(kComponent,
                    "found the contract's deployment block by binary search over eth_getCode",
                    {{"block", block}, {"eth_getCode_calls", calls}});
}

void log_deployment_fallback(const std::string& error, std::uint64_t start) {
  logging::log_warn(
      kComponent,
      "cannot find the deployment block (the node may not keep old state); backfilling "
      "EVENTMGR_BACKFILL_BLOCKS instead (set EVENTMGR_START_BLOCK to choose)",
      {{"error", error}, {"start_block", start}});
}

}  // namespace

Task<std::optional<bool>> Follower::probe_code(std::uint64_t number, std::string& error) {
  try {
    co_return co_await source_->has_code(number);
  } catch (const rpc::RpcException& e) {
    // Endpoint faults are retried by the caller's loop; a node verdict (e.g.
    // "missing trie node" on a pruned node) means the search cannot work.
    if (rpc::is_endpoint_fault(e.kind())) throw;
    error = e.error().describe();
  }
  co_return std::nullopt;
}

Task<std::optional<std::uint64_t>> Follower::find_deployment_block(std::uint64_t head) {
  // Lowest block with code, assuming code never disappears (no selfdestruct
  // in the Lottery contract). Costs ceil(log2(head + 1)) eth_getCode calls.
  std::uint64_t lo = 0;
  std::uint64_t hi = head;
  std::uint64_t calls = 0;
  std::string error;
  while (lo < hi) {
    const std::uint64_t mid = lo + (hi - lo) / 2;
    auto has = co_await probe_code(mid, error);
    ++calls;
    if (!has) {
      log_deployment_fallback(
          error, head > options_.backfill_blocks ? head - options_.backfill_blocks : 0);
      co_return std::nullopt;
    }
    if (*has) {
      hi = mid;
    } else {
      lo = mid + 1;
    }
  }
  log_deployment_search(lo, calls);
  co_return lo;
}

Task<void> Follower::start() {
  if (started_) co_return;
  const std::uint64_t chain_id = co_await source_->chain_id();
  check_chain_id(options_.expected_chain_id, chain_id);
  const rpc::BlockHeader latest = co_await source_->latest_header();
  if (!(co_await source_->has_code(latest.number))) {
    throw ChainDataError(
        "no contract code at " + eth::to_checksum(options_.contract_address) + " on chain " +
        std::to_string(chain_id) + " at block " + std::to_string(latest.number) +
        ": check BLOCKCHAIN_CONTRACT_ADDRESS (retrying in case it is not deployed yet)");
  }
  const std::uint64_t fallback =
      latest.number > options_.backfill_blocks ? latest.number - options_.backfill_blocks : 0;
  std::uint64_t start = fallback;
  const char* how = "head minus EVENTMGR_BACKFILL_BLOCKS";
  if (options_.start_block) {
    start = *options_.start_block;
    how = "EVENTMGR_START_BLOCK";
  } else if (options_.find_deployment_block) {
    if (auto found = co_await find_deployment_block(latest.number)) {
      start = *found;
      how = "deployment block";
    }
  }
  chain_id_ = chain_id;
  start_block_ = start;
  next_block_ = start;
  status_.chain_id = chain_id;
  started_ = true;
  backfill_started_ = Clock::now();
  last_progress_log_ = backfill_started_;
  last_progress_block_ = start;
  {
    std::lock_guard lock(stats_mutex_);
    stats_.start_block = start;
    stats_.next_block = start;
    stats_.head = latest.number;
  }
  log_start(chain_id, latest.number, start, how);
}

// ---- one iteration
// -------------------------------------------------------------------------------

Task<void> Follower::sync_once() {
  if (!started_) co_await start();
  const rpc::BlockHeader latest = co_await source_->latest_header();
  {
    std::lock_guard lock(stats_mutex_);
    stats_.head = latest.number;
  }
  log_head_seen(latest.number);
  const auto top = ring_.newest();
  const bool behind_us =
      latest.number + 1 < next_block_ && ring_.hash_at(latest.number) == latest.hash;
  const bool unchanged = top && top->number == latest.number && top->hash == latest.hash;
  const bool before_start =
      !top && latest.number + 1 < next_block_;  // start block still in the future
  if (unchanged && !settled_ && options_.reread_blocks > 0) {
    // The head did not move: read its newest logs once more (late indexing).
    settled_ = true;
    co_await process(latest, latest.number);
    co_return;
  }
  if (unchanged || behind_us || before_start) {
    // Nothing new (or a lagging endpoint behind what we already have): only
    // report that the node answers.
    if (!status_.reachable || (before_start && !status_.synced)) {
      status_.synced = status_.synced || before_start || unchanged;
      mark_status_only(true);
    }
    co_return;
  }
  for (;;) {
    rpc::BlockHeader target = latest;
    const std::uint64_t step = std::max<std::uint64_t>(options_.backfill_step_blocks, 1);
    if (next_block_ <= latest.number && latest.number - next_block_ >= step) {
      auto header = co_await source_->header_at(next_block_ + step - 1);
      if (!header) {
        throw ChainDataError("the node does not know block " +
                             std::to_string(next_block_ + step - 1) + " below its head " +
                             std::to_string(latest.number));
      }
      target = *header;
    }
    co_await process(target, latest.number);
    if (target.number >= latest.number) break;
    log_progress(target.number, latest.number, false);
  }
  if (!backfill_done_) {
    backfill_done_ = true;
    log_progress(latest.number, latest.number, true);
  }
}

Task<void> Follower::process(rpc::BlockHeader head, std::uint64_t latest) {
  // Work on copies; members change only after the commit succeeded.
  BlockRing ring = ring_;
  std::optional<std::uint64_t> ancestor;
  std::vector<rpc::BlockHeader> linked = co_await link(head, ring, ancestor);
  std::uint64_t from = ancestor ? std::min(next_block_, *ancestor + 1) : next_block_;
  if (options_.reread_blocks > 0 && from > start_block_) {
    const std::uint64_t overlap =
        head.number + 1 - std::min(head.number + 1, options_.reread_blocks);
    from = std::min(from, std::max(overlap, start_block_));
  }

  std::vector<rpc::Log> logs;
  if (from <= head.number) logs = co_await fetch_logs(from, head.number);

  // A log must come from the branch we linked: a reorg racing our reads
  // would otherwise slip events of a dead branch into the store.
  std::map<std::uint64_t, eth::Hash32> known;
  for (const auto& h : linked) known[h.number] = h.hash;
  for (const auto& log : logs) {
    if (log.removed) continue;
    auto it = known.find(log.block_number);
    std::optional<eth::Hash32> expected;
    if (it != known.end()) {
      expected = it->second;
    } else {
      expected = ring.hash_at(log.block_number);
    }
    if (expected && *expected != log.block_hash) {
      throw ChainDataError(
          "eth_getLogs returned a log of block " + std::to_string(log.block_number) +
          " with hash " + eth::hex_encode(log.block_hash) + " but that block is " +
          eth::hex_encode(*expected) + ": the chain changed while it was read; retrying");
    }
  }

  bool config_events = false;
  for (const auto& log : logs) {
    if (log.removed || log.topics.empty()) continue;
    const char* name = contract::event_name_for_topic(log.topics.front());
    if (name == nullptr) continue;
    const std::string_view n(name);
    if (n.ends_with("Updated")) config_events = true;
  }
  const bool with_config =
      !config_block_ || config_events || ancestor.has_value() || head.number < *config_block_ ||
      head.number - *config_block_ >= std::max<std::uint64_t>(options_.config_refresh_blocks, 1);
  ContractState state = co_await source_->read_state(head.number, with_config);
  DecodedLogs decoded = decode_logs(logs);
  std::vector<std::uint64_t> refund_rounds = refunds_to_read(decoded, ancestor.has_value());
  if (!refund_rounds.empty()) {
    state.refund_progress = co_await source_->refund_progress(head.number, refund_rounds);
  }
  commit_head(head, latest, std::move(ring), linked, ancestor, std::move(decoded),
              std::move(state));
}

std::vector<std::uint64_t> Follower::refunds_to_read(const DecodedLogs& decoded, bool reorg) const {
  std::set<std::uint64_t> rounds;
  // After a reorg every known refund is read again: the transaction that advanced (or finished)
  // one may be gone.
  for (const auto& [round_id, progress] : store_.snapshot()->refunds) {
    if (reorg || !progress.complete()) rounds.insert(round_id);
  }
  for (const auto& event : decoded.events) {
    if (const auto* batched = std::get_if<store::RefundsPending>(&event.body))
      rounds.insert(batched->round_id);
  }
  return {rounds.begin(), rounds.end()};
}

Task<std::vector<rpc::BlockHeader>> Follower::link(const rpc::BlockHeader& head, BlockRing& ring,
                                                   std::optional<std::uint64_t>& ancestor) {
  for (int attempt = 0; attempt < kMaxLinkAttempts; ++attempt) {
    const auto top = ring.newest();
    if (!top) co_return co_await tail_headers(head, std::nullopt);  // nothing to compare with yet
    if (head.number == top->number && head.hash == top->hash) {
      co_return std::vector<rpc::BlockHeader>{head};  // the same head again (log re-read)
    }
    std::uint64_t search_from = 0;
    if (head.number > top->number) {
      const std::uint64_t gap = head.number - top->number;
      if (gap <= std::max<std::uint64_t>(options_.max_linked_gap, 1)) {
        std::vector<rpc::BlockHeader> chain;
        if (gap > 1) chain = co_await source_->headers(top->number + 1, head.number - 1);
        chain.push_back(head);
        check_chained(chain);
        if (chain.front().parent_hash == top->hash) co_return chain;
      } else {
        // A big jump (backfill): re-check only our newest block; the headers
        // in between are not fetched one by one.
        auto again = co_await source_->header_at(top->number);
        if (again && again->hash == top->hash) co_return co_await tail_headers(head, top->number);
      }
      search_from = top->number;
    } else {
      // Same height or lower with another hash: the branch we followed is gone.
      search_from = head.number == 0 ? 0 : head.number - 1;
    }
    const std::uint64_t found = co_await find_ancestor(ring, search_from);
    ring.truncate_above(found);
    ancestor = ancestor ? std::min(*ancestor, found) : found;
    log_reorg(top->number, found, head.number);
  }
  throw ChainDataError("the chain kept reorganising while it was being read; retrying");
}

Task<std::vector<rpc::BlockHeader>> Follower::tail_headers(const rpc::BlockHeader& head,
                                                           std::optional<std::uint64_t> above) {
  // After a jump the ring would only hold the head, and the next reorg would
  // look deeper than it is; so the blocks just below the head are fetched
  // (one batch) and must chain up to it.
  const std::uint64_t want = std::min<std::uint64_t>(
      options_.ring_size, std::max<std::uint64_t>(options_.max_linked_gap, 1));
  std::uint64_t lower = head.number - std::min(head.number, want - 1);
  if (above) lower = std::max(lower, *above + 1);
  std::vector<rpc::BlockHeader> chain;
  if (lower < head.number) chain = co_await source_->headers(lower, head.number - 1);
  chain.push_back(head);
  check_chained(chain);
  co_return chain;
}

Task<std::uint64_t> Follower::find_ancestor(BlockRing& ring, std::uint64_t from) {
  const auto oldest = ring.oldest();
  for (auto entry = ring.at_or_below(from); entry;
       entry = entry->number == 0 ? std::nullopt : ring.at_or_below(entry->number - 1)) {
    auto header = co_await source_->header_at(entry->number);
    if (header && header->hash == entry->hash) co_return entry->number;
  }
  const std::uint64_t fallback = !oldest || oldest->number == 0 ? 0 : oldest->number - 1;
  log_deep_reorg(oldest ? oldest->number : 0, fallback, ring.size());
  ring.clear();
  co_return fallback;
}

Task<std::optional<std::vector<rpc::Log>>> Follower::try_get_logs(std::uint64_t from,
                                                                  std::uint64_t to,
                                                                  std::exception_ptr& too_large) {
  try {
    co_return co_await source_->get_logs(from, to);
  } catch (const rpc::RpcException& e) {
    if (!is_range_error(e.kind())) throw;
    too_large = std::current_exception();
  }
  co_return std::nullopt;
}

Task<std::vector<rpc::Log>> Follower::fetch_logs(std::uint64_t from, std::uint64_t to) {
  std::vector<rpc::Log> all;
  std::uint64_t cursor = from;
  while (cursor <= to) {
    const std::uint64_t end = cursor + std::min(chunk_.size() - 1, to - cursor);
    std::exception_ptr too_large;
    auto logs = co_await try_get_logs(cursor, end, too_large);
    if (logs) {
      all.insert(all.end(), std::make_move_iterator(logs->begin()),
                 std::make_move_iterator(logs->end()));
      chunk_.on_success();
      cursor = end + 1;
    } else {
      if (!chunk_.on_too_large()) {
        throw ChainDataError("the node refuses eth_getLogs even for the single block " +
                             std::to_string(cursor) + ": " + describe(too_large));
      }
      log_shrink(cursor, end, chunk_.size(), describe(too_large));
      std::lock_guard lock(stats_mutex_);
      ++stats_.range_shrinks;
    }
    std::lock_guard lock(stats_mutex_);
    stats_.chunk_blocks = chunk_.size();
  }
  co_return all;
}

void Follower::commit_head(const rpc::BlockHeader& head, std::uint64_t latest, BlockRing ring,
                           const std::vector<rpc::BlockHeader>& linked,
                           std::optional<std::uint64_t> ancestor, DecodedLogs decoded,
                           ContractState state) {
  for (const auto& line : decoded.malformed) log_malformed(line);

  store::Batch batch;
  if (ancestor) batch.rollback_to(*ancestor);
  const std::size_t event_count = decoded.events.size();
  for (auto& event : decoded.events) batch.apply(std::move(event));
  batch.set_round(state.round);
  batch.set_participants(state.participants);
  if (state.config) batch.set_config(*state.config);
  for (const auto& [round_id, refunded] : state.refund_progress)
    batch.set_refund_progress(round_id, refunded, head.number);
  store::ChainStatus status = status_;
  status.chain_id = chain_id_;
  status.latest_block = head.number;
  status.head_hash = head.hash;
  status.head_timestamp = head.timestamp;
  status.head_age_s = seconds_since(head.timestamp);
  status.reachable = true;
  status.lagging = false;
  status.synced = status_.synced || head.number >= latest;
  batch.set_chain_status(status);
  if (head.number >= options_.confirmations) batch.mark_final(head.number - options_.confirmations);

  store_.commit(std::move(batch));

  // Committed: now the worker state moves forward. A head seen for the
  // first time gets one more log read when the next poll finds it unchanged.
  const auto previous_top = ring_.newest();
  if (!previous_top || previous_top->number != head.number || previous_top->hash != head.hash ||
      ancestor) {
    settled_ = false;
  }
  std::uint64_t reorg_depth = 0;
  if (ancestor) {
    const auto old_top = ring_.newest();
    reorg_depth = old_top && old_top->number > *ancestor ? old_top->number - *ancestor : 0;
  }
  for (const auto& h : linked) ring.record(h.number, h.hash);
  ring_ = std::move(ring);
  next_block_ = head.number + 1;
  if (state.config) config_block_ = head.number;
  status_ = status;
  ready_.store(status.synced && status.reachable, std::memory_order_release);
  {
    std::lock_guard lock(stats_mutex_);
    ++stats_.heads_processed;
    if (ancestor) {
      ++stats_.reorgs;
      stats_.deepest_reorg = std::max(stats_.deepest_reorg, reorg_depth);
    }
    stats_.events_applied += event_count;
    stats_.malformed_logs += decoded.malformed.size();
    stats_.next_block = next_block_;
    stats_.last_error.clear();
    stats_.chunk_blocks = chunk_.size();
  }

  const bool new_head =
      !previous_top || previous_top->number != head.number || previous_top->hash != head.hash;
  if (on_head_ && new_head) {
    ChainView view;
    view.chain_id = chain_id_;
    view.head = head.number;
    view.head_hash = head.hash;
    view.chain_time = head.timestamp;
    view.round = state.round;
    view.synced = status.synced;
    view.reorg_ancestor = ancestor;
    view.pending_refunds = store_.snapshot()->pending_refunds();
    try {
      on_head_(view);
    } catch (const std::exception& e) {
      log_hook_failure(e.what());
    }
  }
}

// ---- status and logging
// --------------------------------------------------------------------------

void Follower::mark_status_only(bool reachable) {
  store::ChainStatus status = status_;
  status.reachable = reachable;
  if (reachable && status.latest_block != 0)
    status.head_age_s = seconds_since(status.head_timestamp);
  store::Batch batch;
  batch.set_chain_status(status);
  store_.commit(std::move(batch));
  status_ = status;
  ready_.store(status.synced && status.reachable, std::memory_order_release);
}

void Follower::note_failure(const std::exception_ptr& error) {
  const std::string message = describe(error);
  ++consecutive_failures_;
  const auto now = Clock::now();
  if (message != last_failure_ || now - last_failure_log_ >= kRepeatLogInterval) {
    logging::log_warn(
        kComponent, "iteration failed; chain marked unreachable, retrying with backoff",
        {{"error", message}, {"attempt", consecutive_failures_}, {"next_block", next_block_}});
    last_failure_ = message;
    last_failure_log_ = now;
  } else {
    logging::log_debug(kComponent, "iteration failed again",
                       {{"error", message}, {"attempt", consecutive_failures_}});
  }
  {
    std::lock_guard lock(stats_mutex_);
    ++stats_.failures;
    stats_.last_error = message;
  }
  try {
    if (status_.reachable || stats().heads_processed == 0) mark_status_only(false);
  } catch (const std::exception&) {
    // Only bad_alloc can get here; the next success rewrites the status.
  }
}

void Follower::note_recovered() {
  if (consecutive_failures_ == 0) return;
  logging::log_info(kComponent, "chain reachable again",
                    {{"failed_attempts", consecutive_failures_}});
  consecutive_failures_ = 0;
  last_failure_.clear();
}

void Follower::log_progress(std::uint64_t done_block, std::uint64_t latest, bool force) {
  const auto now = Clock::now();
  if (!force && now - last_progress_log_ < options_.progress_interval) return;
  const double elapsed = std::chrono::duration<double>(now - last_progress_log_).count();
  const std::uint64_t blocks =
      done_block >= last_progress_block_ ? done_block - last_progress_block_ : 0;
  const std::uint64_t total = latest >= start_block_ ? latest - start_block_ + 1 : 1;
  const std::uint64_t done = done_block >= start_block_ ? done_block - start_block_ + 1 : 0;
  const double percent = 100.0 * static_cast<double>(done) / static_cast<double>(total);
  const double rate = elapsed > 0 ? static_cast<double>(blocks) / elapsed : 0.0;
  const auto events = stats().events_applied;
  if (force) {
    const double total_s = std::chrono::duration<double>(now - backfill_started_).count();
    logging::log_info(kComponent, "backfill complete; following new heads",
                      {{"from_block", start_block_},
                       {"to_block", done_block},
                       {"events", events},
                       {"seconds", total_s}});
  } else {
    logging::log_info(kComponent, "backfill progress",
                      {{"block", done_block},
                       {"head", latest},
                       {"percent", percent},
                       {"blocks_per_s", rate},
                       {"events", events}});
  }
  last_progress_log_ = now;
  last_progress_block_ = done_block;
}

// ---- run loop
// ------------------------------------------------------------------------------------

Task<void> Follower::run() {
  auto executor = co_await asio::this_coro::executor;
  co_await asio::co_spawn(asio::make_strand(executor), run_loop(), asio::use_awaitable);
}

namespace {

void log_fatal(const std::string& message) {
  logging::log_error(kComponent, "cannot follow the chain", {{"error", message}});
}

// Unsubscribes when the watcher leaves its loop (drop, failure or cancellation).
class SubscriptionCloser {
 public:
  explicit SubscriptionCloser(std::shared_ptr<rpc::Subscription> subscription)
      : subscription_(std::move(subscription)) {
    if (!subscription_) throw ChainDataError("eth_subscribe returned no subscription");
  }
  ~SubscriptionCloser() { subscription_->close(); }
  SubscriptionCloser(const SubscriptionCloser&) = delete;
  SubscriptionCloser& operator=(const SubscriptionCloser&) = delete;
  rpc::Subscription& get() const { return *subscription_; }

 private:
  std::shared_ptr<rpc::Subscription> subscription_;
};

void log_subscribed() {
  logging::log_info(kComponent, "subscribed to newHeads");
}

void log_subscription_lost(const std::string& error, std::chrono::milliseconds poll,
                           bool repeated) {
  // The same failure again (e.g. a node without eth_subscribe) goes to debug.
  const logging::Level level = repeated ? logging::Level::kDebug : logging::Level::kWarn;
  if (!logging::enabled(level)) return;
  logging::log(level, kComponent, "newHeads subscription unavailable; polling while reconnecting",
               {{"error", error}, {"poll_interval_ms", static_cast<std::int64_t>(poll.count())}});
}

}  // namespace

Task<void> Follower::run_loop() {
  using namespace asio::experimental::awaitable_operators;
  wake_timer_ = std::make_unique<asio::steady_timer>(co_await asio::this_coro::executor);
  wake_pending_ = true;
  if (source_->supports_new_heads()) {
    co_await (worker() && head_watcher());
  } else {
    co_await worker();
  }
}

void Follower::wake() {
  wake_pending_ = true;
  if (wake_timer_) wake_timer_->cancel();
}

Task<void> Follower::wait_for_wake() {
  if (!wake_pending_) {
    // With a live subscription only a heartbeat poll is needed, except right
    // after a new head, whose logs get one more read (see reread_blocks).
    const bool subscribed = stats().subscribed;
    const bool settle_soon = !settled_ && options_.reread_blocks > 0;
    wake_timer_->expires_after(subscribed && !settle_soon ? options_.subscription_heartbeat
                                                          : options_.poll_interval);
    boost::system::error_code ec;
    co_await wake_timer_->async_wait(asio::redirect_error(asio::use_awaitable, ec));
    co_await throw_if_cancelled();
  }
  wake_pending_ = false;
}

Task<void> Follower::worker() {
  infra::Backoff backoff(options_.retry_backoff);
  for (;;) {
    co_await wait_for_wake();
    std::exception_ptr failure;
    try {
      co_await sync_once();
    } catch (const FatalError& e) {
      log_fatal(e.what());
      throw;
    } catch (...) {
      failure = std::current_exception();
    }
    co_await throw_if_cancelled();
    if (!failure) {
      note_recovered();
      backoff.reset();
      continue;
    }
    note_failure(failure);
    co_await sleep_for(std::max(backoff.next(), std::chrono::milliseconds(100)));
    wake_pending_ = true;  // retry at once after the backoff
  }
}

Task<void> Follower::head_watcher() {
  infra::Backoff backoff(options_.retry_backoff);
  std::string last_error;
  for (;;) {
    std::string error;
    try {
      const SubscriptionCloser subscription(co_await source_->subscribe_new_heads());
      {
        std::lock_guard lock(stats_mutex_);
        stats_.subscribed = true;
      }
      log_subscribed();
      last_error.clear();
      backoff.reset();
      wake();  // catch up on anything missed while unsubscribed
      for (;;) {
        (void)co_await subscription.get().next();
        wake();
      }
    } catch (const std::exception& e) {
      error = e.what();
    }
    co_await throw_if_cancelled();
    {
      std::lock_guard lock(stats_mutex_);
      stats_.subscribed = false;
    }
    log_subscription_lost(error, options_.poll_interval, error == last_error);
    last_error = error;
    wake();
    co_await sleep_for(std::max(backoff.next(), std::chrono::milliseconds(200)));
  }
}

}  // namespace lottery::follower
