// SPDX-License-Identifier: Apache-2.0
#pragma once

// Internal: turns an applied event into its activity-feed item.

#include "store/events.hpp"
#include "store/types.hpp"

#include <cstdint>

namespace lottery::store::detail {

/// The feed item for `event`: type = event name, a one-sentence message,
/// the event's fields as details (wei as decimal strings, addresses EIP-55).
Activity describe_event(const ChainEvent& event, std::uint64_t activity_id);

}  // namespace lottery::store::detail
