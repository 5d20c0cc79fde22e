// SPDX-License-Identifier: Apache-2.0
#include "process_runner.hpp"

#include <fcntl.h>
#include <poll.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>
#include <cerrno>
#include <csignal>
#include <stdexcept>
#include <system_error>

#include <array>
#include <fstream>
#include <sstream>
#include <thread>
#include <utility>

extern char** environ;

namespace lottery::integration {
namespace {

[[noreturn]] void throw_errno(int code, const char* what) {
  throw std::system_error(code, std::generic_category(), what);
}

/// Owns one file descriptor so every early exit closes it.
class Fd {
 public:
  Fd() = default;
  explicit Fd(int fd) noexcept : fd_(fd) {}
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  ~Fd() { reset(); }
  int get() const noexcept { return fd_; }
  void reset() noexcept {
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
  }
  int* out_ptr() noexcept { return &fd_; }

 private:
  int fd_ = -1;
};

struct Pipe {
  Fd read;
  Fd write;
};

void make_pipe(Pipe& p) {
  std::array<int, 2> fds{-1, -1};
  // O_CLOEXEC: other children spawned concurrently must not inherit our ends, or they would keep
  // the pipe open and our reader would never see EOF.
  if (::pipe2(fds.data(), O_CLOEXEC) != 0) throw_errno(errno, "pipe2");
  *p.read.out_ptr() = fds[0];
  *p.write.out_ptr() = fds[1];
}

/// posix_spawn attribute/action objects with guaranteed destruction.
struct SpawnSetup {
  posix_spawn_file_actions_t actions{};
  SpawnSetup() {
    if (const int rc = ::posix_spawn_file_actions_init(&actions); rc != 0) {
      throw_errno(rc, "posix_spawn_file_actions_init");
    }
  }
  SpawnSetup(const SpawnSetup&) = delete;
  SpawnSetup& operator=(const SpawnSetup&) = delete;
  ~SpawnSetup() { ::posix_spawn_file_actions_destroy(&actions); }
};

int decode_status(int status) {
  if (WIFEXITED(status)) return WEXITSTATUS(status);
  return -1;
}

}  // namespace

ProcessResult run_process(const std::vector<std::string>& argv, std::chrono::milliseconds timeout) {
  if (argv.empty()) throw std::invalid_argument("run_process: empty argv");

  Pipe out_pipe;
  Pipe err_pipe;
  make_pipe(out_pipe);
  make_pipe(err_pipe);

  SpawnSetup setup;
  auto check = [](int rc, const char* what) {
    if (rc != 0) throw_errno(rc, what);
  };
  check(::posix_spawn_file_actions_addopen(&setup.actions, STDIN_FILENO, "/dev/null", O_RDONLY, 0),
        "posix_spawn_file_actions_addopen");
  check(::posix_spawn_file_actions_adddup2(&setup.actions, out_pipe.write.get(), STDOUT_FILENO),
        "posix_spawn_file_actions_adddup2");
  check(::posix_spawn_file_actions_adddup2(&setup.actions, err_pipe.write.get(), STDERR_FILENO),
        "posix_spawn_file_actions_adddup2");

  std::vector<char*> args;
  args.reserve(argv.size() + 1);
  // posix_spawn takes char* const[] for historical reasons; it does not modify the strings.
  for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);

  pid_t pid = -1;
  if (const int rc =
          ::posix_spawn(&pid, argv[0].c_str(), &setup.actions, nullptr, args.data(), environ);
      rc != 0) {
    throw_errno(rc, ("posix_spawn " + argv[0]).c_str());
  }
  // Our copies of the write ends must go, or the reads below would never reach EOF.
  out_pipe.write.reset();
  err_pipe.write.reset();

  ProcessResult result;
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  std::array<char, 16384> buffer{};
  bool out_open = true;
  bool err_open = true;
  while (out_open || err_open) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) {
      result.timed_out = true;
      ::kill(pid, SIGKILL);
      break;
    }
    std::array<pollfd, 2> fds{};
    nfds_t count = 0;
    if (out_open) fds[count++] = pollfd{out_pipe.read.get(), POLLIN, 0};
    if (err_open) fds[count++] = pollfd{err_pipe.read.get(), POLLIN, 0};
    const int ready = ::poll(fds.data(), count, static_cast<int>(left.count()));
    if (ready < 0) {
      if (errno == EINTR) continue;
      const int saved = errno;
      ::kill(pid, SIGKILL);
      ::waitpid(pid, nullptr, 0);
      throw_errno(saved, "poll");
    }
    for (nfds_t i = 0; i < count; ++i) {
      if (fds[i].revents == 0) continue;
      const bool is_out = fds[i].fd == out_pipe.read.get();
      const ssize_t n = ::read(fds[i].fd, buffer.data(), buffer.size());
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) {
        (is_out ? out_open : err_open) = false;
        continue;
      }
      (is_out ? result.out : result.err).append(buffer.data(), static_cast<std::size_t>(n));
    }
  }

  int status = 0;
  while (::waitpid(pid, &status, 0) < 0) {
    if (errno != EINTR) throw_errno(errno, "waitpid");
  }
  result.exit_code = decode_status(status);
  return result;
}

