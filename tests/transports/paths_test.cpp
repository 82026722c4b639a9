// Routes beyond the roster's endpoints (TcpOptions::routes, docs/net.md "Routes"):
// parties as threads over loopback with TLS, the roster's endpoints a closed port,
// so that links come up only by the route under test — a real relay joining
// sockets (it must see ciphertext only), or TCP simultaneous open from the
// listening ports. Every run computes an MPC result checked against the plain
// computation, and each link's reported path is checked at both ends.
#include <gtest/gtest.h>

#include <atomic>
#include <boost/asio/ip/tcp.hpp>
#include <chrono>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include <meshmpc/field/fp64.hpp>
#include <meshmpc/net/tls/context.hpp>
#include <meshmpc/net/tls/credentials.hpp>
#include <meshmpc/runtime/run_local.hpp>
#include <meshmpc/runtime/session.hpp>
#include <meshmpc/tcp/tcp_transport.hpp>

#include "exchange.hpp"
#include "products.hpp"
#include "test_relay.hpp"

namespace meshmpc::tcp {
namespace {

using namespace std::chrono_literals;
using asio::ip::tcp;
namespace tls = net::tls;

// Sent in clear inside the TLS session between every pair: the relay must never see it.
const std::string kMarker = "plaintext-marker-5d1e9c";

// n distinct ports on 127.0.0.1 that nothing listens on: connecting is refused.
std::vector<std::uint16_t> closed_ports(std::size_t n) {
  asio::io_context context;
  std::vector<tcp::acceptor> probes;
  std::vector<std::uint16_t> ports;
  for (std::size_t i = 0; i < n; ++i) {
    probes.emplace_back(context, tcp::endpoint(asio::ip::address_v4::loopback(), 0));
    ports.push_back(probes.back().local_endpoint().port());
  }
  return ports;  // the probes close here
}

// n parties, each with a pinned self-signed certificate, listening on its own
// loopback address 127.0.0.(2+i) (port shared, as routes need); the roster gives
// every party only a closed port, so no direct dial reaches anyone.
struct RoutedParties {
  explicit RoutedParties(std::size_t n) : threads(n), roster(net::testing::make_roster(n)), routes(n) {
    const std::vector<std::uint16_t> nowhere = closed_ports(n);
    for (std::size_t i = 0; i < n; ++i) {
      const std::string host = "127.0.0." + std::to_string(2 + i);
      acceptors.emplace_back(net::listen(threads.context(i).get_executor(), {host, 0}, true));
      listening.push_back({host, acceptors[i]->local_endpoint().port()});
      roster.parties[i].endpoints = {{"127.0.0.1", nowhere[i]}};
      const std::string key = tls::generate_private_key(tls::KeyType::ed25519);
      tls::CertificateSpec spec;
      spec.common_name = roster.parties[i].name;
      spec.not_before = std::chrono::system_clock::now() - 1h;
      spec.not_after = std::chrono::system_clock::now() + 24h;
      const std::string cert = tls::self_signed_certificate(key, spec);
      roster.parties[i].tls_fingerprint = tls::fingerprint_of_pem(cert, "test");
      settings.push_back({key, cert, ""});
    }
  }

  // Each party: connect with its routes, send the marker to every peer and check
  // what arrives, compute the sum of products, keep its statistics.
  void run() {
    const std::size_t n = roster.size();
    opened.assign(n, -1);
    statistics.assign(n, {});
    net::testing::expect_no_errors(threads.run([&](std::size_t self) -> asio::awaitable<void> {
      net::TcpOptions options;
      options.tls = std::make_shared<tls::Context>(settings[self]);
      options.routes = routes[self];
      options.relay_after = relay_after;
      options.on_refusal = [this](const std::string& why) {
        const std::lock_guard lock(mutex);
        refusals += why + "\n";
      };
      TcpTransport transport(std::move(*acceptors[self]), std::move(options));
      net::Network network = co_await net::connect_network(transport, roster, self, 10s, {.receive_timeout = 5s});
      co_await exchange_marker(network);
      co_await products(network);
      statistics[self] = network.statistics();
    }, 30s));
    for (std::size_t i = 0; i < n; ++i) EXPECT_EQ(opened[i], net::testing::plain_products(n)) << "party " << i;
    // The routes that lost a race end before their handshake: nothing is refused.
    EXPECT_EQ(refusals, "");
  }

