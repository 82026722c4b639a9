// Programs run as separate processes, one per party, over TCP on loopback: the
// results against the plain computation, and a party killed mid-protocol.
#include "../cli/process.hpp"
#include "free_ports.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <gtest/gtest.h>

#include <cmath>
#include <numeric>
#include <regex>
#include <sstream>

namespace meshmpc {
namespace {

using cli::test::Process;
using namespace std::chrono_literals;

std::string joined(const std::vector<std::int64_t>& v) {
  std::string s;
  for (auto x : v) s += (s.empty() ? "" : ",") + std::to_string(x);
  return s;
}

class Salaries : public testing::TestWithParam<std::size_t> {};

TEST_P(Salaries, EveryPartyPrintsThePlainStatistics) {
  const std::size_t n = GetParam();
  std::vector<std::int64_t> salaries;
  for (std::size_t i = 0; i < n; ++i) salaries.push_back(40000 + 1234 * static_cast<std::int64_t>(i * i));
  const auto total = std::accumulate(salaries.begin(), salaries.end(), std::int64_t{0});
  const double mean = static_cast<double>(total) / static_cast<double>(n);
  double var = 0;
  for (auto s : salaries) var += (static_cast<double>(s) - mean) * (static_cast<double>(s) - mean);
  const double sd = std::sqrt(var / static_cast<double>(n));

  Process p({MESHMPC_SALARIES_EXE, "-M", std::to_string(n), "--salaries", joined(salaries), "--timeout", "30"});
  const auto status = p.finish(60s);
  ASSERT_TRUE(status.has_value()) << "salaries did not finish";
  ASSERT_TRUE(WIFEXITED(*status) && WEXITSTATUS(*status) == 0) << p.err();
  // Party 0 prints plainly, the others through the launcher with "[party i] ".
  char expected[200];
  std::snprintf(expected, sizeof expected, "total %lld, mean %.2f, standard deviation %.2f over %zu parties",
                static_cast<long long>(total), mean, sd, n);
  std::size_t lines = 0;
  std::istringstream out(p.out());
  for (std::string line; std::getline(out, line);) {
    if (line.find("total") == std::string::npos) continue;
    EXPECT_NE(line.find(expected), std::string::npos) << line << "\nexpected: " << expected;
    ++lines;
  }
  EXPECT_EQ(lines, n) << p.out();
}

INSTANTIATE_TEST_SUITE_P(Parties, Salaries, testing::Values(3, 5, 7));

TEST(Salaries, BadSalaryIsRefusedBeforeAnyPartyStarts) {
  Process p({MESHMPC_SALARIES_EXE, "-M", "3", "--salaries", "10,-5,20"});
  const auto status = p.finish(20s);
  ASSERT_TRUE(status.has_value());
  EXPECT_TRUE(WIFEXITED(*status) && WEXITSTATUS(*status) == 2);
  EXPECT_NE(p.err().find("salary -5"), std::string::npos) << p.err();
}

using test::free_ports;

// Three parties run a long series of multiplications; party 1 is killed with
// SIGKILL. Parties 0 and 2 must stop on their own with an error naming party 1,
// well before their receive timeout.
TEST(Faults, KilledPartyIsNamedByTheOthers) {
  const auto ports = free_ports(3);
  std::vector<std::unique_ptr<Process>> parties;
  for (std::size_t i = 0; i < 3; ++i) {
    std::vector<std::string> argv{MESHMPC_BENCH_EXE, "--op", "mul", "--batch", "1000", "--repeat", "200000",
                                  "-I", std::to_string(i), "--timeout", "30"};
    for (auto port : ports) argv.insert(argv.end(), {"-P", "127.0.0.1:" + std::to_string(port)});
    parties.push_back(std::make_unique<Process>(argv));
  }
  // Wait until party 0 has printed a few rows: the session runs.
  ASSERT_TRUE(parties[0]->read_until(
      [](const std::string& out, const std::string&) { return std::count(out.begin(), out.end(), '\n') >= 3; }, 30s))
      << parties[0]->err();
  const auto killed_at = std::chrono::steady_clock::now();
  ::kill(parties[1]->pid(), SIGKILL);
  for (std::size_t i : {0, 2}) {
    const auto status = parties[i]->finish(20s);
    ASSERT_TRUE(status.has_value()) << "party " << i << " did not stop";
    EXPECT_TRUE(WIFEXITED(*status) && WEXITSTATUS(*status) == 1) << "party " << i;
    EXPECT_NE(parties[i]->err().find("party 1"), std::string::npos) << "party " << i << ": " << parties[i]->err();
  }
  EXPECT_LT(std::chrono::steady_clock::now() - killed_at, 15s);
  (void)parties[1]->finish(5s);
}

}  // namespace
}  // namespace meshmpc
