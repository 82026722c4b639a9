#pragma once
// The local launcher: with -M N and no -I, a program runs all N parties on this
// machine, as MPyC does. The calling process becomes party 0; parties 1..N-1 are
// the same program re-executed with "-I i -P 127.0.0.1:port ... --session-id X"
// inserted after argv[0]. Their output lines are relayed prefixed "[party i] ".
//
//   RunOptions opts = parser.parse(argc, argv);
//   std::optional<Launcher> launcher;
//   if (opts.local_launch()) { launcher.emplace(opts); opts = launcher->options(); }
//   int status = run_party(opts, field, program);   // catch and turn errors into 1
//   return launcher ? launcher->wait(status) : status;
//
// No child outlives the launcher: the destructor, wait() after a failure of party 0,
// and SIGINT/SIGTERM to this process all stop them (SIGTERM, then SIGKILL after a
// grace period) and reap them; each child also gets SIGTERM when the thread that
// created the Launcher exits (PR_SET_PDEATHSIG), so create it on the main thread.
#include <sys/types.h>

#include <chrono>
#include <cstddef>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include <meshmpc/cli/options.hpp>
#include <meshmpc/net/roster.hpp>

namespace meshmpc::cli {

enum class Stream { out, err };

struct LaunchSpec {
  // The program to start for parties 1..N-1, and its argv (argv[0] first; empty:
  // the options' own argv). Tests point these at a helper program.
  std::string executable = "/proc/self/exe";
  std::vector<std::string> argv;
  // How long a child may take to exit after SIGTERM before it gets SIGKILL.
  std::chrono::milliseconds grace{2000};
  // Each complete line a child writes (without its newline). Default: write
  // "[party i] line" to this process's stdout or stderr.
  std::function<void(std::size_t party, Stream stream, std::string_view line)> on_line;
  // The launcher's own report (failed parties). Default: a line on stderr.
  std::function<void(std::string_view message)> on_report;
};

// How one child ended.
struct PartyExit {
  std::size_t party = 0;
  pid_t pid = 0;
  bool exited = false;  // exited normally with `code`; otherwise killed by `signal`
  int code = 0;
  int signal = 0;
  // The launcher stopped it (party 0 failed, terminate(), destruction): the signal
  // that ended it is the one the launcher sent. A child that had already ended,
  // or that something else killed, is not "stopped".
  bool stopped = false;
  bool ok() const { return exited && code == 0; }
  // "party 2 exited with code 3", "party 1 was killed by signal 9 (SIGKILL, Killed)"
  std::string describe() const;
};

class Launcher {
 public:
  // Picks N free loopback ports (or base port + i if -B was given), generates the
  // session id (unless --session-id was given), installs the SIGINT/SIGTERM
  // forwarding and starts parties 1..N-1. -M 1 starts nothing. Throws ConfigError
  // when options is not a local launch (it has -I), Error when a child cannot be
  // started (the ones already started are stopped first) or another Launcher is live.
  explicit Launcher(const RunOptions& options, LaunchSpec spec = {});
  ~Launcher();  // stops and reaps children still running, joins the relay
  Launcher(const Launcher&) = delete;
  Launcher& operator=(const Launcher&) = delete;

  // Party 0's options: index 0, the loopback addresses, the session id.
  const RunOptions& options() const;
  // make_roster(options()).
  const net::Roster& roster() const;
  // The child of party k is child_pids()[k - 1].
  std::vector<pid_t> child_pids() const;

  // Waits for every child (after stopping them if own_status != 0), relays their
  // last output, reports each failed party through on_report and returns
  // own_status if non-zero, else 1 if any child failed, else 0. Call once.
  int wait(int own_status);
  // How each child ended, in party order; complete after wait().
  const std::vector<PartyExit>& exits() const;

  // SIGTERM to every running child, SIGKILL to those still running after the
  // grace period; reaps them all.
  void terminate();

 private:
  struct State;
  std::unique_ptr<State> state_;
};

}  // namespace meshmpc::cli