  static asio::awaitable<void> exchange_marker(net::Network& network) {
    const net::Payload marker(reinterpret_cast<const std::byte*>(kMarker.data()),
                              reinterpret_cast<const std::byte*>(kMarker.data()) + kMarker.size());
    for (std::size_t j = 0; j < network.size(); ++j) {
      if (j != network.self()) network.send(j, 7, marker);
    }
    for (std::size_t j = 0; j < network.size(); ++j) {
      if (j != network.self() && co_await network.receive(j, 7) != marker) {
        throw std::runtime_error("the marker from party " + std::to_string(j) + " arrived changed");
      }
    }
  }

  asio::awaitable<void> products(net::Network& network) {
    opened[network.self()] = co_await net::testing::open_products(network);
    co_await network.shutdown();
  }

  void expect_paths(const net::LinkRoute& expected) {
    for (std::size_t i = 0; i < roster.size(); ++i) {
      for (std::size_t j = 0; j < roster.size(); ++j) {
        if (i == j) continue;
        EXPECT_EQ(net::to_string(statistics[i].peers[j].route), net::to_string(expected)) << i << "-" << j;
      }
    }
  }

  net::testing::PartyThreads threads;
  net::Roster roster;
  std::vector<std::optional<tcp::acceptor>> acceptors;
  std::vector<net::Endpoint> listening;
  std::vector<tls::Settings> settings;
  std::vector<std::vector<net::PeerRoutes>> routes;  // routes[self][peer]
  std::chrono::milliseconds relay_after{100};
  std::vector<std::int64_t> opened;
  std::vector<net::NetworkStatistics> statistics;
  std::mutex mutex;
  std::string refusals;
};

void relay_everyone(RoutedParties& parties, const net::testing::TestRelay& relay) {
  const std::size_t n = parties.roster.size();
  for (std::size_t self = 0; self < n; ++self) {
    parties.routes[self].resize(n);
    for (std::size_t peer = 0; peer < n; ++peer) {
      parties.routes[self][peer].relay = [at = relay.endpoint(), self, peer](std::chrono::steady_clock::time_point d) {
        return net::testing::open_test_relay(at, self, peer, d);
      };
    }
  }
}

class Paths : public ::testing::TestWithParam<std::size_t> {};

TEST_P(Paths, UnreachablePartiesComputeThroughARelayThatSeesOnlyCiphertext) {
  RoutedParties parties(GetParam());
  net::testing::TestRelay relay;
  relay_everyone(parties, relay);
  parties.run();
  const std::size_t n = parties.roster.size();
  EXPECT_GE(relay.pipes(), n * (n - 1) / 2) << "a pipe per pair at least";
  const std::string seen = relay.seen();
  EXPECT_GT(seen.size(), 1000u) << "the relay carried the session";
  EXPECT_EQ(seen.find(kMarker), std::string::npos) << "the relay saw plaintext";
  parties.expect_paths({net::LinkPath::relayed, net::to_string(relay.endpoint())});
}

TEST_P(Paths, SimultaneousOpenFromTheListeningPortsLinksEveryPairAsPunched) {
  RoutedParties parties(GetParam());
  const std::size_t n = parties.roster.size();
  for (std::size_t self = 0; self < n; ++self) {
    parties.routes[self].resize(n);
    for (std::size_t peer = 0; peer < n; ++peer) parties.routes[self][peer].reflexive = parties.listening[peer];
  }
  parties.run();
  parties.expect_paths({net::LinkPath::punched, ""});
}

// Every route at once: where the endpoints work, the link is direct (they go
// first), the punches that follow lose and end quietly, the relay stays unused.
TEST_P(Paths, ReachableEndpointsLinkDirectlyAheadOfPunchingAndTheRelay) {
  RoutedParties parties(GetParam());
  const std::size_t n = parties.roster.size();
  for (std::size_t i = 0; i < n; ++i) parties.roster.parties[i].endpoints = {parties.listening[i]};
  net::testing::TestRelay relay;
  relay_everyone(parties, relay);
  for (std::size_t self = 0; self < n; ++self) {
    for (std::size_t peer = 0; peer < n; ++peer) parties.routes[self][peer].reflexive = parties.listening[peer];
  }
  parties.relay_after = 10s;
  parties.run();
  EXPECT_EQ(relay.pipes(), 0u);
  parties.expect_paths({});
}

INSTANTIATE_TEST_SUITE_P(Parties, Paths, ::testing::Values(3, 4));

// Routes that cannot work are refused before any packet is sent, naming the fault.
TEST(Paths, BadRoutesAreRefusedNamingTheFault) {
  const auto refusal_of = [](RoutedParties& parties, const std::function<void(std::size_t, net::TcpOptions&)>& set) {
    std::vector<std::string> messages(parties.roster.size());
    const auto errors = parties.threads.run([&](std::size_t self) -> asio::awaitable<void> {
      net::TcpOptions options;
      options.tls = std::make_shared<tls::Context>(parties.settings[self]);
      set(self, options);
      try {
        co_await net::connect_mesh(std::move(parties.acceptors[self]), parties.roster, self,
                                   std::chrono::steady_clock::now() + 5s, options);
      } catch (const ConfigError& error) {
        messages[self] = error.what();
      }
    });
    net::testing::expect_no_errors(errors);
    return messages;
  };
  {
    RoutedParties parties(3);
    for (const std::string& message : refusal_of(parties, [](std::size_t, net::TcpOptions& options) {
           options.routes.resize(2);
         })) {
      EXPECT_NE(message.find("2 routes for 3 parties"), std::string::npos) << message;
    }
  }
  {
    RoutedParties parties(3);
    for (const std::string& message : refusal_of(parties, [](std::size_t, net::TcpOptions& options) {
           options.routes.resize(3);
           for (auto& routes : options.routes) routes.reflexive = net::Endpoint{"nat.example", 4000};
         })) {
      EXPECT_NE(message.find("reflexive endpoint nat.example:4000 is not a numeric address"), std::string::npos)
          << message;
    }
  }
  {
    RoutedParties parties(3);
    for (std::size_t i = 0; i < 3; ++i) {  // the same port, listened on without sharing it
      parties.acceptors[i].reset();
      parties.acceptors[i].emplace(net::listen(parties.threads.context(i).get_executor(), parties.listening[i]));
    }
    for (const std::string& message : refusal_of(parties, [&](std::size_t, net::TcpOptions& options) {
           options.routes.resize(3);
           for (std::size_t j = 0; j < 3; ++j) options.routes[j].reflexive = parties.listening[j];
         })) {
      EXPECT_NE(message.find("listen(executor, where, true)"), std::string::npos) << message;
    }
  }
}

// The relay dies mid-session: every party's receives fail at once, naming the
// peer and the relay its link ran through (relayed links are not relinked).
TEST(Paths, ARelayThatDiesFailsItsLinksNamingTheRelay) {
  RoutedParties parties(3);
  std::optional<net::testing::TestRelay> relay(std::in_place);
  relay_everyone(parties, *relay);
  const std::string where = net::to_string(relay->endpoint());
  std::atomic<std::size_t> linked = 0;
  std::vector<std::string> failures(3);
  std::thread killer([&] {
    for (int i = 0; i < 1000 && linked < 3; ++i) std::this_thread::sleep_for(10ms);  // bounded: 10 s
    relay.reset();
  });
  net::testing::expect_no_errors(parties.threads.run([&](std::size_t self) -> asio::awaitable<void> {
    net::TcpOptions options;
    options.tls = std::make_shared<tls::Context>(parties.settings[self]);
    options.routes = parties.routes[self];
    options.relay_after = 100ms;
    TcpTransport transport(std::move(*parties.acceptors[self]), std::move(options));
    net::Network network =
        co_await net::connect_network(transport, parties.roster, self, 10s, {.receive_timeout = 8s});
    co_await RoutedParties::exchange_marker(network);  // the relay works, and
    ++linked;
    try {
      co_await network.receive((self + 1) % 3, 99);  // then it dies
    } catch (const PeerError& error) {
      failures[self] = error.what();
    }
    network.close();
  }, 30s));
  killer.join();
  for (std::size_t i = 0; i < 3; ++i) {
    EXPECT_NE(failures[i].find(net::describe(parties.roster.party((i + 1) % 3)) + " through the relay at " + where),
              std::string::npos)
        << "party " << i << ": " << failures[i];
  }
}

}  // namespace
}  // namespace meshmpc::tcp
