// TLS on the direct TCP transport: n = 3 parties as threads over loopback, real
// OpenSSL on both ends, certificates made for each test. The happy paths run a
// real MPC protocol and check the opened result; every refusal is checked for the
// peer and the reason in the message, and for every party stopping by itself.
#include <gtest/gtest.h>

#include <boost/asio/ip/tcp.hpp>
#include <chrono>
#include <memory>
#include <mutex>

#include <meshmpc/error.hpp>
#include <meshmpc/field/fp64.hpp>
#include <meshmpc/net/tls/context.hpp>
#include <meshmpc/net/tls/credentials.hpp>
#include <meshmpc/runtime/run_local.hpp>
#include <meshmpc/runtime/session.hpp>
#include <meshmpc/tcp/tcp_transport.hpp>

#include "exchange.hpp"
#include "products.hpp"

namespace meshmpc::tcp {
namespace {

using namespace std::chrono_literals;
using net::testing::message_of;
namespace tls = net::tls;
using Clock = std::chrono::system_clock;

bool contains(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

struct Identity {
  std::string key;
  std::string cert;
  tls::Fingerprint fingerprint{};
};

tls::CertificateSpec spec_for(const std::string& name) {
  tls::CertificateSpec spec;
  spec.common_name = name;
  spec.not_before = Clock::now() - 1h;
  spec.not_after = Clock::now() + 24h;
  return spec;
}

Identity self_signed(const tls::CertificateSpec& spec, tls::KeyType type = tls::KeyType::ed25519) {
  Identity id;
  id.key = tls::generate_private_key(type);
  id.cert = tls::self_signed_certificate(id.key, spec);
  id.fingerprint = tls::fingerprint_of_pem(id.cert, "test");
  return id;
}

Identity issued(const tls::CertificateSpec& spec, const Identity& ca) {
  Identity id;
  id.key = tls::generate_private_key(tls::KeyType::p256);
  id.cert = tls::issue_certificate(id.key, spec, ca.key, ca.cert);
  id.fingerprint = tls::fingerprint_of_pem(id.cert, "test");
  return id;
}

Identity make_ca(const std::string& name) {
  tls::CertificateSpec spec = spec_for(name);
  spec.is_ca = true;
  return self_signed(spec);
}

// Three parties (alice, bob, carol) listening on loopback, each with its own
// identity, roster (pins, by default everyone's true fingerprint) and TLS settings.
struct TlsParties {
  static constexpr std::size_t kParties = 3;

  TlsParties() : threads(kParties) {
    net::Roster roster = net::testing::make_roster(kParties);
    for (std::size_t i = 0; i < kParties; ++i) {
      acceptors.emplace_back(net::listen(threads.context(i).get_executor(), {"127.0.0.1", 0}));
      roster.parties[i].endpoints = {{"127.0.0.1", acceptors[i]->local_endpoint().port()}};
      identities.push_back(self_signed(spec_for(roster.parties[i].name), i == 1 ? tls::KeyType::p256
                                                                                : tls::KeyType::ed25519));
    }
    for (std::size_t i = 0; i < kParties; ++i) roster.parties[i].tls_fingerprint = identities[i].fingerprint;
    rosters.assign(kParties, roster);
    settings.resize(kParties);
    for (std::size_t i = 0; i < kParties; ++i) settings[i] = {identities[i].key, identities[i].cert, ""};
  }

  // Runs `body` after connecting party i with its settings (TLS unless `plain`
  // says otherwise). Refusals each party logged land in refusals[i].
  std::vector<std::exception_ptr> run(
      std::chrono::milliseconds connect_within,
      const std::function<asio::awaitable<void>(std::size_t, net::Network&)>& body) {
    return threads.run([&, connect_within](std::size_t self) -> asio::awaitable<void> {
      net::TcpOptions options;
      if (!plain[self]) options.tls = std::make_shared<tls::Context>(settings[self]);
      options.on_refusal = [this, self](const std::string& why) {
        const std::lock_guard lock(mutex);
        refusals[self] += why + "\n";
      };
      TcpTransport transport(std::move(*acceptors[self]), std::move(options));
      net::Network network =
          co_await net::connect_network(transport, rosters[self], self, connect_within, {.receive_timeout = 5s});
      co_await body(self, network);
    });
  }

  net::testing::PartyThreads threads;
  std::vector<std::optional<asio::ip::tcp::acceptor>> acceptors;
  std::vector<Identity> identities;
  std::vector<net::Roster> rosters;
  std::vector<tls::Settings> settings;
  std::array<bool, kParties> plain{};
  std::mutex mutex;
  std::array<std::string, kParties> refusals;
};

// The products (products.hpp) over the parties' links, then a clean shutdown.
asio::awaitable<void> products_over(net::Network& network, std::vector<std::int64_t>& opened) {
  opened[network.self()] = co_await net::testing::open_products(network);
  co_await network.shutdown();
}

void expect_products(TlsParties& parties) {
  std::vector<std::int64_t> opened(TlsParties::kParties, -1);
  const auto errors = parties.run(10s, [&](std::size_t, net::Network& network) { return products_over(network, opened); });
  net::testing::expect_no_errors(errors);
  for (std::size_t i = 0; i < TlsParties::kParties; ++i) EXPECT_EQ(opened[i], net::testing::plain_products(3)) << "party " << i;
}

TEST(TlsTransport, PinnedSelfSignedPartiesComputeTogether) {
  TlsParties parties;
  expect_products(parties);
}

TEST(TlsTransport, CaIssuedPartiesComputeTogether) {
  TlsParties parties;
  const Identity ca = make_ca("test CA");
  for (std::size_t i = 0; i < TlsParties::kParties; ++i) {
    const Identity id = issued(spec_for(parties.rosters[i].parties[i].name), ca);
    parties.settings[i] = {id.key, id.cert, ca.cert};
  }
  for (net::Roster& roster : parties.rosters) {
    for (net::PartyInfo& party : roster.parties) party.tls_fingerprint.reset();  // the CA alone decides
  }
  expect_products(parties);
}

TEST(TlsTransport, ExchangesEveryLabelInBatchesOfAllSizes) {
  TlsParties parties;
  const auto errors = parties.run(10s, [&](std::size_t self, net::Network& network) -> asio::awaitable<void> {
    co_await net::testing::exchange_all(network, 7000 + self);
    // One frame far larger than a TLS record and the socket buffers.
    const std::size_t next = (self + 1) % 3, previous = (self + 2) % 3;
    net::Payload big(3 << 20);
    for (std::size_t k = 0; k < big.size(); ++k) big[k] = static_cast<std::byte>((k * 31 + self) & 0xff);
    // The same again as shared bytes (a batch of shares): written from where they lie.
    const auto shared = std::make_shared<const net::Payload>(big);
    network.send(next, 99, std::move(big));
    network.send_shared(next, 100, net::SharedBytes{shared, std::span<const std::byte>(*shared)});
    for (const net::Label label : {99, 100}) {
      const net::Payload got = co_await network.receive(previous, label);
      for (std::size_t k = 0; k < got.size(); ++k) {
        if (got[k] != static_cast<std::byte>((k * 31 + previous) & 0xff)) throw std::runtime_error("payload differs");
      }
      if (got.size() != shared->size()) throw std::runtime_error("payload size differs");
    }
    co_await network.shutdown();
  });
  net::testing::expect_no_errors(errors);
}

// A refusal that ends the session: each party's error, and every party done
// within the connect deadline plus a margin.
std::vector<std::string> failing_run(TlsParties& parties, std::chrono::milliseconds connect_within = 2500ms) {
  const auto started = std::chrono::steady_clock::now();
  // One message to every peer and one from each: a party whose links all came up
  // still learns that a peer is gone.
  const auto errors = parties.run(connect_within, [](std::size_t self, net::Network& network) -> asio::awaitable<void> {
    for (std::size_t j = 0; j < network.size(); ++j) {
      if (j != self) network.send(j, 5, {std::byte{1}});
    }
    for (std::size_t j = 0; j < network.size(); ++j) {
      if (j != self) co_await network.receive(j, 5);
    }
    co_await network.shutdown();
  });
  EXPECT_LT(std::chrono::steady_clock::now() - started, connect_within + 3s) << "a party hung";
  std::vector<std::string> messages;
  for (const auto& error : errors) messages.push_back(message_of(error));
  return messages;
}

TEST(TlsTransport, CertificateNotMatchingItsPinIsRefusedNamingThePeer) {
  TlsParties parties;
  // carol's roster pins a key alice does not have.
  parties.rosters[2].parties[0].tls_fingerprint = self_signed(spec_for("alice")).fingerprint;
  const auto messages = failing_run(parties);
  EXPECT_TRUE(contains(messages[2], "party 0 (alice) at 127.0.0.1:")) << messages[2];
  EXPECT_TRUE(contains(messages[2], "is not who the roster says: its certificate " +
                                        tls::format_fingerprint(parties.identities[0].fingerprint) +
                                        " is not the one the roster pins for party 0 (alice)"))
      << messages[2];
  EXPECT_TRUE(contains(messages[0], "party 2 (carol) (it dials us and never did)")) << messages[0];
  // bob names whichever peer he hears fail first (carol gone, or alice giving up).
  EXPECT_TRUE(contains(messages[1], "party 2 (carol)") || contains(messages[1], "party 0 (alice)")) << messages[1];
}

// The party with the other CA's certificate is a dialler in one run and an
// acceptor in the other: a party refused as a dialler stops and closes its own
// listener, so one run cannot show both checks without a race.
void give_a_stranger_ca(TlsParties& parties, std::size_t stranger) {
  const Identity ca = make_ca("our CA"), other = make_ca("another CA");
  for (std::size_t i = 0; i < TlsParties::kParties; ++i) {
    const Identity id = issued(spec_for(parties.rosters[i].parties[i].name), i == stranger ? other : ca);
    parties.settings[i] = {id.key, id.cert, ca.cert};
  }
  for (net::Roster& roster : parties.rosters) {
    for (net::PartyInfo& party : roster.parties) party.tls_fingerprint.reset();
  }
}

TEST(TlsTransport, CertificateFromAnotherCaIsRefused) {
  TlsParties bob_stranger;
  give_a_stranger_ca(bob_stranger, 1);
  const auto messages = failing_run(bob_stranger);
  // bob dials alice: alice's check of the chain fails, bob hears the alert.
  EXPECT_TRUE(contains(bob_stranger.refusals[0], "does not chain to the CA")) << bob_stranger.refusals[0];
  EXPECT_TRUE(contains(messages[1], "party 0 (alice)")) << messages[1];
  EXPECT_TRUE(contains(messages[1], "alert")) << messages[1];
  // carol dials alice and checks her certificate herself.
  TlsParties alice_stranger;
  give_a_stranger_ca(alice_stranger, 0);
  const auto dialled = failing_run(alice_stranger);
  EXPECT_TRUE(contains(dialled[2], "party 0 (alice)")) << dialled[2];
  EXPECT_TRUE(contains(dialled[2], "does not chain to the CA")) << dialled[2];
}

TEST(TlsTransport, ExpiredCertificateIsRefusedWithItsDate) {
  TlsParties parties;
  tls::CertificateSpec expired = spec_for("bob");
  expired.not_before = Clock::now() - 48h;
  expired.not_after = Clock::now() - 24h;
  parties.identities[1] = self_signed(expired);
  parties.settings[1] = {parties.identities[1].key, parties.identities[1].cert, ""};
  for (net::Roster& roster : parties.rosters) roster.parties[1].tls_fingerprint = parties.identities[1].fingerprint;
  const auto messages = failing_run(parties);
  EXPECT_TRUE(contains(parties.refusals[0], "it presented the certificate of party 1 (bob), but its certificate expired at "))
      << parties.refusals[0];
  EXPECT_TRUE(contains(messages[2], "party 1 (bob) at 127.0.0.1:")) << messages[2];
  EXPECT_TRUE(contains(messages[2], "its certificate expired at ")) << messages[2];
  EXPECT_FALSE(messages[0].empty());
}

TEST(TlsTransport, NotYetValidCertificateIsRefused) {
  TlsParties parties;
  tls::CertificateSpec early = spec_for("alice");
  early.not_before = Clock::now() + 24h;
  early.not_after = Clock::now() + 48h;
  parties.identities[0] = self_signed(early);
  parties.settings[0] = {parties.identities[0].key, parties.identities[0].cert, ""};
  for (net::Roster& roster : parties.rosters) roster.parties[0].tls_fingerprint = parties.identities[0].fingerprint;
  const auto messages = failing_run(parties);
  EXPECT_TRUE(contains(messages[1], "its certificate is not valid before ")) << messages[1];
  EXPECT_TRUE(contains(messages[2], "its certificate is not valid before ")) << messages[2];
}

TEST(TlsTransport, PeerPresentingAnotherPartysCertificateIsRefused) {
  TlsParties parties;
  // The process in carol's place holds bob's key and certificate.
  parties.settings[2] = parties.settings[1];
  const auto messages = failing_run(parties);
  EXPECT_TRUE(contains(messages[2], "the peer claims to be party 2 (carol) but presented the certificate of party 1 (bob)"))
      << messages[2];
  // Carol dials alice and bob at once and stops at the first refusal: the other
  // call may be cut before its handshake, so one of the two logs it, not always alice.
  const std::string claim = "claims to be party 2 (carol) but presented the certificate of party 1 (bob)";
  EXPECT_TRUE(contains(parties.refusals[0], claim) || contains(parties.refusals[1], claim))
      << parties.refusals[0] << parties.refusals[1];
  EXPECT_TRUE(contains(messages[0], "party 2 (carol) (it dials us and never did)")) << messages[0];
}

TEST(TlsTransport, PlaintextPeerCallingATlsPartyIsToldWhy) {
  TlsParties parties;
  parties.plain[1] = true;  // bob forgot --ssl
  const auto messages = failing_run(parties);
  EXPECT_TRUE(contains(parties.refusals[0], "does not speak TLS")) << parties.refusals[0];
  EXPECT_TRUE(contains(messages[1], "party 0 (alice)")) << messages[1];
  EXPECT_TRUE(contains(messages[1], "every party must run with --ssl, or none")) << messages[1];
}

TEST(TlsTransport, TlsPeerCallingAPlaintextPartyIsToldWhy) {
  TlsParties parties;
  parties.plain[0] = true;  // alice forgot --ssl
  const auto messages = failing_run(parties);
  EXPECT_TRUE(contains(parties.refusals[0], "the peer speaks TLS and this party does not")) << parties.refusals[0];
  EXPECT_TRUE(contains(messages[1], "party 0 (alice)")) << messages[1];
  EXPECT_TRUE(contains(messages[1], "does not speak TLS")) << messages[1];
}

TEST(TlsTransport, RosterWithoutPinOrCaIsAConfigError) {
  TlsParties parties;
  parties.rosters[0].parties[2].tls_fingerprint.reset();
  const auto messages = failing_run(parties);
  EXPECT_TRUE(contains(messages[0], "party 2 (carol) has no certificate fingerprint in the roster and no CA is given"))
      << messages[0];
}

TEST(TlsTransport, KeyNotMatchingTheCertificateIsAConfigError) {
  const Identity alice = self_signed(spec_for("alice")), bob = self_signed(spec_for("bob"));
  try {
    tls::Context context(tls::Settings{bob.key, alice.cert, ""});
    FAIL() << "a key that is not the certificate's was accepted";
  } catch (const ConfigError& error) {
    EXPECT_TRUE(contains(error.what(), "the key and the certificate must be one pair")) << error.what();
  }
}

// Without TLS, an address off this machine is refused before any packet is sent
// (192.0.2.1 is TEST-NET-1: nothing may be sent there, and nothing is).
TEST(PlaintextPolicy, RefusesToDialBeyondLoopbackWithoutTls) {
  TlsParties parties;
  for (std::size_t i = 0; i < 3; ++i) parties.plain[i] = true;
  parties.rosters[2].parties[0].endpoints = {{"192.0.2.1", 4000}};
  const auto messages = failing_run(parties);
  EXPECT_TRUE(contains(messages[2], "party 0 (alice): will not dial 192.0.2.1:4000: 192.0.2.1 is not on this machine"))
      << messages[2];
  EXPECT_TRUE(contains(messages[2], "--ssl")) << messages[2];
}

}  // namespace
}  // namespace meshmpc::tcp
