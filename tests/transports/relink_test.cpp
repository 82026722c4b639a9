// Links that reset mid-session are re-dialled and nothing is lost (docs/net.md,
// "Relinking"): five parties as threads over real TCP on loopback, every link
// through a user-space proxy that resets both of its sockets at random moments.
#include <dirent.h>
#include <gtest/gtest.h>

#include <atomic>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/write.hpp>
#include <list>
#include <mutex>
#include <random>
#include <thread>

#include <meshmpc/error.hpp>
#include <meshmpc/net/network.hpp>
#include <meshmpc/net/tls/context.hpp>
#include <meshmpc/net/tls/credentials.hpp>
#include <meshmpc/net/tls/fingerprint.hpp>
#include <meshmpc/tcp/tcp_transport.hpp>

#include "party_threads.hpp"

namespace meshmpc::tcp {
namespace {

using asio::ip::tcp;
using namespace std::chrono_literals;
using net::testing::make_roster;
using net::testing::message_of;

std::size_t open_descriptors() {
  std::size_t count = 0;
  if (DIR* dir = opendir("/proc/self/fd")) {
    while (readdir(dir) != nullptr) ++count;
    closedir(dir);
  }
  return count;
}

// A TCP proxy on 127.0.0.1 in front of one party's listening socket, on its own
// thread. Each forwarded connection is reset (SO_LINGER 0 then close: an RST to
// both ends) once a random number of bytes has crossed it, while the shared
// budget of resets lasts. The first bytes of a connection (its handshake) are
// never cut: the budget is for sessions, and a cut handshake is simply dialled again.
class ResettingProxy {
 public:
  ResettingProxy(std::uint16_t upstream_port, std::atomic<int>& budget, std::uint64_t seed)
      : acceptor_(context_, tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0)),
        upstream_port_(upstream_port),
        budget_(budget),
        rng_(seed),
        port_(acceptor_.local_endpoint().port()) {
    asio::co_spawn(context_, accept_loop(), asio::detached);
    thread_ = std::thread([this] { context_.run(); });
  }
  ~ResettingProxy() {
    asio::post(context_, [this] {
      boost::system::error_code ignored;
      acceptor_.close(ignored);
      for (Pair& pair : pairs_) pair.close(false);
    });
    thread_.join();
  }
  std::uint16_t port() const { return port_; }
  // Resets every forwarded connection and stops listening: whoever dials this
  // party again is refused, as if it were gone. Thread-safe.
  void cut() {
    asio::post(context_, [this] {
      boost::system::error_code ignored;
      acceptor_.close(ignored);
      for (Pair& pair : pairs_) pair.close(true);
    });
  }
  int resets() const { return resets_; }

 private:
  struct Pair {
    tcp::socket client;
    tcp::socket server;
    std::size_t bytes_left;  // until the reset
    void close(bool reset) {
      boost::system::error_code ignored;
      for (tcp::socket* socket : {&client, &server}) {
        if (reset) socket->set_option(asio::socket_base::linger(true, 0), ignored);
        socket->close(ignored);
      }
    }
  };

  asio::awaitable<void> accept_loop() {
    for (;;) {
      auto [error, client] = co_await acceptor_.async_accept(asio::as_tuple(asio::use_awaitable));
      if (error) co_return;
      tcp::socket server(context_);
      auto [connect_error] = co_await server.async_connect(
          tcp::endpoint(asio::ip::make_address("127.0.0.1"), upstream_port_), asio::as_tuple(asio::use_awaitable));
      if (connect_error || !acceptor_.is_open()) continue;  // closes the client
      boost::system::error_code ignored;
      client.set_option(tcp::no_delay(true), ignored);  // as the parties do: Nagle would hold a round back
      server.set_option(tcp::no_delay(true), ignored);
      std::uniform_int_distribution<std::size_t> bytes(20'000, 600'000);
      auto pair = pairs_.insert(pairs_.end(), Pair{std::move(client), std::move(server), bytes(rng_)});
      asio::co_spawn(context_, forward(pair), asio::detached);
    }
  }

  // Forwards both ways as a middlebox does: an end of stream is passed on as one
  // (half-close), a reset from either end resets the other end too.
  asio::awaitable<void> forward(std::list<Pair>::iterator pair) {
    using namespace asio::experimental::awaitable_operators;
    co_await (pump(*pair, pair->client, pair->server) && pump(*pair, pair->server, pair->client));
    pair->close(false);
    pairs_.erase(pair);
  }

