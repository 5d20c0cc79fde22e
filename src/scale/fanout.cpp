// SPDX-License-Identifier: Apache-2.0
#include "scale/fanout.hpp"

#include "logging/log.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "infra/backoff.hpp"

namespace lottery::scale {

namespace asio = boost::asio;
using namespace asio::experimental::awaitable_operators;

namespace {

constexpr std::string_view kComponent = "fanout";
constexpr auto kUseTuple = asio::as_tuple(asio::use_awaitable);

// KEYS: lease, seq, snapshot. ARGV: our lease value, entries, snapshot entry, kind, channel.
// Only the lease holder publishes; the sequence number and the stored snapshot move together.
constexpr std::string_view kPublishScript = R"(
if redis.call('GET', KEYS[1]) ~= ARGV[1] then return 0 end
local seq = redis.call('INCR', KEYS[2])
redis.call('SET', KEYS[3], seq .. ' reset\n' .. ARGV[3])
redis.call('PUBLISH', ARGV[5], seq .. ' ' .. ARGV[4] .. '\n' .. ARGV[2])
return seq
)";

bool cancelled_now(const asio::cancellation_state& state) {
  return state.cancelled() != asio::cancellation_type::none;
}

std::shared_ptr<const std::string> shared(std::string text) {
  return std::make_shared<const std::string>(std::move(text));
}

}  // namespace

std::optional<server::MessageKind> message_kind_of(std::string_view type) noexcept {
  using server::MessageKind;
  if (type == "snapshot") return MessageKind::kSnapshot;
  if (type == "round_update") return MessageKind::kRound;
  if (type == "participants_update") return MessageKind::kParticipants;
  if (type == "history_update") return MessageKind::kHistory;
  if (type == "activity") return MessageKind::kActivity;
  if (type == "config_update") return MessageKind::kConfig;
  if (type == "operator_status") return MessageKind::kOperatorStatus;
  if (type == "reorg") return MessageKind::kReorg;
  return std::nullopt;
}

FrameVerdict judge_frame(std::uint64_t last_seq, const Frame& frame) noexcept {
  if (last_seq != 0 && frame.seq <= last_seq) return FrameVerdict::kStale;
  if (last_seq == 0 || frame.reset || frame.seq != last_seq + 1) return FrameVerdict::kResync;
  return FrameVerdict::kRelay;
}

Fanout::Fanout(infra::Executor executor, RedisClient& client, LeaderLease& lease,
               store::Store& store, FanoutOptions options)
    : executor_(std::move(executor)),
      client_(client),
      lease_(lease),
      store_(store),
      options_(std::move(options)),
      current_(store.snapshot()->views.ws_snapshot),
      wake_(executor_, 1) {}

Fanout::~Fanout() = default;

void Fanout::start() {
  std::weak_ptr<Fanout> weak = weak_from_this();
  subscription_ = store_.subscribe([weak](const store::ChangeSet& changes) {
    if (auto self = weak.lock()) self->on_commit(changes);
  });
}

void Fanout::stop() {
  subscription_.reset();
  std::lock_guard lock(feed_mutex_);
  sink_ = {};
}

void Fanout::request_reset() {
  {
    std::lock_guard lock(publish_mutex_);
    reset_wanted_ = true;
    pending_.clear();
  }
  wake_.try_send(boost::system::error_code{});
}

std::pair<std::shared_ptr<const std::string>, std::uint64_t> Fanout::current() const {
  std::lock_guard lock(feed_mutex_);
  return {current_, position_};
}

void Fanout::attach(std::function<void(const server::FeedBatch&)> sink) {
  std::lock_guard lock(feed_mutex_);
  sink_ = std::move(sink);
}

FanoutStats Fanout::stats() const {
  std::lock_guard lock(feed_mutex_);
  FanoutStats out = stats_;
  out.relaying = relaying_;
  out.last_seq = last_seq_;
  return out;
}

void Fanout::deliver_locked(server::FeedBatch batch) {
  batch.position = ++position_;
  current_ = batch.snapshot;
  // Under the lock so batches reach the server in position order; the broadcaster only queues.
  if (sink_) sink_(batch);
}

void Fanout::resync_locked(std::shared_ptr<const std::string> snapshot) {
  if (!snapshot) return;
  ++stats_.resyncs;
  server::FeedBatch batch;
  batch.messages.emplace_back(server::MessageKind::kSnapshot, snapshot);
  batch.snapshot = std::move(snapshot);
  deliver_locked(std::move(batch));
}

