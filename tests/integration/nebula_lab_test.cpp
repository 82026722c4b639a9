// meshmpc programs over a real Nebula overlay: each party in its own network
// namespace with its own nebula daemon (tools/nebula-lab.sh), certificates from
// nebula-cert, the parties found from the roster file. Also: hosts behind NATs
// (direct TCP between them fails, the computation over nebula succeeds, and the
// path each pair took is reported), and a host whose certificate lacks the group.
// With nebula 1.10+ (tools/fetch-nebula.sh): v2 certificates on an IPv6-only
// overlay behind NATs, and a v1 -> v2 migration with a v1-only host.
// Skipped with one line when not root or nebula is missing.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <fstream>
#include <functional>
#include <iostream>
#include <numeric>
#include <set>
#include <sstream>

#include "nebula_lab.hpp"

namespace meshmpc {
namespace {

using lab::NebulaLab;
using namespace std::chrono_literals;

// A program of examples/ run by every party of the lab; adding an example to
// the lab tests is one entry of kPrograms.
struct LabProgram {
  std::string name;
  std::string exe;
  // The program's own arguments for party i of n.
  std::function<std::vector<std::string>(std::size_t i, std::size_t n)> args;
  // The line every party must print, computed in plain C++ from the same inputs.
  std::function<std::string(std::size_t n)> expected;
  // Or, for private outputs (each party prints its own): checks all outputs at once.
  std::function<void(std::size_t n, const std::vector<std::string>& outs)> check_all = nullptr;
};

std::int64_t salary_of(std::size_t i) { return 40000 + 1234 * static_cast<std::int64_t>(i * i); }

const LabProgram kSalaries{
    "salaries", MESHMPC_SALARIES_EXE,
    [](std::size_t i, std::size_t) { return std::vector<std::string>{"--salary", std::to_string(salary_of(i))}; },
    [](std::size_t n) {
      std::int64_t total = 0;
      for (std::size_t i = 0; i < n; ++i) total += salary_of(i);
      const double mean = static_cast<double>(total) / static_cast<double>(n);
      double var = 0;
      for (std::size_t i = 0; i < n; ++i) var += std::pow(static_cast<double>(salary_of(i)) - mean, 2);
      char line[200];
      std::snprintf(line, sizeof line, "total %lld, mean %.2f, standard deviation %.2f over %zu parties",
                    static_cast<long long>(total), mean, std::sqrt(var / static_cast<double>(n)), n);
      return std::string(line);
    }};

// Party i bids bid_of(i): distinct, the top one not at the last party.
std::int64_t bid_of(std::size_t i) { return static_cast<std::int64_t>((i * 37 + 11) % 50); }

const LabProgram kAuction{
    "auction", MESHMPC_AUCTION_EXE,
    [](std::size_t i, std::size_t) { return std::vector<std::string>{"--bid", std::to_string(bid_of(i))}; },
    [](std::size_t n) {
      std::vector<std::int64_t> bids;
      for (std::size_t i = 0; i < n; ++i) bids.push_back(bid_of(i));
      const auto top = std::max_element(bids.begin(), bids.end());  // the first of equals
      const auto winner = top - bids.begin();
      std::int64_t second = -1;
      for (std::size_t i = 0; i < n; ++i)
        if (static_cast<std::ptrdiff_t>(i) != winner) second = std::max(second, bids[i]);
      return "party " + std::to_string(winner) + " wins and pays " + std::to_string(second) +
             " (the second-highest bid)";
    }};

// Secret santa with private outputs: party i prints only "party i gives a present
// to party j"; together the j form a derangement.
const LabProgram kSecretSanta{
    "secretsanta", MESHMPC_SECRETSANTA_EXE, [](std::size_t, std::size_t) { return std::vector<std::string>{}; },
    nullptr, [](std::size_t n, const std::vector<std::string>& outs) {
      std::set<long> recipients;
      for (std::size_t i = 0; i < n; ++i) {
        const std::string prefix = "party " + std::to_string(i) + " gives a present to party ";
        const auto at = outs[i].find(prefix);
        EXPECT_NE(at, std::string::npos) << "party " << i << " printed: " << outs[i];
        if (at == std::string::npos) continue;
        const long j = std::stol(outs[i].substr(at + prefix.size()));
        EXPECT_NE(j, static_cast<long>(i)) << "party " << i << " draws itself";
        EXPECT_GE(j, 0);
        EXPECT_LT(j, static_cast<long>(n));
        recipients.insert(j);
        EXPECT_EQ(outs[i].find("gives a present", at + prefix.size()), std::string::npos)
            << "party " << i << " saw more than its own recipient: " << outs[i];
      }
      EXPECT_EQ(recipients.size(), n);
    }};

const std::vector<const LabProgram*> kPrograms{&kSalaries, &kAuction, &kSecretSanta};

struct PartyRun {
  int status = -1;
  std::string out;
  std::string err;
};

// Every party of the lab runs `program` over --transport nebula, each in its
// namespace; bounded by `limit`.
std::vector<PartyRun> run_everywhere(const NebulaLab& lab, const LabProgram& program,
                                     std::chrono::seconds limit = 60s) {
  const std::size_t n = lab.hosts();
  std::vector<std::unique_ptr<cli::test::Process>> parties;
  for (std::size_t i = 0; i < n; ++i) {
    std::vector<std::string> argv{program.exe, "-M", std::to_string(n), "--transport", "nebula",
                                  "--nebula-config", lab.config(i), "--nebula-roster", lab.roster(),
                                  "--timeout", "30"};
    const auto own = program.args(i, n);
    argv.insert(argv.end(), own.begin(), own.end());
    parties.push_back(lab.start_in(i, argv));
  }
  std::vector<PartyRun> runs(n);
  for (std::size_t i = 0; i < n; ++i) {
    const auto status = parties[i]->finish(limit);
    runs[i] = {status ? *status : -1, parties[i]->out(), parties[i]->err()};
  }
  return runs;
}

void expect_everyone_printed(const std::vector<PartyRun>& runs, const std::string& expected) {
  for (std::size_t i = 0; i < runs.size(); ++i) {
    EXPECT_TRUE(WIFEXITED(runs[i].status) && WEXITSTATUS(runs[i].status) == 0)
        << "party " << i << " status " << runs[i].status << ": " << runs[i].err;
    EXPECT_NE(runs[i].out.find(expected), std::string::npos)
        << "party " << i << " printed: " << runs[i].out << "\nexpected: " << expected << "\n" << runs[i].err;
  }
}

std::string describe_paths(const std::map<std::string, std::string>& paths) {
  std::string text;
  for (const auto& [pair, path] : paths) text += pair + " " + path + "; ";
  return text;
}

// A listening TCP socket on every address (IPv4 and IPv6) at `port` inside host i's namespace.
struct ListenerIn {
  ListenerIn(const NebulaLab& lab, std::size_t i, std::uint16_t port) : fd(lab.socket_in(i, SOCK_STREAM, AF_INET6)) {
    sockaddr_in6 at{};
    at.sin6_family = AF_INET6;
    at.sin6_port = htons(port);
    at.sin6_addr = in6addr_any;
    const int one = 1;
    const int zero = 0;
    ::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    ::setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &zero, sizeof zero);
    ok = fd >= 0 && ::bind(fd, reinterpret_cast<const sockaddr*>(&at), sizeof at) == 0 && ::listen(fd, 8) == 0;
  }
  ~ListenerIn() {
    if (fd >= 0) ::close(fd);
  }
  int fd;
  bool ok = false;
};

class NebulaLabTest : public testing::Test {
 protected:
  void SetUp() override {
    if (const std::string why = lab::skip_reason(); !why.empty()) GTEST_SKIP() << why;
  }
};

class OverOverlay : public NebulaLabTest,
                    public testing::WithParamInterface<std::tuple<const LabProgram*, std::size_t>> {};

TEST_P(OverOverlay, EveryPartyPrintsThePlainResult) {
  const auto [program, n] = GetParam();
  NebulaLab lab(n);
  const auto runs = run_everywhere(lab, *program);
  if (program->check_all) {
    std::vector<std::string> outs;
    for (std::size_t i = 0; i < runs.size(); ++i) {
      EXPECT_TRUE(WIFEXITED(runs[i].status) && WEXITSTATUS(runs[i].status) == 0)
          << "party " << i << " status " << runs[i].status << ": " << runs[i].err;
      outs.push_back(runs[i].out);
    }
    program->check_all(n, outs);
  } else {
    expect_everyone_printed(runs, program->expected(n));
  }
  // All hosts share one LAN: every pair talks directly.
  for (const auto& [pair, path] : lab.paths()) EXPECT_EQ(path, "direct") << pair;
}

INSTANTIATE_TEST_SUITE_P(Programs, OverOverlay, testing::Combine(testing::ValuesIn(kPrograms), testing::Values(3, 5)),
                         [](const auto& info) {
                           return std::get<0>(info.param)->name + "_" + std::to_string(std::get<1>(info.param));
                         });

// Every host behind its own NAT: only the lighthouse (on the public LAN) is
// reachable from all. Direct TCP between hosts must fail while the overlay
// carries both a probe and the whole computation of each program.
void nat_case(const std::string& nat_option, const std::string& expected_path,
              const std::vector<std::string>& lab_options = {},
              const std::vector<const LabProgram*>& programs = {&kSalaries}) {
  constexpr std::size_t n = 3;
  std::vector<std::string> options{nat_option, "0,1,2"};
  options.insert(options.end(), lab_options.begin(), lab_options.end());
  NebulaLab lab(n, options);
  constexpr std::uint16_t kProbePort = 7411;
  const ListenerIn listener(lab, 1, kProbePort);
  ASSERT_TRUE(listener.ok) << "cannot listen in " << lab.ns(1);
  // Over the overlay, h0 reaches h1's listener (the probe works) ...
  EXPECT_EQ(lab.connect_from(0, lab.overlay_ip(1), kProbePort, 10000ms), 0)
      << "overlay probe h0 -> h1 at " << lab.overlay_ip(1);
  // ... but not directly: neither h1's own address nor its NAT's public one.
  EXPECT_NE(lab.connect_from(0, lab.underlay_ip(1), kProbePort), 0) << "direct TCP to " << lab.underlay_ip(1);
  EXPECT_NE(lab.connect_from(0, lab.get("LAB_PUBLIC_1"), kProbePort), 0) << "direct TCP to h1's NAT";
  for (const LabProgram* program : programs) {
    expect_everyone_printed(run_everywhere(lab, *program), program->expected(n));
  }
  const auto paths = lab.paths();
  std::cout << "[ paths    ] " << nat_option << ": " << describe_paths(paths) << std::endl;
  ASSERT_EQ(paths.size(), 3u);
  for (const auto& [pair, path] : paths) EXPECT_EQ(path, expected_path) << pair << " (" << nat_option << ")";
}

TEST_F(NebulaLabTest, MasqueradeNatsComputeThroughTheRelay) { nat_case("--nat-masq", "relayed"); }

TEST_F(NebulaLabTest, PortMappedNatsComputeOverDirectPaths) { nat_case("--nat-portmap", "direct"); }

TEST_F(NebulaLabTest, HostWithoutTheGroupIsRefusedByEveryone) {
  NebulaLab lab(3, {"--groups-of", "2=guest"});
  const auto runs = run_everywhere(lab, kSalaries, 30s);
  for (std::size_t i = 0; i < runs.size(); ++i) {
    EXPECT_FALSE(WIFEXITED(runs[i].status) && WEXITSTATUS(runs[i].status) == 0) << "party " << i << " ran";
    EXPECT_EQ(runs[i].out.find("total"), std::string::npos) << "party " << i;
  }
  // h2 learns that its own certificate is not good enough; the others name h2's.
  EXPECT_NE(runs[2].err.find("certificate 'h2'"), std::string::npos) << runs[2].err;
  EXPECT_NE(runs[2].err.find("lacks the group 'mpc'"), std::string::npos) << runs[2].err;
  for (std::size_t i : {0, 1}) {
    EXPECT_NE(runs[i].err.find("line 3 (party 2)"), std::string::npos) << runs[i].err;
    EXPECT_NE(runs[i].err.find("certificate 'h2'"), std::string::npos) << runs[i].err;
    EXPECT_NE(runs[i].err.find("lacks the group 'mpc' this session requires (its groups: guest)"), std::string::npos)
        << runs[i].err;
  }
}

// Direct TCP with TLS between hosts on the lab's plain underlay LAN (no nebula
// involved): keys from meshmpc-keygen on each host, the roster lines it printed,
// each party in its own namespace. Without --ssl the same command line is refused
// before anything is sent: these addresses are not loopback.
TEST_F(NebulaLabTest, TlsAcrossHostsOnThePlainLan) {
  constexpr std::size_t n = 3;
  NebulaLab lab(n);
  const std::string keys = lab.dir() + "/tls";
  std::vector<std::string> lines;
  for (std::size_t i = 0; i < n; ++i) {
    const auto keygen = lab.start_in(i, {MESHMPC_KEYGEN_EXE, "-I", std::to_string(i), "--dir", keys + std::to_string(i),
                                         "--endpoint", lab.underlay_ip(i) + ":" + std::to_string(15000 + i)});
    ASSERT_EQ(keygen->finish(20s).value_or(-1), 0) << keygen->err();
    lines.push_back(keygen->out().substr(0, keygen->out().find('\n')));
  }
  const auto start_all = [&](bool tls) {
    std::vector<std::unique_ptr<cli::test::Process>> parties;
    for (std::size_t i = 0; i < n; ++i) {
      std::vector<std::string> argv{MESHMPC_SALARIES_EXE, "-I", std::to_string(i), "--salary",
                                    std::to_string(salary_of(i)), "--timeout", "30"};
      for (const std::string& line : lines) argv.insert(argv.end(), {"-P", tls ? line : line.substr(0, line.find(' '))});
      if (tls) {
        const std::string dir = keys + std::to_string(i) + "/party_" + std::to_string(i);
        argv.insert(argv.end(), {"--ssl-key", dir + ".key", "--ssl-cert", dir + ".crt"});
      }
      parties.push_back(lab.start_in(i, argv));
    }
    std::vector<PartyRun> runs(n);
    for (std::size_t i = 0; i < n; ++i) {
      const auto status = parties[i]->finish(60s);
      runs[i] = {status ? *status : -1, parties[i]->out(), parties[i]->err()};
    }
    return runs;
  };
  expect_everyone_printed(start_all(true), kSalaries.expected(n));
  for (const PartyRun& run : start_all(false)) {
    EXPECT_TRUE(WIFEXITED(run.status) && WEXITSTATUS(run.status) == 2) << run.err;
    EXPECT_NE(run.err.find("is not on this machine, and without TLS"), std::string::npos) << run.err;
  }
}

// Nebula as set up today (1.10+, here Debian sid's 1.11 from tools/fetch-nebula.sh).
class NewerNebulaLabTest : public testing::Test {
 protected:
  void SetUp() override {
    if (const std::string why = lab::newer_skip_reason(); !why.empty()) GTEST_SKIP() << why;
  }
  static std::vector<std::string> with_newer(std::vector<std::string> options) {
    options.insert(options.begin(), {"--nebula", meshmpc::test::newer_nebula_dir()});
    return options;
  }
};

// v2 certificates whose only networks are IPv6 (fd42:213::/64), every host
// behind its own masquerading NAT: the parties listen and dial on IPv6 overlay
// addresses, and nebula relays through the lighthouse.
TEST_F(NewerNebulaLabTest, V2HostsOnAnIpv6OnlyOverlayBehindNatsRunSalariesAndAuction) {
  nat_case("--nat-masq", "relayed", with_newer({"--cert-version", "2", "--overlay6"}), {&kSalaries, &kAuction});
}

// Halfway through the upgrade to v2: every pki.ca holds the v1 and the v2 CA;
// h0 and h1 hold a v1 and a v2 certificate (pki.initiating_version 2), h2 only
// its v1 one. Nebula picks v2 between h0 and h1 and v1 with h2; meshmpc's
// parties accept the roster's mix of v1 and v2 certificates under the bundle.
TEST_F(NewerNebulaLabTest, MigrationFromV1ToV2WithAV1OnlyHostRunsSalariesAndAuction) {
  constexpr std::size_t n = 3;
  NebulaLab lab(n, with_newer({"--migration", "--v1-only", "2"}));
  for (const LabProgram* program : {&kSalaries, &kAuction}) {
    expect_everyone_printed(run_everywhere(lab, *program), program->expected(n));
  }
  // The tunnels really were of both versions (nebula 1.10+ logs certVersion).
  std::ifstream log_file(lab.dir() + "/h0.log");
  const std::string h0_log((std::istreambuf_iterator<char>(log_file)), std::istreambuf_iterator<char>());
  EXPECT_NE(h0_log.find("certName=h1 certVersion=2"), std::string::npos) << h0_log;
  EXPECT_NE(h0_log.find("certName=h2 certVersion=1"), std::string::npos) << h0_log;
  for (const auto& [pair, path] : lab.paths()) EXPECT_EQ(path, "direct") << pair;
}

}  // namespace
}  // namespace meshmpc
