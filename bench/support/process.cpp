// SPDX-License-Identifier: Apache-2.0
#include "support/process.hpp"

#include <sys/resource.h>

#include <cstdlib>
#include <fstream>
#include <string>

namespace lottery::bench {
namespace {

long status_kib(const std::string& path, std::string_view field) {
  std::ifstream in(path);
  std::string line;
  while (std::getline(in, line)) {
    const std::string_view view = line;
    if (view.size() > field.size() && view.substr(0, field.size()) == field &&
        view[field.size()] == ':') {
      return std::atol(line.c_str() + field.size() + 1);
    }
  }
  return -1;
}

}  // namespace

long own_status_kib(std::string_view field) {
  return status_kib("/proc/self/status", field);
}

long process_status_kib(long pid, std::string_view field) {
  if (pid <= 0) return -1;
  return status_kib("/proc/" + std::to_string(pid) + "/status", field);
}

double own_cpu_seconds() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  const auto seconds = [](const timeval& t) {
    return static_cast<double>(t.tv_sec) + static_cast<double>(t.tv_usec) / 1e6;
  };
  return seconds(usage.ru_utime) + seconds(usage.ru_stime);
}

std::uint64_t raise_open_file_limit() {
  rlimit limit{};
  if (getrlimit(RLIMIT_NOFILE, &limit) != 0) return 0;
  if (limit.rlim_cur < limit.rlim_max) {
    const rlim_t before = limit.rlim_cur;
    limit.rlim_cur = limit.rlim_max;
    if (setrlimit(RLIMIT_NOFILE, &limit) != 0) limit.rlim_cur = before;
  }
  return static_cast<std::uint64_t>(limit.rlim_cur);
}

}  // namespace lottery::bench
