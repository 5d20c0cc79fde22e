// SPDX-License-Identifier: Apache-2.0
// Tests of infra/metrics (the registry behind /metrics), kept with the server
// tests because the server is its first user.
#include "infra/metrics.hpp"

#include <gtest/gtest.h>

#include <thread>
#include <vector>

namespace lottery::infra {
namespace {

TEST(Metrics, CounterAndGaugeRender) {
  Registry reg;
  auto& requests = reg.counter("app_requests_total", "Requests by route", {"route", "status"});
  requests.with({"/a", "200"}).inc();
  requests.with({"/a", "200"}).inc(2);
  requests.with({"/b", "404"}).inc();
  requests.with({"/a", "200"}).inc(-5);  // ignored
  reg.gauge("app_clients", "Clients").with({}).set(3);
  const std::string text = reg.render();
  EXPECT_EQ(text,
            "# HELP app_clients Clients\n"
            "# TYPE app_clients gauge\n"
            "app_clients 3\n"
            "# HELP app_requests_total Requests by route\n"
            "# TYPE app_requests_total counter\n"
            "app_requests_total{route=\"/a\",status=\"200\"} 3\n"
            "app_requests_total{route=\"/b\",status=\"404\"} 1\n");
}

TEST(Metrics, HistogramBucketsAreCumulative) {
  Registry reg;
  auto& h = reg.histogram("lat_seconds", "Latency", {}, {0.1, 1.0}).with({});
  h.observe(0.05);
  h.observe(0.1);
  h.observe(0.5);
  h.observe(7);
  EXPECT_EQ(h.count(), 4u);
  EXPECT_DOUBLE_EQ(h.sum(), 7.65);
  const std::string text = reg.render();
  EXPECT_NE(text.find("lat_seconds_bucket{le=\"0.1\"} 2\n"), std::string::npos) << text;
  EXPECT_NE(text.find("lat_seconds_bucket{le=\"1\"} 3\n"), std::string::npos) << text;
  EXPECT_NE(text.find("lat_seconds_bucket{le=\"+Inf\"} 4\n"), std::string::npos) << text;
  EXPECT_NE(text.find("lat_seconds_sum 7.65\n"), std::string::npos) << text;
  EXPECT_NE(text.find("lat_seconds_count 4\n"), std::string::npos) << text;
}

TEST(Metrics, LabelEscapingAndValues) {
  EXPECT_EQ(escape_label_value("a\"b\\c\nd"), "a\\\"b\\\\c\\nd");
  EXPECT_EQ(format_metric_value(1), "1");
  EXPECT_EQ(format_metric_value(0.25), "0.25");
  EXPECT_EQ(format_metric_value(-2), "-2");
  EXPECT_EQ(format_metric_value(1.0 / 0.0), "+Inf");
  EXPECT_EQ(format_metric_value(0.1 + 0.2), "0.30000000000000004");
}

TEST(Metrics, ReRegistrationReturnsSameFamilyOrThrows) {
  Registry reg;
  auto& a = reg.counter("x_total", "X", {"k"});
  auto& b = reg.counter("x_total", "X", {"k"});
  EXPECT_EQ(&a, &b);
  EXPECT_THROW(reg.gauge("x_total", "X", {"k"}), std::invalid_argument);
  EXPECT_THROW(reg.counter("x_total", "X", {"other"}), std::invalid_argument);
}

TEST(Metrics, CallbackGauge) {
  Registry reg;
  double value = 1.5;
  reg.gauge_callback("lag_blocks", "Head lag", [&] { return value; });
  EXPECT_NE(reg.render().find("lag_blocks 1.5\n"), std::string::npos);
  value = 4;
  EXPECT_NE(reg.render().find("lag_blocks 4\n"), std::string::npos);
}

TEST(Metrics, ConcurrentIncrementsAreNotLost) {
  Registry reg;
  auto& family = reg.counter("hits_total", "Hits", {"t"});
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&family] {
      for (int i = 0; i < 10000; ++i) family.with({"same"}).inc();
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_DOUBLE_EQ(family.with({"same"}).value(), 40000.0);
}

}  // namespace
}  // namespace lottery::infra
