// SPDX-License-Identifier: Apache-2.0
#include "infra/metrics.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <stdexcept>
#include <variant>

namespace lottery::infra {

Histogram::Histogram(std::vector<double> upper_bounds) : bounds_(std::move(upper_bounds)) {
  std::sort(bounds_.begin(), bounds_.end());
  bounds_.erase(std::unique(bounds_.begin(), bounds_.end()), bounds_.end());
  buckets_ = std::make_unique<std::atomic<std::uint64_t>[]>(bounds_.size() + 1);
  for (std::size_t i = 0; i <= bounds_.size(); ++i) buckets_[i].store(0);
}

void Histogram::observe(double value) noexcept {
  // First bucket whose bound is >= value; the last slot is +Inf.
  const auto it = std::lower_bound(bounds_.begin(), bounds_.end(), value);
  const auto index = static_cast<std::size_t>(it - bounds_.begin());
  buckets_[index].fetch_add(1, std::memory_order_relaxed);
  count_.fetch_add(1, std::memory_order_relaxed);
  sum_.fetch_add(value, std::memory_order_relaxed);
}

std::uint64_t Histogram::cumulative_count(std::size_t bucket) const noexcept {
  std::uint64_t total = 0;
  const std::size_t last = std::min(bucket, bounds_.size());
  for (std::size_t i = 0; i <= last; ++i) total += buckets_[i].load(std::memory_order_relaxed);
  return total;
}

std::vector<double> default_latency_buckets() {
  return {0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0};
}

template <class Metric>
Metric& Family<Metric>::with(std::vector<std::string> values) {
  values.resize(label_names_.size());
  std::lock_guard lock(mutex_);
  auto& slot = children_[values];
  if (!slot) slot = make_();
  return *slot;
}

template <class Metric>
void Family<Metric>::for_each(
    const std::function<void(const std::vector<std::string>&, const Metric&)>& visit) const {
  std::lock_guard lock(mutex_);
  for (const auto& [labels, metric] : children_) visit(labels, *metric);
}

template class Family<Counter>;
template class Family<Gauge>;
template class Family<Histogram>;

namespace {

enum Kind : int { kCounterKind = 0, kGaugeKind = 1, kHistogramKind = 2, kCallbackKind = 3 };

std::string labels_text(const std::vector<std::string>& names,
                        const std::vector<std::string>& values, std::string_view extra_name = {},
                        std::string_view extra_value = {}) {
  if (names.empty() && extra_name.empty()) return {};
  std::string out = "{";
  bool first = true;
  for (std::size_t i = 0; i < names.size(); ++i) {
    if (!first) out += ',';
    first = false;
    out += names[i];
    out += "=\"";
    out += escape_label_value(i < values.size() ? values[i] : std::string());
    out += '"';
  }
  if (!extra_name.empty()) {
    if (!first) out += ',';
    out += extra_name;
    out += "=\"";
    out += extra_value;
    out += '"';
  }
  out += '}';
  return out;
}

std::string escape_help(std::string_view help) {
  std::string out;
  for (char c : help) {
    if (c == '\\') {
      out += "\\\\";
    } else if (c == '\n') {
      out += "\\n";
    } else {
      out += c;
    }
  }
  return out;
}

}  // namespace

struct Registry::Entry {
  int kind = kCounterKind;
  std::string help;
  std::vector<std::string> label_names;
  std::unique_ptr<Family<Counter>> counters;
  std::unique_ptr<Family<Gauge>> gauges;
  std::unique_ptr<Family<Histogram>> histograms;
  std::function<double()> read;
};

Registry::Registry() = default;
Registry::~Registry() = default;

Registry::Entry& Registry::entry(const std::string& name, int kind,
                                 std::vector<std::string> label_names, std::string help,
                                 std::vector<double> bounds) {
  std::lock_guard lock(mutex_);
  auto& slot = entries_[name];
  if (slot) {
    if (slot->kind != kind || slot->label_names != label_names) {
      throw std::invalid_argument("metric " + name +
                                  " registered twice with a different kind or labels");
    }
    return *slot;
  }
  slot = std::make_unique<Entry>();
  slot->kind = kind;
  slot->help = std::move(help);
  slot->label_names = label_names;
  switch (kind) {
    case kCounterKind:
      slot->counters = std::make_unique<Family<Counter>>(
          std::move(label_names), [] { return std::make_unique<Counter>(); });
      break;
    case kGaugeKind:
      slot->gauges = std::make_unique<Family<Gauge>>(std::move(label_names),
                                                     [] { return std::make_unique<Gauge>(); });
      break;
    case kHistogramKind:
      slot->histograms = std::make_unique<Family<Histogram>>(
          std::move(label_names),
          [bounds = std::move(bounds)] { return std::make_unique<Histogram>(bounds); });
      break;
    default:
      break;
  }
  return *slot;
}

Family<Counter>& Registry::counter(const std::string& name, std::string help,
                                   std::vector<std::string> label_names) {
  return *entry(name, kCounterKind, std::move(label_names), std::move(help), {}).counters;
}

Family<Gauge>& Registry::gauge(const std::string& name, std::string help,
                               std::vector<std::string> label_names) {
  return *entry(name, kGaugeKind, std::move(label_names), std::move(help), {}).gauges;
}

Family<Histogram>& Registry::histogram(const std::string& name, std::string help,
                                       std::vector<std::string> label_names,
                                       std::vector<double> upper_bounds) {
  return *entry(name, kHistogramKind, std::move(label_names), std::move(help),
                std::move(upper_bounds))
              .histograms;
}

void Registry::gauge_callback(const std::string& name, std::string help,
                              std::function<double()> read) {
  Entry& e = entry(name, kCallbackKind, {}, std::move(help), {});
  std::lock_guard lock(mutex_);
  e.read = std::move(read);
}

std::string Registry::render() const {
  std::string out;
  std::lock_guard lock(mutex_);
  for (const auto& item : entries_) {
    // Named references, not structured bindings: clang 14 cannot capture those in lambdas.
    const std::string& name = item.first;
    const std::unique_ptr<Entry>& e = item.second;
    const char* type = "gauge";
    if (e->kind == kCounterKind) type = "counter";
    if (e->kind == kHistogramKind) type = "histogram";
    out += "# HELP " + name + ' ' + escape_help(e->help) + '\n';
    out += "# TYPE " + name + ' ' + type + '\n';
    switch (e->kind) {
      case kCounterKind:
        e->counters->for_each([&](const std::vector<std::string>& labels, const Counter& c) {
          out += name + labels_text(e->label_names, labels) + ' ' + format_metric_value(c.value()) +
                 '\n';
        });
        break;
      case kGaugeKind:
        e->gauges->for_each([&](const std::vector<std::string>& labels, const Gauge& g) {
          out += name + labels_text(e->label_names, labels) + ' ' + format_metric_value(g.value()) +
                 '\n';
        });
        break;
      case kHistogramKind:
        e->histograms->for_each([&](const std::vector<std::string>& labels, const Histogram& h) {
          const auto& bounds = h.upper_bounds();
          for (std::size_t i = 0; i < bounds.size(); ++i) {
            out += name + "_bucket" +
                   labels_text(e->label_names, labels, "le", format_metric_value(bounds[i])) + ' ' +
                   std::to_string(h.cumulative_count(i)) + '\n';
          }
          out += name + "_bucket" + labels_text(e->label_names, labels, "le", "+Inf") + ' ' +
                 std::to_string(h.cumulative_count(bounds.size())) + '\n';
          out += name + "_sum" + labels_text(e->label_names, labels) + ' ' +
                 format_metric_value(h.sum()) + '\n';
          out += name + "_count" + labels_text(e->label_names, labels) + ' ' +
                 std::to_string(h.count()) + '\n';
        });
        break;
      case kCallbackKind:
        out += name + ' ' + format_metric_value(e->read ? e->read() : 0.0) + '\n';
        break;
      default:
        break;
    }
  }
  return out;
}

Registry& metrics() {
  static Registry registry;
  return registry;
}

std::string format_metric_value(double value) {
  if (std::isnan(value)) return "NaN";
  if (std::isinf(value)) return value > 0 ? "+Inf" : "-Inf";
  if (value == std::floor(value) && std::fabs(value) < 1e15) {
    return std::to_string(static_cast<long long>(value));
  }
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.17g", value);
  // Shortest representation that round-trips: try fewer digits first.
  for (int precision = 1; precision <= 17; ++precision) {
    char candidate[32];
    std::snprintf(candidate, sizeof candidate, "%.*g", precision, value);
    if (std::strtod(candidate, nullptr) == value) return candidate;
  }
  return buf;
}

std::string escape_label_value(std::string_view value) {
  std::string out;
  out.reserve(value.size());
  for (char c : value) {
    if (c == '\\') {
      out += "\\\\";
    } else if (c == '"') {
      out += "\\\"";
    } else if (c == '\n') {
      out += "\\n";
    } else {
      out += c;
    }
  }
  return out;
}

}  // namespace lottery::infra
