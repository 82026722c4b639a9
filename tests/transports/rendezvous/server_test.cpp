// The rendezvous server against raw clients that speak wire.hpp/messages.hpp:
// a real Server on 127.0.0.1 port 0 in one io_context, every client a socket in
// the same thread, every wait bounded (5 s per message, 30 s per test).
#include <gtest/gtest.h>

#include <algorithm>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/json/serialize.hpp>
#include <chrono>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include <meshmpc/error.hpp>
#include <meshmpc/net/tcp_plumbing.hpp>
#include <meshmpc/net/tls/credentials.hpp>
#include <meshmpc/rendezvous/messages.hpp>
#include <meshmpc/rendezvous/server.hpp>
#include <meshmpc/rendezvous/wire.hpp>

namespace {

using namespace meshmpc;
using namespace meshmpc::rendezvous;
namespace asio = boost::asio;
namespace json = boost::json;
using Clock = std::chrono::steady_clock;
using tcp = asio::ip::tcp;

constexpr auto kMessageWait = std::chrono::seconds(5);

struct Identity {
  std::string name;
  std::string certificate;
  net::tls::Fingerprint fingerprint{};
  std::string fingerprint_text;
};

Identity identity(const std::string& name) {
  net::tls::CertificateSpec spec;
  spec.common_name = name;
  Identity id;
  id.name = name;
  id.certificate = net::tls::self_signed_certificate(net::tls::generate_private_key(net::tls::KeyType::ed25519), spec);
  id.fingerprint = net::tls::fingerprint_of_pem(id.certificate, name);
  id.fingerprint_text = net::tls::format_fingerprint(id.fingerprint);
  return id;
}

std::vector<Identity> identities(std::size_t n) {
  std::vector<Identity> out;
  for (std::size_t i = 0; i < n; ++i) out.push_back(identity("party" + std::to_string(i)));
  return out;
}

class RendezvousServer : public ::testing::Test {
 protected:
  void start(ServerOptions options = {}) {
    tcp::acceptor acceptor = net::listen(context_.get_executor(), net::Endpoint{"127.0.0.1", 0});
    where_ = acceptor.local_endpoint();
    server_ = std::make_unique<Server>(context_.get_executor(), options);
    asio::co_spawn(context_, server_->run(std::move(acceptor)), asio::detached);
  }

  // Runs a test body on the server's io_context, then stops the server.
  template <typename Body>
  void run(Body body) {
    bool finished = false;
    std::exception_ptr failure;
    asio::co_spawn(context_, body(), [&](std::exception_ptr e) {
      failure = e;
      finished = true;
      server_->stop();
    });
    context_.run_for(std::chrono::seconds(30));
    ASSERT_TRUE(finished) << "the test body did not finish within 30 s";
    // Out of work, not out of time: stop() closed every connection and timer.
    EXPECT_TRUE(context_.stopped()) << "something kept running after stop()";
    EXPECT_EQ(server_->connections(), 0u);
    if (failure) std::rethrow_exception(failure);
  }

  asio::awaitable<tcp::socket> connect(const char* from = "127.0.0.1") {
    tcp::socket socket(context_);
    socket.open(tcp::v4());
    socket.bind(tcp::endpoint(asio::ip::make_address(from), 0));
    co_await socket.async_connect(where_, asio::use_awaitable);
    co_return socket;
  }

  static asio::awaitable<json::object> next(tcp::socket& socket) {
    const std::string peer = "the server";
    co_return co_await read_message(socket, Clock::now() + kMessageWait, peer, kMaxServerMessageBytes);
  }

  static asio::awaitable<void> send(tcp::socket& socket, json::object message) {
    co_await write_message(socket, message, Clock::now() + kMessageWait);
  }

  static Join join_of(const Identity& id, const std::string& session, std::size_t expect) {
    return Join{session, expect, id.name, id.certificate, {{"10.9.8.7", 4000}}};
  }

