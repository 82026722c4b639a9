// Whole programs with --transport tailscale, one process per party, each pointed
// at its own stand-in tailscaled (tests/transports/tailscale/localapi_standin.hpp)
// and talking real TCP between the loopback addresses that play the nodes'
// Tailscale IPs. No -I, no -P: each process finds the parties and its own index.
#include "../cli/process.hpp"

#include <gtest/gtest.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <cmath>
#include <algorithm>
#include <filesystem>
#include <fstream>
#include <functional>
#include <numeric>

#include "localapi_standin.hpp"

namespace meshmpc {
namespace {

using cli::test::Process;
using tailscale::testing::LocalApiStandIn;
using tailscale::testing::Tailnet;
using tailscale::testing::TempDir;
using namespace std::chrono_literals;

bool contains(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

std::uint16_t free_port(const Tailnet& tailnet) {
  boost::asio::io_context io;
  boost::asio::ip::tcp::acceptor probe(io, {boost::asio::ip::make_address(tailnet.ipv4(0)), 0});
  return probe.local_endpoint().port();
}

struct PartyRun {
  int status = -1;
  std::string out;
  std::string err;
};

// Where the parties run: by default on this machine's loopback addresses; `wrap`
// puts a command before party k's (e.g. `ip netns exec ns<k>`), and then `port`
// must be given (the addresses are not this namespace's).
struct Placement {
  std::function<std::vector<std::string>(std::size_t)> wrap;
  std::uint16_t port = 0;
  // When set, node k's LocalAPI is the macOS app's: loopback TCP wanting tokens[k].
  std::vector<std::string> tokens;
  // The arguments that point party k at its node's LocalAPI (default:
  // --tailscale-socket PATH); called once the stand-ins listen.
  std::function<std::vector<std::string>(std::size_t, const LocalApiStandIn&)> localapi;
};

// Starts `exe` once per node of `tailnet` (party k on node k: the fixture's nodes
// are in StableNodeID order) with the tailscale options, `common` and party k's
// own arguments; waits for all.
std::vector<PartyRun> run_on_tailnet(const std::string& exe, const std::vector<std::string>& common,
                                     const std::function<std::vector<std::string>(std::size_t)>& own,
                                     const Tailnet& tailnet = Tailnet::from_fixture(), const Placement& where = {}) {
  TempDir dir;
  std::vector<std::unique_ptr<LocalApiStandIn>> standins;
  for (std::size_t k = 0; k < tailnet.size(); ++k) {
    if (where.tokens.empty()) {
      standins.push_back(std::make_unique<LocalApiStandIn>(dir.file("node" + std::to_string(k) + ".sock"),
                                                           tailscale::testing::node_handler(tailnet, k)));
    } else {
      standins.push_back(LocalApiStandIn::on_loopback(tailscale::testing::node_handler(tailnet, k), where.tokens[k]));
    }
  }
  const std::string port = std::to_string(where.port != 0 ? where.port : free_port(tailnet));
  std::vector<std::unique_ptr<Process>> processes;
  for (std::size_t k = 0; k < tailnet.size(); ++k) {
    std::vector<std::string> argv = where.wrap ? where.wrap(k) : std::vector<std::string>{};
    const std::vector<std::string> command{exe, "--transport", "tailscale", "--tag", "tag:mpc", "--tailscale-port",
                                           port, "--timeout", "30"};
    argv.insert(argv.end(), command.begin(), command.end());
    const std::vector<std::string> localapi = where.localapi ? where.localapi(k, *standins[k])
                                                             : std::vector<std::string>{"--tailscale-socket",
                                                                                        standins[k]->path()};
    argv.insert(argv.end(), localapi.begin(), localapi.end());
    argv.insert(argv.end(), common.begin(), common.end());
    const std::vector<std::string> mine = own(k);
    argv.insert(argv.end(), mine.begin(), mine.end());
    processes.push_back(std::make_unique<Process>(argv));
  }
  std::vector<PartyRun> runs(processes.size());
  for (std::size_t k = 0; k < processes.size(); ++k) {
    const auto status = processes[k]->finish(60s);
    runs[k].status = status && WIFEXITED(*status) ? WEXITSTATUS(*status) : -1;
    runs[k].out = processes[k]->out();
    runs[k].err = processes[k]->err();
  }
  return runs;
}

// An example program run by three parties on the stand-in tailnet: its arguments
// (common, and party k's own) and the check of each party's output.
struct ExampleCase {
  std::string name;
  std::string exe;
  std::vector<std::string> common;
  std::function<std::vector<std::string>(std::size_t)> own;
  std::function<void(std::size_t party, const std::string& out)> check;
};

// gtest prints a parameter in the test's listing: its name, not its bytes.
void PrintTo(const ExampleCase& example, std::ostream* out) { *out << example.name; }

std::vector<std::int64_t> salaries_of_parties() { return {52000, 61000, 48000}; }

ExampleCase salaries_case() {
  const auto salaries = salaries_of_parties();
  const auto total = std::accumulate(salaries.begin(), salaries.end(), std::int64_t{0});
  const double mean = static_cast<double>(total) / 3;
  double var = 0;
  for (auto s : salaries) var += (static_cast<double>(s) - mean) * (static_cast<double>(s) - mean);
  char expected[200];
  std::snprintf(expected, sizeof expected, "total %lld, mean %.2f, standard deviation %.2f over 3 parties",
                static_cast<long long>(total), mean, std::sqrt(var / 3));
  return {"salaries", MESHMPC_SALARIES_EXE, {"-M", "3"},
          [salaries](std::size_t k) { return std::vector<std::string>{"--salary", std::to_string(salaries[k])}; },
          [line = std::string(expected)](std::size_t party, const std::string& out) {
            EXPECT_TRUE(contains(out, line)) << "party " << party << ": " << out << "\nexpected: " << line;
          }};
}

// Vickrey auction: the plain winner and second price of the same bids.
ExampleCase auction_case() {
  const std::vector<std::int64_t> bids{17, 42, 30};
  return {"auction", MESHMPC_AUCTION_EXE, {"-M", "3"},
          [bids](std::size_t k) { return std::vector<std::string>{"--bid", std::to_string(bids[k])}; },
          [](std::size_t party, const std::string& out) {
            const std::string line = "party 1 wins and pays 30 (the second-highest bid)";
            EXPECT_TRUE(contains(out, line)) << "party " << party << ": " << out << "\nexpected: " << line;
          }};
}

// Secret santa: each party sees its own recipient, someone other than itself, and
// nobody else's.
ExampleCase secretsanta_case() {
  return {"secretsanta", MESHMPC_SECRETSANTA_EXE, {"-M", "3"}, [](std::size_t) { return std::vector<std::string>{}; },
          [](std::size_t party, const std::string& out) {
            const std::string prefix = "party " + std::to_string(party) + " gives a present to party ";
            const auto at = out.find(prefix);
            ASSERT_NE(at, std::string::npos) << "party " << party << ": " << out;
            const long recipient = std::stol(out.substr(at + prefix.size()));
            EXPECT_NE(recipient, static_cast<long>(party));
            EXPECT_TRUE(recipient >= 0 && recipient < 3) << recipient;
            EXPECT_EQ(out.find("gives a present", at + prefix.size()), std::string::npos) << out;
          }};
}

class TailscaleExamples : public testing::TestWithParam<ExampleCase> {};

TEST_P(TailscaleExamples, ThreePartiesFindEachOtherAndPrintThePlainResult) {
  const ExampleCase& example = GetParam();
  const auto runs = run_on_tailnet(example.exe, example.common, example.own);
  for (std::size_t k = 0; k < runs.size(); ++k) {
    ASSERT_EQ(runs[k].status, 0) << example.name << " party " << k << ":\n" << runs[k].err;
    example.check(k, runs[k].out);
    EXPECT_TRUE(contains(runs[k].err, "this node is party " + std::to_string(k) + " of 3")) << runs[k].err;
  }
  // The fixture's carol is reached through DERP from alice and bob.
  EXPECT_TRUE(contains(runs[0].err, "party 2 (carol-pi) is reached through the DERP relay 'sfo'")) << runs[0].err;
}

// Adding an example is one line here (its exe is a compile definition in
// tests/integration/CMakeLists.txt).
INSTANTIATE_TEST_SUITE_P(Examples, TailscaleExamples,
                         testing::Values(salaries_case(), auction_case(), secretsanta_case()),
                         [](const testing::TestParamInfo<ExampleCase>& info) { return info.param.name; });

// Three network namespaces, one per node, each with a veth to a bridge in a fourth,
// addressed in Tailscale's 100.64.0.0/10: the nodes' addresses are real tailnet-style
// addresses on separate network stacks. Removed (with their links) on destruction.
class NodeNamespaces {
 public:
  static constexpr const char* kIp = "/usr/sbin/ip";

  explicit NodeNamespaces(std::size_t n) : prefix_("mmts" + std::to_string(::getpid()) + "n") {
    try {
      ip({"netns", "add", bridge()});
      created_.push_back(bridge());
      ip({"-n", bridge(), "link", "add", "br0", "type", "bridge"});
      ip({"-n", bridge(), "link", "set", "br0", "up"});
      for (std::size_t k = 0; k < n; ++k) {
        const std::string ns = name(k);
        const std::string veth = "v" + std::to_string(k);
        const std::string port = "p" + std::to_string(k);
        ip({"netns", "add", ns});
        created_.push_back(ns);
        ip({"link", "add", veth, "netns", ns, "type", "veth", "peer", "name", port, "netns", bridge()});
        ip({"-n", bridge(), "link", "set", port, "master", "br0"});
        ip({"-n", bridge(), "link", "set", port, "up"});
        ip({"-n", ns, "addr", "add", address(k) + "/24", "dev", veth});
        ip({"-n", ns, "link", "set", veth, "up"});
        ip({"-n", ns, "link", "set", "lo", "up"});
      }
    } catch (...) {
      remove();
      throw;
    }
  }
  ~NodeNamespaces() { remove(); }
  NodeNamespaces(const NodeNamespaces&) = delete;
  NodeNamespaces& operator=(const NodeNamespaces&) = delete;

  std::string name(std::size_t k) const { return prefix_ + std::to_string(k); }
  static std::string address(std::size_t k) { return "100.64.0." + std::to_string(11 + k); }

 private:
  std::string bridge() const { return prefix_ + "br"; }

  static void ip(std::vector<std::string> args) {
    args.insert(args.begin(), kIp);
    Process p(args);
    const auto status = p.finish(10s);
    if (!status || !WIFEXITED(*status) || WEXITSTATUS(*status) != 0) {
      std::string command;
      for (const auto& a : args) command += a + " ";
      throw std::runtime_error(command + "failed: " + p.err());
    }
  }

  void remove() {
    for (const std::string& ns : created_) {
      Process p({kIp, "netns", "del", ns});
      p.finish(10s);
    }
    created_.clear();
  }

  std::string prefix_;
  std::vector<std::string> created_;
};

TEST(TailscaleNamespaces, SalariesAmongNodesInSeparateNetworkNamespaces) {
  if (::geteuid() != 0) GTEST_SKIP() << "network namespaces need root";
  if (!std::filesystem::exists(NodeNamespaces::kIp)) GTEST_SKIP() << "iproute2 (ip) is not installed";
  const NodeNamespaces namespaces(3);
  Tailnet tailnet = Tailnet::from_fixture();
  for (std::size_t k = 0; k < tailnet.size(); ++k) {
    tailnet.node(k)["TailscaleIPs"] = boost::json::array{boost::json::string(NodeNamespaces::address(k))};
  }
  Placement in_namespaces;
  in_namespaces.wrap = [&](std::size_t k) {
    return std::vector<std::string>{NodeNamespaces::kIp, "netns", "exec", namespaces.name(k)};
  };
  in_namespaces.port = 11365;
  const ExampleCase example = salaries_case();
  const auto runs = run_on_tailnet(example.exe, example.common, example.own, tailnet, in_namespaces);
  for (std::size_t k = 0; k < runs.size(); ++k) {
    ASSERT_EQ(runs[k].status, 0) << "party " << k << ":\n" << runs[k].err;
    example.check(k, runs[k].out);
    EXPECT_TRUE(contains(runs[k].err, "at 100.64.0.11:11365")) << runs[k].err;
  }
}

TEST(TailscaleCli, ACountOtherThanMListsTheNodesFound) {
  Tailnet tailnet = Tailnet::from_fixture();
  const auto runs = run_on_tailnet(MESHMPC_SALARIES_EXE, {"-M", "4", "--salary", "1"},
                                   [](std::size_t) { return std::vector<std::string>{}; }, tailnet);
  for (const PartyRun& run : runs) {
    EXPECT_EQ(run.status, 1) << run.err;
    EXPECT_TRUE(contains(run.err, "-M 4 parties expected, but 3 online nodes are carrying tag:mpc: alice-laptop, "
                                  "bob-desktop, carol-pi")) << run.err;
  }
}

TEST(TailscaleCli, AnAbsentSocketIsNamed) {
  Process p({MESHMPC_SALARIES_EXE, "-M", "3", "--salary", "1", "--transport", "tailscale", "--tag", "tag:mpc",
             "--tailscale-socket", "/nonexistent/tailscaled.sock"});
  const auto status = p.finish(20s);
  ASSERT_TRUE(status.has_value());
  EXPECT_TRUE(WIFEXITED(*status) && WEXITSTATUS(*status) == 1) << p.err();
  EXPECT_TRUE(contains(p.err(), "cannot reach tailscaled's LocalAPI at /nonexistent/tailscaled.sock")) << p.err();
}

TEST(TailscaleCli, NoTagNorHostsIsABadCommandLine) {
  Process p({MESHMPC_SALARIES_EXE, "-M", "3", "--salary", "1", "--transport", "tailscale"});
  const auto status = p.finish(20s);
  ASSERT_TRUE(status.has_value());
  EXPECT_TRUE(WIFEXITED(*status) && WEXITSTATUS(*status) == 2) << p.err();
  EXPECT_TRUE(contains(p.err(), "--tag (e.g. --tag tag:mpc) and/or --hosts")) << p.err();
}

// One host runs one party here, so a list of everyone's bids makes no sense.
TEST(TailscaleCli, AListOfBidsIsRefusedWhenEachHostRunsOneParty) {
  Process p({MESHMPC_AUCTION_EXE, "-M", "3", "--bids", "1,2,3", "--transport", "tailscale", "--tag", "tag:mpc"});
  const auto status = p.finish(20s);
  ASSERT_TRUE(status.has_value());
  EXPECT_TRUE(WIFEXITED(*status) && WEXITSTATUS(*status) == 2) << p.err();
  EXPECT_TRUE(contains(p.err(), "with --transport tailscale each host runs one party: give its own --bid, not --bids"))
      << p.err();
}


// --- The macOS apps' LocalAPI (loopback TCP with a token) ------------------------

void write_file(const std::string& path, const std::string& text) {
  std::filesystem::create_directories(std::filesystem::path(path).parent_path());
  std::ofstream(path) << text;
}

std::vector<std::string> app_tokens(std::size_t n) {
  std::vector<std::string> tokens;
  for (std::size_t k = 0; k < n; ++k) tokens.push_back("5c0ffee5a1ad0000000" + std::to_string(k));
  return tokens;
}

bool default_socket_exists() {
  for (const char* path : {"/var/run/tailscale/tailscaled.sock", "/run/tailscale/tailscaled.sock",
                           "/var/run/tailscaled.socket", "/var/packages/Tailscale/var/tailscaled.sock",
                           "/var/packages/Tailscale/etc/tailscaled.sock", "/tmp/tailscale/tailscaled.sock",
                           "/perm/tailscaled/tailscaled.sock"}) {
    if (std::filesystem::exists(path)) return true;
  }
  return false;
}

// Three ways to the app's token, one per party: a token file; the App Store app's
// sameuserproof file for the port given; and no LocalAPI option at all (the file
// found alone, as on a Mac where only the app runs).
TEST(TailscaleMacosApp, SalariesWithTheTokenFromAFileFromThePortsProofFileOrFoundAlone) {
  TempDir homes;
  const std::vector<std::string> tokens = app_tokens(3);
  const bool found_alone = !default_socket_exists();
  Placement app;
  app.tokens = tokens;
  app.wrap = [&](std::size_t k) {
    return std::vector<std::string>{"/usr/bin/env", "-u", "MESHMPC_TAILSCALE_SOCKET",
                                    "HOME=" + homes.file("home" + std::to_string(k))};
  };
  app.localapi = [&](std::size_t k, const LocalApiStandIn& standin) -> std::vector<std::string> {
    const std::string container = homes.file("home" + std::to_string(k)) +
                                  "/Library/Group Containers/W5364U7YZB.io.tailscale.ipn.macos/";
    switch (k) {
      case 0:
        write_file(homes.file("token0"), tokens[0] + "\n");
        return {"--tailscale-localapi", standin.address(), "--tailscale-localapi-token-file", homes.file("token0")};
      case 1:
        write_file(container + "sameuserproof-1-" + tokens[0], "");  // another port's: passed over
        write_file(container + "sameuserproof-" + std::to_string(standin.port()) + "-" + tokens[1], "");
        return {"--tailscale-localapi", standin.address()};
      default:
        write_file(container + "sameuserproof-" + std::to_string(standin.port()) + "-" + tokens[k], "");
        if (!found_alone) return {"--tailscale-localapi", standin.address()};  // a socket would come first
        return {};
    }
  };
  const ExampleCase example = salaries_case();
  const auto runs = run_on_tailnet(example.exe, example.common, example.own, Tailnet::from_fixture(), app);
  for (std::size_t k = 0; k < runs.size(); ++k) {
    ASSERT_EQ(runs[k].status, 0) << "party " << k << ":\n" << runs[k].err;
    example.check(k, runs[k].out);
    for (const std::string& token : tokens) {
      EXPECT_FALSE(contains(runs[k].out + runs[k].err, token)) << "party " << k << " printed a token:\n" << runs[k].err;
    }
  }
  EXPECT_TRUE(contains(runs[0].err, "(token from the token file " + homes.file("token0") + ")")) << runs[0].err;
  EXPECT_TRUE(contains(runs[1].err, "(token from the App Store Tailscale app's sameuserproof file in " +
                                        homes.file("home1/Library/Group Containers/"))) << runs[1].err;
  EXPECT_TRUE(contains(runs[2].err, "LocalAPI at 127.0.0.1:")) << runs[2].err;
}

TEST(TailscaleMacosApp, AWrongOrMissingTokenEndsThePartyWithoutShowingIt) {
  TempDir homes;
  const std::vector<std::string> tokens = app_tokens(3);
  Placement app;
  app.tokens = tokens;
  app.wrap = [&](std::size_t k) {
    return std::vector<std::string>{"/usr/bin/env", "HOME=" + homes.file("home" + std::to_string(k))};
  };
  app.localapi = [&](std::size_t k, const LocalApiStandIn& standin) -> std::vector<std::string> {
    if (k == 2) return {"--tailscale-localapi", standin.address()};  // and no sameuserproof file anywhere
    // Parties 0 and 1 hold each other's token.
    write_file(homes.file("token" + std::to_string(k)), tokens[1 - k]);
    return {"--tailscale-localapi", standin.address(), "--tailscale-localapi-token-file",
            homes.file("token" + std::to_string(k))};
  };
  const auto runs = run_on_tailnet(MESHMPC_SALARIES_EXE, {"-M", "3", "--salary", "1"},
                                   [](std::size_t) { return std::vector<std::string>{}; }, Tailnet::from_fixture(), app);
  for (std::size_t k = 0; k < runs.size(); ++k) {
    EXPECT_EQ(runs[k].status, 1) << "party " << k << ":\n" << runs[k].err;
    for (const std::string& token : tokens) {
      EXPECT_FALSE(contains(runs[k].out + runs[k].err, token)) << "party " << k << " printed a token:\n" << runs[k].err;
    }
  }
  for (std::size_t k = 0; k < 2; ++k) {
    EXPECT_TRUE(contains(runs[k].err, "refused the token from the token file " + homes.file("token" + std::to_string(k)) +
                                          " (HTTP 403: bad password)")) << runs[k].err;
  }
  EXPECT_TRUE(contains(runs[2].err, "no token for the LocalAPI at 127.0.0.1:")) << runs[2].err;
  EXPECT_TRUE(contains(runs[2].err, "give it with --tailscale-localapi-token-file")) << runs[2].err;
}

TEST(TailscaleMacosApp, ANonLoopbackLocalApiIsABadCommandLine) {
  Process p({MESHMPC_SALARIES_EXE, "-M", "3", "--salary", "1", "--transport", "tailscale", "--tag", "tag:mpc",
             "--tailscale-localapi", "100.101.1.10:41112"});
  const auto status = p.finish(20s);
  ASSERT_TRUE(status.has_value());
  EXPECT_TRUE(WIFEXITED(*status) && WEXITSTATUS(*status) == 2) << p.err();
  EXPECT_TRUE(contains(p.err(), "--tailscale-localapi '100.101.1.10:41112': not a loopback address")) << p.err();
}

// --- Headscale -----------------------------------------------------------------------

// Four nodes of a Headscale tailnet (stable ids "2", "10", "9", "100": decimal text,
// ordered as text, so party 0 is "10" and party 3 is "9"), user tagged-devices. The
// winner's party index depends on that order, so the printed result checks it.
TEST(TailscaleHeadscale, AuctionAmongFourNodesOrderedByTheirIdsAsText) {
  const Tailnet tailnet = Tailnet::from_file("headscale_status.json");
  const std::vector<std::int64_t> bids{17, 42, 30, 25};          // by node: alice, bob, carol, dave
  const std::vector<std::size_t> party_of_node{2, 0, 3, 1};      // "2", "10", "9", "100" among "10" < "100" < "2" < "9"
  // The plain computation: the highest bidder wins and pays the second-highest bid.
  std::vector<std::size_t> by_bid{0, 1, 2, 3};
  std::sort(by_bid.begin(), by_bid.end(), [&](std::size_t a, std::size_t b) { return bids[a] > bids[b]; });
  const std::string expected = "party " + std::to_string(party_of_node[by_bid[0]]) + " wins and pays " +
                               std::to_string(bids[by_bid[1]]) + " (the second-highest bid)";
  ASSERT_EQ(expected, "party 0 wins and pays 30 (the second-highest bid)");
  const auto runs = run_on_tailnet(
      MESHMPC_AUCTION_EXE, {"-M", "4", "--tailscale-login", "tagged-devices"},
      [&](std::size_t k) { return std::vector<std::string>{"--bid", std::to_string(bids[k])}; }, tailnet);
  for (std::size_t k = 0; k < runs.size(); ++k) {
    ASSERT_EQ(runs[k].status, 0) << "node " << k << ":\n" << runs[k].err;
    EXPECT_TRUE(contains(runs[k].out, expected)) << "node " << k << ": " << runs[k].out << "\nexpected: " << expected;
    EXPECT_TRUE(contains(runs[k].err, "this node is party " + std::to_string(party_of_node[k]) + " of 4")) << runs[k].err;
  }
  EXPECT_TRUE(contains(runs[0].err, "party 0 (bob-desktop) at 127.0.0.12:")) << runs[0].err;
}

}  // namespace
}  // namespace meshmpc
