// SPDX-License-Identifier: Apache-2.0
#include "app/demo_anvil.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <regex>
#include <sstream>
#include <stdexcept>
#include <thread>
#include <vector>

namespace lottery::app {
namespace {

using Clock = std::chrono::steady_clock;

std::string read_file(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

}  // namespace

std::optional<std::uint16_t> parse_anvil_port(const std::string& output) {
  static const std::regex kListening(
      R"(Listening on (?:127\.0\.0\.1|0\.0\.0\.0|\[::1?\]):(\d{1,5}))");
  std::smatch match;
  if (!std::regex_search(output, match, kListening)) return std::nullopt;
  const unsigned long port = std::stoul(match[1].str());
  if (port == 0 || port > 65535) return std::nullopt;
  return static_cast<std::uint16_t>(port);
}

bool port_is_free(std::uint16_t port) {
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return false;
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(port);
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  const int one = 1;
  ::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  const bool free = ::bind(fd, reinterpret_cast<const sockaddr*>(&addr), sizeof addr) == 0;
  ::close(fd);
  return free;
}

std::uint16_t pick_free_port() {
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return 0;
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = 0;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  std::uint16_t port = 0;
  socklen_t length = sizeof addr;
  if (::bind(fd, reinterpret_cast<const sockaddr*>(&addr), sizeof addr) == 0 &&
      ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &length) == 0) {
    port = ntohs(addr.sin_port);
  }
  ::close(fd);
  return port;
}

DemoAnvil::DemoAnvil(DemoAnvilOptions options, const std::function<bool()>& cancelled)
    : options_(std::move(options)) {
  // Everything the child needs is prepared before fork(): between fork and
  // exec only async-signal-safe calls are allowed in a threaded process.
  std::vector<std::string> args{options_.binary.string(),
                                "--host",
                                "127.0.0.1",
                                "--port",
                                std::to_string(options_.port),
                                "--chain-id",
                                std::to_string(options_.chain_id),
                                "--block-time",
                                std::to_string(options_.block_time_seconds)};
  std::vector<char*> argv;
  argv.reserve(args.size() + 1);
  for (auto& arg : args) argv.push_back(arg.data());
  argv.push_back(nullptr);
  const std::string log_path = options_.log_file.string();
  const pid_t parent = ::getpid();

  pid_ = ::fork();
  if (pid_ < 0)
    throw std::runtime_error(std::string("cannot start Anvil: fork failed: ") +
                             std::strerror(errno));
  if (pid_ == 0) {
    ::setpgid(0, 0);
    ::prctl(PR_SET_PDEATHSIG, SIGTERM);
    if (::getppid() != parent) ::_exit(126);  // the demo died before prctl took effect
    sigset_t none;
    sigemptyset(&none);
    ::sigprocmask(SIG_SETMASK, &none, nullptr);
    ::signal(SIGINT, SIG_DFL);
    ::signal(SIGTERM, SIG_DFL);
    const int log = ::open(log_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    const int null = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
    if (log < 0 || null < 0) ::_exit(127);
    ::dup2(null, STDIN_FILENO);
    ::dup2(log, STDOUT_FILENO);
    ::dup2(log, STDERR_FILENO);
    ::execv(argv[0], argv.data());
    ::_exit(127);
  }
  // Also from the parent's side, so a signal to the group cannot race the child's setpgid.
  ::setpgid(pid_, pid_);

  const auto deadline = Clock::now() + options_.startup_timeout;
  for (;;) {
    if (auto port = parse_anvil_port(read_file(options_.log_file))) {
      port_ = *port;
      return;
    }
    if (!running()) {
      throw std::runtime_error("Anvil (" + options_.binary.string() +
                               ") exited during start-up:\n" + log_tail());
    }
    if (cancelled && cancelled()) {
      stop();
      throw std::runtime_error("cancelled while Anvil was starting");
    }
    if (Clock::now() > deadline) {
      const std::string tail = log_tail();
      stop();
      throw std::runtime_error("Anvil did not start listening within " +
                               std::to_string(options_.startup_timeout.count() / 1000) + " s:\n" +
                               tail);
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
}

DemoAnvil::~DemoAnvil() {
  stop();
}

std::string DemoAnvil::http_url() const {
  return "http://127.0.0.1:" + std::to_string(port_);
}

std::string DemoAnvil::ws_url() const {
  return "ws://127.0.0.1:" + std::to_string(port_);
}

bool DemoAnvil::reap_locked(bool wait) {
  if (pid_ <= 0 || exited_) return true;
  int status = 0;
  const pid_t r = ::waitpid(pid_, &status, wait ? 0 : WNOHANG);
  if (r == pid_ || (r < 0 && errno == ECHILD)) exited_ = true;
  return exited_;
}

bool DemoAnvil::running() {
  std::lock_guard lock(mutex_);
  return !reap_locked(false);
}

void DemoAnvil::stop(std::chrono::milliseconds grace) {
  std::lock_guard lock(mutex_);
  if (pid_ <= 0 || reap_locked(false)) return;
  ::kill(pid_, SIGTERM);
  const auto deadline = Clock::now() + grace;
  while (Clock::now() < deadline) {
    if (reap_locked(false)) return;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  ::kill(pid_, SIGKILL);
  reap_locked(true);
}

std::string DemoAnvil::log_tail(std::size_t max_bytes) const {
  std::string log = read_file(options_.log_file);
  if (log.size() <= max_bytes) return log;
  return log.substr(log.size() - max_bytes);
}

}  // namespace lottery::app
