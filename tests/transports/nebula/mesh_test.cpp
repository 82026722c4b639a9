// The Nebula transport without nebula: certificates from the real nebula-cert
// whose "overlay" IPs are loopback addresses (127.0.0.x), so that the
// accept-side source check and whole MPC sessions run on any machine, threads
// for parties (also under TSan). The same over a real overlay:
// tests/integration/nebula_lab_test.cpp.
#include <gtest/gtest.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>

#include "../../net/party_threads.hpp"
#include <meshmpc/field/fp64.hpp>
#include <meshmpc/nebula/nebula_parties.hpp>
#include <meshmpc/nebula/nebula_transport.hpp>
#include <meshmpc/runtime/run_local.hpp>
#include "loopback_pki.hpp"

namespace meshmpc::nebula {
namespace {

using namespace std::chrono_literals;
using test::LoopbackPki;
using test::TempDir;

class NebulaLoopback : public testing::TestWithParam<std::size_t> {
 protected:
  void SetUp() override {
    if (!test::have_program("nebula-cert")) GTEST_SKIP() << "nebula-cert is not installed (apt-get install nebula)";
  }
};

TEST_P(NebulaLoopback, PartiesFindThemselvesAndComputeASumOfProducts) {
  const std::size_t n = GetParam();
  TempDir dir;
  const LoopbackPki lab(dir, n);
  std::vector<NebulaParties> parties;
  for (std::size_t i = 0; i < n; ++i) parties.push_back(load_parties(lab.options(i), now_seconds()));
  for (std::size_t i = 0; i < n; ++i) {
    EXPECT_EQ(parties[i].self, i);
    EXPECT_EQ(parties[i].roster.party(i).name, "p" + std::to_string(i));
    EXPECT_EQ(parties[i].roster.party(i).endpoints.at(0).host, "127.0.0." + std::to_string(11 + i));
    EXPECT_EQ(parties[i].roster.party(i).identity, parties[i].certificates[i].fingerprint_hex());
  }
  // Each party inputs 3 + 2i; together they open sum_i x_i * x_{i+1}.
  std::int64_t expected = 0;
  for (std::size_t i = 0; i < n; ++i) expected += (3 + 2 * std::int64_t(i)) * (3 + 2 * std::int64_t((i + 1) % n));
  std::vector<std::int64_t> opened(n, -1);
  net::testing::PartyThreads threads(n);
  const auto errors = threads.run(
      [&](std::size_t self) -> asio::awaitable<void> {
        NebulaTransport transport;
        net::Network network = co_await net::connect_network(transport, parties[self].roster, self, 10s,
                                                             {.receive_timeout = 10s});
        const PartyProgram<Fp64> program = [&, self](Session<Fp64>& s) -> asio::awaitable<void> {
          const std::vector mine{3 + 2 * std::int64_t(self)};
          const auto x = co_await s.input_all(secint(16), mine);
          auto sum = co_await s.mul(x[0], x[1 % n]);
          for (std::size_t i = 1; i < n; ++i) sum = sum + co_await s.mul(x[i], x[(i + 1) % n]);
          opened[self] = (co_await s.output(sum))[0];
        };
        co_await run_session<Fp64>(network, Fp64{}, SessionOptions{.threshold = (n - 1) / 2}, program);
      },
      30s);
  for (std::size_t i = 0; i < n; ++i) {
    EXPECT_FALSE(errors[i]) << "party " << i;
    EXPECT_EQ(opened[i], expected) << "party " << i;
  }
}

TEST_F(NebulaLoopback, RefusesAConnectionFromAnotherOverlayIp) {
  // Party 2 claims its id but dials from 127.0.0.99: party 0 must refuse it,
  // naming the address and the certificate's IP.
  TempDir dir;
  const LoopbackPki lab(dir, 3);
  std::vector<NebulaParties> parties;
  for (std::size_t i = 0; i < 3; ++i) parties.push_back(load_parties(lab.options(i), now_seconds()));
  std::vector<std::string> refusals;
  net::testing::PartyThreads threads(3);
  const auto errors = threads.run(
      [&](std::size_t self) -> asio::awaitable<void> {
        net::TcpOptions options;
        if (self == 0) options.on_refusal = [&](const std::string& why) { refusals.push_back(why); };
        net::Roster roster = parties[self].roster;
        // Party 2 dials from 127.0.0.99, which party 1 is told is its address: only
        // party 0 refuses it (two refusers race — the impostor stops at the first
        // and may never finish its call to party 0).
        if (self >= 1) roster.parties[2].endpoints[0].host = "127.0.0.99";
        NebulaTransport transport(options);
        // Party 0 waits out the whole deadline (it never links up): long enough that
        // the impostor's call arrives even on a loaded machine (3 s was not, under ASan).
        co_await net::connect_network(transport, roster, self, 8s, {.receive_timeout = 8s});
      },
      30s);
  EXPECT_TRUE(errors[0]) << "party 0 must not link up with the impostor";
  ASSERT_FALSE(refusals.empty());
  EXPECT_NE(refusals[0].find("comes from 127.0.0.99, which is not the overlay IP 127.0.0.13"), std::string::npos)
      << refusals[0];
}

INSTANTIATE_TEST_SUITE_P(Parties, NebulaLoopback, testing::Values(3, 5));

net::PartyInfo party_at(std::size_t id, const std::string& name, std::vector<net::Endpoint> endpoints) {
  net::PartyInfo party;
  party.id = id;
  party.name = name;
  party.endpoints = std::move(endpoints);
  return party;
}

// The transport on IPv6: every party at [::1] on its own port (the roster as
// load_parties makes it for IPv6-only certificates), a whole session.
TEST(NebulaIpv6, PartiesListenAndDialOnIpv6AndCompute) {
  constexpr std::size_t n = 3;
  std::vector<std::uint16_t> ports;
  {
    // Distinct free ports on ::1, released before the parties bind them.
    asio::io_context io;
    std::vector<asio::ip::tcp::acceptor> holders;
    for (std::size_t i = 0; i < n; ++i) {
      holders.emplace_back(io, asio::ip::tcp::endpoint(asio::ip::make_address("::1"), 0));
      ports.push_back(holders.back().local_endpoint().port());
    }
  }
  net::Roster roster;
  roster.session_id = net::session_id_from_text("nebula-ipv6");
  for (std::size_t i = 0; i < n; ++i) {
    roster.parties.push_back(party_at(i, "v6-" + std::to_string(i), {{"::1", ports[i]}}));
  }
  std::vector<std::int64_t> opened(n, -1);
  net::testing::PartyThreads threads(n);
  const auto errors = threads.run(
      [&](std::size_t self) -> asio::awaitable<void> {
        NebulaTransport transport;
        net::Network network = co_await net::connect_network(transport, roster, self, 10s, {.receive_timeout = 10s});
        const PartyProgram<Fp64> program = [&, self](Session<Fp64>& s) -> asio::awaitable<void> {
          const std::vector<std::int64_t> mine{10 + std::int64_t(self)};
          const auto x = co_await s.input_all(secint(16), mine);
          opened[self] = (co_await s.output(co_await s.mul(x[0], x[1]) + x[2]))[0];
        };
        co_await run_session<Fp64>(network, Fp64{}, SessionOptions{.threshold = 1}, program);
      },
      30s);
  for (std::size_t i = 0; i < n; ++i) {
    EXPECT_FALSE(errors[i]) << "party " << i;
    EXPECT_EQ(opened[i], 10 * 11 + 12) << "party " << i;
  }
}

// The accept-side check: a party whose certificate holds several networks (its
// endpoints) is recognised from any of them, IPv4 (also as ::ffff:a.b.c.d on a
// dual-stack socket) or IPv6; anything else is refused, naming every address.
TEST(NebulaOverlaySource, AConnectionFromAnyOfThePartysNetworksIsThatParty) {
  net::Roster roster;
  roster.parties.push_back(party_at(0, "dual", {{"10.213.0.11", 7000}, {"fd42:213::11", 7000}}));
  roster.parties.push_back(party_at(1, "six", {{"fd42:213::12", 7000}}));
  const auto from = [](const char* ip) { return asio::ip::tcp::endpoint(asio::ip::make_address(ip), 40000); };
  EXPECT_NO_THROW(check_overlay_source(roster, 0, from("10.213.0.11")));
  EXPECT_NO_THROW(check_overlay_source(roster, 0, from("::ffff:10.213.0.11")));
  EXPECT_NO_THROW(check_overlay_source(roster, 0, from("fd42:213::11")));
  EXPECT_NO_THROW(check_overlay_source(roster, 1, from("fd42:213::12")));
  try {
    check_overlay_source(roster, 0, from("fd42:213::12"));
    ADD_FAILURE() << "party 1's address accepted as party 0's";
  } catch (const PeerError& e) {
    EXPECT_NE(std::string(e.what()).find("comes from fd42:213::12, which is not any of the overlay IPs 10.213.0.11, "
                                         "fd42:213::11 of party 0 (dual)'s certificate"),
              std::string::npos)
        << e.what();
  }
  EXPECT_THROW(check_overlay_source(roster, 1, from("10.213.0.11")), PeerError);
  roster.parties[1].endpoints[0].host = "six.example.org";  // the transport takes numeric addresses only
  EXPECT_THROW(check_overlay_source(roster, 1, from("fd42:213::12")), ConfigError);
}

}  // namespace
}  // namespace meshmpc::nebula
