// SPDX-License-Identifier: Apache-2.0
#include "rpc/client.hpp"

#include "eth/u256.hpp"

#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <algorithm>

namespace lottery::rpc {

namespace asio = boost::asio;
namespace json = boost::json;
using infra::Task;
using Clock = std::chrono::steady_clock;

namespace {

std::vector<std::string> labels_of(const std::vector<std::shared_ptr<Transport>>& transports) {
  std::vector<std::string> labels;
  for (const auto& t : transports) labels.push_back(t->endpoint().redacted());
  return labels;
}

std::optional<std::uint64_t> quantity_u64(const json::value& v) {
  const auto* s = v.if_string();
  if (s == nullptr) return std::nullopt;
  auto n = eth::u256_from_quantity(std::string_view(s->data(), s->size()));
  if (!n) return std::nullopt;
  auto small = eth::u256_to_u64(*n);
  if (!small) return std::nullopt;
  return *small;
}

/// Forwards a subscription and feeds newHeads block numbers to the tracker.
class TrackedSubscription final : public Subscription {
 public:
  TrackedSubscription(std::shared_ptr<Subscription> inner, RpcClient& client, std::size_t index)
      : inner_(std::move(inner)), client_(client), index_(index) {}
  Task<json::value> next() override {
    auto value = co_await inner_->next();
    if (const auto* obj = value.if_object()) {
      if (const auto* number = obj->if_contains("number")) {
        if (auto n = quantity_u64(*number)) client_.report_head(index_, *n);
      }
    }
    co_return value;
  }
  const std::string& id() const noexcept override { return inner_->id(); }
  void close() override { inner_->close(); }
  ~TrackedSubscription() override { inner_->close(); }

 private:
  std::shared_ptr<Subscription> inner_;
  RpcClient& client_;
  std::size_t index_;
};

}  // namespace

RpcClient::RpcClient(infra::Executor executor, std::vector<std::shared_ptr<Transport>> transports,
                     ClientOptions options)
    : executor_(std::move(executor)),
      transports_(std::move(transports)),
      options_(std::move(options)),
      health_(labels_of(transports_), options_.health) {
  if (options_.max_attempts == 0) options_.max_attempts = 1;
}

RpcClient::~RpcClient() {
  // WebSocket loops keep their transport alive until it is closed.
  close();
}

std::unique_ptr<RpcClient> RpcClient::create(infra::Executor executor, std::string_view urls,
                                             ClientOptions options) {
  auto endpoints = parse_endpoint_list(urls);
  std::vector<std::shared_ptr<Transport>> transports;
  for (auto& ep : endpoints)
    transports.push_back(make_transport(executor, std::move(ep), options.transport));
  return std::make_unique<RpcClient>(std::move(executor), std::move(transports),
                                     std::move(options));
}

void RpcClient::log(const std::string& line) const {
  if (options_.log) options_.log(line);
}

std::vector<RequestId> RpcClient::allocate_ids(std::size_t n) {
  const RequestId first = next_id_.fetch_add(n);
  std::vector<RequestId> ids(n);
  for (std::size_t i = 0; i < n; ++i) ids[i] = first + i;
  return ids;
}

Task<json::value> RpcClient::call(std::string method, json::array params, CallOptions options) {
  std::vector<Call> calls;
  calls.push_back(Call{std::move(method), std::move(params)});
  auto outcomes = co_await execute(std::move(calls), false, options);
  co_return outcomes.front().value();
}

Task<std::vector<CallOutcome>> RpcClient::batch(std::vector<Call> calls, CallOptions options) {
  if (calls.empty()) co_return std::vector<CallOutcome>();
  co_return co_await execute(std::move(calls), true, options);
}

Task<std::vector<CallOutcome>> RpcClient::execute(std::vector<Call> calls, bool as_batch,
                                                  CallOptions options) {
  const auto timeout = options.timeout.value_or(options_.request_timeout);
  const auto attempts =
      std::max<std::uint32_t>(1, options.max_attempts.value_or(options_.max_attempts));
  const std::string method_label =
      as_batch ? "batch of " + std::to_string(calls.size()) + " calls" : calls.front().method;
  infra::Backoff backoff(options_.backoff);
  std::optional<std::size_t> last_index;
  std::vector<bool> tried(transports_.size(), false);
  RpcError last_error;

  for (std::uint32_t attempt = 0; attempt < attempts; ++attempt) {
    std::size_t index = 0;
    {
      std::lock_guard lock(mutex_);
      index = health_.pick(Clock::now());
    }
    if (last_index) {
      if (tried[index]) {
        // Back to an endpoint that already failed this call: only transient
        // faults are worth another try, after a pause.
        if (!is_retriable(last_error.kind)) break;
        asio::steady_timer timer(co_await asio::this_coro::executor, backoff.next());
        co_await timer.async_wait(asio::use_awaitable);
      } else {
        log("rpc: failing over from " + transports_[*last_index]->endpoint().redacted() + " to " +
            transports_[index]->endpoint().redacted() + " after " +
            std::string(to_string(last_error.kind)));
      }
    }
    const auto ids = allocate_ids(calls.size());
    std::string payload =
        as_batch ? serialize_batch(ids, calls) : serialize_request(ids.front(), calls.front());
    const auto start = Clock::now();
    std::vector<CallOutcome> outcomes;
    std::optional<RpcError> failure;
    try {
      const std::string reply =
          co_await transports_[index]->request(std::move(payload), ids, timeout);
      if (as_batch) {
        outcomes = parse_batch_response(reply, ids);
      } else {
        outcomes.push_back(parse_response(reply, ids.front()));
      }
      if (outcomes.size() != calls.size()) {
        failure = make_error(RpcErrc::kMalformedResponse, "reply could not be processed");
      }
    } catch (const RpcException& e) {
      failure = e.error();
    }
    const auto label = transports_[index]->endpoint().redacted();
    if (!failure) {
      // A reply where every call failed for endpoint reasons (e.g. one error
      // object for a rate-limited batch) is the endpoint's fault, not the calls'.
      const bool all_faults = std::all_of(
          outcomes.begin(), outcomes.end(),
          [](const CallOutcome& o) { return o.error && is_endpoint_fault(o.error->kind); });
      if (all_faults) failure = *outcomes.front().error;
    }
    if (!failure) {
      const auto latency =
          std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - start);
      std::lock_guard lock(mutex_);
      health_.record_success(index, latency);
      for (std::size_t i = 0; i < outcomes.size(); ++i) {
        if (outcomes[i].error) {
          outcomes[i].error->endpoint = label;
          outcomes[i].error->method = calls[i].method;
        } else if (calls[i].method == "eth_blockNumber") {
          if (auto n = quantity_u64(outcomes[i].result)) health_.record_head(index, *n);
        }
      }
      co_return outcomes;
    }
    failure->endpoint = label;
    failure->method = method_label;
    if (!is_endpoint_fault(failure->kind)) throw RpcException(std::move(*failure));
    {
      std::lock_guard lock(mutex_);
      health_.record_failure(index, failure->kind, failure->message, Clock::now());
    }
    log("rpc: attempt " + std::to_string(attempt + 1) + "/" + std::to_string(attempts) + ": " +
        failure->describe());
    last_error = std::move(*failure);
    last_index = index;
    tried[index] = true;
  }
  throw RpcException(std::move(last_error));
}

