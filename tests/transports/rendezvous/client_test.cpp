// Parties meet at a real rendezvous server on loopback (threads, one io_context
// each): they join, sign and check the roster (with a session code, expected
// fingerprints, or neither), then connect with the roster's pinned keys and the
// routes the rendezvous gave (reflexive address, relay) and compute an MPC
// result checked against the plain computation. The faults: a wrong code, a
// stranger's key, a forged signature, a rendezvous that lies about the roster,
// a party short at the deadline, one key joining twice, the rendezvous gone.
#include <gtest/gtest.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/this_coro.hpp>
#include <chrono>
#include <algorithm>
#include <functional>
#include <latch>
#include <set>
#include <optional>
#include <thread>

#include <meshmpc/error.hpp>
#include <meshmpc/field/fp64.hpp>
#include <meshmpc/net/tcp_plumbing.hpp>
#include <meshmpc/net/tls/context.hpp>
#include <meshmpc/net/tls/credentials.hpp>
#include <meshmpc/rendezvous/client.hpp>
#include <meshmpc/rendezvous/code_check.hpp>
#include <meshmpc/rendezvous/messages.hpp>
#include <meshmpc/rendezvous/server.hpp>
#include <meshmpc/rendezvous/session_code.hpp>
#include <meshmpc/rendezvous/wire.hpp>
#include <meshmpc/runtime/run_local.hpp>
#include <meshmpc/runtime/session.hpp>
#include <meshmpc/tcp/tcp_transport.hpp>

#include "party_threads.hpp"
#include "products.hpp"

namespace meshmpc::rendezvous {
namespace {

using namespace std::chrono_literals;
namespace tls = net::tls;

// A rendezvous server on 127.0.0.1 in a thread of its own, stopped at the end.
class RunningServer {
 public:
  explicit RunningServer(ServerOptions options = {}) : server_(context_.get_executor(), options) {
    tcp::acceptor acceptor = net::listen(context_.get_executor(), {"127.0.0.1", 0});
    endpoint_ = {"127.0.0.1", acceptor.local_endpoint().port()};
    asio::co_spawn(context_, server_.run(std::move(acceptor)), asio::detached);
    thread_ = std::thread([this] { context_.run_for(120s); });
  }
  ~RunningServer() { stop(); }
  void stop() {
    if (!thread_.joinable()) return;
    server_.stop();
    thread_.join();
  }
  const net::Endpoint& endpoint() const { return endpoint_; }

 private:
  asio::io_context context_;
  Server server_;
  net::Endpoint endpoint_;
  std::thread thread_;
};

struct Party {
  JoinOptions options;
  std::optional<tcp::acceptor> acceptor;
  std::optional<Joined> joined;
};

tls::Settings fresh_identity(const std::string& name) {
  tls::Settings settings;
  settings.key_pem = tls::generate_private_key(tls::KeyType::ed25519);
  tls::CertificateSpec spec;
  spec.common_name = name;
  settings.cert_pem = tls::self_signed_certificate(settings.key_pem, spec);
  return settings;
}

class Parties {
 public:
  Parties(std::size_t n, const net::Endpoint& rendezvous, std::string session = "test-session") : threads(n), parties(n) {
    for (std::size_t i = 0; i < n; ++i) {
      Party& p = parties[i];
      p.options.rendezvous = rendezvous;
      p.options.session = session;
      p.options.expect = n;
      p.options.name = net::testing::kNames[i % 7];
      const tls::Settings identity = fresh_identity(p.options.name);
      p.options.key_pem = identity.key_pem;
      p.options.cert_pem = identity.cert_pem;
      p.acceptor.emplace(net::listen(threads.context(i).get_executor(), {"127.0.0.1", 0}, true));
      p.options.endpoints = local_endpoints(p.acceptor->local_endpoint(), true);
    }
  }

  void use_code(const std::string& code) {
    for (Party& p : parties) p.options.code = code;
  }
  tls::Fingerprint fingerprint(std::size_t i) const { return tls::fingerprint_of_pem(parties[i].options.cert_pem, "t"); }

  // Every party joins; the errors (null where it joined).
  std::vector<std::exception_ptr> join(std::chrono::milliseconds limit = 20s) {
    const auto deadline = std::chrono::steady_clock::now() + limit;  // one for all
    return threads.run([this, deadline](std::size_t i) -> asio::awaitable<void> {
      Party& p = parties[i];
      p.joined = co_await rendezvous::join(p.options, p.acceptor->local_endpoint(), deadline);
    }, limit + 10s);
  }

