#include <meshmpc/tcp/tcp_transport.hpp>

#include <fcntl.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <boost/asio/steady_timer.hpp>
#include <fstream>

#include <meshmpc/error.hpp>
#include <meshmpc/net/handshake.hpp>
#include <meshmpc/net/stream_link.hpp>

#include "exchange.hpp"

namespace meshmpc::tcp {
namespace {

using asio::ip::tcp;
using namespace std::chrono_literals;
using net::testing::make_roster;
using net::testing::message_of;

bool contains(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

// n parties on this machine, each listening (port 0) on `host` on its own io_context.
struct TcpSetup {
  explicit TcpSetup(std::size_t n, const std::string& host = "127.0.0.1") : parties(n), roster(make_roster(n)) {
    for (std::size_t i = 0; i < n; ++i) {
      acceptors.emplace_back(net::listen(parties.context(i).get_executor(), {host, 0}));
      roster.parties[i].endpoints = {{host, acceptors[i]->local_endpoint().port()}};
    }
  }
  std::unique_ptr<TcpTransport> transport(std::size_t i, net::TcpOptions options = {}) {
    auto transport = std::make_unique<TcpTransport>(std::move(*acceptors[i]), std::move(options));
    acceptors[i].reset();
    return transport;
  }
  net::testing::PartyThreads parties;
  net::Roster roster;
  std::vector<std::optional<tcp::acceptor>> acceptors;
};

void exchange_over(TcpSetup& setup) {
  const std::size_t n = setup.roster.size();
  std::vector<net::NetworkStatistics> statistics(n);
  net::testing::expect_no_errors(setup.parties.run([&](std::size_t self) -> asio::awaitable<void> {
    auto transport = setup.transport(self);
    net::Network network = co_await net::connect_network(*transport, setup.roster, self, 5s, {.receive_timeout = 5s});
    co_await net::testing::exchange_all(network, 2000 + self);
    co_await network.shutdown();
    statistics[self] = network.statistics();
  }));
  for (std::size_t self = 0; self < n; ++self) {
    EXPECT_EQ(statistics[self].peers, net::testing::expected_statistics(n, self).peers) << "party " << self;
  }
}

class TcpNetwork : public ::testing::TestWithParam<std::size_t> {};

TEST_P(TcpNetwork, AllToAllExchangeMatchesEveryLabelAndCountsBytes) {
  TcpSetup setup(GetParam());
  exchange_over(setup);
}

INSTANTIATE_TEST_SUITE_P(Parties, TcpNetwork, ::testing::Values(3, 5));

// A relinkable link keeps what it sent until the peer acknowledges it; shared
// bytes (a batch of shares) are then let go at once, a few rounds later, not at
// the end of the session: here party 0 deals two batches of 800 kB, as an input
// of 10^5 shares does, and after three small rounds holds neither.
TEST(TcpTransport, AcknowledgedBatchesAreReleasedWhileTheSessionGoesOn) {
  TcpSetup setup(3);
  std::vector<std::weak_ptr<const net::Payload>> batches;
  std::vector<std::string> held(3);
  net::testing::expect_no_errors(setup.parties.run([&](std::size_t self) -> asio::awaitable<void> {
    auto transport = setup.transport(self);
    net::Network network = co_await net::connect_network(*transport, setup.roster, self, 5s, {.receive_timeout = 5s});
    for (net::Label label : {1, 2}) {
      if (self == 0) {
        for (std::size_t j : {1, 2}) {
          const auto batch = std::make_shared<const net::Payload>(800'000, std::byte{static_cast<unsigned char>(j)});
          batches.push_back(batch);
          network.send_shared(j, label, net::SharedBytes{batch, std::span<const std::byte>(*batch)});
        }
      } else {
        const net::Payload got = co_await network.receive(0, label);
        if (got.size() != 800'000 || got[12345] != std::byte{static_cast<unsigned char>(self)})
          throw std::runtime_error("party " + std::to_string(self) + ": wrong batch " + std::to_string(label));
      }
    }
    for (net::Label label : {3, 4, 5}) {
      for (std::size_t j = 0; j < 3; ++j)
        if (j != self) network.send(j, label, {std::byte{1}});
      for (std::size_t j = 0; j < 3; ++j)
        if (j != self) (void)co_await network.receive(j, label);
    }
    if (self == 0)
      for (const auto& b : batches)
        if (!b.expired()) held[0] += " a batch";
    co_await network.shutdown();
  }));
  EXPECT_EQ(held[0], "") << "party 0 still holds batches its peers acknowledged";
}

TEST(TcpTransport, WorksOverIpv6Loopback) {
  std::optional<TcpSetup> setup;
  try {
    setup.emplace(3, "::1");
  } catch (const ConfigError& error) {
    GTEST_SKIP() << "IPv6 loopback unavailable: " << error.what();
  }
  exchange_over(*setup);
}

TEST(TcpTransport, ResolvesLocalhost) {
  TcpSetup setup(3, "localhost");
  exchange_over(setup);
}

std::uint16_t free_port() {
  asio::io_context context;
  tcp::acceptor probe(context, tcp::endpoint(asio::ip::address_v4::loopback(), 0));
  return probe.local_endpoint().port();
}

TEST(TcpTransport, ListensOnTheRosterPortItself) {
  // Ports are picked free then released: another process may grab one in between,
  // so a failed listen is retried with new ports (at most three times).
  for (int attempt = 0; attempt < 3; ++attempt) {
    net::Roster roster = make_roster(2);
    for (net::PartyInfo& party : roster.parties) party.endpoints = {{"127.0.0.1", free_port()}};
    net::testing::PartyThreads parties(2);
    bool listen_failed = false;
    const auto errors = parties.run([&](std::size_t self) -> asio::awaitable<void> {
      TcpTransport transport;
      net::Network network = co_await net::connect_network(transport, roster, self, 5s, {.receive_timeout = 5s});
      network.send(1 - self, 11, {std::byte(self)});
      const net::Payload payload = co_await network.receive(1 - self, 11);
      if (payload != net::Payload{std::byte(1 - self)}) throw std::runtime_error("wrong payload");
      co_await network.shutdown();
    });
    for (const auto& error : errors) listen_failed |= contains(message_of(error), "cannot listen");
    if (listen_failed) continue;
    net::testing::expect_no_errors(errors);
    return;
  }
  FAIL() << "could not listen on a free port three times";
}

TEST(TcpTransport, DialDeadlineListsThePartiesNeverReached) {
  net::Roster roster = make_roster(3);
  for (net::PartyInfo& party : roster.parties) party.endpoints = {{"127.0.0.1", free_port()}};  // nobody there
  net::testing::PartyThreads carol_alone(1);
  const auto started = std::chrono::steady_clock::now();
  const auto errors = carol_alone.run([&](std::size_t) -> asio::awaitable<void> {
    TcpTransport transport;
    co_await transport.connect(roster, 2, std::chrono::steady_clock::now() + 400ms);
  });
  const std::string message = message_of(errors[0]);
  EXPECT_TRUE(contains(message, "party 2 (carol): could not connect to every party within")) << message;
  EXPECT_TRUE(contains(message, "never reached party 0 (alice) (we dial it; last error: 127.0.0.1:")) << message;
  EXPECT_TRUE(contains(message, "party 1 (bob) (we dial it; last error: 127.0.0.1:")) << message;
  EXPECT_TRUE(contains(message, "Connection refused")) << message;
  EXPECT_LT(std::chrono::steady_clock::now() - started, 3s);

  TcpSetup alice_alone(3);
  const auto alice_errors = alice_alone.parties.run([&](std::size_t self) -> asio::awaitable<void> {
    if (self != 0) co_return;  // only alice runs
    auto transport = alice_alone.transport(0);
    co_await transport->connect(alice_alone.roster, 0, std::chrono::steady_clock::now() + 300ms);
  });
  EXPECT_TRUE(contains(message_of(alice_errors[0]),
                       "never reached party 1 (bob) (it dials us and never did), party 2 (carol) (it dials us "
                       "and never did)"))
      << message_of(alice_errors[0]);
}

TEST(TcpTransport, PeerClosingMidSessionFailsReceivesPromptlyWithItsName) {
  TcpSetup setup(3);
  std::vector<std::string> seen(3);
  const auto started = std::chrono::steady_clock::now();
  const auto errors = setup.parties.run([&](std::size_t self) -> asio::awaitable<void> {
    auto transport = setup.transport(self);
    net::Network network = co_await net::connect_network(*transport, setup.roster, self, 5s, {.receive_timeout = 20s});
    if (self == 2) {
      network.send(0, 1, {std::byte{1}});
      network.send(1, 1, {std::byte{1}});
      asio::steady_timer flush(co_await asio::this_coro::executor, 30ms);
      co_await flush.async_wait(asio::use_awaitable);
      network.close();  // carol vanishes without a word
      co_return;
    }
    co_await network.receive(2, 1);
    try {
      co_await network.receive(2, 2);
      seen[self] = "received";
    } catch (const PeerError& error) {
      seen[self] = error.what();
    }
    network.send(1 - self, 5, {});  // alice and bob finish together
    co_await network.receive(1 - self, 5);
    co_await network.shutdown();
  });
  net::testing::expect_no_errors(errors);
  EXPECT_TRUE(contains(seen[0], "party 2 (carol)")) << seen[0];
  EXPECT_TRUE(contains(seen[1], "party 2 (carol)")) << seen[1];
  EXPECT_LT(std::chrono::steady_clock::now() - started, 5s);  // well before the 20 s receive timeout
}

// A raw client playing party `as` of `roster` against the listener at `port`.
asio::awaitable<tcp::socket> play_party(const net::Roster& roster, std::size_t as, std::uint16_t port) {
  tcp::socket socket(co_await asio::this_coro::executor);
  co_await socket.async_connect({asio::ip::address_v4::loopback(), port}, asio::use_awaitable);
  co_await net::run_handshake(socket, roster, as, net::Role::dialler, "party 0 (alice)", nullptr, std::chrono::steady_clock::now() + 3s);
  co_return socket;
}

TEST(TcpTransport, RefusesADuplicateConnectionAndGoesOn) {
  TcpSetup setup(3);
  const std::uint16_t port = setup.roster.parties[0].endpoints[0].port;
  std::vector<std::string> refusals;
  std::string duplicate_error;
  std::size_t links_up = 0;
  net::testing::PartyThreads raw_players(1);
  std::thread alice([&] {
    const auto errors = setup.parties.run([&](std::size_t self) -> asio::awaitable<void> {
      if (self != 0) co_return;
      net::TcpOptions options;
      options.on_refusal = [&](const std::string& refusal) { refusals.push_back(refusal); };
      auto transport = setup.transport(0, options);
      net::Links links = co_await transport->connect(setup.roster, 0, std::chrono::steady_clock::now() + 5s);
      for (const auto& link : links) links_up += link ? 1 : 0;
    });
    net::testing::expect_no_errors(errors);
  });
  const auto errors = raw_players.run([&](std::size_t) -> asio::awaitable<void> {
    tcp::socket first_bob = co_await play_party(setup.roster, 1, port);
    try {
      co_await play_party(setup.roster, 1, port);
    } catch (const PeerError& error) {
      duplicate_error = error.what();
    }
    tcp::socket carol = co_await play_party(setup.roster, 2, port);
  });
  alice.join();
  net::testing::expect_no_errors(errors);
  EXPECT_EQ(links_up, 2u);
  ASSERT_EQ(refusals.size(), 1u);
  EXPECT_TRUE(contains(refusals[0], "party 0 (alice) refused a connection from 127.0.0.1:")) << refusals[0];
  EXPECT_TRUE(contains(refusals[0], "party 1 (bob) is already connected (a duplicate connection)")) << refusals[0];
  EXPECT_TRUE(contains(duplicate_error, "party 1 (bob): party 0 (alice) refused our connection: " + refusals[0]))
      << duplicate_error;
}

TEST(TcpTransport, WrongSessionFailsFastNamingBothSides) {
  TcpSetup setup(2);
  net::Roster bobs_roster = setup.roster;
  bobs_roster.session_id = net::session_id_from_text("another-session");
  const auto started = std::chrono::steady_clock::now();
  std::chrono::steady_clock::duration bob_failed_after{};
  const auto errors = setup.parties.run([&](std::size_t self) -> asio::awaitable<void> {
    auto transport = setup.transport(self);
    if (self == 0) {
      co_await transport->connect(setup.roster, 0, std::chrono::steady_clock::now() + 1s);
    } else {
      try {
        co_await transport->connect(bobs_roster, 1, std::chrono::steady_clock::now() + 5s);
      } catch (const PeerError&) {
        bob_failed_after = std::chrono::steady_clock::now() - started;
        throw;
      }
    }
  });
  // bob dials; alice finds that he cannot prove he belongs to her session, and
  // tells him so without naming anyone in her roster.
  const std::string unproven = "the peer did not prove that it belongs to this session (another session id or "
                               "session secret)";
  EXPECT_TRUE(contains(message_of(errors[1]), "party 1 (bob): party 0 (alice) at 127.0.0.1:")) << message_of(errors[1]);
  EXPECT_TRUE(contains(message_of(errors[1]), "refused our connection: party 0 (alice) refused a connection from "
                                              "127.0.0.1:"));
  EXPECT_TRUE(contains(message_of(errors[1]), unproven)) << message_of(errors[1]);
  EXPECT_LT(bob_failed_after, 900ms);  // before alice's own deadline: the refusal, not a timeout
  EXPECT_TRUE(contains(message_of(errors[0]), "never reached party 1 (bob)")) << message_of(errors[0]);
  EXPECT_TRUE(contains(message_of(errors[0]), "refused connections: [party 0 (alice) refused a connection from "
                                              "127.0.0.1:"));
  EXPECT_TRUE(contains(message_of(errors[0]), unproven)) << message_of(errors[0]);
}

TEST(TcpTransport, IdentityCheckCanRefuseAPeer) {
  TcpSetup setup(2);
  std::string checked_address;
  const auto errors = setup.parties.run([&](std::size_t self) -> asio::awaitable<void> {
    net::TcpOptions options;
    options.identity_check = [&](const tcp::endpoint& remote) -> asio::awaitable<net::IdentityVerdict> {
      checked_address = remote.address().to_string();
      co_return [](const net::PartyInfo& party) -> std::optional<std::string> {
        return "no certificate for party " + std::to_string(party.id);
      };
    };
    auto transport = setup.transport(self, self == 0 ? options : net::TcpOptions{});
    co_await transport->connect(setup.roster, self, std::chrono::steady_clock::now() + (self == 0 ? 500ms : 5s));
  });
  EXPECT_EQ(checked_address, "127.0.0.1");
  EXPECT_TRUE(contains(message_of(errors[1]), "party 1 (bob) failed the identity check: no certificate for party 1"))
      << message_of(errors[1]);
}

TEST(TcpTransport, OversizeFrameFromPeerIsProtocolErrorNamingIt) {
  TcpSetup setup(2);
  const std::uint16_t port = setup.roster.parties[0].endpoints[0].port;
  std::string alice_error;
  std::thread bob_raw([&] {
    net::testing::PartyThreads raw(1);
    net::testing::expect_no_errors(raw.run([&](std::size_t) -> asio::awaitable<void> {
      tcp::socket socket = co_await play_party(setup.roster, 1, port);
      const net::FrameHeaderBytes header = net::encode_frame_header(5, 5000);
      co_await asio::async_write(socket, asio::buffer(header), asio::use_awaitable);
      char byte = 0;  // wait until alice hangs up
      co_await asio::async_read(socket, asio::buffer(&byte, 1), asio::as_tuple(asio::use_awaitable));
    }));
  });
  net::testing::expect_no_errors(setup.parties.run([&](std::size_t self) -> asio::awaitable<void> {
    if (self != 0) co_return;
    net::TcpOptions options;
    options.max_frame = 1000;
    auto transport = setup.transport(0, options);
    net::Network network = co_await net::connect_network(*transport, setup.roster, 0, 5s, {.receive_timeout = 5s});
    try {
      co_await network.receive(1, 5);
    } catch (const ProtocolError& error) {
      alice_error = error.what();
    }
    network.close();
  }));
  bob_raw.join();
  EXPECT_EQ(alice_error, "party 1 (bob) sent a frame of 5000 bytes (label 5), over the maximum of 1000 bytes");
}


TEST(TcpTransport, RefusedDialsDeadlineErrorHasTheOsTextNotBoostsSourceLocations) {
  net::Roster roster = make_roster(2);
  for (net::PartyInfo& party : roster.parties) party.endpoints = {{"127.0.0.1", free_port()}};  // nobody there
  net::testing::PartyThreads bob_alone(1);
  const auto errors = bob_alone.run([&](std::size_t) -> asio::awaitable<void> {
    TcpTransport transport;
    co_await transport.connect(roster, 1, std::chrono::steady_clock::now() + 300ms);
  });
  const std::string message = message_of(errors[0]);
  EXPECT_TRUE(contains(message, "(we dial it; last error: 127.0.0.1:" + std::to_string(roster.parties[0].endpoints[0].port) +
                                    ": Connection refused)"))
      << message;
  EXPECT_FALSE(contains(message, "/usr/include")) << message;
  EXPECT_FALSE(contains(message, " in function ")) << message;
  EXPECT_FALSE(contains(message, "[system:")) << message;
}

TEST(TcpTransport, DeadlineErrorListsFiveRefusalsAndCountsTheRest) {
  TcpSetup setup(3);
  const std::uint16_t port = setup.roster.parties[0].endpoints[0].port;
  std::string alice_error;
  std::size_t duplicates_refused = 0;
  net::testing::PartyThreads raw_players(1);
  std::thread alice([&] {
    const auto errors = setup.parties.run([&](std::size_t self) -> asio::awaitable<void> {
      if (self != 0) co_return;
      auto transport = setup.transport(0);
      co_await transport->connect(setup.roster, 0, std::chrono::steady_clock::now() + 2s);
    });
    alice_error = message_of(errors[0]);
  });
  const auto errors = raw_players.run([&](std::size_t) -> asio::awaitable<void> {
    tcp::socket bob = co_await play_party(setup.roster, 1, port);
    for (int i = 0; i < 8; ++i) {
      try {
        co_await play_party(setup.roster, 1, port);
      } catch (const PeerError&) {
        ++duplicates_refused;
      }
    }
    char byte = 0;  // hold bob's link until alice gives up on carol
    co_await asio::async_read(bob, asio::buffer(&byte, 1), asio::as_tuple(asio::use_awaitable));
  });
  alice.join();
  net::testing::expect_no_errors(errors);
  EXPECT_EQ(duplicates_refused, 8u);
  EXPECT_TRUE(contains(alice_error, "never reached party 2 (carol) (it dials us and never did); refused connections: ["))
      << alice_error;
  std::size_t listed = 0;
  for (std::size_t at = 0; (at = alice_error.find("(a duplicate connection)]", at)) != std::string::npos; ++at) ++listed;
  EXPECT_EQ(listed, 5u) << alice_error;
  EXPECT_TRUE(contains(alice_error, "] … and 3 more refused connections")) << alice_error;
}

TEST(TcpTransport, IdleAcceptedConnectionIsClosedAtTheHandshakeTimeout) {
  TcpSetup setup(2);
  const std::uint16_t port = setup.roster.parties[0].endpoints[0].port;
  std::vector<std::string> refusals;
  std::string alice_error;
  std::optional<std::chrono::steady_clock::duration> idle_closed_after;
  net::testing::PartyThreads idler(1);
  std::thread alice([&] {
    const auto errors = setup.parties.run([&](std::size_t self) -> asio::awaitable<void> {
      if (self != 0) co_return;
      net::TcpOptions options;
      options.handshake_timeout = 200ms;
      options.on_refusal = [&](const std::string& refusal) { refusals.push_back(refusal); };
      auto transport = setup.transport(0, options);
      co_await transport->connect(setup.roster, 0, std::chrono::steady_clock::now() + 3s);
    });
    alice_error = message_of(errors[0]);
  });
  net::testing::expect_no_errors(idler.run([&](std::size_t) -> asio::awaitable<void> {
    tcp::socket socket(co_await asio::this_coro::executor);
    co_await socket.async_connect({asio::ip::address_v4::loopback(), port}, asio::use_awaitable);
    const auto connected = std::chrono::steady_clock::now();
    // Sends nothing, reads what alice sends (she may speak first) until she hangs up.
    std::array<char, 4096> ignored{};
    for (;;) {
      auto [error, n] = co_await socket.async_read_some(asio::buffer(ignored), asio::as_tuple(asio::use_awaitable));
      if (!error) continue;
      idle_closed_after = std::chrono::steady_clock::now() - connected;
      break;
    }
  }));
  alice.join();
  ASSERT_TRUE(idle_closed_after.has_value()) << alice_error;
  // Closed long before alice's 3 s deadline: the handshake timeout, not the deadline.
  EXPECT_LT(*idle_closed_after, 2s);
  ASSERT_EQ(refusals.size(), 1u);
  EXPECT_TRUE(contains(refusals[0], "party 0 (alice) closed a connection from 127.0.0.1 that did not finish the "
                                    "handshake within 0.2 s"))
      << refusals[0];
  EXPECT_TRUE(contains(alice_error, "1 connection closed before the handshake ended (0 to make room under the caps "
                                    "on pending handshakes, 1 after the 0.2 s handshake timeout)"))
      << alice_error;
}

// A process that opens `count` idle connections to 127.0.0.1:`port` and holds them
// until this object is destroyed (at most `hold`). The flood must come from another
// process: the descriptor limit under test is this process's, shared by its parties.
class Flood {
 public:
  Flood(std::uint16_t port, std::size_t count, std::chrono::seconds hold) {
    int ready[2];
    int go[2];
    if (::pipe2(ready, O_CLOEXEC) != 0 || ::pipe2(go, O_CLOEXEC) != 0) throw std::runtime_error("pipe failed");
    sockaddr_in target{};
    target.sin_family = AF_INET;
    target.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    target.sin_port = htons(port);
    const rlimit enough{count + 64, count + 64};
    const pid_t parent = ::getpid();
    pid_ = ::fork();
    if (pid_ < 0) throw std::runtime_error("fork failed");
    if (pid_ == 0) {  // async-signal-safe calls only
      if (::prctl(PR_SET_PDEATHSIG, SIGKILL) != 0 || ::getppid() != parent) _exit(2);
      ::close(ready[0]);
      ::close(go[1]);
      rlimit limit{};
      ::getrlimit(RLIMIT_NOFILE, &limit);
      limit.rlim_cur = std::min(limit.rlim_max, enough.rlim_cur);
      ::setrlimit(RLIMIT_NOFILE, &limit);
      std::uint32_t opened = 0;
      for (; opened < count; ++opened) {
        const int s = ::socket(AF_INET, SOCK_STREAM, 0);
        if (s < 0 || ::connect(s, reinterpret_cast<const sockaddr*>(&target), sizeof target) != 0) break;
      }
      [[maybe_unused]] const ssize_t w = ::write(ready[1], &opened, sizeof opened);
      pollfd until_told{go[0], POLLIN, 0};
      ::poll(&until_told, 1, static_cast<int>(std::chrono::milliseconds(hold).count()));
      _exit(0);
    }
    ::close(ready[1]);
    ::close(go[0]);
    go_ = go[1];
    std::uint32_t opened = 0;
    if (::read(ready[0], &opened, sizeof opened) == static_cast<ssize_t>(sizeof opened)) opened_ = opened;
    ::close(ready[0]);
  }
  ~Flood() {
    ::close(go_);
    int status = 0;
    ::waitpid(pid_, &status, 0);
  }
  Flood(const Flood&) = delete;
  Flood& operator=(const Flood&) = delete;
  std::size_t opened() const { return opened_; }

 private:
  pid_t pid_ = -1;
  int go_ = -1;
  std::size_t opened_ = 0;
};

// The soft descriptor limit of this process, lowered for the scope of one test.
class DescriptorLimit {
 public:
  explicit DescriptorLimit(rlim_t soft) {
    ::getrlimit(RLIMIT_NOFILE, &saved_);
    rlimit lowered = saved_;
    lowered.rlim_cur = std::min(soft, saved_.rlim_max);
    ::setrlimit(RLIMIT_NOFILE, &lowered);
  }
  ~DescriptorLimit() { ::setrlimit(RLIMIT_NOFILE, &saved_); }
  DescriptorLimit(const DescriptorLimit&) = delete;
  DescriptorLimit& operator=(const DescriptorLimit&) = delete;

 private:
  rlimit saved_{};
};

// Issue 13, item 4: ~1,100 idle connections to a party with 1,024 descriptors used
// to keep its peers out until the deadline. Its pending handshakes are capped now
// (the oldest make room), so the peers that dial after the flood get in.
TEST(TcpTransport, ConnectionFloodUnderADescriptorLimitDoesNotStopTheSession) {
  constexpr std::size_t kFlood = 1100;
  rlimit limit{};
  ::getrlimit(RLIMIT_NOFILE, &limit);
  if (limit.rlim_max < kFlood + 64) GTEST_SKIP() << "the hard descriptor limit is below " << kFlood + 64;
  std::ifstream somaxconn("/proc/sys/net/core/somaxconn");
  std::size_t backlog = 0;
  if (!(somaxconn >> backlog) || backlog < kFlood + 16) {
    GTEST_SKIP() << "net.core.somaxconn (" << backlog << ") cannot queue a flood of " << kFlood;
  }
  TcpSetup setup(3);
  const Flood flood(setup.roster.parties[0].endpoints[0].port, kFlood, 60s);
  ASSERT_EQ(flood.opened(), kFlood);
  const DescriptorLimit lowered(1024);
  std::vector<std::string> refusals;
  std::vector<net::NetworkStatistics> statistics(3);
  const auto started = std::chrono::steady_clock::now();
  net::testing::expect_no_errors(setup.parties.run(
      [&](std::size_t self) -> asio::awaitable<void> {
        net::TcpOptions options;
        if (self == 0) options.on_refusal = [&](const std::string& refusal) { refusals.push_back(refusal); };
        auto transport = setup.transport(self, options);
        net::Network network =
            co_await net::connect_network(*transport, setup.roster, self, 30s, {.receive_timeout = 10s});
        co_await net::testing::exchange_all(network, 3000 + self);
        co_await network.shutdown();
        statistics[self] = network.statistics();
      },
      40s));
  // Well within the 30 s deadline (one handshake timeout is 5 s): the flood did
  // not hold the party until the end.
  EXPECT_LT(std::chrono::steady_clock::now() - started, 20s);
  for (std::size_t self = 0; self < 3; ++self) {
    EXPECT_EQ(statistics[self].peers, net::testing::expected_statistics(3, self).peers) << "party " << self;
  }
  ASSERT_FALSE(refusals.empty());
  EXPECT_TRUE(contains(refusals[0], "party 0 (alice) closed the oldest pending handshake from 127.0.0.1 to make room"))
      << refusals[0];
}

// At the total cap the oldest pending handshake of the busiest address is closed;
// when that was the address's only one, its entry in the per-address count goes
// with it. The log line naming it used to read the address after that (ASan: a
// heap-use-after-free).
TEST(TcpTransport, EvictionOfAnAddressLastPendingHandshakeNamesIt) {
  TcpSetup setup(2);
  asio::io_context raw;
  std::vector<tcp::socket> idle;
  for (const char* from : {"127.0.0.2", "127.0.0.3"}) {
    tcp::socket& socket = idle.emplace_back(raw);
    socket.open(tcp::v4());
    socket.bind({asio::ip::make_address(from), 0});
    socket.connect({asio::ip::make_address("127.0.0.1"), setup.roster.parties[0].endpoints[0].port});
  }
  std::vector<std::string> refusals;
  net::testing::expect_no_errors(setup.parties.run([&](std::size_t self) -> asio::awaitable<void> {
    net::TcpOptions options;
    if (self == 0) {
      options.max_pending_handshakes = 0;  // room for the party that dials us only
      options.on_refusal = [&](const std::string& refusal) { refusals.push_back(refusal); };
    }
    auto transport = setup.transport(self, options);
    net::Network network = co_await net::connect_network(*transport, setup.roster, self, 5s, {.receive_timeout = 5s});
    co_await network.shutdown();
  }));
  ASSERT_FALSE(refusals.empty());
  EXPECT_TRUE(contains(refusals[0], "closed the oldest pending handshake from 127.0.0.2 to make room "
                                    "(1 pending in all)"))
      << refusals[0];
}

}  // namespace
}  // namespace meshmpc::tcp
