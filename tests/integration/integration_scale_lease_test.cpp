// SPDX-License-Identifier: Apache-2.0
// The leader lease and the fan-out against a real redis-server (started here, killed by PID):
// one leader at a time, takeover after the leader stops renewing, no leader while Redis is away,
// monotonic fencing tokens across a Redis restart, and frames relayed in order to a follower.

#include "scale/fanout.hpp"
#include "scale/lease.hpp"
#include "scale/redis_connection.hpp"
#include "support/redis_process.hpp"

#include <gtest/gtest.h>
#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/cancellation_signal.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/use_future.hpp>

#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <future>
#include <memory>
#include <string>
#include <thread>
#include <vector>

namespace lottery::scale {
namespace {

namespace asio = boost::asio;
using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;
using integration::RedisProcess;

constexpr auto kLease = 1500ms;

std::string log_path(const std::string& name) {
  return (std::filesystem::temp_directory_path() /
          ("lottery-scale-lease-" + std::to_string(::getpid()) + "-" + name + ".log"))
      .string();
}

/// An io_context on two threads for the whole test.
class Loop {
 public:
  Loop() : work_(asio::make_work_guard(ioc_)) {
    for (int i = 0; i < 2; ++i) threads_.emplace_back([this] { ioc_.run(); });
  }
  ~Loop() {
    work_.reset();
    ioc_.stop();
    for (auto& t : threads_) t.join();
  }
  asio::io_context& ioc() { return ioc_; }

 private:
  asio::io_context ioc_;
  asio::executor_work_guard<asio::io_context::executor_type> work_;
  std::vector<std::thread> threads_;
};

/// One replica's lease running on its own strand; `stop()` cancels its loop (like a SIGKILL:
/// nothing is released).
struct Candidate {
  Candidate(asio::io_context& ioc, const std::string& url, const std::string& id,
            const std::string& prefix)
      : strand(asio::make_strand(ioc)),
        client(strand, parse_redis_url(url), 1000ms),
        lease(client, LeaseOptions{kLease, id, Keys::from_prefix(prefix)}) {}
  void start() {
    asio::co_spawn(
        strand, lease.run(),
        asio::bind_cancellation_slot(signal.slot(), [this](std::exception_ptr) { done = true; }));
  }
  void stop() {
    asio::post(strand, [this] { signal.emit(asio::cancellation_type::terminal); });
    const auto deadline = Clock::now() + 5s;
    while (!done && Clock::now() < deadline) std::this_thread::sleep_for(5ms);
  }
  bool confirm(std::uint64_t token) {
    auto f = asio::co_spawn(strand, lease.confirm(token), asio::use_future);
    return f.get();
  }

  asio::strand<asio::io_context::executor_type> strand;
  RedisClient client;
  LeaderLease lease;
  asio::cancellation_signal signal;
  std::atomic<bool> done{false};
};

/// Polls `pred` every 10 ms until it holds or `timeout` passes, checking `invariant` each time.
template <class Pred, class Inv>
bool wait_until(Pred pred, std::chrono::milliseconds timeout, Inv invariant) {
  const auto deadline = Clock::now() + timeout;
  while (Clock::now() < deadline) {
    invariant();
    if (pred()) return true;
    std::this_thread::sleep_for(10ms);
  }
  return pred();
}

/// Checks `invariant` every 10 ms for `duration`.
template <class Inv>
void hold_for(std::chrono::milliseconds duration, Inv invariant) {
  const auto deadline = Clock::now() + duration;
  while (Clock::now() < deadline) {
    invariant();
    std::this_thread::sleep_for(10ms);
  }
}

int leaders(const std::vector<Candidate*>& cs) {
  int n = 0;
  for (auto* c : cs) n += c->lease.token() ? 1 : 0;
  return n;
}

class LeaseOnRedis : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!RedisProcess::available()) GTEST_SKIP() << "redis-server not installed";
    redis_ = std::make_unique<RedisProcess>(log_path("redis"));
  }
  void TearDown() override {
    redis_.reset();
    if (!HasFailure()) std::filesystem::remove(log_path("redis"));
  }
  std::unique_ptr<RedisProcess> redis_;
};

