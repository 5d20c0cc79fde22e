// SPDX-License-Identifier: Apache-2.0
#include "free_port.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <stdexcept>

namespace lottery::integration {

std::uint16_t free_loopback_port() {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) throw std::runtime_error("free_loopback_port: socket() failed");
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = 0;
  socklen_t len = sizeof(addr);
  // NOLINTNEXTLINE(cppcoreguidelines-pro-type-reinterpret-cast): the sockets API takes sockaddr*.
  auto* raw = reinterpret_cast<sockaddr*>(&addr);
  if (::bind(fd, raw, sizeof(addr)) != 0 || ::getsockname(fd, raw, &len) != 0) {
    ::close(fd);
    throw std::runtime_error("free_loopback_port: bind/getsockname on 127.0.0.1 failed");
  }
  ::close(fd);
  return ntohs(addr.sin_port);
}

}  // namespace lottery::integration
