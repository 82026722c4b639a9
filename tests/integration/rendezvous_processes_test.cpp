// The rendezvous as a user runs it, on loopback: meshmpc-rendezvous, a session
// code from `secretsanta --new-code`, and one secretsanta process per party with
// --join: the parties find each other, agree on the roster and draw a derangement
// (checked as the plain computation would: a permutation without fixed points),
// each reporting its links. A party with another code makes every honest party
// stop, naming it; a party short makes every party stop at the deadline, naming
// who joined. (Behind NATs: nat_lab_test.)
#include "../cli/process.hpp"

#include <boost/json/parse.hpp>
#include <gtest/gtest.h>
#include <signal.h>

#include <memory>
#include <optional>
#include <set>
#include <sstream>
#include <string>
#include <vector>

namespace meshmpc {
namespace {

using cli::test::Process;
using namespace std::chrono_literals;

// meshmpc-rendezvous on a free loopback port, stopped (SIGTERM) at the end.
class Rendezvous {
 public:
  Rendezvous() : process_({MESHMPC_RENDEZVOUS_EXE, "--listen", "127.0.0.1:0"}) {
    const std::string mark = "listening on ";
    const bool up = process_.read_until(
        [&](const std::string&, const std::string& err) {
          const auto at = err.find(mark);
          return at != std::string::npos && err.find('\n', at) != std::string::npos;
        },
        20s);
    const std::string& err = process_.err();
    if (!up) throw std::runtime_error("meshmpc-rendezvous did not start: " + err);
    const auto from = err.find(mark) + mark.size();
    address_ = err.substr(from, err.find('\n', from) - from);
  }
  ~Rendezvous() {
    ::kill(process_.pid(), SIGTERM);
    process_.finish(10s);
  }
  const std::string& address() const { return address_; }