TEST_F(LeaseOnRedis, OneLeaderTakeoverAfterLossAndMonotonicTokens) {
  Loop loop;
  Candidate a(loop.ioc(), redis_->url(), "a", "t1");
  Candidate b(loop.ioc(), redis_->url(), "b", "t1");
  Candidate c(loop.ioc(), redis_->url(), "c", "t1");
  std::vector<Candidate*> all = {&a, &b, &c};
  const auto at_most_one = [&] { ASSERT_LE(leaders(all), 1); };
  for (auto* x : all) x->start();

  ASSERT_TRUE(wait_until([&] { return leaders(all) == 1; }, 3s, at_most_one));
  // It stays one leader across many renewals.
  hold_for(2 * kLease, at_most_one);
  ASSERT_EQ(leaders(all), 1);
  Candidate* leader = nullptr;
  for (auto* x : all) {
    if (x->lease.token()) leader = x;
  }
  ASSERT_NE(leader, nullptr);
  const std::uint64_t first_token = *leader->lease.token();
  EXPECT_TRUE(leader->confirm(first_token));
  EXPECT_FALSE(leader->confirm(first_token + 1));
  for (auto* x : all) {
    if (x != leader) {
      EXPECT_FALSE(x->lease.token());
    }
  }
  EXPECT_TRUE(redis_->command("GET t1:leader").find(" " + std::to_string(first_token)) !=
              std::string::npos);

  // The leader dies without releasing (its loop is cancelled): it stops being leader at its local
  // deadline, and another takes over within lease × 2 — never two at once.
  const auto killed_at = Clock::now();
  leader->stop();
  std::vector<Candidate*> rest;
  for (auto* x : all) {
    if (x != leader) rest.push_back(x);
  }
  ASSERT_TRUE(wait_until([&] { return leaders(rest) == 1; }, 2 * kLease + 500ms, at_most_one))
      << "no takeover within lease x 2";
  const auto takeover = Clock::now() - killed_at;
  EXPECT_LE(takeover, 2 * kLease);
  EXPECT_FALSE(leader->lease.token());
  Candidate* next = rest[0]->lease.token() ? rest[0] : rest[1];
  const std::uint64_t second_token = *next->lease.token();
  EXPECT_GT(second_token, first_token);
  // The deposed leader's fence refuses its old token.
  EXPECT_FALSE(leader->confirm(first_token));
  EXPECT_TRUE(next->confirm(second_token));
  std::printf("[scale-lease] takeover after %lld ms (lease %lld ms), tokens %llu -> %llu\n",
              static_cast<long long>(
                  std::chrono::duration_cast<std::chrono::milliseconds>(takeover).count()),
              static_cast<long long>(kLease.count()), static_cast<unsigned long long>(first_token),
              static_cast<unsigned long long>(second_token));

  // Graceful release hands over at once.
  auto released = asio::co_spawn(next->strand, next->lease.release(), asio::use_future);
  released.get();
  next->stop();
  Candidate* last = rest[0] == next ? rest[1] : rest[0];
  ASSERT_TRUE(wait_until([&] { return last->lease.token().has_value(); }, kLease, at_most_one));
  EXPECT_GT(*last->lease.token(), second_token);
  last->stop();
}

TEST_F(LeaseOnRedis, NoLeaderWhileRedisIsAwayAndRecoveryAfter) {
  Loop loop;
  Candidate a(loop.ioc(), redis_->url(), "a", "t2");
  Candidate b(loop.ioc(), redis_->url(), "b", "t2");
  std::vector<Candidate*> all = {&a, &b};
  const auto at_most_one = [&] { ASSERT_LE(leaders(all), 1); };
  a.start();
  b.start();
  ASSERT_TRUE(wait_until([&] { return leaders(all) == 1; }, 3s, at_most_one));
  const std::uint64_t before = (a.lease.token() ? a : b).lease.token().value();

  // A partition (SIGSTOP): the leader's renewals time out, so its lease ends locally within one
  // lease, and nobody else can take it.
  redis_->pause();
  const auto paused_at = Clock::now();
  ASSERT_TRUE(wait_until([&] { return leaders(all) == 0; }, kLease + 200ms, at_most_one));
  const auto gone_after = Clock::now() - paused_at;
  EXPECT_LE(gone_after, kLease);
  hold_for(2 * kLease, [&] { ASSERT_EQ(leaders(all), 0); });
  EXPECT_FALSE(a.lease.status().redis_up && b.lease.status().redis_up);

  redis_->resume();
  ASSERT_TRUE(wait_until([&] { return leaders(all) == 1; }, 3 * kLease, at_most_one));
  const std::uint64_t after = (a.lease.token() ? a : b).lease.token().value();
  EXPECT_GE(after, before);  // the same lease renewed (key still there) or a new, higher token

  // A restart that lost every key: tokens still only grow (the floor is the highest seen).
  redis_->restart();
  ASSERT_TRUE(wait_until(
      [&] {
        const auto t = (a.lease.token() ? a : b).lease.token();
        return t && *t > after;
      },
      4 * kLease, at_most_one))
      << "no new lease with a higher token after the Redis restart";
  a.stop();
  b.stop();
}