Task<std::shared_ptr<Subscription>> RpcClient::subscribe(json::array params, CallOptions options) {
  const auto timeout = options.timeout.value_or(options_.request_timeout);
  std::vector<std::size_t> order;
  {
    std::lock_guard lock(mutex_);
    order = health_.order(Clock::now());
  }
  std::optional<RpcError> last_error;
  for (auto index : order) {
    if (!transports_[index]->supports_subscriptions()) continue;
    try {
      auto sub = co_await transports_[index]->subscribe(allocate_ids(1).front(), params, timeout);
      co_return std::make_shared<TrackedSubscription>(std::move(sub), *this, index);
    } catch (const RpcException& e) {
      auto error = e.error();
      error.endpoint = transports_[index]->endpoint().redacted();
      error.method = "eth_subscribe";
      if (!is_endpoint_fault(error.kind)) throw RpcException(std::move(error));
      {
        std::lock_guard lock(mutex_);
        health_.record_failure(index, error.kind, error.message, Clock::now());
      }
      log("rpc: " + error.describe());
      last_error = std::move(error);
    }
  }
  if (!last_error) {
    last_error =
        make_error(RpcErrc::kOther, "no ws:// or wss:// endpoint is configured for subscriptions");
    last_error->method = "eth_subscribe";
  }
  throw RpcException(std::move(*last_error));
}

bool RpcClient::supports_subscriptions() const noexcept {
  return std::any_of(transports_.begin(), transports_.end(),
                     [](const auto& t) { return t->supports_subscriptions(); });
}

Task<void> RpcClient::probe_endpoints() {
  for (std::size_t index = 0; index < transports_.size(); ++index) {
    const auto id = allocate_ids(1).front();
    const auto start = Clock::now();
    std::optional<RpcError> failure;
    try {
      // Built before the co_await: g++ 12 mishandles braced temporaries inside it.
      Call probe;
      probe.method = "eth_blockNumber";
      std::string payload = serialize_request(id, probe);
      std::vector<RequestId> ids(1, id);
      const auto reply = co_await transports_[index]->request(std::move(payload), std::move(ids),
                                                              options_.request_timeout);
      auto outcome = parse_response(reply, id);
      if (outcome.error) {
        failure = *outcome.error;
      } else if (auto n = quantity_u64(outcome.result)) {
        std::lock_guard lock(mutex_);
        health_.record_success(
            index, std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - start));
        health_.record_head(index, *n);
      } else {
        failure =
            make_error(RpcErrc::kMalformedResponse, "eth_blockNumber result is not a quantity");
      }
    } catch (const RpcException& e) {
      failure = e.error();
    }
    if (failure) {
      std::lock_guard lock(mutex_);
      health_.record_failure(index, failure->kind, failure->message, Clock::now());
    }
  }
}

Task<void> RpcClient::run_probes(std::chrono::milliseconds interval) {
  asio::steady_timer timer(co_await asio::this_coro::executor);
  for (;;) {
    co_await probe_endpoints();
    timer.expires_after(interval);
    co_await timer.async_wait(asio::use_awaitable);
  }
}

void RpcClient::report_head(std::size_t index, std::uint64_t head) {
  std::lock_guard lock(mutex_);
  health_.record_head(index, head);
}

std::vector<EndpointStats> RpcClient::stats() const {
  std::lock_guard lock(mutex_);
  return health_.stats(Clock::now());
}

std::size_t RpcClient::preferred_endpoint() const {
  std::lock_guard lock(mutex_);
  return health_.pick(Clock::now());
}

void RpcClient::close() {
  for (auto& t : transports_) t->close();
}

}  // namespace lottery::rpc
