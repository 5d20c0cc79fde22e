// SPDX-License-Identifier: Apache-2.0
// The logging tests parse the JSON lines they produce. lottery_logging itself
// does not use Boost.JSON, so unit_logging is not linked against the compiled
// library; this TU builds Boost.JSON's header-only implementation instead.
#include <boost/json/src.hpp>