TEST_F(LeaseOnRedis, FanoutRelaysTheLeadersCommitsInOrder) {
  Loop loop;
  auto strand_a = asio::make_strand(loop.ioc());
  auto strand_b = asio::make_strand(loop.ioc());
  const Keys keys = Keys::from_prefix("t3");
  RedisClient client_a(strand_a, parse_redis_url(redis_->url()), 1000ms);
  RedisClient client_b(strand_b, parse_redis_url(redis_->url()), 1000ms);
  LeaderLease lease_a(client_a, LeaseOptions{kLease, "a", keys});
  LeaderLease lease_b(client_b, LeaseOptions{kLease, "b", keys});
  store::Store store_a;
  store::Store store_b;
  // Both stores must count as synced for a leader to publish.
  for (store::Store* s : {&store_a, &store_b}) {
    store::Batch batch;
    store::ChainStatus chain;
    chain.synced = true;
    chain.reachable = true;
    batch.set_chain_status(chain);
    s->commit(std::move(batch));
  }
  FanoutOptions fo;
  fo.keys = keys;
  fo.endpoint = parse_redis_url(redis_->url());
  fo.heartbeat = 250ms;
  auto fan_a = std::make_shared<Fanout>(strand_a, client_a, lease_a, store_a, fo);
  auto fan_b = std::make_shared<Fanout>(strand_b, client_b, lease_b, store_b, fo);
  lease_a.on_acquired([&](std::uint64_t) { fan_a->request_reset(); });

  std::mutex mutex;
  std::vector<std::string> seen_a;
  std::vector<std::string> seen_b;
  const auto record = [&mutex](std::vector<std::string>& into) {
    return [&mutex, &into](const server::FeedBatch& b) {
      std::lock_guard lock(mutex);
      for (const auto& [kind, text] : b.messages) {
        if (kind != server::MessageKind::kSnapshot) into.push_back(*text);
      }
    };
  };
  fan_a->attach(record(seen_a));
  fan_b->attach(record(seen_b));
  fan_a->start();
  fan_b->start();

  // Only A runs a lease: it is the leader. Both relay.
  using Strand = asio::strand<asio::io_context::executor_type>;
  std::vector<std::pair<Strand, std::unique_ptr<asio::cancellation_signal>>> signals;
  const auto spawn = [&](Strand strand, infra::Task<void> task) {
    signals.emplace_back(strand, std::make_unique<asio::cancellation_signal>());
    asio::co_spawn(strand, std::move(task),
                   asio::bind_cancellation_slot(signals.back().second->slot(), asio::detached));
  };
  spawn(strand_a, lease_a.run());
  spawn(strand_a, fan_a->run_publisher());
  spawn(strand_a, fan_a->run_relay());
  spawn(strand_b, fan_b->run_relay());
  ASSERT_TRUE(wait_until(
      [&] {
        return lease_a.token().has_value() && fan_b->stats().relaying && fan_a->stats().relaying &&
               fan_a->stats().published > 0;
      },
      5s, [] {}));
  std::this_thread::sleep_for(300ms);

  // The leader's store changes 30 times; B's own store changes differently and is not shown.
  for (std::uint64_t i = 1; i <= 30; ++i) {
    store::Batch batch;
    store::Round round;
    round.round_id = i;
    batch.set_round(round);
    store_a.commit(std::move(batch));
    store::Batch other;
    store::Round noise;
    noise.round_id = 1000 + i;
    other.set_round(noise);
    store_b.commit(std::move(other));
  }
  ASSERT_TRUE(wait_until(
      [&] {
        std::lock_guard lock(mutex);
        return seen_b.size() >= 30 && seen_a.size() >= 30;
      },
      5s, [] {}));
  {
    std::lock_guard lock(mutex);
    EXPECT_EQ(seen_a, seen_b);  // the same messages, once each, in the same order
    ASSERT_EQ(seen_b.size(), 30U);
    for (std::uint64_t i = 1; i <= 30; ++i) {
      EXPECT_NE(seen_b[i - 1].find("\"round_id\":" + std::to_string(i) + ","), std::string::npos)
          << seen_b[i - 1];
    }
  }
  // At most the leader's first reset frame can be stale: published between B's SUBSCRIBE and its
  // read of the stored snapshot, which already holds it.
  EXPECT_LE(fan_b->stats().stale, 1U);
  // A new client of B starts from the leader's state, not B's own.
  EXPECT_NE(fan_b->current().first->find("\"round_id\":30,"), std::string::npos);

  // Redis goes away: B falls back to its own store.
  redis_->kill();
  ASSERT_TRUE(wait_until([&] { return !fan_b->stats().relaying; }, 3s, [] {}));
  EXPECT_NE(fan_b->current().first->find("\"round_id\":1030,"), std::string::npos);
  // And relays again once Redis is back.
  redis_->restart();
  ASSERT_TRUE(wait_until([&] { return fan_b->stats().relaying; }, 5s, [] {}));

  // Each signal is emitted on the strand its task runs on.
  for (auto& [strand, signal] : signals) {
    auto* sig = signal.get();
    asio::post(strand, [sig] { sig->emit(asio::cancellation_type::terminal); });
  }
  std::this_thread::sleep_for(200ms);
  fan_a->stop();
  fan_b->stop();
}

}  // namespace
}  // namespace lottery::scale
