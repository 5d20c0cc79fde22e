// SPDX-License-Identifier: Apache-2.0
#include "scale/redis_connection.hpp"

#include <gtest/gtest.h>

#include <stdexcept>

namespace lottery::scale {
namespace {

TEST(RedisUrl, HostAndDefaults) {
  const RedisEndpoint e = parse_redis_url("redis://redis");
  EXPECT_EQ(e.host, "redis");
  EXPECT_EQ(e.port, 6379);
  EXPECT_TRUE(e.password.empty());
  EXPECT_EQ(e.db, 0U);
  EXPECT_EQ(e.label(), "redis:6379");
}

TEST(RedisUrl, PortPasswordUserDb) {
  const RedisEndpoint a = parse_redis_url("redis://:s3cret@10.0.0.5:6380/2");
  EXPECT_EQ(a.host, "10.0.0.5");
  EXPECT_EQ(a.port, 6380);
  EXPECT_EQ(a.user, "");
  EXPECT_EQ(a.password, "s3cret");
  EXPECT_EQ(a.db, 2U);
  EXPECT_EQ(a.label().find("s3cret"), std::string::npos);

  const RedisEndpoint b = parse_redis_url("redis://lottery:pw@cache.internal:7000");
  EXPECT_EQ(b.user, "lottery");
  EXPECT_EQ(b.password, "pw");

  // redis://password@host: the default user's password.
  const RedisEndpoint c = parse_redis_url("redis://onlypw@host");
  EXPECT_EQ(c.user, "");
  EXPECT_EQ(c.password, "onlypw");

  const RedisEndpoint v6 = parse_redis_url("redis://[::1]:6379");
  EXPECT_EQ(v6.host, "::1");
}

TEST(RedisUrl, Rejected) {
  for (const char* bad : {"http://redis:6379", "redis://", "redis://host:0", "redis://host/16",
                          "redis://host/x", "not a url", "rediss://host:6380"}) {
    EXPECT_THROW(parse_redis_url(bad), std::invalid_argument) << bad;
  }
}

TEST(RedisUrl, TlsRefusedWithAHint) {
  try {
    parse_redis_url("rediss://host:6380");
    FAIL() << "rediss accepted";
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find("TLS"), std::string::npos);
  }
}

}  // namespace
}  // namespace lottery::scale
