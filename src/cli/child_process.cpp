#include "child_process.hpp"

#include "fd_io.hpp"
#include "signal_forwarding.hpp"

#include <fcntl.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <thread>

#include <meshmpc/error.hpp>

namespace meshmpc::cli {

namespace {

// This process's environment with `variable` ("NAME=value") in place of any NAME=.
// The pointers stay valid while `variable` and the environment do.
std::vector<char*> environment_with(const std::string& variable) {
  const std::size_t name_length = variable.find('=') + 1;
  std::vector<char*> environment;
  for (char** entry = environ; *entry; ++entry) {
    if (std::strncmp(*entry, variable.c_str(), name_length) != 0) environment.push_back(*entry);
  }
  environment.push_back(const_cast<char*>(variable.c_str()));
  environment.push_back(nullptr);
  return environment;
}

// The child's side of spawn_child, between fork and execve. The child of a possibly
// multi-threaded process: async-signal-safe calls only. On failure it writes errno
// to status_fd for the parent.
[[noreturn]] void exec_child(pid_t parent, const char* executable, char* const* args, char* const* environment,
                             ChildStdio stdio, int status_fd) {
  sigset_t none;
  sigemptyset(&none);
  sigprocmask(SIG_SETMASK, &none, nullptr);
  if (prctl(PR_SET_PDEATHSIG, SIGTERM) != 0 || getppid() != parent) _exit(127);
  dup2(stdio.in, 0);
  dup2(stdio.out, 1);
  dup2(stdio.err, 2);
  // No other descriptor of the launcher (other children's pipes) reaches the child.
  const unsigned keep = static_cast<unsigned>(status_fd);
  if (keep > 3) close_range(3, keep - 1, 0);
  close_range(keep + 1, ~0U, 0);
  execve(executable, args, environment);
  const int e = errno;
  [[maybe_unused]] const ssize_t w = ::write(status_fd, &e, sizeof e);
  _exit(127);
}

PartyExit exit_from_status(std::size_t party, pid_t pid, int status) {
  PartyExit e;
  e.party = party;
  e.pid = pid;
  if (WIFEXITED(status)) {
    e.exited = true;
    e.code = WEXITSTATUS(status);
  } else if (WIFSIGNALED(status)) {
    e.signal = WTERMSIG(status);
  }
  return e;
}

}  // namespace

std::string PartyExit::describe() const {
  std::string text = "party " + std::to_string(party);
  if (exited) return text + " exited with code " + std::to_string(code);
  // "SIGKILL, Killed": the name people grep for, then the C library's description.
  const char* abbrev = sigabbrev_np(signal);
  const char* description = sigdescr_np(signal);
  std::string name = abbrev ? "SIG" + std::string(abbrev) : "";
  if (description) name += (name.empty() ? "" : ", ") + std::string(description);
  return text + " was killed by signal " + std::to_string(signal) + (name.empty() ? "" : " (" + name + ")");
}

pid_t spawn_child(std::size_t party, const std::string& executable, const std::vector<std::string>& argv,
                  const std::string& variable, ChildStdio stdio) {
  // Built before fork: the child may only make async-signal-safe calls.
  std::vector<char*> args;
  for (const std::string& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  const std::vector<char*> environment = environment_with(variable);
  const std::string failed = "launcher: cannot start party " + std::to_string(party) + ": ";
  // Closed on a successful execve; carries errno back when it fails.
  int status_pipe[2];
  if (::pipe2(status_pipe, O_CLOEXEC) != 0) throw Error(failed + "pipe: " + errno_text(errno));
  const pid_t parent = ::getpid();
  const pid_t pid = ::fork();
  if (pid < 0) {
    const int e = errno;
    close_fd(status_pipe[0]);
    close_fd(status_pipe[1]);
    throw Error(failed + "fork: " + errno_text(e));
  }
  if (pid == 0) exec_child(parent, executable.c_str(), args.data(), environment.data(), stdio, status_pipe[1]);
  close_fd(status_pipe[1]);
  int exec_errno = 0;
  ssize_t n;
  while ((n = ::read(status_pipe[0], &exec_errno, sizeof exec_errno)) < 0 && errno == EINTR) {
  }
  close_fd(status_pipe[0]);
  if (n == static_cast<ssize_t>(sizeof exec_errno)) {
    int status = 0;
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
    throw Error(failed + executable + ": " + errno_text(exec_errno));
  }
  return pid;
}

Children::Children(std::size_t count)
    : pids_(count, 0),
      running_(std::make_unique<std::atomic<pid_t>[]>(count)),
      reaped_(count, true),  // nothing to reap until started
      sent_(count, 0),
      exits_(count) {
  for (std::size_t k = 0; k < count; ++k) running_[k].store(0);
}

void Children::started(std::size_t k, pid_t pid) {
  pids_[k] = pid;
  reaped_[k] = false;
  running_[k].store(pid);
}

bool Children::any_unreaped() const { return std::find(reaped_.begin(), reaped_.end(), false) != reaped_.end(); }

void Children::reap_all() {
  for (std::size_t k = 0; k < size(); ++k) {
    if (!reaped_[k]) reap(k);
  }
}

void Children::stop_all(std::chrono::milliseconds grace) {
  for (std::size_t k = 0; k < size(); ++k) {
    if (!reaped_[k] && !reap_if_ended(k)) send_signal(k, SIGTERM);
  }
  const auto deadline = std::chrono::steady_clock::now() + grace;
  for (;;) {
    bool any = false;
    for (std::size_t k = 0; k < size(); ++k) {
      if (!reaped_[k] && !reap_if_ended(k)) any = true;
    }
    if (!any || std::chrono::steady_clock::now() >= deadline) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  for (std::size_t k = 0; k < size(); ++k) {
    if (reaped_[k]) continue;
    send_signal(k, SIGKILL);
    reap(k);
  }
}

void Children::record(std::size_t k, int status) {
  PartyExit e = exit_from_status(k + 1, pids_[k], status);
  e.stopped = !e.exited && ((sent_[k] != 0 && e.signal == sent_[k]) || (signal_was_forwarded() && e.signal == SIGTERM));
  exits_[k] = e;
  reaped_[k] = true;
  running_[k].store(0);
}

// Blocking wait for child k (index k - 1 of party k).
void Children::reap(std::size_t k) {
  int status = 0;
  pid_t r;
  while ((r = waitpid(pids_[k], &status, 0)) < 0 && errno == EINTR) {
  }
  if (r < 0) {
    // Reaped elsewhere (the program's own waitpid(-1)); its status is lost.
    exits_[k] = PartyExit{k + 1, pids_[k], false, 0, 0, sent_[k] != 0};
    reaped_[k] = true;
    running_[k].store(0);
    return;
  }
  record(k, status);
}

// Reaps child k if it has ended, without waiting; false while it runs.
bool Children::reap_if_ended(std::size_t k) {
  int status = 0;
  const pid_t r = waitpid(pids_[k], &status, WNOHANG);
  if (r == pids_[k]) {
    record(k, status);
  } else if (r < 0 && errno != EINTR) {
    reap(k);  // ECHILD: records it as gone
  } else {
    return false;
  }
  return true;
}

void Children::send_signal(std::size_t k, int sig) {
  sent_[k] = sig;
  kill(pids_[k], sig);
}

}  // namespace meshmpc::cli