  using Adjust = std::function<void(std::size_t, net::Roster&, std::vector<net::PeerRoutes>&)>;

  // After join: connect as the CLI does (TLS with the roster's keys, the routes).
  asio::awaitable<net::Network> connect(std::size_t self, const Adjust& adjust) {
    Party& p = parties[self];
    net::Roster roster = network_roster(*p.joined);
    std::vector<net::PeerRoutes> routes = peer_routes(*p.joined);
    if (adjust) adjust(self, roster, routes);
    net::TcpOptions options;
    options.tls = std::make_shared<tls::Context>(tls::Settings{p.options.key_pem, p.options.cert_pem, ""});
    options.routes = std::move(routes);
    options.relay_after = 200ms;
    meshmpc::tcp::TcpTransport transport(std::move(*p.acceptor), std::move(options));
    co_return co_await net::connect_network(transport, roster, p.joined->self, 15s, {.receive_timeout = 10s});
  }

  // Connect, compute a sum of products, record each party's paths.
  void compute(const Adjust& adjust = {}) {
    const std::size_t n = parties.size();
    opened.assign(n, -1);
    paths.assign(n, {});
    net::testing::expect_no_errors(threads.run([&](std::size_t self) -> asio::awaitable<void> {
      net::Network network = co_await connect(self, adjust);
      const std::size_t me = parties[self].joined->self;
      opened[self] = co_await net::testing::open_products(network);
      const auto statistics = network.statistics();
      for (std::size_t j = 0; j < n; ++j) {
        if (j != me) paths[self].push_back(net::to_string(statistics.peers[j].route));
      }
      co_await network.shutdown();
    }, 40s));
    const std::int64_t plain = net::testing::plain_products(n);
    for (std::size_t i = 0; i < n; ++i) EXPECT_EQ(opened[i], plain) << "party " << i;
  }