BackgroundProcess::BackgroundProcess(const std::vector<std::string>& argv, std::string log_path,
                                     const SpawnOptions& options)
    : log_path_(std::move(log_path)) {
  if (argv.empty()) throw std::invalid_argument("BackgroundProcess: empty argv");
  SpawnSetup setup;
  auto check = [](int rc, const char* what) {
    if (rc != 0) throw_errno(rc, what);
  };
  check(::posix_spawn_file_actions_addopen(&setup.actions, STDIN_FILENO, "/dev/null", O_RDONLY, 0),
        "posix_spawn_file_actions_addopen");
  // A file rather than a pipe: nobody has to keep draining it while the test runs.
  check(::posix_spawn_file_actions_addopen(&setup.actions, STDOUT_FILENO, log_path_.c_str(),
                                           O_WRONLY | O_CREAT | O_TRUNC, 0644),
        "posix_spawn_file_actions_addopen");
  check(::posix_spawn_file_actions_adddup2(&setup.actions, STDOUT_FILENO, STDERR_FILENO),
        "posix_spawn_file_actions_adddup2");
  if (!options.working_dir.empty()) {
    check(::posix_spawn_file_actions_addchdir_np(&setup.actions, options.working_dir.c_str()),
          "posix_spawn_file_actions_addchdir_np");
  }
  std::vector<char*> args;
  args.reserve(argv.size() + 1);
  for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  std::vector<char*> envp;
  if (options.env) {
    for (const auto& e : *options.env) envp.push_back(const_cast<char*>(e.c_str()));
    envp.push_back(nullptr);
  }
  char* const* child_env = options.env ? envp.data() : environ;
  if (const int rc =
          ::posix_spawn(&pid_, argv[0].c_str(), &setup.actions, nullptr, args.data(), child_env);
      rc != 0) {
    pid_ = -1;
    throw_errno(rc, ("posix_spawn " + argv[0]).c_str());
  }
}

BackgroundProcess::~BackgroundProcess() {
  stop();
}

std::string BackgroundProcess::read_log() const {
  std::ifstream in(log_path_, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

std::optional<int> BackgroundProcess::poll() noexcept {
  if (pid_ < 0 || status_) return status_;
  int status = 0;
  const pid_t done = ::waitpid(pid_, &status, WNOHANG);
  if (done == pid_) {
    status_ = status;
  } else if (done < 0 && errno != EINTR) {
    status_ = -1;  // not our child any more; nothing left to wait for
  }
  return status_;
}

bool BackgroundProcess::running() noexcept {
  return pid_ >= 0 && !poll().has_value();
}

std::optional<int> BackgroundProcess::wait_exit(std::chrono::milliseconds timeout) noexcept {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (running()) {
    if (std::chrono::steady_clock::now() >= deadline) return std::nullopt;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return status_;
}

void BackgroundProcess::signal(int signal_number) const noexcept {
  if (pid_ >= 0 && !status_) ::kill(pid_, signal_number);
}

void BackgroundProcess::stop(std::chrono::milliseconds grace) noexcept {
  if (!running()) return;
  ::kill(pid_, SIGTERM);
  if (wait_exit(grace)) return;
  ::kill(pid_, SIGKILL);
  int status = 0;
  while (::waitpid(pid_, &status, 0) < 0 && errno == EINTR) {
  }
  status_ = status;
}

std::string format_command(const std::vector<std::string>& argv) {
  std::string text;
  for (const auto& arg : argv) {
    if (!text.empty()) text += ' ';
    const bool plain = !arg.empty() && arg.find_first_not_of(
                                           "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
                                           "0123456789_-+=./:,@%") == std::string::npos;
    if (plain) {
      text += arg;
      continue;
    }
    text += '\'';
    for (const char c : arg) {
      if (c == '\'') {
        text += "'\\''";
      } else {
        text += c;
      }
    }
    text += '\'';
  }
  return text;
}

}  // namespace lottery::integration
