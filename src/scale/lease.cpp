// SPDX-License-Identifier: Apache-2.0
#include "scale/lease.hpp"

#include "logging/log.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <algorithm>
#include <charconv>

namespace lottery::scale {

namespace asio = boost::asio;

namespace {

constexpr std::string_view kComponent = "replica";
constexpr auto kErrorLogInterval = std::chrono::seconds(30);

// KEYS: lease, token counter. ARGV: replica id, lease ms, lowest acceptable token - 1.
// Returns {1, value} when taken, {0, current value} when someone holds it.
constexpr std::string_view kAcquireScript = R"(
local cur = redis.call('GET', KEYS[1])
if cur then return {0, cur} end
local floor = tonumber(ARGV[3]) or 0
local have = tonumber(redis.call('GET', KEYS[2]) or '0') or 0
if have < floor then redis.call('SET', KEYS[2], floor) end
local token = redis.call('INCR', KEYS[2])
local value = ARGV[1] .. ' ' .. token
if redis.call('SET', KEYS[1], value, 'NX', 'PX', ARGV[2]) then return {1, value} end
return {0, ''}
)";

// KEYS: lease. ARGV: our value, lease ms. 1 = renewed, 0 = not ours.
constexpr std::string_view kRenewScript = R"(
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
return 0
)";

// KEYS: lease. ARGV: our value. 1 = deleted, 0 = not ours.
constexpr std::string_view kReleaseScript = R"(
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
)";

bool cancelled_now(const asio::cancellation_state& state) {
  return state.cancelled() != asio::cancellation_type::none;
}

}  // namespace

Keys Keys::from_prefix(std::string_view prefix) {
  const std::string p(prefix);
  return Keys{p + ":leader", p + ":leader:token", p + ":feed:seq", p + ":feed:snapshot",
              p + ":feed"};
}

std::optional<std::uint64_t> token_of(std::string_view lease_value) noexcept {
  const auto space = lease_value.rfind(' ');
  if (space == std::string_view::npos || space == 0) return std::nullopt;
  const std::string_view digits = lease_value.substr(space + 1);
  std::uint64_t token = 0;
  const auto [ptr, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), token);
  if (ec != std::errc{} || ptr != digits.data() + digits.size() || digits.empty()) {
    return std::nullopt;
  }
  return token;
}

std::string_view holder_of(std::string_view lease_value) noexcept {
  const auto space = lease_value.rfind(' ');
  if (space == std::string_view::npos || !token_of(lease_value)) return {};
  return lease_value.substr(0, space);
}

LeaseState::LeaseState(std::chrono::milliseconds lease, std::chrono::milliseconds safety)
    : lease_(lease), safety_(std::min(safety, lease / 2)) {}

void LeaseState::acquired(std::uint64_t token, std::string value, Clock::time_point sent) {
  token_ = token;
  value_ = std::move(value);
  valid_until_ = sent + lease_ - safety_;
}

void LeaseState::renewed(Clock::time_point sent) {
  if (value_.empty()) return;
  // A renewal answered late must not move the deadline back.
  valid_until_ = std::max(valid_until_, sent + lease_ - safety_);
}

void LeaseState::lost() {
  value_.clear();
  token_ = 0;
  valid_until_ = {};
}

std::optional<std::uint64_t> LeaseState::token(Clock::time_point now) const {
  if (value_.empty() || now >= valid_until_) return std::nullopt;
  return token_;
}

LeaderLease::LeaderLease(RedisClient& client, LeaseOptions options)
    : client_(client),
      options_(std::move(options)),
      // Redis expires keys with millisecond precision; leave a tenth of the lease (at least
      // 100 ms) for scheduling delays between our deadline check and the node receiving the send.
      state_(options_.lease, std::max(std::chrono::milliseconds(100), options_.lease / 10)) {}

void LeaderLease::on_acquired(std::function<void(std::uint64_t)> callback) {
  on_acquired_ = std::move(callback);
}

std::chrono::milliseconds LeaderLease::command_timeout() const noexcept {
  return std::clamp(options_.lease / 4, std::chrono::milliseconds(200),
                    std::chrono::milliseconds(2000));
}

std::optional<std::uint64_t> LeaderLease::token() const {
  std::lock_guard lock(mutex_);
  return state_.token(LeaseState::Clock::now());
}

std::string LeaderLease::value() const {
  std::lock_guard lock(mutex_);
  return state_.value();
}

LeaseStatus LeaderLease::status() const {
  std::lock_guard lock(mutex_);
  LeaseStatus out = counters_;
  out.token = state_.token(LeaseState::Clock::now());
  out.leader = out.token.has_value();
  return out;
}

