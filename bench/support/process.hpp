// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <cstdint>
#include <string_view>

namespace lottery::bench {

/// The figure of a "<field>:   <n> kB" line of /proc/self/status (VmRSS, VmHWM, ...): n, or -1
/// when the field is not there.
long own_status_kib(std::string_view field);

/// The same from /proc/<pid>/status of another process: -1 also when `pid` <= 0 (none given)
/// or the process is gone.
long process_status_kib(long pid, std::string_view field);

/// User + system CPU time of this process (all threads), in seconds.
double own_cpu_seconds();

/// Raises this process's soft limit on open files to its hard limit (a harness holds one
/// descriptor per WebSocket client); returns the soft limit in force afterwards, 0 when it
/// cannot be read.
std::uint64_t raise_open_file_limit();

}  // namespace lottery::bench