  asio::awaitable<void> pump(Pair& pair, tcp::socket& from, tcp::socket& to) {
    std::array<char, 16384> buffer;
    for (;;) {
      auto [read_error, got] = co_await from.async_read_some(asio::buffer(buffer), asio::as_tuple(asio::use_awaitable));
      if (read_error == asio::error::eof) {
        boost::system::error_code ignored;
        to.shutdown(asio::socket_base::shutdown_send, ignored);
        co_return;
      }
      if (read_error) break;
      auto [write_error, put] = co_await asio::async_write(to, asio::buffer(buffer, got), asio::as_tuple(asio::use_awaitable));
      if (write_error) break;
      if (got < pair.bytes_left) {
        pair.bytes_left -= got;
        continue;
      }
      if (budget_.fetch_sub(1) <= 0) {
        pair.bytes_left = ~std::size_t{0};  // budget spent: this connection lives on
        continue;
      }
      ++resets_;
      break;
    }
    pair.close(true);  // ends the other direction's pump too
  }

  asio::io_context context_;
  tcp::acceptor acceptor_;
  std::uint16_t upstream_port_;
  std::atomic<int>& budget_;
  std::mt19937_64 rng_;
  std::uint16_t port_;
  std::list<Pair> pairs_;
  std::atomic<int> resets_{0};
  std::thread thread_;
};

// What party `from` sends party `to` in round k: sizes from 0 to 16 KiB, bytes
// that depend on all three.
net::Payload round_payload(std::size_t from, std::size_t to, std::size_t k) {
  net::Payload payload((k * 7919 + from * 131 + to * 17) % 16385);
  std::mt19937_64 bytes(from * 1000003 + to * 1009 + k);
  for (std::byte& b : payload) b = static_cast<std::byte>(bytes());
  return payload;
}

// Five parties (TLS on every link when `tls`), 200 rounds of all-to-all messages
// through proxies that reset 20 connections at random moments.
void run_through_resets(bool tls) {
  constexpr std::size_t kParties = 5;
  constexpr std::size_t kRounds = 200;
  constexpr int kResets = 20;
  const std::size_t descriptors_before = open_descriptors();
  std::atomic<int> budget{kResets};
  {
  net::testing::PartyThreads parties(kParties);
  net::Roster roster = make_roster(kParties);
  std::vector<std::optional<tcp::acceptor>> acceptors(kParties);
  std::vector<std::unique_ptr<ResettingProxy>> proxies;
  std::vector<net::tls::Settings> settings(kParties);
  for (std::size_t i = 0; tls && i < kParties; ++i) {
    net::tls::CertificateSpec spec;
    spec.common_name = roster.parties[i].name;
    spec.not_before = std::chrono::system_clock::now() - 1h;
    spec.not_after = std::chrono::system_clock::now() + 24h;
    settings[i].key_pem = net::tls::generate_private_key(net::tls::KeyType::ed25519);
    settings[i].cert_pem = net::tls::self_signed_certificate(settings[i].key_pem, spec);
    roster.parties[i].tls_fingerprint = net::tls::fingerprint_of_pem(settings[i].cert_pem, "test");
  }
  for (std::size_t i = 0; i < kParties; ++i) {
    acceptors[i].emplace(net::listen(parties.context(i).get_executor(), {"127.0.0.1", 0}));
    proxies.push_back(std::make_unique<ResettingProxy>(acceptors[i]->local_endpoint().port(), budget, 1000 + i));
    roster.parties[i].endpoints = {{"127.0.0.1", proxies[i]->port()}};  // every dial goes through the proxy
  }
  std::vector<net::NetworkStatistics> statistics(kParties);
  const auto started = std::chrono::steady_clock::now();
  const auto errors = parties.run(
      [&](std::size_t self) -> asio::awaitable<void> {
        net::TcpOptions options;
        if (tls) options.tls = std::make_shared<net::tls::Context>(settings[self]);
        TcpTransport transport(std::move(*acceptors[self]), std::move(options));
        net::Network network =
            co_await net::connect_network(transport, roster, self, 20s, {.receive_timeout = 20s});
        // Rounds in which every party sends every other one a message and checks
        // what it receives byte for byte; the next round is sent before the last
        // one is received, so that resets find data queued, in flight and half-read.
        for (std::size_t j = 0; j < kParties; ++j) {
          if (j != self) network.send(j, net::testing::test_label(0), round_payload(self, j, 0));
        }
        for (std::size_t k = 0; k < kRounds; ++k) {
          for (std::size_t j = 0; j < kParties; ++j) {
            if (j != self && k + 1 < kRounds) {
              network.send(j, net::testing::test_label(k + 1), round_payload(self, j, k + 1));
            }
          }
          for (std::size_t j = 0; j < kParties; ++j) {
            if (j == self) continue;
            const net::Payload got = co_await network.receive(j, net::testing::test_label(k));
            if (got != round_payload(j, self, k)) {
              throw std::runtime_error("party " + std::to_string(self) + ": round " + std::to_string(k) +
                                       " from party " + std::to_string(j) + " is not what was sent");
            }
          }
        }
        co_await network.shutdown();
        statistics[self] = network.statistics();
      },
      50s);
  const auto took = std::chrono::steady_clock::now() - started;
  net::testing::expect_no_errors(errors);
  int resets = 0;
  for (const auto& proxy : proxies) resets += proxy->resets();
  proxies.clear();
  EXPECT_EQ(resets, kResets) << "the proxies should have spent their whole budget of resets";
  std::uint64_t relinks = 0;
  for (std::size_t i = 0; i < kParties; ++i) {
    for (std::size_t j = 0; j < kParties; ++j) {
      if (i == j || statistics[i].peers.empty()) continue;
      // Exactly once: a resent frame is never delivered twice.
      EXPECT_EQ(statistics[i].peers[j].received.frames, kRounds) << "party " << i << " from party " << j;
      EXPECT_EQ(statistics[i].peers[j].sent.frames, kRounds) << "party " << i << " to party " << j;
      relinks += statistics[i].peers[j].relinks;
    }
  }
  EXPECT_GE(relinks, static_cast<std::uint64_t>(kResets)) << "each reset relinks both ends of a link";
  EXPECT_LT(took, 50s);
  }
  EXPECT_EQ(open_descriptors(), descriptors_before) << "a socket was left open";
}

TEST(Relink, FivePartiesFinishThroughRandomResetsWithEveryMessageOnce) { run_through_resets(false); }

// The same over TLS: each new link has its own TLS handshake and certificate check.
TEST(Relink, FivePartiesOverTlsFinishThroughRandomResets) { run_through_resets(true); }

// A link that resets and cannot be had again fails its peer with both causes: at
// once for the party that dials (its re-dial is refused: the peer is gone), after
// the relink window for the party that waits to be dialled.
TEST(Relink, APeerThatCannotBeReachedAgainIsNamedWithTheCause) {
  std::atomic<int> no_random_resets{0};
  net::testing::PartyThreads parties(2);
  net::Roster roster = make_roster(2);
  std::optional<tcp::acceptor> alice_acceptor(net::listen(parties.context(0).get_executor(), {"127.0.0.1", 0}));
  ResettingProxy proxy(alice_acceptor->local_endpoint().port(), no_random_resets, 7);
  roster.parties[0].endpoints = {{"127.0.0.1", proxy.port()}};
  std::vector<std::string> seen(2);
  std::vector<std::chrono::steady_clock::duration> took(2);
  const auto errors = parties.run([&](std::size_t self) -> asio::awaitable<void> {
    TcpTransport transport = self == 0 ? TcpTransport(std::move(*alice_acceptor)) : TcpTransport();
    net::Network network = co_await net::connect_network(transport, roster, self, 10s,
                                                         {.receive_timeout = 20s, .relink_timeout = 300ms});
    for (std::size_t k = 0; k < 5; ++k) {
      network.send(1 - self, net::testing::test_label(k), round_payload(self, 1 - self, k));
      EXPECT_EQ(co_await network.receive(1 - self, net::testing::test_label(k)), round_payload(1 - self, self, k));
    }
    // Alice says she has every round so far before bob cuts: nothing in flight is lost
    // with the cut (the receive below, not one in the loop, is what fails).
    if (self == 0) network.send(1, net::testing::test_label(100), {});
    if (self == 1) {
      co_await network.receive(0, net::testing::test_label(100));
      proxy.cut();
    }
    const auto cut_at = std::chrono::steady_clock::now();
    try {
      co_await network.receive(1 - self, net::testing::test_label(5));
    } catch (const PeerError& error) {
      seen[self] = error.what();
    }
    took[self] = std::chrono::steady_clock::now() - cut_at;
    co_await network.shutdown();
  });
  net::testing::expect_no_errors(errors);
  EXPECT_TRUE(seen[0].starts_with("party 0 (alice): lost the link to party 1 (bob) (receiving from party 1 (bob) "
                                  "failed: "))
      << seen[0];
  EXPECT_TRUE(seen[0].ends_with(") and it did not dial again within 0.3 s")) << seen[0];
  EXPECT_TRUE(seen[1].starts_with("party 1 (bob): lost the link to party 0 (alice) (")) << seen[1];
  EXPECT_TRUE(seen[1].ends_with(") and dialling it again failed: party 0 (alice) refused the connection (127.0.0.1:" +
                                std::to_string(proxy.port()) + ": Connection refused): it is gone"))
      << seen[1];
  EXPECT_LT(took[1], 5s);  // refused: no window to wait out (generous: a loaded machine)
  EXPECT_GE(took[0], 300ms);
  EXPECT_LT(took[0], 5s);
}

}  // namespace
}  // namespace meshmpc::tcp