infra::Task<void> LeaderLease::run() {
  auto executor = co_await asio::this_coro::executor;
  const auto cancellation = co_await asio::this_coro::cancellation_state;
  asio::steady_timer timer(executor);
  const auto period = options_.lease / 3;
  logging::log_info(kComponent, "joining the leader election",
                    {{"replica", options_.replica_id},
                     {"redis", client_.endpoint().label()},
                     {"lease_ms", options_.lease.count()}});
  for (;;) {
    const auto began = LeaseState::Clock::now();
    try {
      co_await step();
    } catch (const std::exception& e) {
      if (cancelled_now(cancellation)) throw;
      const auto now = LeaseState::Clock::now();
      bool was_up = false;
      {
        std::lock_guard lock(mutex_);
        was_up = counters_.redis_up;
        counters_.redis_up = false;
        ++counters_.redis_errors;
      }
      const std::string error = e.what();
      if (was_up || error != last_error_ || now - last_error_log_ > kErrorLogInterval) {
        const bool leader = token().has_value();
        logging::log_warn(kComponent,
                          leader ? "Redis did not answer the lease renewal; the lease ends at its "
                                   "deadline unless a renewal gets through"
                                 : "Redis is unreachable; not leader (no transactions are sent)",
                          {{"redis", client_.endpoint().label()}, {"error", error}});
        last_error_ = error;
        last_error_log_ = now;
      }
    }
    // Keep the cadence: the next attempt lease/3 after this one started.
    timer.expires_at(began + period);
    co_await timer.async_wait(asio::use_awaitable);
  }
}

infra::Task<void> LeaderLease::step() {
  const auto lease_ms = std::to_string(options_.lease.count());
  const auto sent = LeaseState::Clock::now();
  std::string value;
  std::uint64_t floor = 0;
  {
    std::lock_guard lock(mutex_);
    value = state_.value();
    floor = highest_token_seen_;
  }
  if (!value.empty()) {
    const Reply reply = co_await client_.command(
        cmd("EVAL", std::string(kRenewScript), "1", options_.keys.lease, value, lease_ms),
        command_timeout());
    std::lock_guard lock(mutex_);
    counters_.redis_up = true;
    if (reply.type == Reply::Type::kInteger && reply.integer == 1) {
      state_.renewed(sent);
      co_return;
    }
    state_.lost();
    ++counters_.losses;
    counters_.leader_id.clear();
    logging::log_warn(kComponent,
                      "lost the leader lease (it expired or another replica holds it); standing "
                      "by",
                      {{"replica", options_.replica_id}, {"token", token_of(value).value_or(0)}});
    co_return;
  }

  const Reply reply = co_await client_.command(
      cmd("EVAL", std::string(kAcquireScript), "2", options_.keys.lease, options_.keys.token,
          options_.replica_id, lease_ms, std::to_string(floor)),
      command_timeout());
  if (reply.type != Reply::Type::kArray || reply.elements.size() != 2 ||
      reply.elements[0].type != Reply::Type::kInteger) {
    throw std::runtime_error("redis: unexpected answer to the lease script");
  }
  const bool taken = reply.elements[0].integer == 1;
  const std::string current = reply.elements[1].str;
  const auto current_token = token_of(current);
  std::uint64_t new_token = 0;
  {
    std::lock_guard lock(mutex_);
    counters_.redis_up = true;
    if (current_token) highest_token_seen_ = std::max(highest_token_seen_, *current_token);
    counters_.leader_id = std::string(holder_of(current));
    counters_.leader_token = current_token.value_or(0);
    if (taken && current_token) {
      state_.acquired(*current_token, current, sent);
      ++counters_.acquisitions;
      new_token = *current_token;
    }
  }
  if (new_token != 0) {
    logging::log_info(kComponent, "became leader: this replica sends the operator's transactions",
                      {{"replica", options_.replica_id}, {"token", new_token}});
    if (on_acquired_) on_acquired_(new_token);
  }
}

infra::Task<bool> LeaderLease::confirm(std::uint64_t token) {
  std::string value;
  {
    std::lock_guard lock(mutex_);
    if (state_.token(LeaseState::Clock::now()) != token) {
      ++counters_.fence_refusals;
      co_return false;
    }
    value = state_.value();
  }
  bool ok = false;
  try {
    const Reply reply =
        co_await client_.command(cmd("GET", options_.keys.lease), command_timeout());
    ok = reply.type == Reply::Type::kString && reply.str == value;
  } catch (const std::exception& e) {
    logging::log_warn(kComponent, "cannot confirm the lease before sending; not sending",
                      {{"error", e.what()}});
  }
  std::lock_guard lock(mutex_);
  // Still locally valid after the round trip, and still the same lease.
  ok = ok && state_.token(LeaseState::Clock::now()) == token;
  if (!ok) ++counters_.fence_refusals;
  co_return ok;
}

infra::Task<void> LeaderLease::release() {
  std::string value;
  {
    std::lock_guard lock(mutex_);
    value = state_.value();
    state_.lost();  // the gate says no from now on, whatever Redis answers
  }
  if (value.empty()) co_return;
  try {
    co_await client_.command(
        cmd("EVAL", std::string(kReleaseScript), "1", options_.keys.lease, value),
        command_timeout());
    logging::log_info(kComponent, "released the leader lease", {{"replica", options_.replica_id}});
  } catch (const std::exception& e) {
    logging::log_warn(kComponent, "could not release the leader lease; it expires on its own",
                      {{"error", e.what()}});
  }
}

}  // namespace lottery::scale
