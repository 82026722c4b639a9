// Programs run as separate processes, one per party, over TCP on loopback: the
// results against the plain computation, and a party killed mid-protocol.
#include "../cli/process.hpp"
#include "free_ports.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <gtest/gtest.h>
#include <meshmpc/error.hpp>
#include <meshmpc/net/handshake.hpp>

#include <filesystem>
#include <fstream>

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

// The expected line of every salaries party.
std::string salaries_line(const std::vector<std::int64_t>& salaries) {
  const auto total = std::accumulate(salaries.begin(), salaries.end(), std::int64_t{0});
  const double n = static_cast<double>(salaries.size());
  const double mean = static_cast<double>(total) / n;
  double var = 0;
  for (auto s : salaries) var += (static_cast<double>(s) - mean) * (static_cast<double>(s) - mean);
  char line[200];
  std::snprintf(line, sizeof line, "total %lld, mean %.2f, standard deviation %.2f over %zu parties",
                static_cast<long long>(total), mean, std::sqrt(var / n), salaries.size());
  return line;
}

// What an impostor gets when it dials `port` claiming to be party `as` of a
// salaries session of n parties, knowing the session id (the program's name, as
// in -I mode without --session-id) but not the session secret.
std::string impostor_attempt(std::uint16_t port, std::size_t as, std::size_t n) {
  namespace asio = boost::asio;
  net::Roster roster;
  roster.session_id = net::session_id_from_text("salaries");
  for (std::size_t i = 0; i < n; ++i) roster.parties.push_back({i, "party" + std::to_string(i), {}, {}, std::nullopt});
  asio::io_context io;
  std::string outcome = "never ran";
  asio::co_spawn(io, [&]() -> asio::awaitable<void> {
    asio::ip::tcp::socket socket(io);
    // Party 0 may still be starting: dial until it listens (bounded by run_for below).
    for (;;) {
      auto [error] = co_await socket.async_connect({asio::ip::address_v4::loopback(), port},
                                                   asio::as_tuple(asio::use_awaitable));
      if (!error) break;
      socket.close();
      asio::steady_timer pause(io, 20ms);
      co_await pause.async_wait(asio::use_awaitable);
    }
    try {
      co_await net::run_handshake(socket, roster, as, net::Role::dialler, "party 0", nullptr,
                                  std::chrono::steady_clock::now() + 5s);
      outcome = "accepted";
    } catch (const std::exception& error) {
      outcome = error.what();
    }
  }, asio::detached);
  io.run_for(15s);
  return outcome;
}

// Issue 13, finding 1: a stranger who reaches a listening port during the connect
// phase and knows the session id claims party 2 before party 2 starts. With a
// session secret it is refused (and logged by party 0 as it happens), the real
// party 2 joins, and the run computes the right result.
TEST(Impostor, WithoutTheSessionSecretCannotTakeAPartysPlace) {
  const auto ports = free_ports(3);
  const std::filesystem::path secret_file =
      std::filesystem::temp_directory_path() / ("meshmpc-secret-" + std::to_string(::getpid()));
  std::ofstream(secret_file) << "correct horse battery staple\n";
  const std::vector<std::int64_t> salaries{41000, 52000, 38500};
  const auto start = [&](std::size_t i) {
    std::vector<std::string> argv{MESHMPC_SALARIES_EXE, "-I", std::to_string(i), "--salary",
                                  std::to_string(salaries[i]), "--timeout", "20", "--session-secret-file",
                                  secret_file.string()};
    for (auto port : ports) argv.insert(argv.end(), {"-P", "127.0.0.1:" + std::to_string(port)});
    return std::make_unique<Process>(argv);
  };
  std::vector<std::unique_ptr<Process>> parties;
  parties.push_back(start(0));
  parties.push_back(start(1));
  const std::string impostor = impostor_attempt(ports[0], 2, 3);
  EXPECT_NE(impostor.find("refused our connection"), std::string::npos) << impostor;
  EXPECT_NE(impostor.find("the peer did not prove that it belongs to this session"), std::string::npos) << impostor;
  parties.push_back(start(2));
  for (std::size_t i = 0; i < 3; ++i) {
    const auto status = parties[i]->finish(60s);
    ASSERT_TRUE(status.has_value()) << "party " << i << " did not finish";
    EXPECT_TRUE(WIFEXITED(*status) && WEXITSTATUS(*status) == 0) << "party " << i << ": " << parties[i]->err();
    EXPECT_NE(parties[i]->out().find(salaries_line(salaries)), std::string::npos) << parties[i]->out();
    EXPECT_EQ(parties[i]->err().find("no session secret"), std::string::npos) << parties[i]->err();
  }
  // Party 0 said so when it happened, one line.
  EXPECT_NE(parties[0]->err().find("warning: party 0 (party0) refused a connection from 127.0.0.1:"),
            std::string::npos) << parties[0]->err();
  std::filesystem::remove(secret_file);
}

TEST(Impostor, APartyWithoutTheSecretIsToldWhy) {
  const auto ports = free_ports(3);
  const std::filesystem::path dir =
      std::filesystem::temp_directory_path() / ("meshmpc-secrets-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  std::ofstream(dir / "right") << "shared by two\n";
  std::ofstream(dir / "wrong") << "a typo\n";
  std::vector<std::unique_ptr<Process>> parties;
  for (std::size_t i = 0; i < 3; ++i) {
    std::vector<std::string> argv{MESHMPC_SALARIES_EXE, "-I", std::to_string(i), "--salary", "1000",
                                  "--timeout", "3", "--session-secret-file", (dir / (i == 2 ? "wrong" : "right")).string()};
    for (auto port : ports) argv.insert(argv.end(), {"-P", "127.0.0.1:" + std::to_string(port)});
    parties.push_back(std::make_unique<Process>(argv));
  }
  const auto status = parties[2]->finish(30s);
  ASSERT_TRUE(status.has_value());
  EXPECT_TRUE(WIFEXITED(*status) && WEXITSTATUS(*status) == 1);
  EXPECT_NE(parties[2]->err().find("refused our connection"), std::string::npos) << parties[2]->err();
  EXPECT_NE(parties[2]->err().find("(another session id or session secret)"), std::string::npos) << parties[2]->err();
  for (std::size_t i : {0, 1}) (void)parties[i]->finish(30s);
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace meshmpc