void Fanout::on_commit(const store::ChangeSet& changes) {
  if (!changes.snapshot) return;
  Pending pending;
  server::FeedBatch batch;
  for (const auto& change : changes.changes) {
    if (!change.message) continue;
    const std::string_view type = store::change_type_name(change.kind);
    const auto kind = message_kind_of(type);
    if (!kind) continue;
    batch.messages.emplace_back(*kind, change.message);
    pending.messages.emplace_back(std::string(type), change.message);
  }
  const auto& snapshot = changes.snapshot->views.ws_snapshot;
  {
    std::lock_guard lock(feed_mutex_);
    if (!relaying_) {
      if (batch.messages.empty()) {
        current_ = snapshot;
      } else {
        batch.snapshot = snapshot;
        deliver_locked(std::move(batch));
      }
    }
  }
  if (pending.messages.empty() || !lease_.token()) return;
  pending.snapshot = snapshot;
  {
    std::lock_guard lock(publish_mutex_);
    pending_.push_back(std::move(pending));
  }
  wake_.try_send(boost::system::error_code{});
}

infra::Task<bool> Fanout::publish(const std::string& body, const std::string& snapshot_entry,
                                  bool reset) {
  const std::string value = lease_.value();
  if (value.empty()) co_return false;
  // Built outside the co_await expression (GCC 12, see `cmd`).
  std::vector<std::string> args{std::string("EVAL"),
                                std::string(kPublishScript),
                                std::string("3"),
                                options_.keys.lease,
                                options_.keys.seq,
                                options_.keys.snapshot,
                                value,
                                body,
                                snapshot_entry,
                                std::string(reset ? "reset" : "delta"),
                                options_.keys.channel};
  const Reply reply = co_await client_.command(std::move(args), options_.command_timeout);
  co_return reply.type == Reply::Type::kInteger&& reply.integer > 0;
}

infra::Task<void> Fanout::run_publisher() {
  const auto cancellation = co_await asio::this_coro::cancellation_state;
  asio::steady_timer retry(executor_);
  for (;;) {
    auto [ec] = co_await wake_.async_receive(kUseTuple);
    if (ec) co_return;
    for (;;) {
      std::deque<Pending> batch;
      bool reset = false;
      {
        std::lock_guard lock(publish_mutex_);
        batch.swap(pending_);
        reset = reset_wanted_;
        reset_wanted_ = false;
      }
      if (!lease_.token()) break;  // not leader: the queue is of no use to anyone
      const auto snap = store_.snapshot();
      // A leader still backfilling would publish an old state; it publishes once synced.
      if (!snap->chain.synced) {
        std::lock_guard lock(publish_mutex_);
        reset_wanted_ = true;
        break;
      }
      if (!reset && batch.empty()) break;
      if (reset || batch.size() > options_.max_backlog) batch.clear();
      bool ok = true;
      try {
        if (batch.empty()) {
          const std::string entry = encode_snapshot_entry(*snap->views.ws_snapshot);
          ok = co_await publish(entry, entry, true);
        } else {
          for (const Pending& p : batch) {
            std::vector<FeedEntry> entries;
            entries.reserve(p.messages.size());
            for (const auto& [type, text] : p.messages) entries.push_back({type, *text});
            ok = co_await publish(encode_entries(entries, *p.snapshot),
                                  encode_snapshot_entry(*p.snapshot), false);
            if (!ok) break;
            std::lock_guard lock(feed_mutex_);
            ++stats_.published;
          }
        }
        if (ok && batch.empty()) {
          std::lock_guard lock(feed_mutex_);
          ++stats_.published;
        }
      } catch (const std::exception& e) {
        if (cancelled_now(cancellation)) throw;
        ok = false;
        logging::log_warn(kComponent, "publishing to Redis failed; the next frame is a reset",
                          {{"error", e.what()}});
      }
      if (ok) continue;  // anything queued meanwhile goes out now
      {
        std::lock_guard lock(feed_mutex_);
        ++stats_.publish_errors;
      }
      {
        std::lock_guard lock(publish_mutex_);
        reset_wanted_ = true;
        pending_.clear();
      }
      // Try again shortly while still leader (the lease ends on its own if Redis stays away).
      retry.expires_after(std::chrono::milliseconds(250));
      co_await retry.async_wait(asio::use_awaitable);
    }
  }
}

void Fanout::enter_relay(const std::optional<std::string>& stored) {
  std::optional<Frame> frame;
  if (stored) frame = decode_frame(*stored);
  std::lock_guard lock(feed_mutex_);
  relaying_ = true;
  if (frame) {
    last_seq_ = frame->seq;
    resync_locked(shared(std::move(frame->snapshot)));
  } else {
    // Nothing published yet: our own state until the leader's first frame (a resync) arrives.
    last_seq_ = 0;
    resync_locked(store_.snapshot()->views.ws_snapshot);
  }
}

