// TLS between real party processes on loopback, as a user runs them across
// hosts: keys from the real meshmpc-keygen, roster lines as it prints them, each
// party its own process. Results are checked against the plain computation;
// a bad key is one clear error at its party and a named failure at the others.
#include "../cli/process.hpp"
#include "free_ports.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <set>
#include <sstream>

namespace meshmpc {
namespace {

using cli::test::Process;
using namespace std::chrono_literals;
namespace fs = std::filesystem;

bool contains(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

using test::free_ports;

struct Finished {
  int status = -1;
  std::string out, err;
};

Finished finish(Process& process) {
  Finished f;
  const auto status = process.finish(60s);
  f.out = process.out();
  f.err = process.err();
  if (!status) {
    ADD_FAILURE() << "did not finish: " << f.err;
    return f;
  }
  f.status = WIFEXITED(*status) ? WEXITSTATUS(*status) : 128 + WTERMSIG(*status);
  return f;
}

// One directory per "host", each holding what meshmpc-keygen made there.
struct Hosts {
  explicit Hosts(std::size_t n) : ports(free_ports(n)) {
    std::string pattern = (fs::temp_directory_path() / "meshmpc-tls-hosts-XXXXXX").string();
    if (::mkdtemp(pattern.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
    root = pattern;
    for (std::size_t i = 0; i < n; ++i) fs::create_directory(dir(i));
  }
  ~Hosts() {
    std::error_code ignored;
    fs::remove_all(root, ignored);
  }
  fs::path dir(std::size_t i) const { return root / ("host" + std::to_string(i)); }
  std::string endpoint(std::size_t i) const { return "127.0.0.1:" + std::to_string(ports[i]); }
  std::string key(std::size_t i) const { return (dir(i) / ("party_" + std::to_string(i) + ".key")).string(); }
  std::string cert(std::size_t i) const { return (dir(i) / ("party_" + std::to_string(i) + ".crt")).string(); }

  // Runs meshmpc-keygen for party i on its host; returns what it printed.
  std::string keygen(std::size_t i, std::vector<std::string> extra = {}) const {
    std::vector<std::string> argv{MESHMPC_KEYGEN_EXE, "--index", std::to_string(i), "--dir", dir(i).string(),
                                  "--endpoint", endpoint(i)};
    argv.insert(argv.end(), extra.begin(), extra.end());
    Process p(argv);
    const Finished f = finish(p);
    EXPECT_EQ(f.status, 0) << f.err;
    return f.out.substr(0, f.out.find('\n'));
  }

  fs::path root;
  std::vector<std::uint16_t> ports;
};

// salaries among parties started separately, each with its own salary; every
// party prints the total.
std::vector<Finished> salaries(const Hosts& hosts, const std::vector<std::int64_t>& pay,
                               const std::vector<std::string>& roster_lines, const std::vector<std::string>& common) {
  std::vector<std::unique_ptr<Process>> parties;
  for (std::size_t i = 0; i < pay.size(); ++i) {
    std::vector<std::string> argv{MESHMPC_SALARIES_EXE, "-I", std::to_string(i), "--salary", std::to_string(pay[i]),
                                  "--ssl-key", hosts.key(i), "--ssl-cert", hosts.cert(i), "--timeout", "10",
                                  "--log-level", "warn"};
    for (const std::string& line : roster_lines) argv.insert(argv.end(), {"-P", line});
    argv.insert(argv.end(), common.begin(), common.end());
    parties.push_back(std::make_unique<Process>(argv));
  }
  std::vector<Finished> done;
  for (auto& p : parties) done.push_back(finish(*p));
  return done;
}

TEST(TlsProcesses, PinnedKeysFromKeygenComputeTheTotal) {
  const std::vector<std::int64_t> pay{52000, 61000, 48000};
  Hosts hosts(pay.size());
  std::vector<std::string> lines;
  for (std::size_t i = 0; i < pay.size(); ++i) lines.push_back(hosts.keygen(i));
  const auto done = salaries(hosts, pay, lines, {});
  for (std::size_t i = 0; i < done.size(); ++i) {
    EXPECT_EQ(done[i].status, 0) << "party " << i << ": " << done[i].err;
    EXPECT_TRUE(contains(done[i].out, std::to_string(52000 + 61000 + 48000))) << done[i].out;
  }
}

TEST(TlsProcesses, CaIssuedKeysComputeTheTotal) {
  const std::vector<std::int64_t> pay{30000, 45000, 70000};
  Hosts hosts(pay.size());
  const fs::path ca = hosts.root / "ca";
  {
    Process p({MESHMPC_KEYGEN_EXE, "--ca", "--dir", ca.string()});
    ASSERT_EQ(finish(p).status, 0);
  }
  std::vector<std::string> lines;
  for (std::size_t i = 0; i < pay.size(); ++i) {
    hosts.keygen(i, {"--ca-dir", ca.string()});
    lines.push_back(hosts.endpoint(i));  // no pins: the CA decides
  }
  const auto done = salaries(hosts, pay, lines, {"--ssl-ca", (ca / "meshmpc_ca.crt").string()});
  for (std::size_t i = 0; i < done.size(); ++i) {
    EXPECT_EQ(done[i].status, 0) << "party " << i << ": " << done[i].err;
    EXPECT_TRUE(contains(done[i].out, std::to_string(30000 + 45000 + 70000))) << done[i].out;
  }
}

TEST(TlsProcesses, WorldReadableKeyStopsItsPartyAndTheOthersNameIt) {
  const std::vector<std::int64_t> pay{1, 2, 3};
  Hosts hosts(pay.size());
  std::vector<std::string> lines;
  for (std::size_t i = 0; i < pay.size(); ++i) lines.push_back(hosts.keygen(i));
  ASSERT_EQ(::chmod(hosts.key(1).c_str(), 0644), 0);
  const auto started = std::chrono::steady_clock::now();
  const auto done = salaries(hosts, pay, lines, {});
  EXPECT_EQ(done[1].status, 2) << done[1].err;
  EXPECT_TRUE(contains(done[1].err, hosts.key(1))) << done[1].err;
  EXPECT_TRUE(contains(done[1].err, "chmod 600")) << done[1].err;
  for (std::size_t i : {0, 2}) {
    EXPECT_EQ(done[i].status, 1) << "party " << i << ": " << done[i].err;
    EXPECT_TRUE(contains(done[i].err, "party 1 (party1)")) << "party " << i << ": " << done[i].err;
  }
  EXPECT_LT(std::chrono::steady_clock::now() - started, 30s) << "the others must stop within the timeout";
}

TEST(TlsProcesses, LocalLaunchWithSslRunsEveryLinkOverTls) {
  // A fresh key per party for this run; the derangement must still be one.
  Process p({MESHMPC_SECRETSANTA_EXE, "-M", "4", "--ssl", "--reveal", "--timeout", "30", "--log-level", "warn"});
  const Finished f = finish(p);
  ASSERT_EQ(f.status, 0) << f.err;
  // Party 0's line: "secret santa: 0 -> 2, 1 -> 3, ...".
  std::set<std::size_t> receivers;
  std::istringstream in(f.out);
  for (std::string line; std::getline(in, line);) {
    if (line.rfind("secret santa: ", 0) != 0) continue;
    std::istringstream pairs(line.substr(14));
    std::size_t giver = 0, receiver = 0;
    std::string arrow;
    char comma = 0;
    while (pairs >> giver >> arrow >> receiver) {
      EXPECT_NE(giver, receiver) << line;
      receivers.insert(receiver);
      pairs >> comma;
    }
  }
  EXPECT_EQ(receivers.size(), 4u) << f.out;
}

}  // namespace
}  // namespace meshmpc