  net::testing::PartyThreads threads;
  std::vector<Party> parties;
  std::vector<std::int64_t> opened;
  std::vector<std::vector<std::string>> paths;
};

std::string message(const std::exception_ptr& error) { return net::testing::message_of(error); }

std::string hex(std::span<const std::byte> bytes) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string text;
  for (const std::byte b : bytes) {
    text += kDigits[static_cast<unsigned>(b) >> 4];
    text += kDigits[static_cast<unsigned>(b) & 15];
  }
  return text;
}

class RendezvousClient : public testing::TestWithParam<std::size_t> {};

TEST_P(RendezvousClient, PartiesWithACodeAgreeOnOneRosterAndComputeDirectly) {
  RunningServer server;
  Parties parties(GetParam(), server.endpoint());
  parties.use_code(new_session_code());
  net::testing::expect_no_errors(parties.join());
  // One roster for all: the same hash, every party at a distinct index, in
  // ascending fingerprint order, each party's own entry as it announced it.
  const Joined& first = *parties.parties[0].joined;
  std::set<std::size_t> indices;
  for (const Party& p : parties.parties) {
    EXPECT_EQ(p.joined->hash, first.hash);
    indices.insert(p.joined->self);
    const RosterEntry& own = p.joined->roster.parties[p.joined->self];
    EXPECT_EQ(own.name, p.options.name);
    EXPECT_EQ(own.endpoints.front().port, p.acceptor->local_endpoint().port());
    // The reflexive address: where the control connection came from, the listening port.
    ASSERT_TRUE(own.reflexive);
    EXPECT_EQ(own.reflexive->port, p.acceptor->local_endpoint().port());
  }
  EXPECT_EQ(indices.size(), parties.parties.size());
  for (std::size_t i = 1; i < first.roster.parties.size(); ++i) {
    EXPECT_LT(first.roster.parties[i - 1].fingerprint, first.roster.parties[i].fingerprint);
  }
  parties.compute();
  for (const auto& mine : parties.paths) {
    for (const auto& path : mine) EXPECT_EQ(path, "direct");
  }
}

// No direct endpoint, no punching: the relay only.
Parties::Adjust relay_only(std::size_t n, asio::io_context& context) {
  std::vector<std::uint16_t> nowhere;  // a port per party that nothing listens on
  std::vector<tcp::acceptor> probes;
  for (std::size_t i = 0; i < n; ++i) {
    probes.emplace_back(context, tcp::endpoint(asio::ip::address_v4::loopback(), 0));
    nowhere.push_back(probes.back().local_endpoint().port());
  }
  return [nowhere](std::size_t, net::Roster& roster, std::vector<net::PeerRoutes>& routes) {
    for (auto& party : roster.parties) party.endpoints = {{"127.0.0.1", nowhere[party.id]}};
    for (auto& route : routes) route.reflexive.reset();
  };
}

// With no direct endpoint and no punching, every pair goes through the
// rendezvous's relay, end to end TLS; the path names the relay.
TEST_P(RendezvousClient, UnreachablePartiesComputeThroughTheRendezvousRelay) {
  RunningServer server;
  Parties parties(GetParam(), server.endpoint());
  net::testing::expect_no_errors(parties.join());
  parties.compute(relay_only(GetParam(), parties.threads.context(0)));
  for (const auto& mine : parties.paths) {
    for (const auto& path : mine) EXPECT_EQ(path, "relayed via " + net::to_string(server.endpoint()));
  }
}

INSTANTIATE_TEST_SUITE_P(Parties, RendezvousClient, testing::Values(3, 5));

// Once the roster is signed the rendezvous is not needed where links are direct.
TEST(RendezvousFaults, TheComputationGoesOnWhenTheRendezvousDiesAfterTheRoster) {
  auto server = std::make_unique<RunningServer>();
  Parties parties(3, server->endpoint());
  net::testing::expect_no_errors(parties.join());
  server.reset();
  parties.compute();
}

// Relayed links depend on the rendezvous: once it is gone, every party's next
// receive fails, naming the peer and the relay.
TEST(RendezvousFaults, RelayedLinksFailNamingTheRelayWhenTheRendezvousDies) {
  RunningServer server;
  Parties parties(3, server.endpoint());
  net::testing::expect_no_errors(parties.join());
  const auto adjust = relay_only(3, parties.threads.context(0));
  std::latch connected(3), stopped(3);
  std::vector<std::string> failures(3);
  net::testing::expect_no_errors(parties.threads.run([&](std::size_t self) -> asio::awaitable<void> {
    net::Network network = co_await parties.connect(self, adjust);
    connected.arrive_and_wait();  // every link is up, through the relay
    if (self == 0) server.stop();
    stopped.arrive_and_wait();
    const std::size_t peer = network.self() == 0 ? 1 : 0;
    try {
      (void)co_await network.receive(peer, 9);
    } catch (const std::exception& e) {
      failures[self] = e.what();
    }
    network.close();
  }, 30s));
  for (std::size_t i = 0; i < 3; ++i) {
    EXPECT_NE(failures[i].find("through the relay at " + net::to_string(server.endpoint())), std::string::npos)
        << "party " << i << ": " << failures[i];
  }
}

TEST(RendezvousFaults, AWrongCodeIsNamedByEveryHonestParty) {
  RunningServer server;
  Parties parties(3, server.endpoint());
  const std::string code = new_session_code();
  parties.use_code(code);
  std::string other = new_session_code();
  while (other == code) other = new_session_code();
  parties.parties[2].options.code = other;
  const auto errors = parties.join();
  for (std::size_t i = 0; i < 2; ++i) {
    ASSERT_TRUE(errors[i]) << i;
    try {
      std::rethrow_exception(errors[i]);
    } catch (const CodeCheckError& e) {
      ASSERT_EQ(e.parties().size(), 1u) << e.what();
      EXPECT_NE(std::string(e.what()).find(tls::format_fingerprint(parties.fingerprint(2))), std::string::npos)
          << e.what();
      EXPECT_NE(std::string(e.what()).find("session code"), std::string::npos) << e.what();
    } catch (const std::exception& e) {
      ADD_FAILURE() << "party " << i << ": not a CodeCheckError: " << e.what();
    }
  }
  EXPECT_TRUE(errors[2]) << "the party with the wrong code fails too";
}

TEST(RendezvousFaults, ACodeOnOneSideOnlyIsRefusedWithAReason) {
  RunningServer server;
  Parties parties(3, server.endpoint());
  parties.parties[1].options.code = new_session_code();
  const auto errors = parties.join();
  EXPECT_NE(message(errors[0]).find("uses a session code, and we were given none (--code)"), std::string::npos)
      << message(errors[0]);
  EXPECT_NE(message(errors[1]).find("uses no session code, and we were given one"), std::string::npos)
      << message(errors[1]);
}

TEST(RendezvousFaults, ExpectedFingerprintsRefuseAStranger) {
  RunningServer server;
  Parties parties(3, server.endpoint());
  const tls::Settings stranger = fresh_identity("stranger");
  const auto stranger_fp = tls::fingerprint_of_pem(stranger.cert_pem, "t");
  for (Party& p : parties.parties) p.options.expected = {parties.fingerprint(0), parties.fingerprint(1), stranger_fp};
  const auto errors = parties.join();
  for (std::size_t i = 0; i < 3; ++i) {
    const std::string text = message(errors[i]);
    EXPECT_NE(text.find("missing " + tls::format_fingerprint(stranger_fp)), std::string::npos) << text;
    EXPECT_NE(text.find("unexpected 'carol' " + tls::format_fingerprint(parties.fingerprint(2))), std::string::npos)
        << text;
  }
  // The same list, right: joined.
  RunningServer again;
  Parties honest(3, again.endpoint());
  for (Party& p : honest.parties) p.options.expected = {honest.fingerprint(2), honest.fingerprint(0), honest.fingerprint(1)};
  net::testing::expect_no_errors(honest.join());
}

TEST(RendezvousFaults, FewerPartiesThanExpectedStopAtTheDeadlineNamingWhoJoined) {
  RunningServer server;
  Parties parties(3, server.endpoint());
  for (Party& p : parties.parties) p.options.expect = 4;
  const auto errors = parties.join(1500ms);
  for (std::size_t i = 0; i < 3; ++i) {
    const std::string text = message(errors[i]);
    EXPECT_NE(text.find("only 3 of 4 parties joined by the deadline"), std::string::npos) << text;
    for (const char* name : {"'alice'", "'bob'", "'carol'"}) EXPECT_NE(text.find(name), std::string::npos) << text;
  }
}

TEST(RendezvousFaults, OneKeyJoiningTwiceIsRefused) {
  RunningServer server;
  Parties parties(3, server.endpoint());
  parties.parties[2].options.key_pem = parties.parties[1].options.key_pem;
  parties.parties[2].options.cert_pem = parties.parties[1].options.cert_pem;
  const auto errors = parties.join(3s);
  std::size_t refused = 0;
  for (const auto& error : errors) {
    if (message(error).find("already joined") != std::string::npos) ++refused;
  }
  EXPECT_EQ(refused, 1u) << message(errors[0]) << "\n" << message(errors[1]) << "\n" << message(errors[2]);
}

// A rendezvous that shows one party a roster with another party's endpoint
// changed (to steer its connections elsewhere): every party sees a signature over
// another roster and says what differs.
class LyingRendezvous {
 public:
  LyingRendezvous(std::size_t n, std::size_t victim, std::size_t changed) {
    tcp::acceptor acceptor = net::listen(context_.get_executor(), {"127.0.0.1", 0});
    endpoint_ = {"127.0.0.1", acceptor.local_endpoint().port()};
    asio::co_spawn(context_, serve(std::move(acceptor), n, victim, changed), [this](std::exception_ptr e) {
      error_ = message(e);
    });
    thread_ = std::thread([this] { context_.run_for(30s); });
  }

