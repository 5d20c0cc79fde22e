// SPDX-License-Identifier: Apache-2.0
#include "support/anvil_process.hpp"

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <regex>
#include <stdexcept>

namespace lottery::integration {

namespace {
namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using Clock = std::chrono::steady_clock;
}  // namespace

std::string http_post(std::uint16_t port, const std::string& body,
                      std::chrono::milliseconds timeout) {
  asio::io_context ctx;
  beast::tcp_stream stream(ctx);
  stream.expires_after(timeout);
  stream.connect(asio::ip::tcp::endpoint(asio::ip::make_address("127.0.0.1"), port));
  http::request<http::string_body> req{http::verb::post, "/", 11};
  req.set(http::field::host, "127.0.0.1");
  req.set(http::field::content_type, "application/json");
  req.body() = body;
  req.prepare_payload();
  http::write(stream, req);
  beast::flat_buffer buffer;
  http::response<http::string_body> res;
  http::read(stream, buffer, res);
  beast::error_code ignored;
  stream.socket().shutdown(asio::ip::tcp::socket::shutdown_both, ignored);
  return res.body();
}

std::string AnvilProcess::binary_path() {
  return std::string(LOTTERY_SOURCE_DIR) + "/node_modules/.bin/anvil";
}

bool AnvilProcess::available() {
  return std::filesystem::exists(binary_path());
}

AnvilProcess::AnvilProcess(AnvilOptions options) {
  std::vector<std::string> args{binary_path(),
                                "--host",
                                "127.0.0.1",
                                "--port",
                                "0",
                                "--chain-id",
                                std::to_string(options.chain_id)};
  if (options.block_time) {
    args.push_back("--block-time");
    args.push_back(std::to_string(*options.block_time));
  }
  args.insert(args.end(), options.extra_args.begin(), options.extra_args.end());
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);

  int fds[2];
  if (pipe2(fds, O_CLOEXEC) != 0)
    throw std::runtime_error(std::string("pipe failed: ") + std::strerror(errno));
  pid_ = fork();
  if (pid_ < 0) {
    close(fds[0]);
    close(fds[1]);
    throw std::runtime_error(std::string("fork failed: ") + std::strerror(errno));
  }
  if (pid_ == 0) {
    // Child: stdout+stderr into the pipe, stdin from /dev/null.
    dup2(fds[1], STDOUT_FILENO);
    dup2(fds[1], STDERR_FILENO);
    const int devnull = open("/dev/null", O_RDONLY);
    if (devnull >= 0) dup2(devnull, STDIN_FILENO);
    execv(argv[0], argv.data());
    _exit(127);
  }
  close(fds[1]);
  out_fd_ = fds[0];
  // Drain Anvil's output for its whole life so it never blocks on a full pipe.
  reader_ = std::thread([this] {
    char buf[4096];
    for (;;) {
      const auto n = read(out_fd_, buf, sizeof buf);
      if (n <= 0) {
        if (n < 0 && errno == EINTR) continue;
        break;
      }
      std::lock_guard lock(mutex_);
      output_.append(buf, static_cast<std::size_t>(n));
    }
  });

  const auto deadline = Clock::now() + options.startup_timeout;
  static const std::regex kListening(R"(Listening on 127\.0\.0\.1:(\d+))");
  while (port_ == 0) {
    {
      std::smatch m;
      const std::string out = output();
      if (std::regex_search(out, m, kListening))
        port_ = static_cast<std::uint16_t>(std::stoi(m[1].str()));
    }
    if (port_ != 0) break;
    int status = 0;
    if (waitpid(pid_, &status, WNOHANG) == pid_) {
      pid_ = -1;
      reader_.join();
      throw std::runtime_error("anvil exited during start-up:\n" + output());
    }
    if (Clock::now() > deadline) {
      stop();
      throw std::runtime_error("anvil did not print its port in time:\n" + output());
    }
    std::this_thread::sleep_for(std::chrono::milliseconds{20});
  }
  for (;;) {
    try {
      const auto reply = rpc("eth_chainId");
      if (reply.find("\"result\"") != std::string::npos) break;
    } catch (const std::exception&) {
      // not ready yet
    }
    if (Clock::now() > deadline) {
      stop();
      throw std::runtime_error("anvil did not answer eth_chainId in time:\n" + output());
    }
    std::this_thread::sleep_for(std::chrono::milliseconds{20});
  }
}

AnvilProcess::~AnvilProcess() {
  stop();
}

std::string AnvilProcess::output() const {
  std::lock_guard lock(mutex_);
  return output_;
}

std::string AnvilProcess::rpc(const std::string& method, const std::string& params_json) const {
  const std::string body =
      R"({"jsonrpc":"2.0","id":1,"method":")" + method + R"(","params":)" + params_json + "}";
  return http_post(port_, body, std::chrono::milliseconds{10'000});
}

void AnvilProcess::stop(std::chrono::milliseconds grace) {
  if (pid_ > 0) {
    kill(pid_, SIGTERM);
    const auto deadline = Clock::now() + grace;
    bool reaped = false;
    while (Clock::now() < deadline) {
      int status = 0;
      if (waitpid(pid_, &status, WNOHANG) == pid_) {
        reaped = true;
        break;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds{10});
    }
    if (!reaped) {
      kill(pid_, SIGKILL);
      int status = 0;
      waitpid(pid_, &status, 0);
    }
    pid_ = -1;
  }
  if (reader_.joinable()) reader_.join();
  if (out_fd_ >= 0) {
    close(out_fd_);
    out_fd_ = -1;
  }
}

}  // namespace lottery::integration