  // The next message, which must be an ErrorMsg: its text.
  static asio::awaitable<std::string> error_of(tcp::socket& socket) {
    const json::object message = co_await next(socket);
    EXPECT_EQ(message_type(message), "error");
    co_return message_type(message) == "error" ? decode_error(message).message : std::string();
  }

  // The next message, which must be a Waiting (with `joined` parties unless 0).
  static asio::awaitable<void> skip_waiting(tcp::socket& socket, std::size_t joined = 0) {
    const json::object message = co_await next(socket);
    EXPECT_EQ(message_type(message), "waiting");
    if (joined != 0 && message_type(message) == "waiting") {
      EXPECT_EQ(decode_waiting(message).joined.size(), joined);
    }
  }

  // Skips Waiting updates up to the roster.
  static asio::awaitable<RosterMsg> roster_of(tcp::socket& socket) {
    for (int i = 0; i < 1000; ++i) {
      const json::object message = co_await next(socket);
      const std::string type = message_type(message);
      if (type == "roster") co_return decode_roster(message);
      if (type != "waiting") throw ProtocolError("expected a roster, got " + json::serialize(message));
    }
    throw ProtocolError("no roster after 1000 messages");
  }

  asio::awaitable<void> sleep(std::chrono::milliseconds time) {
    asio::steady_timer timer(context_, time);
    co_await timer.async_wait(asio::use_awaitable);
  }

  // Waits (bounded) until the server holds `count` sessions.
  asio::awaitable<void> until_sessions(std::size_t count) {
    for (int i = 0; i < 300 && server_->sessions() != count; ++i) co_await sleep(std::chrono::milliseconds(10));
    EXPECT_EQ(server_->sessions(), count);
  }

  // n parties join `session`, one after the other; each reads its Waiting after
  // every join (so none is coalesced). Returns the sockets in join order.
  asio::awaitable<std::vector<tcp::socket>> join_all(const std::vector<Identity>& ids, std::string session) {
    std::vector<tcp::socket> sockets;
    for (std::size_t k = 0; k < ids.size(); ++k) {
      sockets.push_back(co_await connect());
      {
        const json::object message = encode(join_of(ids[k], session, ids.size()));
        co_await send(sockets.back(), message);
      }
      for (std::size_t c = 0; c <= k; ++c) {
        const json::object message = co_await next(sockets[c]);
        const Waiting waiting = decode_waiting(message);
        EXPECT_EQ(waiting.expect, ids.size());
        EXPECT_EQ(waiting.joined.size(), k + 1);
        EXPECT_EQ(waiting.joined.back().name, ids[k].name);
        EXPECT_EQ(waiting.joined.back().fingerprint, ids[k].fingerprint_text);
      }
    }
    co_return sockets;
  }