  ~LyingRendezvous() { finish(); }
  const net::Endpoint& endpoint() const { return endpoint_; }
  // What went wrong in the liar itself, once it is done.
  std::string error() {
    finish();
    return error_;
  }

 private:
  void finish() {
    if (thread_.joinable()) thread_.join();
  }

  static asio::awaitable<void> serve(tcp::acceptor acceptor, std::size_t n, std::size_t victim, std::size_t changed) {
    const auto deadline = std::chrono::steady_clock::now() + 20s;
    std::vector<std::pair<tls::Fingerprint, std::size_t>> order;
    std::vector<tcp::socket> sockets;
    std::vector<Join> joins;
    for (std::size_t i = 0; i < n; ++i) {
      sockets.push_back(co_await acceptor.async_accept(asio::use_awaitable));
      joins.push_back(decode_join(co_await read_message(sockets.back(), deadline, "party")));
      order.emplace_back(tls::fingerprint_of_pem(joins.back().certificate, "t"), i);
    }
    std::sort(order.begin(), order.end());
    RosterMsg roster;
    roster.session = joins[0].session;
    for (const auto& entry : order) {
      const Join& join = joins[entry.second];
      const auto remote = sockets[entry.second].remote_endpoint();
      roster.parties.push_back({join.name, join.certificate, join.endpoints,
                                {remote.address().to_string(), remote.port()}});
    }
    for (std::size_t index = 0; index < n; ++index) {
      RosterMsg shown = roster;
      shown.token = std::string(kTokenHexChars, 'a');
      if (index == victim) shown.parties[changed].endpoints = {{"198.51.100.7", 4444}};
      co_await write_message(sockets[order[index].second], encode(shown), deadline);
    }
    Round round;
    round.round = 1;
    for (const auto& entry : order) {
      round.data.push_back(decode_post(co_await read_message(sockets[entry.second], deadline, "party")).data);
    }
    for (tcp::socket& socket : sockets) co_await write_message(socket, encode(round), deadline);
  }

