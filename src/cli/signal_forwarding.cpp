#include "signal_forwarding.hpp"

#include <signal.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cerrno>

#include <meshmpc/error.hpp>

namespace meshmpc::cli {

namespace {

// The handler may run on any thread at any moment, so it reads only these atomics
// and the saved dispositions, and calls only async-signal-safe functions.
std::atomic<bool> g_live{false};
std::atomic<pid_t> g_owner{0};
std::atomic<std::atomic<pid_t>*> g_children{nullptr};
std::atomic<std::size_t> g_child_count{0};
std::atomic<long> g_grace_ms{2000};
std::atomic<bool> g_forwarded{false};
struct sigaction g_old_int {};
struct sigaction g_old_term {};

long monotonic_ms() {
  timespec ts{};
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec * 1000L + ts.tv_nsec / 1'000'000L;
}

void sleep_ms(long ms) {
  timespec ts{ms / 1000, (ms % 1000) * 1'000'000L};
  while (nanosleep(&ts, &ts) != 0 && errno == EINTR) {
  }
}

// SIGTERM, a grace period, SIGKILL, and reap: from the signal handler, where the
// process is about to die by the default action and nobody else will reap.
void stop_children_signal_safe(std::atomic<pid_t>* children, std::size_t count) {
  const long deadline = monotonic_ms() + g_grace_ms.load();
  for (;;) {
    bool running = false;
    for (std::size_t i = 0; i < count; ++i) {
      const pid_t pid = children[i].load();
      if (pid <= 0) continue;
      int status = 0;
      const pid_t r = waitpid(pid, &status, WNOHANG);
      if (r == pid || (r < 0 && errno == ECHILD)) {
        children[i].store(0);
      } else {
        running = true;
      }
    }
    if (!running) return;
    if (monotonic_ms() >= deadline) break;
    sleep_ms(10);
  }
  for (std::size_t i = 0; i < count; ++i) {
    const pid_t pid = children[i].exchange(0);
    if (pid <= 0) continue;
    kill(pid, SIGKILL);
    int status = 0;
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
  }
}

extern "C" void forward_signal(int sig, siginfo_t* info, void* context) {
  const int saved_errno = errno;
  // A child between fork and execve still has this handler: it must not act.
  if (getpid() == g_owner.load()) {
    std::atomic<pid_t>* const children = g_children.load();
    const std::size_t count = g_child_count.load();
    for (std::size_t i = 0; children && i < count; ++i) {
      const pid_t pid = children[i].load();
      if (pid > 0) {
        g_forwarded.store(true);
        kill(pid, SIGTERM);
      }
    }
    const struct sigaction& old = sig == SIGINT ? g_old_int : g_old_term;
    if ((old.sa_flags & SA_SIGINFO) != 0) {
      // The program's own handler (e.g. an asio::signal_set) shuts it down cleanly;
      // Launcher::wait or the destructor then reaps the children.
      if (old.sa_sigaction) old.sa_sigaction(sig, info, context);
    } else if (old.sa_handler == SIG_DFL) {
      if (children) stop_children_signal_safe(children, count);
      struct sigaction dfl {};
      dfl.sa_handler = SIG_DFL;
      sigemptyset(&dfl.sa_mask);
      sigaction(sig, &dfl, nullptr);
      raise(sig);  // pending until this handler returns, then the default action
    } else {
      old.sa_handler(sig);  // never SIG_IGN: install_handler leaves those alone
    }
  }
  errno = saved_errno;
}

void install_handler(int sig, struct sigaction& old) {
  sigaction(sig, nullptr, &old);
  // A process that ignores the signal (nohup, a shell's background job) keeps
  // ignoring it, and so do its parties.
  if ((old.sa_flags & SA_SIGINFO) == 0 && old.sa_handler == SIG_IGN) return;
  struct sigaction sa {};
  sa.sa_sigaction = forward_signal;
  sa.sa_flags = SA_SIGINFO | SA_RESTART;
  sigemptyset(&sa.sa_mask);
  sigaddset(&sa.sa_mask, SIGINT);
  sigaddset(&sa.sa_mask, SIGTERM);
  sigaction(sig, &sa, nullptr);
}

void restore_handler(int sig, const struct sigaction& old) {
  struct sigaction current {};
  sigaction(sig, nullptr, &current);
  // Leave alone a handler the program installed after ours.
  if ((current.sa_flags & SA_SIGINFO) != 0 && current.sa_sigaction == forward_signal) sigaction(sig, &old, nullptr);
}

}  // namespace

LauncherSlot::LauncherSlot() {
  if (g_live.exchange(true)) throw Error("launcher: another Launcher is already running in this process");
}

LauncherSlot::~LauncherSlot() { g_live.store(false); }

void forward_signals(std::span<std::atomic<pid_t>> children, std::chrono::milliseconds grace) {
  g_grace_ms.store(static_cast<long>(grace.count()));
  g_forwarded.store(false);
  g_children.store(children.data());
  g_child_count.store(children.size());
  g_owner.store(::getpid());
  install_handler(SIGINT, g_old_int);
  install_handler(SIGTERM, g_old_term);
}

void stop_forwarding_signals() {
  restore_handler(SIGINT, g_old_int);
  restore_handler(SIGTERM, g_old_term);
  g_child_count.store(0);
  g_children.store(nullptr);
  g_owner.store(0);
}

bool signal_was_forwarded() { return g_forwarded.load(); }

}  // namespace meshmpc::cli
