#include <meshmpc/cli/launcher.hpp>

#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <mutex>
#include <set>
#include <sstream>
#include <thread>
#include <algorithm>
#include <string>
#include <vector>

#include <meshmpc/cli/parties.hpp>
#include <meshmpc/error.hpp>

#include "process.hpp"

namespace meshmpc::cli {
namespace {

using namespace std::chrono_literals;
using test::gone_within;
using test::helper_path;
using test::Process;

// Lines relayed from the children, and the launcher's reports.
struct Collected {
  std::mutex mutex;
  std::vector<std::string> out;  // "k: line" for party k's stdout
  std::vector<std::string> err;
  std::vector<std::string> reports;

  bool has_out(const std::string& line) {
    const std::lock_guard lock(mutex);
    return std::find(out.begin(), out.end(), line) != out.end();
  }
  std::size_t out_count() {
    const std::lock_guard lock(mutex);
    return out.size();
  }
  std::string reports_text() {
    const std::lock_guard lock(mutex);
    std::string all;
    for (const std::string& r : reports) all += r + "\n";
    return all;
  }
};

// The options of the test process as party 0 of a local launch, and a spec that
// starts the helper program with `extra` options for parties 1..n-1.
struct Launch {
  RunOptions options;
  LaunchSpec spec;
};

Launch setup(std::size_t n, const std::vector<std::string>& extra, Collected& c,
            const std::vector<std::string>& runtime_extra = {}) {
  std::vector<std::string> runtime = {"cli_launcher_test", "-M", std::to_string(n)};
  runtime.insert(runtime.end(), runtime_extra.begin(), runtime_extra.end());
  Launch s;
  s.options = Parser("cli_test_party", "").parse(runtime);
  s.spec.executable = helper_path();
  s.spec.argv = {helper_path(), "-M", std::to_string(n)};
  s.spec.argv.insert(s.spec.argv.end(), runtime_extra.begin(), runtime_extra.end());
  s.spec.argv.insert(s.spec.argv.end(), extra.begin(), extra.end());
  s.spec.grace = 1000ms;
  s.spec.on_line = [&c](std::size_t party, Stream stream, std::string_view line) {
    const std::lock_guard lock(c.mutex);
    (stream == Stream::out ? c.out : c.err).push_back(std::to_string(party) + ": " + std::string(line));
  };
  s.spec.on_report = [&c](std::string_view message) {
    const std::lock_guard lock(c.mutex);
    c.reports.emplace_back(message);
  };
  return s;
}

TEST(Launcher, RelaysEveryChildsLinesTaggedWithItsParty) {
  Collected c;
  Launch s = setup(4, {}, c);
  Launcher launcher(s.options, s.spec);
  const net::Roster& roster = launcher.roster();
  ASSERT_EQ(roster.size(), 4u);
  EXPECT_EQ(launcher.options().index, 0u);
  EXPECT_EQ(launcher.child_pids().size(), 3u);
  EXPECT_EQ(launcher.wait(0), 0);

  const std::string session = session_id_to_hex(roster.session_id);
  for (std::size_t k = 1; k < 4; ++k) {
    const std::string expected = std::to_string(k) + ": party " + std::to_string(k) + " of 4 pid " +
                                 std::to_string(launcher.child_pids()[k - 1]) + " session " + session +
                                 " port " + std::to_string(roster.parties[k].endpoints[0].port);
    EXPECT_TRUE(c.has_out(expected)) << expected;
  }
  EXPECT_EQ(c.out.size(), 3u);
  std::sort(c.err.begin(), c.err.end());
  EXPECT_EQ(c.err, (std::vector<std::string>{"1: stderr of party 1", "2: stderr of party 2", "3: stderr of party 3"}));
  EXPECT_TRUE(c.reports.empty()) << c.reports_text();
  for (const PartyExit& e : launcher.exits()) EXPECT_TRUE(e.ok()) << e.describe();
}

TEST(Launcher, PicksDistinctLoopbackPortsAndAFreshSessionId) {
  Collected c;
  Launch s = setup(5, {}, c);
  Launcher launcher(s.options, s.spec);
  std::vector<std::uint16_t> ports;
  for (const net::PartyInfo& p : launcher.roster().parties) {
    EXPECT_EQ(p.endpoints[0].host, "127.0.0.1");
    EXPECT_NE(p.endpoints[0].port, 0);
    ports.push_back(p.endpoints[0].port);
  }
  std::sort(ports.begin(), ports.end());
  EXPECT_EQ(std::adjacent_find(ports.begin(), ports.end()), ports.end());
  EXPECT_NE(launcher.roster().session_id, net::session_id_from_text("cli_test_party"));
  EXPECT_EQ(launcher.options().session_id, launcher.roster().session_id);
  EXPECT_EQ(launcher.wait(0), 0);
}

TEST(Launcher, ExplicitBasePortAndSessionIdAreKept) {
  Collected c;
  Launch s = setup(3, {}, c, {"-B", "41000", "--session-id", "0123456789abcdef0123456789abcdef"});
  Launcher launcher(s.options, s.spec);
  EXPECT_EQ(launcher.roster().parties[2].endpoints[0].port, 41002);
  EXPECT_EQ(session_id_to_hex(launcher.roster().session_id), "0123456789abcdef0123456789abcdef");
  EXPECT_EQ(launcher.wait(0), 0);
  EXPECT_TRUE(c.has_out("2: party 2 of 3 pid " + std::to_string(launcher.child_pids()[1]) +
                        " session 0123456789abcdef0123456789abcdef port 41002"));
}

TEST(Launcher, FailingChildMakesTheStatusNonZeroAndIsNamed) {
  Collected c;
  Launch s = setup(3, {"--fail", "2", "--exit-code", "3"}, c);
  Launcher launcher(s.options, s.spec);
  EXPECT_EQ(launcher.wait(0), 1);
  ASSERT_EQ(launcher.exits().size(), 2u);
  EXPECT_TRUE(launcher.exits()[0].ok());
  EXPECT_EQ(launcher.exits()[1].code, 3);
  EXPECT_EQ(c.reports, std::vector<std::string>{"party 2 exited with code 3"});
}

TEST(Launcher, ChildKilledByASignalIsNamedWithTheSignal) {
  Collected c;
  Launch s = setup(3, {"--fail", "1", "--die-by-signal", "9"}, c);
  Launcher launcher(s.options, s.spec);
  EXPECT_EQ(launcher.wait(0), 1);
  EXPECT_FALSE(launcher.exits()[0].exited);
  EXPECT_EQ(launcher.exits()[0].signal, SIGKILL);
  ASSERT_EQ(c.reports.size(), 1u);
  EXPECT_EQ(c.reports[0].rfind("party 1 was killed by signal 9", 0), 0u) << c.reports[0];
}

TEST(Launcher, OwnFailureStopsTheChildrenAndKeepsItsStatus) {
  Collected c;
  Launch s = setup(3, {"--sleep-ms", "30000"}, c);
  Launcher launcher(s.options, s.spec);
  const std::vector<pid_t> pids = launcher.child_pids();
  const auto start = std::chrono::steady_clock::now();
  EXPECT_EQ(launcher.wait(7), 7);
  EXPECT_LT(std::chrono::steady_clock::now() - start, 5s);
  for (pid_t pid : pids) EXPECT_TRUE(gone_within(pid, 100ms)) << pid;
  for (const PartyExit& e : launcher.exits()) {
    EXPECT_TRUE(e.stopped);
    EXPECT_EQ(e.signal, SIGTERM);
  }
  EXPECT_EQ(c.reports, std::vector<std::string>{"party 0 failed (status 7); stopped parties 1, 2"});
}

TEST(Launcher, ChildKilledFromOutsideIsReportedKilledNotStopped) {
  Collected c;
  Launch s = setup(3, {"--sleep-ms", "30000"}, c);
  Launcher launcher(s.options, s.spec);
  const pid_t party2 = launcher.child_pids()[1];
  ASSERT_EQ(::kill(party2, SIGKILL), 0);
  // Wait until it is dead (a zombie), without reaping it: the launcher must.
  siginfo_t info{};
  ASSERT_EQ(::waitid(P_PID, static_cast<id_t>(party2), &info, WEXITED | WNOWAIT), 0) << std::strerror(errno);
  // Party 0 then fails (its peer vanished), and the launcher stops the others.
  EXPECT_EQ(launcher.wait(5), 5);
  ASSERT_EQ(launcher.exits().size(), 2u);
  EXPECT_TRUE(launcher.exits()[0].stopped);
  EXPECT_EQ(launcher.exits()[0].signal, SIGTERM);
  EXPECT_FALSE(launcher.exits()[1].stopped);
  EXPECT_EQ(launcher.exits()[1].signal, SIGKILL);
  EXPECT_EQ(c.reports, (std::vector<std::string>{"party 2 was killed by signal 9 (SIGKILL, Killed)",
                                                 "party 0 failed (status 5); stopped party 1"}))
      << c.reports_text();
}

extern "C" void ignore_signal(int, siginfo_t*, void*) {}

TEST(Launcher, ChildrenEndedByAForwardedSigtermAreStoppedNotFailed) {
  // As a program with its own SIGTERM handler (an asio::signal_set): the launcher
  // forwards the signal to the children, then the program fails and waits.
  struct sigaction own {};
  own.sa_sigaction = ignore_signal;
  own.sa_flags = SA_SIGINFO;
  sigemptyset(&own.sa_mask);
  struct sigaction saved {};
  ASSERT_EQ(::sigaction(SIGTERM, &own, &saved), 0);
  Collected c;
  {
    Launch s = setup(3, {"--sleep-ms", "30000"}, c);
    Launcher launcher(s.options, s.spec);
    ASSERT_EQ(::kill(::getpid(), SIGTERM), 0);
    for (pid_t pid : launcher.child_pids()) {
      siginfo_t info{};
      ASSERT_EQ(::waitid(P_PID, static_cast<id_t>(pid), &info, WEXITED | WNOWAIT), 0) << std::strerror(errno);
    }
    EXPECT_EQ(launcher.wait(143), 143);
    for (const PartyExit& e : launcher.exits()) {
      EXPECT_TRUE(e.stopped) << e.describe();
      EXPECT_EQ(e.signal, SIGTERM);
    }
  }
  ::sigaction(SIGTERM, &saved, nullptr);
  EXPECT_EQ(c.reports, std::vector<std::string>{"party 0 failed (status 143); stopped parties 1, 2"})
      << c.reports_text();
}

TEST(Launcher, ChildIgnoringSigtermGetsSigkillAfterTheGrace) {
  Collected c;
  Launch s = setup(2, {"--sleep-ms", "30000", "--ignore-sigterm"}, c);
  s.spec.grace = 200ms;
  Launcher launcher(s.options, s.spec);
  // Wait until the child has set SIG_IGN (it prints after doing so).
  const auto deadline = std::chrono::steady_clock::now() + 5s;
  while (c.out_count() == 0 && std::chrono::steady_clock::now() < deadline) std::this_thread::sleep_for(5ms);
  launcher.terminate();
  EXPECT_TRUE(gone_within(launcher.child_pids()[0], 100ms));
  EXPECT_EQ(launcher.exits()[0].signal, SIGKILL);
}

TEST(Launcher, DestructionStopsChildrenStillRunning) {
  Collected c;
  std::vector<pid_t> pids;
  {
    Launch s = setup(3, {"--sleep-ms", "30000"}, c);
    Launcher launcher(s.options, s.spec);
    pids = launcher.child_pids();
  }
  for (pid_t pid : pids) EXPECT_TRUE(gone_within(pid, 100ms)) << pid;
}

TEST(Launcher, OutputFileSendsEachChildsOutputToItsLog) {
  namespace fs = std::filesystem;
  std::string dir = (fs::temp_directory_path() / "meshmpc-launcher-XXXXXX").string();
  ASSERT_NE(::mkdtemp(dir.data()), nullptr);
  const fs::path before = fs::current_path();
  fs::current_path(dir);
  Collected c;
  {
    Launch s = setup(3, {}, c, {"--output-file"});
    Launcher launcher(s.options, s.spec);
    EXPECT_EQ(launcher.wait(0), 0);
  }
  fs::current_path(before);
  EXPECT_TRUE(c.out.empty());
  for (int k = 1; k <= 2; ++k) {
    std::ifstream in(fs::path(dir) / ("party3_" + std::to_string(k) + ".log"));
    std::stringstream text;
    text << in.rdbuf();
    EXPECT_NE(text.str().find("$> " + helper_path() + " -I " + std::to_string(k)), std::string::npos) << text.str();
    EXPECT_NE(text.str().find("party " + std::to_string(k) + " of 3"), std::string::npos) << text.str();
    EXPECT_NE(text.str().find("stderr of party " + std::to_string(k)), std::string::npos) << text.str();
  }
  fs::remove_all(dir);
}

TEST(Launcher, RefusesOptionsOfASinglePartyAndASecondLauncher) {
  Collected c;
  Launch s = setup(2, {}, c);
  RunOptions with_index = s.options;
  with_index.index = 1;
  EXPECT_THROW(Launcher(with_index, s.spec), ConfigError);
  Launcher first(s.options, s.spec);
  EXPECT_THROW(Launcher(s.options, s.spec), Error);
  EXPECT_EQ(first.wait(0), 0);
  EXPECT_THROW(first.wait(0), Error);
}

TEST(Launcher, UnstartableProgramIsAnErrorNamingIt) {
  Collected c;
  Launch s = setup(3, {}, c);
  s.spec.executable = "/nonexistent/meshmpc-party";
  try {
    Launcher launcher(s.options, s.spec);
    ADD_FAILURE() << "no error";
  } catch (const Error& e) {
    const std::string m = e.what();
    EXPECT_NE(m.find("cannot start party 1: /nonexistent/meshmpc-party: No such file or directory"),
              std::string::npos)
        << m;
  }
  // The failed launcher released the process-wide slot.
  Launch ok = setup(2, {}, c);
  Launcher launcher(ok.options, ok.spec);
  EXPECT_EQ(launcher.wait(0), 0);
}

// ---- The helper as a whole program: it re-executes itself (/proc/self/exe). ----

TEST(LocalLaunch, ReExecutesItselfAndPrefixesTheChildrensOutput) {
  Process p({helper_path(), "-M", "3"});
  const auto status = p.finish(10s);
  ASSERT_TRUE(status.has_value());
  EXPECT_TRUE(WIFEXITED(*status) && WEXITSTATUS(*status) == 0) << p.err();
  for (int k = 0; k < 3; ++k) {
    const std::string prefix = k == 0 ? "" : "[party " + std::to_string(k) + "] ";
    EXPECT_NE(p.out().find(prefix + "party " + std::to_string(k) + " of 3 pid"), std::string::npos) << p.out();
    EXPECT_NE(p.err().find(prefix + "stderr of party " + std::to_string(k)), std::string::npos) << p.err();
  }
  // One session id for all three.
  const std::size_t at = p.out().find("session ");
  ASSERT_NE(at, std::string::npos);
  const std::string session = p.out().substr(at, 8 + 32);
  std::size_t count = 0;
  for (std::size_t i = 0; (i = p.out().find(session, i)) != std::string::npos; ++i) ++count;
  EXPECT_EQ(count, 3u) << p.out();
}

// A fresh random session secret for every launch, the same in every party, never
// on a command line (ps shows those to every user) and gone from the children's
// environment once read.
TEST(LocalLaunch, HandsEveryPartyTheSameFreshSecretOutsideTheCommandLine) {
  std::vector<std::string> secrets;
  for (int launch = 0; launch < 2; ++launch) {
    Process p({helper_path(), "-M", "3", "--sleep-ms", "300", "--show-secret"});
    std::string argv_seen;
    ASSERT_TRUE(p.read_until([](const std::string& out, const std::string&) { return out.find("children:") != std::string::npos; }, 10s));
    const std::string out_so_far = p.out();
    std::istringstream children(out_so_far.substr(out_so_far.find("children:") + 9));
    for (pid_t pid; children >> pid;) {
      // A child still inside execve shows an empty command line for a moment:
      // read again until it has one (within the children's sleep).
      std::string one;
      for (const auto until = std::chrono::steady_clock::now() + 250ms;;) {
        std::ifstream cmdline("/proc/" + std::to_string(pid) + "/cmdline");
        one.assign(std::istreambuf_iterator<char>(cmdline), {});
        if (!one.empty() || std::chrono::steady_clock::now() > until) break;
        std::this_thread::sleep_for(5ms);
      }
      ASSERT_FALSE(one.empty()) << "child " << pid << " showed no command line";
      argv_seen += one;
      argv_seen += "\n";
    }
    const auto status = p.finish(10s);
    ASSERT_TRUE(status.has_value());
    EXPECT_TRUE(WIFEXITED(*status) && WEXITSTATUS(*status) == 0) << p.err();
    // "party i secret <64 hex digits> variable gone", once per party.
    std::set<std::string> seen;
    std::size_t parties = 0;
    const std::string out = p.out();
    std::istringstream lines(out);
    for (std::string line; std::getline(lines, line);) {
      const std::size_t at = line.find(" secret ");
      if (at == std::string::npos) continue;
      const std::string secret = line.substr(at + 8, 64);
      EXPECT_EQ(secret.find_first_not_of("0123456789abcdef"), std::string::npos) << line;
      EXPECT_EQ(line.substr(at + 8 + 64), " variable gone") << line;
      seen.insert(secret);
      ++parties;
    }
    EXPECT_EQ(parties, 3u) << out;
    ASSERT_EQ(seen.size(), 1u) << out;
    secrets.push_back(*seen.begin());
    EXPECT_EQ(argv_seen.find(secrets.back()), std::string::npos) << argv_seen;
  }
  EXPECT_NE(secrets[0], secrets[1]);
}

TEST(LocalLaunch, OnePartyRunsAloneWithoutChildren) {
  Process p({helper_path(), "-M", "1"});
  const auto status = p.finish(5s);
  ASSERT_TRUE(status.has_value());
  EXPECT_TRUE(WIFEXITED(*status) && WEXITSTATUS(*status) == 0);
  EXPECT_EQ(p.out().find("children:"), std::string::npos);
  EXPECT_NE(p.out().find("party 0 of 1"), std::string::npos) << p.out();
}

TEST(LocalLaunch, FailingPartyMakesTheLaunchFailAndIsNamed) {
  Process p({helper_path(), "-M", "3", "--fail", "1", "--exit-code", "4"});
  const auto status = p.finish(10s);
  ASSERT_TRUE(status.has_value());
  EXPECT_TRUE(WIFEXITED(*status) && WEXITSTATUS(*status) == 1) << p.err();
  EXPECT_NE(p.err().find("[launcher] party 1 exited with code 4"), std::string::npos) << p.err();
}

TEST(LocalLaunch, BadOptionIsReportedBeforeAnyChildStarts) {
  Process p({helper_path(), "-M", "3", "-T", "2"});
  const auto status = p.finish(5s);
  ASSERT_TRUE(status.has_value());
  EXPECT_TRUE(WIFEXITED(*status) && WEXITSTATUS(*status) == 2);
  EXPECT_NE(p.err().find("-T/--threshold 2 is too large for 3 parties"), std::string::npos) << p.err();
  EXPECT_EQ(p.out().find("children:"), std::string::npos);
}

// Starts the helper as a launcher whose parties all sleep, waits until every party
// has spoken, and returns the children's pids.
std::vector<pid_t> start_sleeping_launch(Process& p, int n) {
  const bool ready = p.read_until(
      [n](const std::string& out, const std::string&) {
        if (out.find("children:") == std::string::npos) return false;
        for (int k = 1; k < n; ++k) {
          if (out.find("[party " + std::to_string(k) + "] party") == std::string::npos) return false;
        }
        return true;
      },
      10s);
  EXPECT_TRUE(ready) << p.out() << p.err();
  std::vector<pid_t> pids;
  const std::size_t at = p.out().find("children:");
  if (at == std::string::npos) return pids;
  std::istringstream line(p.out().substr(at + 9, p.out().find('\n', at) - at - 9));
  for (pid_t pid; line >> pid;) pids.push_back(pid);
  EXPECT_EQ(pids.size(), static_cast<std::size_t>(n - 1));
  return pids;
}

void expect_launch_stopped_by(int sig, int expected_signal) {
  test::become_subreaper();
  Process p({helper_path(), "-M", "3", "--sleep-ms", "30000"});
  const std::vector<pid_t> pids = start_sleeping_launch(p, 3);
  ASSERT_EQ(pids.size(), 2u);
  for (pid_t pid : pids) ASSERT_EQ(::kill(pid, 0), 0);
  ASSERT_EQ(::kill(p.pid(), sig), 0);
  const auto status = p.wait_for(5s);
  ASSERT_TRUE(status.has_value());
  EXPECT_TRUE(WIFSIGNALED(*status) && WTERMSIG(*status) == expected_signal) << *status;
  for (pid_t pid : pids) EXPECT_TRUE(gone_within(pid, 5s)) << "party pid " << pid << " still running";
}

TEST(LocalLaunch, SigtermToTheLauncherLeavesNoChildBehind) { expect_launch_stopped_by(SIGTERM, SIGTERM); }

TEST(LocalLaunch, SigintToTheLauncherLeavesNoChildBehind) { expect_launch_stopped_by(SIGINT, SIGINT); }

TEST(LocalLaunch, ChildrenDieWithAKilledLauncher) {
  // SIGKILL cannot be caught: the children's PR_SET_PDEATHSIG stops them.
  expect_launch_stopped_by(SIGKILL, SIGKILL);
}

}  // namespace
}  // namespace meshmpc::cli