  asio::io_context context_{1};
  std::unique_ptr<Server> server_;
  tcp::endpoint where_;
};

// n parties meet, get one roster sorted by fingerprint (each with its own token
// and the address its control connection came from), and post rounds 1 and 2.
class RendezvousServerSizes : public RendezvousServer, public ::testing::WithParamInterface<std::size_t> {
 public:
  asio::awaitable<void> meet(std::size_t n) {
    const std::vector<Identity> ids = identities(n);
    const std::string session = "meet-" + std::to_string(n);
    std::vector<tcp::socket> sockets = co_await join_all(ids, session);

    std::vector<std::size_t> sorted(n);
    for (std::size_t i = 0; i < n; ++i) sorted[i] = i;
    std::sort(sorted.begin(), sorted.end(),
              [&](std::size_t a, std::size_t b) { return ids[a].fingerprint < ids[b].fingerprint; });

    std::set<std::string> tokens;
    std::vector<std::size_t> index_of(n);  // client -> roster index
    for (std::size_t c = 0; c < n; ++c) {
      const RosterMsg roster = co_await roster_of(sockets[c]);
      EXPECT_EQ(roster.session, session);
      tokens.insert(roster.token);
      EXPECT_EQ(roster.token.size(), kTokenHexChars);
      EXPECT_EQ(roster.parties.size(), n);
      if (roster.parties.size() != n) co_return;
      for (std::size_t i = 0; i < n; ++i) {
        const Identity& expected = ids[sorted[i]];
        EXPECT_EQ(roster.parties[i].name, expected.name);
        EXPECT_EQ(roster.parties[i].certificate, expected.certificate);
        EXPECT_EQ(roster.parties[i].endpoints.size(), 1u);
        if (!roster.parties[i].endpoints.empty()) {
          EXPECT_EQ(net::to_string(roster.parties[i].endpoints[0]), "10.9.8.7:4000");
        }
        EXPECT_EQ(roster.parties[i].reflexive.host, "127.0.0.1");
        EXPECT_EQ(roster.parties[i].reflexive.port, sockets[sorted[i]].local_endpoint().port());
        if (sorted[i] == c) index_of[c] = i;
      }
    }
    EXPECT_EQ(tokens.size(), n) << "every party has its own token";

    for (std::size_t round = 1; round <= 2; ++round) {
      // Posted in reverse join order: the Round is in roster order all the same.
      for (std::size_t c = n; c-- > 0;) {
        {
          const json::object message = encode(Post{round, "r" + std::to_string(round) + "-" + ids[c].name});
          co_await send(sockets[c], message);
        }
      }
      for (std::size_t c = 0; c < n; ++c) {
        const json::object message = co_await next(sockets[c]);
        const Round got = decode_round(message);
        EXPECT_EQ(got.round, round);
        EXPECT_EQ(got.data.size(), n);
        if (got.data.size() != n) co_return;
        for (std::size_t i = 0; i < n; ++i) {
          EXPECT_EQ(got.data[i], "r" + std::to_string(round) + "-" + ids[sorted[i]].name);
        }
      }
    }
    (void)index_of;
    EXPECT_EQ(server_->sessions(), 1u);
    for (tcp::socket& socket : sockets) socket.close();
    co_await until_sessions(0);
  }
};

TEST_P(RendezvousServerSizes, PartiesGetWaitingThenOneSortedRosterThenRounds) {
  start();
  run([&] { return meet(GetParam()); });
}

INSTANTIATE_TEST_SUITE_P(ThreeAndFive, RendezvousServerSizes, ::testing::Values(3, 5));

TEST_F(RendezvousServer, SecondJoinWithTheSameKeyIsRefusedNamingTheFingerprint) {
  start();
  run([&]() -> asio::awaitable<void> {
    const Identity alice = identity("alice");
    tcp::socket first = co_await connect();
    {
      const json::object message = encode(join_of(alice, "dup", 3));
      co_await send(first, message);
    }
    co_await skip_waiting(first);
    tcp::socket second = co_await connect();
    {
      const json::object message = encode(join_of(alice, "dup", 3));
      co_await send(second, message);
    }
    { const std::string error = co_await error_of(second); EXPECT_EQ(error, "a party with this key (" + alice.fingerprint_text + ") already joined session 'dup'"); }
  });
}

TEST_F(RendezvousServer, ExpectMismatchAndFixedSessionAreRefused) {
  start();
  run([&]() -> asio::awaitable<void> {
    const std::vector<Identity> ids = identities(3);
    tcp::socket a = co_await connect();
    {
      const json::object message = encode(join_of(ids[0], "fixed", 2));
      co_await send(a, message);
    }
    co_await skip_waiting(a);
    tcp::socket wrong = co_await connect();
    {
      const json::object message = encode(join_of(ids[1], "fixed", 4));
      co_await send(wrong, message);
    }
    { const std::string error = co_await error_of(wrong); EXPECT_EQ(error, "session 'fixed' expects 2 parties, not 4"); }

    tcp::socket b = co_await connect();
    {
      const json::object message = encode(join_of(ids[1], "fixed", 2));
      co_await send(b, message);
    }
    const RosterMsg roster_a = co_await roster_of(a);
    const RosterMsg roster_b = co_await roster_of(b);
    EXPECT_EQ(roster_a.parties.size(), roster_b.parties.size());
    tcp::socket late = co_await connect();
    {
      const json::object message = encode(join_of(ids[2], "fixed", 2));
      co_await send(late, message);
    }
    { const std::string error = co_await error_of(late); EXPECT_EQ(error, "session 'fixed' is already fixed (2 parties)"); }
  });
}

TEST_F(RendezvousServer, MalformedFirstMessagesAreRefusedNamingTheField) {
  start();
  run([&]() -> asio::awaitable<void> {
    tcp::socket a = co_await connect();
    Join bad = join_of(identity("alice"), "s", 2);
    json::object message = encode(bad);
    message["session"] = std::string(300, 's');
    co_await send(a, message);
    { const std::string error = co_await error_of(a); EXPECT_EQ(error, "join: 'session' is 300 characters, at most 64"); }

    tcp::socket b = co_await connect();
    bad.certificate = "-----BEGIN CERTIFICATE-----\nnot base64\n-----END CERTIFICATE-----\n";
    {
      const json::object message = encode(bad);
      co_await send(b, message);
    }
    { const std::string error = co_await error_of(b); EXPECT_NE(error.find("join: 'certificate'"), std::string::npos) << error; }

    tcp::socket c = co_await connect();
    {
      const json::object message = encode(Post{1, "x"});
      co_await send(c, message);
    }
    { const std::string error = co_await error_of(c); EXPECT_EQ(error, "expected a 'join' or 'relay' message first, not 'post'"); }
    EXPECT_EQ(server_->sessions(), 0u);
  });
}

TEST_F(RendezvousServer, PostsBeforeTheRosterTwiceOrToACompleteRoundAreRefused) {
  start();
  run([&]() -> asio::awaitable<void> {
    const std::vector<Identity> ids = identities(3);
    tcp::socket early = co_await connect();
    {
      const json::object message = encode(join_of(ids[2], "early", 2));
      co_await send(early, message);
    }
    co_await skip_waiting(early, 1);
    {
      const json::object message = encode(Post{1, "too soon"});
      co_await send(early, message);
    }
    { const std::string error = co_await error_of(early); EXPECT_EQ(error, "post: session 'early' has no roster yet"); }

    const std::string session = "posts";
    const std::vector<Identity> pair{ids[0], ids[1]};
    std::vector<tcp::socket> sockets = co_await join_all(pair, session);
    for (tcp::socket& socket : sockets) {
      const RosterMsg roster = co_await roster_of(socket);
      EXPECT_EQ(roster.parties.size(), 2u);
    }
    const json::object first = encode(Post{1, "a"});
    co_await send(sockets[0], first);
    co_await send(sockets[0], first);
    {
      const std::string error = co_await error_of(sockets[0]);
      EXPECT_NE(error.find("already posted round 1 of session 'posts'"), std::string::npos) << error;
    }
    const json::object second = encode(Post{1, "b"});
    co_await send(sockets[1], second);
    const json::object round = co_await next(sockets[1]);
    EXPECT_EQ(decode_round(round).data.size(), 2u);
    co_await send(sockets[1], second);
    {
      const std::string error = co_await error_of(sockets[1]);
      EXPECT_EQ(error, "post: round 1 of session 'posts' is already complete");
    }
  });
}

TEST_F(RendezvousServer, SessionsWithDifferentNamesDoNotMix) {
  start();
  run([&]() -> asio::awaitable<void> {
    const std::vector<Identity> ids = identities(3);
    tcp::socket x1 = co_await connect();
    {
      const json::object message = encode(join_of(ids[0], "x", 2));
      co_await send(x1, message);
    }
    co_await skip_waiting(x1, 1);
    tcp::socket y1 = co_await connect();
    {
      const json::object message = encode(join_of(ids[1], "y", 2));
      co_await send(y1, message);
    }
    co_await skip_waiting(y1, 1);
    EXPECT_EQ(server_->sessions(), 2u);
    tcp::socket x2 = co_await connect();
    {
      const json::object message = encode(join_of(ids[2], "x", 2));
      co_await send(x2, message);
    }
    const RosterMsg roster = co_await roster_of(x1);
    EXPECT_EQ(roster.parties.size(), 2u);
    if (roster.parties.size() != 2) co_return;
    std::set<std::string> names{roster.parties[0].name, roster.parties[1].name};
    EXPECT_EQ(names, (std::set<std::string>{ids[0].name, ids[2].name}));
    const RosterMsg roster_x2 = co_await roster_of(x2);
    EXPECT_EQ(roster_x2.parties.size(), 2u);
    // y is still waiting, alone: it heard nothing of x.
    EXPECT_EQ(server_->sessions(), 2u);
    y1.non_blocking(true);
    std::array<char, 1> byte{};
    boost::system::error_code error;
    y1.read_some(asio::buffer(byte), error);
    EXPECT_EQ(error, asio::error::would_block);
  });
}

TEST_F(RendezvousServer, AWaitingPartyThatLeavesIsDroppedFromWaiting) {
  start();
  run([&]() -> asio::awaitable<void> {
    const std::vector<Identity> three = identities(2);
    tcp::socket a = co_await connect();
    {
      const json::object message = encode(join_of(three[0], "leave3", 3));
      co_await send(a, message);
    }
    co_await skip_waiting(a);
    tcp::socket b = co_await connect();
    {
      const json::object message = encode(join_of(three[1], "leave3", 3));
      co_await send(b, message);
    }
    co_await skip_waiting(a, 2);
    co_await skip_waiting(b, 2);
    b.close();
    const json::object after_message = co_await next(a);
    const Waiting after = decode_waiting(after_message);
    EXPECT_EQ(after.joined.size(), 1u);
    if (!after.joined.empty()) {
      EXPECT_EQ(after.joined[0].fingerprint, three[0].fingerprint_text);
    }
  });
}

TEST_F(RendezvousServer, AWaitingSessionExpiresNamingWhoJoined) {
  ServerOptions options;
  options.wait_timeout = std::chrono::milliseconds(300);
  start(options);
  run([&]() -> asio::awaitable<void> {
    const std::vector<Identity> ids = identities(2);
    tcp::socket a = co_await connect();
    {
      const json::object message = encode(join_of(ids[0], "slow", 3));
      co_await send(a, message);
    }
    co_await skip_waiting(a);
    tcp::socket b = co_await connect();
    {
      const json::object message = encode(join_of(ids[1], "slow", 3));
      co_await send(b, message);
    }
    co_await skip_waiting(a);
    co_await skip_waiting(b);
    for (tcp::socket* socket : {&a, &b}) {
      const std::string error = co_await error_of(*socket);
      EXPECT_NE(error.find("session 'slow' expired"), std::string::npos) << error;
      EXPECT_NE(error.find("2 joined"), std::string::npos) << error;
      EXPECT_NE(error.find(ids[0].name + " (" + ids[0].fingerprint_text + ")"), std::string::npos) << error;
      EXPECT_NE(error.find(ids[1].name + " (" + ids[1].fingerprint_text + ")"), std::string::npos) << error;
    }
    EXPECT_EQ(server_->sessions(), 0u);
  });
}

TEST_F(RendezvousServer, RelayPipesBytesBothWaysAndRefusesABadToken) {
  start();
  run([&]() -> asio::awaitable<void> {
    const std::vector<Identity> ids = identities(2);
    const std::string session = "relay";
    std::vector<tcp::socket> control = co_await join_all(ids, session);
    std::vector<RosterMsg> rosters;
    for (tcp::socket& socket : control) {
      RosterMsg roster = co_await roster_of(socket);
      rosters.push_back(std::move(roster));
    }
    // Client c's index in the roster.
    std::vector<std::size_t> index(2);
    for (std::size_t c = 0; c < 2; ++c) {
      for (std::size_t i = 0; i < 2; ++i) {
        if (rosters[c].parties[i].certificate == ids[c].certificate) index[c] = i;
      }
    }

    tcp::socket bad = co_await connect();
    {
      const json::object message = encode(Relay{"relay", std::string(kTokenHexChars, '0'), index[1]});
      co_await send(bad, message);
    }
    { const std::string error = co_await error_of(bad); EXPECT_EQ(error, "relay: the token is not one of session 'relay'"); }
    tcp::socket unknown = co_await connect();
    {
      const json::object message = encode(Relay{"nowhere", rosters[0].token, 1});
      co_await send(unknown, message);
    }
    { const std::string error = co_await error_of(unknown); EXPECT_EQ(error, "relay: no session 'nowhere' with a roster here"); }

    tcp::socket a = co_await connect();
    {
      const json::object message = encode(Relay{"relay", rosters[0].token, index[1]});
      co_await send(a, message);
    }
    tcp::socket b = co_await connect();
    {
      const json::object message = encode(Relay{"relay", rosters[1].token, index[0]});
      co_await send(b, message);
    }
    const json::object ready_a = co_await next(a);
    const json::object ready_b = co_await next(b);
    EXPECT_EQ(message_type(ready_a), "relay_ready");
    EXPECT_EQ(message_type(ready_b), "relay_ready");

    std::string a_to_b(5000, '\0');
    std::string b_to_a(7000, '\0');
    for (std::size_t i = 0; i < a_to_b.size(); ++i) a_to_b[i] = static_cast<char>(i * 7 + 1);
    for (std::size_t i = 0; i < b_to_a.size(); ++i) b_to_a[i] = static_cast<char>(i * 13 + 5);
    co_await asio::async_write(a, asio::buffer(a_to_b), asio::use_awaitable);
    co_await asio::async_write(b, asio::buffer(b_to_a), asio::use_awaitable);
    std::string at_b(a_to_b.size(), '\0');
    std::string at_a(b_to_a.size(), '\0');
    co_await asio::async_read(b, asio::buffer(at_b), asio::use_awaitable);
    co_await asio::async_read(a, asio::buffer(at_a), asio::use_awaitable);
    EXPECT_EQ(at_b, a_to_b);
    EXPECT_EQ(at_a, b_to_a);

    // A half-close is passed on: b sees the end of a's stream.
    a.shutdown(tcp::socket::shutdown_send);
    std::array<char, 16> rest{};
    auto [error, count] = co_await b.async_read_some(asio::buffer(rest), asio::as_tuple(asio::use_awaitable));
    EXPECT_EQ(error, asio::error::eof);
    EXPECT_EQ(count, 0u);
  });
}

// A request replaced by a newer one for the same pair is closed; one never
// matched is closed after relay_wait; an open relay keeps its session after the
// control connections are gone.
TEST_F(RendezvousServer, RelayRequestsAreReplacedExpireAndKeepTheirSession) {
  ServerOptions options;
  options.relay_wait = std::chrono::milliseconds(300);
  start(options);
  run([&]() -> asio::awaitable<void> {
    const std::vector<Identity> ids = identities(2);
    const std::string session = "relay2";
    std::vector<tcp::socket> control = co_await join_all(ids, session);
    std::vector<RosterMsg> rosters;
    for (tcp::socket& socket : control) {
      RosterMsg roster = co_await roster_of(socket);
      rosters.push_back(std::move(roster));
    }
    const std::size_t self0 = rosters[0].parties[0].certificate == ids[0].certificate ? 0 : 1;
    const json::object from0 = encode(Relay{session, rosters[0].token, 1 - self0});
    const json::object from1 = encode(Relay{session, rosters[1].token, self0});

    tcp::socket old = co_await connect();
    co_await send(old, from0);
    co_await sleep(std::chrono::milliseconds(20));
    tcp::socket newer = co_await connect();
    co_await send(newer, from0);
    std::array<char, 64> byte{};
    auto [closed, none] = co_await old.async_read_some(asio::buffer(byte), asio::as_tuple(asio::use_awaitable));
    EXPECT_TRUE(closed) << "the replaced request was closed";
    EXPECT_EQ(none, 0u);
    {
      const std::string error = co_await error_of(newer);
      EXPECT_NE(error.find("did not ask for its end of the relay"), std::string::npos) << error;
    }

    tcp::socket a = co_await connect();
    co_await send(a, from0);
    tcp::socket b = co_await connect();
    co_await send(b, from1);
    const json::object ready_a = co_await next(a);
    const json::object ready_b = co_await next(b);
    EXPECT_EQ(message_type(ready_a), "relay_ready");
    EXPECT_EQ(message_type(ready_b), "relay_ready");
    for (tcp::socket& socket : control) socket.close();
    co_await sleep(std::chrono::milliseconds(100));
    EXPECT_EQ(server_->sessions(), 1u) << "an open relay keeps its session";
    const std::string ping = "ping";
    co_await asio::async_write(a, asio::buffer(ping), asio::use_awaitable);
    std::string got(ping.size(), '\0');
    co_await asio::async_read(b, asio::buffer(got), asio::use_awaitable);
    EXPECT_EQ(got, ping);
    a.close();
    b.close();
    co_await until_sessions(0);
  });
}

TEST_F(RendezvousServer, ConnectionsOverThePerAddressCapAreBusyWhileOthersComplete) {
  ServerOptions options;
  options.max_per_address = 4;
  start(options);
  run([&]() -> asio::awaitable<void> {
    std::vector<tcp::socket> flood;
    for (int i = 0; i < 4; ++i) {
      flood.push_back(co_await connect("127.0.0.2"));
      {
        const json::object message = encode(join_of(identity("f"), "flood-" + std::to_string(i), 2));
        co_await send(flood.back(), message);
      }
      co_await skip_waiting(flood.back());
    }
    for (int i = 0; i < 3; ++i) {
      tcp::socket over = co_await connect("127.0.0.2");
      const std::string error = co_await error_of(over);
      EXPECT_NE(error.find("busy"), std::string::npos) << error;
    }
    const std::vector<Identity> ids = identities(2);
    const std::string session = "from-loopback";
    std::vector<tcp::socket> meet = co_await join_all(ids, session);
    for (tcp::socket& socket : meet) {
      const RosterMsg roster = co_await roster_of(socket);
      EXPECT_EQ(roster.parties.size(), 2u);
    }
  });
}

TEST_F(RendezvousServer, AFloodOfMadeUpSessionsStaysBounded) {
  ServerOptions options;
  options.max_per_address = 8;
  options.max_connections = 12;
  options.max_sessions = 10;
  start(options);
  run([&]() -> asio::awaitable<void> {
    const Identity flooder = identity("flooder");
    std::vector<tcp::socket> flood;
    std::size_t busy = 0;
    for (int i = 0; i < 40; ++i) {
      tcp::socket socket = co_await connect("127.0.0.2");
      {
        const json::object message = encode(join_of(flooder, "made-up-" + std::to_string(i), 2));
        co_await send(socket, message);
      }
      const json::object reply = co_await next(socket);
      if (message_type(reply) == "error") {
        EXPECT_NE(decode_error(reply).message.find("busy"), std::string::npos);
        ++busy;
      } else {
        flood.push_back(std::move(socket));
      }
      EXPECT_LE(server_->sessions(), 8u);
    }
    EXPECT_EQ(flood.size(), 8u);
    EXPECT_EQ(busy, 32u);
    // Other addresses: up to the total cap, then the session cap is what bites.
    std::vector<tcp::socket> more;
    for (int i = 0; i < 3; ++i) {
      more.push_back(co_await connect("127.0.0.3"));
      {
        const json::object message = encode(join_of(flooder, "more-" + std::to_string(i), 2));
        co_await send(more.back(), message);
      }
      const json::object reply = co_await next(more.back());
      if (i < 2) {
        EXPECT_EQ(message_type(reply), "waiting");
      } else {
        EXPECT_NE(decode_error(reply).message.find("busy: the rendezvous server holds 10 sessions"), std::string::npos);
      }
    }
    EXPECT_EQ(server_->sessions(), 10u);
    for (tcp::socket& socket : flood) socket.close();
    for (tcp::socket& socket : more) socket.close();
    co_await until_sessions(0);
    EXPECT_EQ(server_->connections(), 0u);
  });
}

}  // namespace