void Fanout::enter_local() {
  std::lock_guard lock(feed_mutex_);
  if (!relaying_) return;
  relaying_ = false;
  last_seq_ = 0;
  resync_locked(store_.snapshot()->views.ws_snapshot);
}

void Fanout::on_frame(std::string_view payload) {
  std::optional<Frame> frame = decode_frame(payload);
  std::lock_guard lock(feed_mutex_);
  if (!frame) {
    ++stats_.malformed;
    logging::log_warn(kComponent, "ignoring a malformed fan-out frame",
                      {{"bytes", payload.size()}});
    return;
  }
  if (!relaying_) return;
  switch (judge_frame(last_seq_, *frame)) {
    case FrameVerdict::kStale:
      ++stats_.stale;
      return;
    case FrameVerdict::kResync:
      last_seq_ = frame->seq;
      ++stats_.relayed;
      resync_locked(shared(std::move(frame->snapshot)));
      return;
    case FrameVerdict::kRelay:
      break;
  }
  last_seq_ = frame->seq;
  ++stats_.relayed;
  server::FeedBatch batch;
  batch.messages.reserve(frame->messages.size());
  for (auto& entry : frame->messages) {
    // decode_frame admits only known types.
    batch.messages.emplace_back(*message_kind_of(entry.type), shared(std::move(entry.text)));
  }
  batch.snapshot = shared(std::move(frame->snapshot));
  deliver_locked(std::move(batch));
}

infra::Task<void> Fanout::read_loop(RedisConnection& conn) {
  for (;;) {
    Reply reply = co_await conn.read();
    last_rx_ = std::chrono::steady_clock::now();
    if (reply.type != Reply::Type::kArray || reply.elements.size() != 3) continue;
    if (reply.elements[0].str != "message") continue;
    on_frame(reply.elements[2].str);
  }
}

infra::Task<void> Fanout::heartbeat(RedisConnection& conn) {
  asio::steady_timer timer(executor_);
  for (;;) {
    timer.expires_after(options_.heartbeat);
    co_await timer.async_wait(asio::use_awaitable);
    // A PING answer (["pong", ""]) or a message counts; silence past three beats is a dead link.
    if (std::chrono::steady_clock::now() - last_rx_ > options_.heartbeat * 3) {
      // Closing the socket ends the pending read at once (a read on a socket whose peer stopped
      // answering does not react to cancellation alone).
      conn.close();
      throw std::runtime_error("redis: the subscription stopped answering PING");
    }
    co_await conn.send(cmd("PING"));
  }
}

infra::Task<void> Fanout::run_relay() {
  const auto cancellation = co_await asio::this_coro::cancellation_state;
  infra::Backoff backoff({std::chrono::milliseconds(100), std::chrono::milliseconds(2000), 2.0});
  asio::steady_timer pause(executor_);
  std::string last_error;
  for (;;) {
    RedisConnection conn(executor_);
    try {
      co_await conn.connect(options_.endpoint, options_.command_timeout);
      co_await conn.command(cmd("SUBSCRIBE", options_.keys.channel), options_.command_timeout);
      // Subscribed first, then the stored snapshot: frames published in between are either in
      // it (stale, dropped by seq) or after it.
      const Reply stored =
          co_await client_.command(cmd("GET", options_.keys.snapshot), options_.command_timeout);
      enter_relay(stored.type == Reply::Type::kString ? std::optional<std::string>(stored.str)
                                                      : std::nullopt);
      logging::log_info(kComponent, "relaying the leader's WebSocket stream from Redis",
                        {{"redis", options_.endpoint.label()}});
      last_error.clear();
      backoff.reset();
      last_rx_ = std::chrono::steady_clock::now();
      co_await (read_loop(conn) || heartbeat(conn));
    } catch (const std::exception& e) {
      if (cancelled_now(cancellation)) throw;
      if (e.what() != last_error) {
        logging::log_warn(kComponent,
                          "Redis subscription lost; serving this replica's own updates until it "
                          "returns",
                          {{"redis", options_.endpoint.label()}, {"error", e.what()}});
        last_error = e.what();
      }
    }
    conn.close();
    enter_local();
    pause.expires_after(backoff.next());
    co_await pause.async_wait(asio::use_awaitable);
  }
}

}  // namespace lottery::scale
