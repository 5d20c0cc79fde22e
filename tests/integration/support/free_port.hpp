// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <cstdint>

namespace lottery::integration {

/// A TCP port on 127.0.0.1 that was free a moment ago: binds port 0, reads
/// the port back and releases it. For children that must be told their port
/// up front (`lottery serve`, redis-server); racy in principle, fine on a test
/// machine. Throws std::runtime_error when no socket can be bound.
std::uint16_t free_loopback_port();

}  // namespace lottery::integration