  asio::io_context context_;
  net::Endpoint endpoint_;
  std::thread thread_;
  std::string error_;
};

TEST(RendezvousFaults, ARosterThatDiffersBetweenPartiesIsRefusedSayingWhatDiffers) {
  constexpr std::size_t kVictim = 0, kChanged = 2;
  LyingRendezvous liar(3, kVictim, kChanged);
  Parties parties(3, liar.endpoint());
  const auto errors = parties.join(10s);
  EXPECT_EQ(liar.error(), "");
  for (std::size_t i = 0; i < 3; ++i) {
    const std::string text = message(errors[i]);
    EXPECT_NE(text.find("signed a different roster: it differs from ours in party " + std::to_string(kChanged) +
                        "'s endpoints"),
              std::string::npos)
        << "party " << i << ": " << text;
  }
}

// A party that posts a signature its key did not make is named by the others.
TEST(RendezvousFaults, AForgedSignatureIsNamed) {
  RunningServer server;
  Parties parties(2, server.endpoint());
  // The third party, "carol", is played by hand: it joins, then posts a signature
  // by another key.
  const tls::Settings carol = fresh_identity("carol");
  const tls::Settings other = fresh_identity("other");
  for (Party& p : parties.parties) p.options.expect = 3;
  net::testing::PartyThreads forger(1);
  std::string forger_error;
  std::thread forger_thread([&] {
    const auto errors = forger.run([&](std::size_t) -> asio::awaitable<void> {
      tcp::socket socket(co_await asio::this_coro::executor);
      co_await socket.async_connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), server.endpoint().port),
                                    asio::use_awaitable);
      const auto deadline = std::chrono::steady_clock::now() + 15s;
      Join join;
      join.session = "test-session";
      join.expect = 3;
      join.name = "carol";
      join.certificate = carol.cert_pem;
      join.endpoints = {{"127.0.0.1", 9}};
      co_await write_message(socket, encode(join), deadline);
      for (;;) {
        const auto message = co_await read_message(socket, deadline, "rv", kMaxServerMessageBytes);
        if (message_type(message) != "roster") continue;
        const RosterMsg roster = decode_roster(message);
        RosterDocument document;
        document.session = roster.session;
        for (const RosterParty& party : roster.parties) {
          document.parties.push_back({party.name, party.certificate, tls::fingerprint_of_pem(party.certificate, "t"),
                                      party.endpoints, party.reflexive});
        }
        const RosterHash hash = roster_hash(document);
        std::string digests;
        for (const auto& fields : field_digests(document)) {
          std::string entry;
          for (const auto& field : fields) entry += hex(field);
          digests += (digests.empty() ? "\"" : ",\"") + entry + "\"";
        }
        Post post;
        post.round = 1;
        post.data = "{\"signature\":\"" + hex(sign_roster(hash, other.key_pem)) + "\",\"header\":\"" +
                    hex(header_digest(document)) + "\",\"digests\":[" + digests + "]}";
        co_await write_message(socket, encode(post), deadline);
        (void)co_await read_message(socket, deadline, "rv", kMaxServerMessageBytes);
        co_return;
      }
    }, 20s);
    forger_error = message(errors[0]);
  });
  const auto errors = parties.join();
  forger_thread.join();
  EXPECT_EQ(forger_error, "");
  const std::string carol_fp = tls::format_fingerprint(tls::fingerprint_of_pem(carol.cert_pem, "t"));
  for (std::size_t i = 0; i < 2; ++i) {
    const std::string text = message(errors[i]);
    EXPECT_NE(text.find("'carol', " + carol_fp + ")'s signature does not verify with its key"), std::string::npos)
        << text;
  }
}

}  // namespace
}  // namespace meshmpc::rendezvous
