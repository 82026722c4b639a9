#pragma once
// A local launch's parties 1..N-1 as child processes: starting one, and keeping
// track of each until it is reaped. Private to the cli (launcher.cpp).
#include <sys/types.h>

#include <atomic>
#include <chrono>
#include <cstddef>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include <meshmpc/cli/launcher.hpp>

namespace meshmpc::cli {

// The descriptors a child gets as its stdin, stdout and stderr.
struct ChildStdio {
  int in = -1;
  int out = -1;
  int err = -1;
};

// Starts `executable` as party `party` with `argv` (argv[0] first), this process's
// environment plus `variable` ("NAME=value", replacing any NAME= already there),
// `stdio` as its standard descriptors and no other descriptor of ours; it gets
// SIGTERM when the calling thread exits (PR_SET_PDEATHSIG). Returns once execve
// has succeeded; throws Error naming the party and the cause otherwise.
pid_t spawn_child(std::size_t party, const std::string& executable, const std::vector<std::string>& argv,
                  const std::string& variable, ChildStdio stdio);

// The children of one launcher, party k at index k - 1: their pids, whether each is
// reaped, how it ended, and the signal handler's view of those still running.
class Children {
 public:
  explicit Children(std::size_t count);

  std::size_t size() const { return pids_.size(); }
  const std::vector<pid_t>& pids() const { return pids_; }
  // Complete once every child is reaped.
  const std::vector<PartyExit>& exits() const { return exits_; }
  // A pid per child, 0 before it starts and once it is reaped (signal_forwarding.hpp).
  std::span<std::atomic<pid_t>> running() { return {running_.get(), pids_.size()}; }

  void started(std::size_t k, pid_t pid);
  bool any_unreaped() const;
  // Waits for every child still running.
  void reap_all();
  // SIGTERM to every running child, SIGKILL to those still running after `grace`;
  // reaps them all. Children that had already ended are reaped first, so they are
  // reported for what happened to them, not as stopped by us.
  void stop_all(std::chrono::milliseconds grace);

 private:
  void record(std::size_t k, int status);
  void reap(std::size_t k);
  bool reap_if_ended(std::size_t k);
  void send_signal(std::size_t k, int sig);

  std::vector<pid_t> pids_;
  std::unique_ptr<std::atomic<pid_t>[]> running_;
  std::vector<bool> reaped_;
  // The last signal the launcher itself sent each child (0: none). A child is
  // "stopped" only when that signal is what ended it: one that died on its own
  // (crashed, or was killed by someone else) before we stopped it is a failure.
  std::vector<int> sent_;
  std::vector<PartyExit> exits_;
};

}  // namespace meshmpc::cli