 private:
  Process process_;
  std::string address_;
};

struct Outcome {
  std::optional<int> status;
  std::string out, err;
};

std::vector<Outcome> run_parties(const std::vector<std::vector<std::string>>& argvs) {
  std::vector<std::unique_ptr<Process>> processes;
  for (const auto& argv : argvs) processes.push_back(std::make_unique<Process>(argv));
  std::vector<Outcome> outcomes;
  for (auto& p : processes) {
    const auto status = p->finish(60s);
    outcomes.push_back({status && WIFEXITED(*status) ? std::optional<int>(WEXITSTATUS(*status)) : std::nullopt,
                        p->out(), p->err()});
  }
  return outcomes;
}

std::string new_code() {
  Process p({MESHMPC_SECRETSANTA_EXE, "--new-code"});
  const auto status = p.finish(20s);
  EXPECT_TRUE(status && WIFEXITED(*status) && WEXITSTATUS(*status) == 0) << p.err();
  return p.out().substr(0, p.out().find('\n'));
}

std::vector<std::string> santa(const std::string& at, std::size_t n, const std::string& code) {
  return {MESHMPC_SECRETSANTA_EXE, "--join", at, "--expect", std::to_string(n), "--code", code,
          "--json", "--timeout", "20"};
}

class RendezvousProcesses : public testing::TestWithParam<std::size_t> {};

TEST_P(RendezvousProcesses, FriendsWithACodeDrawADerangementOverDirectLinks) {
  const std::size_t n = GetParam();
  Rendezvous rendezvous;
  const std::string code = new_code();
  const std::string at = rendezvous.address() + "/santa-" + std::to_string(n);
  const auto outcomes = run_parties(std::vector<std::vector<std::string>>(n, santa(at, n, code)));
  std::vector<std::int64_t> recipient_of(n, -1);
  std::set<std::int64_t> parties;
  for (const Outcome& o : outcomes) {
    ASSERT_EQ(o.status, 0) << o.out << o.err;
    EXPECT_NE(o.err.find("each proven by the session code"), std::string::npos) << o.err;
    std::istringstream lines(o.out);
    for (std::string line; std::getline(lines, line);) {
      const auto v = boost::json::parse(line).as_object();
      const auto party = v.at("party").as_int64();
      parties.insert(party);
      recipient_of.at(static_cast<std::size_t>(party)) = v.at("recipient").as_int64();
    }
    // Every peer's link, direct (one machine), in the --json summary.
    const auto at_json = o.err.find(" info: {\"milliseconds\"");
    ASSERT_NE(at_json, std::string::npos) << o.err;
    const auto summary = boost::json::parse(o.err.substr(at_json + 7, o.err.find('\n', at_json) - at_json - 7));
    const auto& paths = summary.as_object().at("paths").as_array();
    EXPECT_EQ(paths.size(), n - 1);
    for (const auto& path : paths) EXPECT_EQ(path.as_object().at("path").as_string(), "direct") << o.err;
  }
  EXPECT_EQ(parties.size(), n) << "each process is one party";
  EXPECT_EQ(std::set<std::int64_t>(recipient_of.begin(), recipient_of.end()).size(), n);
  for (std::size_t p = 0; p < n; ++p) EXPECT_NE(recipient_of[p], static_cast<std::int64_t>(p));
}

INSTANTIATE_TEST_SUITE_P(Parties, RendezvousProcesses, testing::Values(3, 5));

TEST(RendezvousProcessFaults, APartyWithAnotherCodeIsNamedAndNobodyComputes) {
  Rendezvous rendezvous;
  const std::string code = new_code();
  std::string other = new_code();
  while (other == code) other = new_code();
  const std::string at = rendezvous.address() + "/wrong-code";
  const auto outcomes = run_parties({santa(at, 3, code), santa(at, 3, code), santa(at, 3, other)});
  for (std::size_t i = 0; i < 3; ++i) {
    EXPECT_EQ(outcomes[i].status, 1) << outcomes[i].err;
    EXPECT_EQ(outcomes[i].out, "") << "no result without an agreed roster";
  }
  for (std::size_t i = 0; i < 2; ++i) {
    EXPECT_NE(outcomes[i].err.find("does not know the session code"), std::string::npos) << outcomes[i].err;
  }
  // The code itself never appears in a message.
  for (const Outcome& o : outcomes) EXPECT_EQ(o.err.find(code), std::string::npos) << o.err;
}

TEST(RendezvousProcessFaults, APartyShortStopsEveryoneAtTheDeadlineNamingWhoJoined) {
  Rendezvous rendezvous;
  const std::string at = rendezvous.address() + "/short";
  std::vector<std::string> argv{MESHMPC_SECRETSANTA_EXE, "--join", at, "--expect", "3", "--timeout", "2"};
  auto alice = argv, bob = argv;
  alice.insert(alice.end(), {"--party-name", "alice"});
  bob.insert(bob.end(), {"--party-name", "bob"});
  const auto outcomes = run_parties({alice, bob});
  for (const Outcome& o : outcomes) {
    EXPECT_EQ(o.status, 1) << o.err;
    EXPECT_NE(o.err.find("only 2 of 3 parties joined by the deadline"), std::string::npos) << o.err;
    EXPECT_NE(o.err.find("'alice'"), std::string::npos) << o.err;
    EXPECT_NE(o.err.find("'bob'"), std::string::npos) << o.err;
  }
}

TEST(RendezvousProcessFaults, ARendezvousThatIsNotThereIsNamed) {
  // A port nothing listens on: the connection is refused at once.
  Process p({MESHMPC_SECRETSANTA_EXE, "--join", "127.0.0.1:1/nobody-home", "--expect", "3", "--timeout", "5"});
  const auto status = p.finish(30s);
  ASSERT_TRUE(status && WIFEXITED(*status)) << p.err();
  EXPECT_EQ(WEXITSTATUS(*status), 1) << p.err();
  EXPECT_NE(p.err().find("cannot reach the rendezvous at 127.0.0.1:1"), std::string::npos) << p.err();
}

}  // namespace
}  // namespace meshmpc
