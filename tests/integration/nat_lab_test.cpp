// The NAT lab (tools/nat-lab.sh): a rendezvous on a public segment, parties on
// one LAN, behind their own port-preserving NATs, behind NATs with random
// ports, or one of them public.
//   NatLabProbe: what the lab's NATs do for TCP hole punching, checked with our
//     own nat_probe (an introducer and two punching parties): the behaviour the
//     rendezvous transport's simultaneous open depends on.
//   NatLabSecretSanta: meshmpc-rendezvous in the public namespace, secretsanta
//     --join in every party's namespace (n = 3 and 5); the assignment is a
//     derangement and each pair's reported path is the one its NATs allow.
//     Skipped while meshmpc-rendezvous is not built.
// Skipped with one line when not root or nft / network namespaces are missing.
#include <signal.h>
#include <gtest/gtest.h>

#include <boost/json/parse.hpp>
#include <boost/json/value.hpp>

#include <algorithm>
#include <cerrno>
#include <filesystem>
#include <fstream>
#include <thread>
#include <iostream>
#include <optional>
#include <set>
#include <sstream>

#include "nat_lab.hpp"

namespace meshmpc {
namespace {

using lab::NatLab;
using namespace std::chrono_literals;

class NatLabTest : public testing::Test {
 protected:
  void SetUp() override {
    if (const std::string why = lab::nat_skip_reason(); !why.empty()) GTEST_SKIP() << why;
  }
};

// ------------------------------------------------------------------ the NATs

constexpr int kIntroducerPort = 7100;  // nat_probe serve uses it and the next

// The value of the line "<word> <value>" nat_probe printed, or "" if none.
std::string line_value(const std::string& out, const std::string& word) {
  std::istringstream lines(out);
  for (std::string line; std::getline(lines, line);) {
    if (line.rfind(word + " ", 0) == 0) return line.substr(word.size() + 1);
  }
  return {};
}

struct ProbeRun {
  int status = -1;
  std::string out;
  std::string err;
  std::chrono::steady_clock::duration took{};
};

// The introducer on the rendezvous host; parties 0 and 1 punch from ports 40000
// and 40001 towards each other (tries, deadline: nat_probe punch's options).
std::vector<ProbeRun> punch_pair(const NatLab& lab, const std::vector<std::string>& extra = {}) {
  const std::string introducer = lab.rendezvous_ip() + ":" + std::to_string(kIntroducerPort);
  auto server = lab.start_in_rendezvous(
      {MESHMPC_NAT_PROBE_EXE, "serve", "--listen", introducer, "--pairs", "1", "--deadline", "40"});
  // Listening before the parties start: it says so first.
  EXPECT_TRUE(server->read_until([](const std::string& out, const std::string&) { return out.find("serving") != std::string::npos; },
                                 10s))
      << server->err();
  std::vector<std::unique_ptr<cli::test::Process>> parties;
  const auto start = std::chrono::steady_clock::now();
  for (std::size_t i = 0; i < 2; ++i) {
    std::vector<std::string> argv{MESHMPC_NAT_PROBE_EXE, "punch", "--port", std::to_string(40000 + i), "--rendezvous",
                                  introducer, "--name", "h" + std::to_string(i)};
    argv.insert(argv.end(), extra.begin(), extra.end());
    parties.push_back(lab.start_in(i, argv));
  }
  const auto statuses = lab::finish_together({parties[0].get(), parties[1].get()}, 60s, server.get());
  const auto took = std::chrono::steady_clock::now() - start;
  std::vector<ProbeRun> runs(2);
  for (std::size_t i = 0; i < 2; ++i) runs[i] = {statuses[i].value_or(-1), parties[i]->out(), parties[i]->err(), took};
  server->finish(45s);
  return runs;
}

bool exited(const ProbeRun& r, int code) { return WIFEXITED(r.status) && WEXITSTATUS(r.status) == code; }

// Port-preserving NATs keep the listening port for the rendezvous and for
// every other destination, and a simultaneous open between the two reflexive
// addresses forms a connection at once (the NATs drop unsolicited SYNs).
TEST_F(NatLabTest, PortPreservingNatsLetASimultaneousOpenThrough) {
  NatLab lab(2, {"--mode", "portpreserving"});
  // An unsolicited SYN to a NAT's public address is dropped: no answer at all.
  EXPECT_EQ(lab.connect_from(0, lab.public_ip(1), 40001, 1500ms), ETIMEDOUT);
  const auto runs = punch_pair(lab, {"--tries", "3", "--deadline", "15"});
  for (std::size_t i = 0; i < 2; ++i) {
    const std::string self = lab.public_ip(i) + ":" + std::to_string(40000 + i);
    const std::string other = lab.public_ip(1 - i) + ":" + std::to_string(40000 + (1 - i));
    EXPECT_TRUE(exited(runs[i], 0)) << "h" << i << ":\n" << runs[i].out << runs[i].err;
    EXPECT_EQ(line_value(runs[i].out, "reflexive"), self) << "the NAT kept the port";
    EXPECT_EQ(line_value(runs[i].out, "second-reflexive"), self) << "one mapping for every destination";
    EXPECT_EQ(line_value(runs[i].out, "peer"), other);
    EXPECT_EQ(line_value(runs[i].out, "connected"), "via dial to " + other + ", peer is h" + std::to_string(1 - i))
        << runs[i].out;
    // A SYN that met the far NAT early was dropped, not refused.
    EXPECT_EQ(runs[i].out.find("Connection refused"), std::string::npos) << runs[i].out;
  }
}

// The same NATs answering an unsolicited SYN with a RST (--unsolicited rst), as
// a NAT without a filter does: a party's SYN that reaches the far NAT before
// the far party's own SYN left is refused, and then so is the far party's. On
// the lab's veths that is nearly every attempt (tools/nat-lab.sh's header); the
// punch is reported, and must end within its bounds either way.
TEST_F(NatLabTest, NatsThatAnswerUnsolicitedSynsWithRstRefuseThePunch) {
  NatLab lab(2, {"--mode", "portpreserving", "--unsolicited", "rst"});
  EXPECT_EQ(lab.connect_from(0, lab.public_ip(1), 40001, 1500ms), ECONNREFUSED);
  const auto runs = punch_pair(lab, {"--tries", "5", "--deadline", "20"});
  for (const ProbeRun& r : runs) {
    EXPECT_TRUE(exited(r, 0) || exited(r, 1)) << r.out << r.err;
    EXPECT_FALSE(line_value(r.out, "peer").empty()) << "the introducer paired them:\n" << r.out << r.err;
  }
  std::cout << "[ rst NATs ] h0: " << line_value(runs[0].out, "connected") << line_value(runs[0].out, "no connection:")
            << "; h1: " << line_value(runs[1].out, "connected") << line_value(runs[1].out, "no connection:") << std::endl;
}

// Random-port NATs give the connection to the second destination another port
// than the rendezvous saw: a SYN to the reflexive address meets no mapping and
// is dropped, so punching fails on both sides within its deadline.
TEST_F(NatLabTest, RandomPortNatsDefeatASimultaneousOpen) {
  NatLab lab(2, {"--mode", "random"});
  const auto runs = punch_pair(lab, {"--tries", "2", "--deadline", "8"});
  for (std::size_t i = 0; i < 2; ++i) {
    const std::string reflexive = line_value(runs[i].out, "reflexive");
    const std::string second = line_value(runs[i].out, "second-reflexive");
    EXPECT_EQ(reflexive.substr(0, reflexive.find(':')), lab.public_ip(i)) << runs[i].out;
    EXPECT_EQ(second.substr(0, second.find(':')), lab.public_ip(i)) << runs[i].out;
    EXPECT_NE(reflexive, second) << "a random-port NAT kept one mapping:\n" << runs[i].out;
    EXPECT_TRUE(exited(runs[i], 1)) << "h" << i << ":\n" << runs[i].out << runs[i].err;
    EXPECT_NE(runs[i].out.find("no connection"), std::string::npos) << runs[i].out;
    EXPECT_LT(runs[i].took, 20s) << "punching must give up by its deadline";
  }
}

// A public party (h0) and one behind a random-port NAT (h1): h1's dial to h0's
// address is an ordinary outbound connection, accepted by h0's listener.
TEST_F(NatLabTest, APublicPartyIsReachedFromBehindAnyNat) {
  NatLab lab(2, {"--mode", "public-one"});
  const auto runs = punch_pair(lab, {"--tries", "3", "--deadline", "15"});
  EXPECT_EQ(line_value(runs[0].out, "reflexive"), lab.ip(0) + ":40000") << "a public party is seen as itself";
  for (std::size_t i = 0; i < 2; ++i) {
    EXPECT_TRUE(exited(runs[i], 0)) << "h" << i << ":\n" << runs[i].out << runs[i].err;
    EXPECT_NE(line_value(runs[i].out, "connected").find("peer is h" + std::to_string(1 - i)), std::string::npos)
        << runs[i].out;
  }
  EXPECT_NE(line_value(runs[0].out, "connected").find("accept from " + lab.public_ip(1)), std::string::npos)
      << runs[0].out;
}

// Teardown leaves nothing: the namespaces are gone, and so is a process started
// through the lab (nat-lab.sh start) together with the child it forked.
TEST_F(NatLabTest, DownRemovesEveryNamespaceAndProcessItStarted) {
  NatLab lab(3, {"--mode", "lan", "--host", "1=random", "--host", "2=public"});
  std::vector<std::string> namespaces{lab.rendezvous_ns(), lab.get("LAB_NS_NAT_0"), lab.get("LAB_NS_NAT_1")};
  for (std::size_t i = 0; i < 3; ++i) namespaces.push_back(lab.ns(i));
  for (const auto& ns : namespaces) ASSERT_TRUE(std::filesystem::exists("/var/run/netns/" + ns)) << ns;
  const pid_t pid = lab.start_recorded("rendezvous", {"/bin/sh", "-c", "sleep 600 & echo $! > " + lab.dir() + "/child; wait"});
  ASSERT_GT(pid, 0);
  std::string child_text;
  for (int i = 0; i < 100 && child_text.empty(); ++i) {
    std::ifstream in(lab.dir() + "/child");
    std::getline(in, child_text);
    if (child_text.empty()) std::this_thread::sleep_for(50ms);
  }
  ASSERT_FALSE(child_text.empty()) << "the started shell did not fork its child";
  const pid_t child = static_cast<pid_t>(std::stol(child_text));
  const auto running = [](pid_t p) {
    std::ifstream stat("/proc/" + std::to_string(p) + "/stat");
    std::string line;
    if (!std::getline(stat, line)) return false;
    const auto close = line.rfind(") ");
    return close != std::string::npos && line.substr(close + 2, 1) != "Z";  // a zombie has ended
  };
  EXPECT_TRUE(running(pid));
  EXPECT_TRUE(running(child));
  lab.down();
  for (const auto& ns : namespaces) EXPECT_FALSE(std::filesystem::exists("/var/run/netns/" + ns)) << ns;
  EXPECT_FALSE(running(pid));
  EXPECT_FALSE(running(child));
}

// ------------------------------------------------- secretsanta via the rendezvous

constexpr int kRendezvousPort = 7000;

// A party's summary with --json is its one info line on stderr, whose message is a
// JSON object with "paths": one {"party": <peer's index>, "name", "path": "direct" |
// "punched" | "relayed"[, "via"]} per peer (src/cli/summary.cpp).
using Paths = std::map<std::size_t, std::string>;  // peer -> path

std::optional<Paths> paths_in(const boost::json::object& summary) {
  const auto* links = summary.if_contains("paths");
  if (!links || !links->is_array()) return std::nullopt;
  Paths out;
  for (const auto& link : links->as_array()) {
    const auto& o = link.as_object();
    out[static_cast<std::size_t>(o.at("party").to_number<std::int64_t>())] = std::string(o.at("path").as_string());
  }
  return out;
}

struct SantaRun {
  int status = -1;
  std::string out, err;
  std::optional<std::int64_t> party, recipient;
  std::optional<Paths> paths;
};

std::optional<boost::json::object> json_object(std::string_view text) {
  boost::system::error_code ec;
  const auto v = boost::json::parse(text, ec);
  if (ec || !v.is_object()) return std::nullopt;
  return v.as_object();
}

SantaRun parse_santa(int status, const std::string& out, const std::string& err) {
  SantaRun r{status, out, err, {}, {}, {}};
  std::istringstream out_lines(out);
  for (std::string line; std::getline(out_lines, line);) {
    const auto o = json_object(line);
    if (o && o->contains("party") && o->contains("recipient")) {
      r.party = o->at("party").to_number<std::int64_t>();
      r.recipient = o->at("recipient").to_number<std::int64_t>();
    }
  }
  std::istringstream err_lines(err);
  for (std::string line; std::getline(err_lines, line);) {
    const auto at = line.find(" info: {");
    if (at == std::string::npos) continue;
    if (const auto o = json_object(std::string_view(line).substr(at + 7))) {
      if (auto p = paths_in(*o)) r.paths = std::move(p);
    }
  }
  return r;
}

// The path a pair of lab hosts must report, by their kinds.
std::string expected_path(const NatLab& lab, std::size_t a, std::size_t b) {
  const std::string ka = lab.kind(a), kb = lab.kind(b);
  if (ka == "public" || kb == "public") return "direct";  // one dials the other's own address
  if (ka == "lan" && kb == "lan") return "direct";        // the LAN addresses
  if (ka == "portpreserving" && kb == "portpreserving") return "punched";
  return "relayed";  // a random-port NAT on either side: no punching
}

struct Scenario {
  std::string mode;
  std::size_t n;
  std::vector<std::string> more = {};  // more nat-lab.sh up options
  std::string label = {};              // the test name's middle part, if any
};

void PrintTo(const Scenario& s, std::ostream* out) {
  *out << s.mode << ", n = " << s.n;
  for (const auto& option : s.more) *out << " " << option;
}

class NatLabSecretSanta : public NatLabTest, public testing::WithParamInterface<Scenario> {
 protected:
  void SetUp() override {
    NatLabTest::SetUp();
    if (IsSkipped()) return;
    if (::access(MESHMPC_RENDEZVOUS_EXE, X_OK) != 0) GTEST_SKIP() << "meshmpc-rendezvous not built";
  }
};

TEST_P(NatLabSecretSanta, DrawsADerangementOverTheExpectedPaths) {
  const Scenario& scenario = GetParam();
  const std::string& mode = scenario.mode;
  const std::size_t n = scenario.n;
  std::vector<std::string> options{"--mode", mode};
  options.insert(options.end(), scenario.more.begin(), scenario.more.end());
  NatLab lab(n, options);
  const std::string at = lab.rendezvous_ip() + ":" + std::to_string(kRendezvousPort);
  auto rendezvous = lab.start_in_rendezvous({MESHMPC_RENDEZVOUS_EXE, "--listen", at});
  ASSERT_TRUE(lab.rendezvous_listening(kRendezvousPort, 20s)) << "meshmpc-rendezvous does not listen at " << at;
  // A session name of this test alone.
  const std::string session = "santa-" + mode + "-" + std::to_string(n) + "-" + std::to_string(::getpid());
  std::vector<std::unique_ptr<cli::test::Process>> parties;
  for (std::size_t i = 0; i < n; ++i) {
    parties.push_back(lab.start_in(i, {MESHMPC_SECRETSANTA_EXE, "--join", at + "/" + session, "--expect",
                                       std::to_string(n), "--json", "--timeout", "60"}));
  }
  std::vector<cli::test::Process*> waited;
  for (const auto& party : parties) waited.push_back(party.get());
  const auto statuses = lab::finish_together(waited, 90s, rendezvous.get());
  std::vector<SantaRun> runs;
  for (std::size_t i = 0; i < n; ++i) {
    runs.push_back(parse_santa(statuses[i].value_or(-1), parties[i]->out(), parties[i]->err()));
  }
  // The rendezvous serves until stopped; Ctrl-C's signal ends it cleanly (what
  // it logged helps to read a failure; the Process's destructor kills it if not).
  ::kill(rendezvous->pid(), SIGTERM);
  rendezvous->finish(10s);
  const std::string rendezvous_log = rendezvous->err();

  // Which host is which party: the roster order (by key) is not the hosts' order.
  std::map<std::int64_t, std::size_t> host_of;
  std::vector<std::int64_t> recipient_of(n, -1);
  for (std::size_t h = 0; h < n; ++h) {
    const SantaRun& r = runs[h];
    ASSERT_TRUE(WIFEXITED(r.status) && WEXITSTATUS(r.status) == 0)
        << "host " << h << " (" << lab.kind(h) << ") status " << r.status << ":\n" << r.out << r.err;
    ASSERT_TRUE(r.party && r.recipient) << "host " << h << " printed no {party, recipient}:\n" << r.out;
    ASSERT_GE(*r.party, 0);
    ASSERT_LT(*r.party, static_cast<std::int64_t>(n));
    EXPECT_TRUE(host_of.emplace(*r.party, h).second) << "two hosts are party " << *r.party;
    recipient_of[static_cast<std::size_t>(*r.party)] = *r.recipient;
  }
  // A derangement of 0..n-1 (as examples_test checks it): a permutation, no fixed point.
  EXPECT_EQ(std::set<std::int64_t>(recipient_of.begin(), recipient_of.end()).size(), n);
  for (std::size_t p = 0; p < n; ++p) {
    EXPECT_NE(recipient_of[p], static_cast<std::int64_t>(p)) << "party " << p << " draws itself";
    EXPECT_GE(recipient_of[p], 0);
    EXPECT_LT(recipient_of[p], static_cast<std::int64_t>(n));
  }
  // Each host reports every peer's path, the one its kind and the peer's allow,
  // and the two ends of a pair agree.
  for (std::size_t h = 0; h < n; ++h) {
    const SantaRun& r = runs[h];
    ASSERT_TRUE(r.paths) << "host " << h << " reported no paths (\"paths\" in its --json summary):\n" << r.err;
    EXPECT_EQ(r.paths->size(), n - 1) << r.out;
    for (const auto& [peer, path] : *r.paths) {
      ASSERT_TRUE(host_of.count(static_cast<std::int64_t>(peer))) << "host " << h << " names party " << peer;
      const std::size_t other = host_of.at(static_cast<std::int64_t>(peer));
      EXPECT_EQ(path, expected_path(lab, h, other))
          << "host " << h << " (" << lab.kind(h) << ") to host " << other << " (" << lab.kind(other) << ")";
    }
  }
  if (HasFailure()) std::cout << "[ rendezvous ] " << rendezvous_log.substr(0, 4000) << std::endl;
}

INSTANTIATE_TEST_SUITE_P(Modes, NatLabSecretSanta,
                         testing::Values(Scenario{"lan", 3}, Scenario{"lan", 5}, Scenario{"portpreserving", 3},
                                         Scenario{"portpreserving", 5}, Scenario{"random", 3},
                                         Scenario{"random", 5}, Scenario{"public-one", 3},
                                         Scenario{"public-one", 5},
                                         // Every home on one private net: a peer's
                                         // local address is the party's own.
                                         Scenario{"portpreserving", 3, {"--home-subnet", "same"}, "same_home_subnet"}),
                         [](const auto& info) {
                           std::string mode = info.param.mode;
                           std::replace(mode.begin(), mode.end(), '-', '_');
                           if (!info.param.label.empty()) mode += "_" + info.param.label;
                           return mode + "_" + std::to_string(info.param.n);
                         });

}  // namespace
}  // namespace meshmpc
