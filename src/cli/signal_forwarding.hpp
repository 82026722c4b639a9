#pragma once
// SIGINT/SIGTERM to a launcher reach its children: process-wide state, so one live
// Launcher at a time. Private to the cli (launcher.cpp).
#include <sys/types.h>

#include <atomic>
#include <chrono>
#include <span>

namespace meshmpc::cli {

// The process-wide claim of the one live Launcher, held from its start to its end.
class LauncherSlot {
 public:
  LauncherSlot();  // throws Error when another Launcher holds it
  ~LauncherSlot();
  LauncherSlot(const LauncherSlot&) = delete;
  LauncherSlot& operator=(const LauncherSlot&) = delete;
};

// From now on a SIGINT or SIGTERM to this process sends SIGTERM to every child in
// `children` (a pid, or 0 once reaped), then goes on to the handler that was there
// before: the program's own (an asio::signal_set shuts it down, and the Launcher
// reaps), or the default action — then the handler itself stops the children (SIGKILL
// after `grace`) and reaps them before the process dies. An ignored signal stays
// ignored. `children` must stay valid until stop_forwarding_signals().
void forward_signals(std::span<std::atomic<pid_t>> children, std::chrono::milliseconds grace);

// Puts back the handlers forward_signals replaced (not one the program installed
// since) and forgets the children.
void stop_forwarding_signals();

// Whether a signal was forwarded to the children since forward_signals: a child
// that SIGTERM then ended was stopped by the launcher, not a failure.
bool signal_was_forwarded();

}  // namespace meshmpc::cli
