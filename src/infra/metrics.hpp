// SPDX-License-Identifier: Apache-2.0
#pragma once
// A small metrics registry that renders the Prometheus text exposition format
// (version 0.0.4), for `GET /metrics`.
//
//   auto& requests = infra::metrics().counter("lottery_http_requests_total",
//                                             "HTTP requests by route and status",
//                                             {"route", "status"});
//   requests.with({"/api/history", "200"}).inc();
//
// Updating a metric is one relaxed atomic operation. Looking up a labelled
// child (`with`) takes the family's mutex; hot paths keep the returned
// reference (it stays valid as long as the registry lives).

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <initializer_list>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

namespace lottery::infra {

/// A monotonically increasing value.
class Counter {
 public:
  /// Adds `amount` (negative amounts are ignored: counters never go down).
  void inc(double amount = 1.0) noexcept {
    if (amount > 0) value_.fetch_add(amount, std::memory_order_relaxed);
  }
  double value() const noexcept { return value_.load(std::memory_order_relaxed); }

 private:
  std::atomic<double> value_{0.0};
};

/// A value that goes up and down.
class Gauge {
 public:
  void set(double value) noexcept { value_.store(value, std::memory_order_relaxed); }
  void inc(double amount = 1.0) noexcept { value_.fetch_add(amount, std::memory_order_relaxed); }
  void dec(double amount = 1.0) noexcept { value_.fetch_sub(amount, std::memory_order_relaxed); }
  double value() const noexcept { return value_.load(std::memory_order_relaxed); }

 private:
  std::atomic<double> value_{0.0};
};

/// Observations counted into fixed cumulative buckets (upper bounds, ascending).
class Histogram {
 public:
  explicit Histogram(std::vector<double> upper_bounds);
  void observe(double value) noexcept;

  const std::vector<double>& upper_bounds() const noexcept { return bounds_; }
  /// Count of observations <= upper_bounds()[i] (cumulative, as exposed).
  std::uint64_t cumulative_count(std::size_t bucket) const noexcept;
  std::uint64_t count() const noexcept { return count_.load(std::memory_order_relaxed); }
  double sum() const noexcept { return sum_.load(std::memory_order_relaxed); }

 private:
  std::vector<double> bounds_;
  std::unique_ptr<std::atomic<std::uint64_t>[]> buckets_;  // per bucket, not cumulative
  std::atomic<std::uint64_t> count_{0};
  std::atomic<double> sum_{0.0};
};

/// Default latency buckets in seconds (1 ms .. 10 s).
std::vector<double> default_latency_buckets();

/// All children of one metric name, one per combination of label values.
template <class Metric>
class Family {
 public:
  Family(std::vector<std::string> label_names, std::function<std::unique_ptr<Metric>()> make)
      : label_names_(std::move(label_names)), make_(std::move(make)) {}

  /// The child for these label values (in the order of the label names; a
  /// wrong number of values is padded with "" or truncated). Created on first use.
  Metric& with(std::initializer_list<std::string_view> values) {
    return with(std::vector<std::string>(values.begin(), values.end()));
  }
  Metric& with(std::vector<std::string> values);

  const std::vector<std::string>& label_names() const noexcept { return label_names_; }

  /// Calls `visit(label_values, metric)` for every child, in label order.
  void for_each(
      const std::function<void(const std::vector<std::string>&, const Metric&)>& visit) const;

 private:
  std::vector<std::string> label_names_;
  std::function<std::unique_ptr<Metric>()> make_;
  mutable std::mutex mutex_;
  std::map<std::vector<std::string>, std::unique_ptr<Metric>> children_;
};

/// A set of metric families rendered together. Thread-safe. Registering a
/// name again returns the existing family (label names and kind must match,
/// else std::invalid_argument).
class Registry {
 public:
  Registry();
  Registry(const Registry&) = delete;
  Registry& operator=(const Registry&) = delete;
  ~Registry();

  Family<Counter>& counter(const std::string& name, std::string help,
                           std::vector<std::string> label_names = {});
  Family<Gauge>& gauge(const std::string& name, std::string help,
                       std::vector<std::string> label_names = {});
  Family<Histogram>& histogram(const std::string& name, std::string help,
                               std::vector<std::string> label_names = {},
                               std::vector<double> upper_bounds = default_latency_buckets());
  /// A gauge whose value is read by `read()` at render time (e.g. a queue
  /// depth owned elsewhere). `read` must be thread-safe and must not throw.
  /// Registering the same name again replaces the callback.
  void gauge_callback(const std::string& name, std::string help, std::function<double()> read);

  /// The whole registry in the Prometheus text format, families sorted by name.
  std::string render() const;

 private:
  struct Entry;
  Entry& entry(const std::string& name, int kind, std::vector<std::string> label_names,
               std::string help, std::vector<double> bounds);

  mutable std::mutex mutex_;
  std::map<std::string, std::unique_ptr<Entry>> entries_;
};

/// The process-wide registry (components that are not handed one use this).
Registry& metrics();

/// Formats a sample value the way Prometheus expects ("1", "0.25", "+Inf", "NaN").
std::string format_metric_value(double value);
/// Escapes a label value (backslash, double quote, newline).
std::string escape_label_value(std::string_view value);

}  // namespace lottery::infra
