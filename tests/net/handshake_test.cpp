#include <meshmpc/net/handshake.hpp>

#include <gtest/gtest.h>

#include <algorithm>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <cstring>

#include <meshmpc/error.hpp>

#include "party_threads.hpp"

namespace meshmpc::net {
namespace {

using asio::ip::tcp;
using testing::make_roster;
using namespace std::chrono_literals;

struct SocketPair {
  tcp::socket dialer;
  tcp::socket acceptor_side;
};

SocketPair connected_pair(asio::io_context& context) {
  tcp::acceptor acceptor(context, tcp::endpoint(asio::ip::address_v4::loopback(), 0));
  tcp::socket dialer(context);
  dialer.connect(acceptor.local_endpoint());
  tcp::socket accepted = acceptor.accept();
  return {std::move(dialer), std::move(accepted)};
}

std::string remote_of(tcp::socket& socket) {
  return "127.0.0.1:" + std::to_string(socket.remote_endpoint().port());
}

Roster roster_with_secret(std::size_t n, std::uint8_t secret_byte) {
  Roster roster = make_roster(n);
  SessionSecret secret{};
  secret.fill(std::byte{secret_byte});
  roster.secret = secret;
  return roster;
}

// Spawns party 2 (carol) dialling party 0 (alice) over `socket`, with a deadline
// 5 s away: `error` ends up holding its PeerError's text, or "linked".
void dial_as_carol(asio::io_context& context, tcp::socket& socket, const Roster& roster, std::string& error) {
  asio::co_spawn(context, [&socket, &roster, &error]() -> asio::awaitable<void> {
    try {
      co_await run_handshake(socket, roster, 2, Role::dialler, "party 0 (alice) at 127.0.0.1", nullptr,
                             std::chrono::steady_clock::now() + 5s);
      error = "linked";
    } catch (const PeerError& e) {
      error = e.what();
    }
  }, asio::detached);
}

TEST(Handshake, HelloRoundTrips) {
  const Hello hello = make_hello(make_roster(7), 3);
  const HelloBytes bytes = encode_hello(hello);
  EXPECT_EQ(std::memcmp(bytes.data(), "MMPC", 4), 0);
  const std::optional<Hello> decoded = decode_hello(bytes);
  ASSERT_TRUE(decoded);
  EXPECT_EQ(decoded->version, kProtocolVersion);
  EXPECT_EQ(decoded->party, 3u);
  EXPECT_EQ(decoded->parties, 7u);
  EXPECT_EQ(decoded->nonce, hello.nonce);
  EXPECT_NE(make_hello(make_roster(7), 3).nonce, hello.nonce);  // fresh per connection
}

TEST(Handshake, WrongMagicDecodesToNothing) {
  HelloBytes bytes = encode_hello(Hello{});
  bytes[0] = std::byte{'G'};
  EXPECT_FALSE(decode_hello(bytes));
}

TEST(Handshake, ProofsDependOnKeyRoleAndBothHellos) {
  const Roster roster = roster_with_secret(3, 7);
  const HandshakeKey key = handshake_key(roster);
  const HelloBytes a = encode_hello(make_hello(roster, 2));
  const HelloBytes b = encode_hello(make_hello(roster, 0));
  const Proof proof = make_proof(key, Role::dialler, a, b);
  EXPECT_TRUE(proof_holds(key, Role::dialler, a, b, proof));
  EXPECT_FALSE(proof_holds(key, Role::acceptor, a, b, proof));  // not reflected back
  EXPECT_FALSE(proof_holds(key, Role::dialler, b, a, proof));
  EXPECT_FALSE(proof_holds(key, Role::dialler, a, encode_hello(make_hello(roster, 0)), proof));  // replayed
  EXPECT_FALSE(proof_holds(handshake_key(roster_with_secret(3, 8)), Role::dialler, a, b, proof));
  EXPECT_FALSE(proof_holds(handshake_key(make_roster(3)), Role::dialler, a, b, proof));  // no secret
  EXPECT_FALSE(proof_holds(handshake_key(make_roster(3, "other-session")), Role::dialler, a, b,
                           make_proof(handshake_key(make_roster(3)), Role::dialler, a, b)));
}

struct Outcome {
  std::string dialler = "unfinished";
  std::string acceptor = "unfinished";
};

// Party 2 dials party 0 with the given rosters; each side's result or error.
Outcome handshake_between(const Roster& dialler_roster, const Roster& acceptor_roster, ClaimCheck check = nullptr) {
  asio::io_context context;
  SocketPair pair = connected_pair(context);
  const auto deadline = std::chrono::steady_clock::now() + 5s;
  Outcome outcome;
  const std::string remote = remote_of(pair.acceptor_side);
  asio::co_spawn(context, [&]() -> asio::awaitable<void> {
    try {
      const std::size_t peer = co_await run_handshake(pair.dialer, dialler_roster, 2, Role::dialler,
                                                      "party 0 (alice) at 127.0.0.1", nullptr, deadline);
      outcome.dialler = "linked to " + std::to_string(peer);
    } catch (const PeerError& error) {
      outcome.dialler = error.what();
    }
  }, asio::detached);
  asio::co_spawn(context, [&]() -> asio::awaitable<void> {
    try {
      const std::size_t peer =
          co_await run_handshake(pair.acceptor_side, acceptor_roster, 0, Role::acceptor, remote, check, deadline);
      outcome.acceptor = "linked to " + std::to_string(peer);
    } catch (const PeerError& error) {
      outcome.acceptor = error.what();
    }
  }, asio::detached);
  context.run_for(5s);
  return outcome;
}

bool contains(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

TEST(Handshake, BothEndsAgreeWhenTheyShareTheSessionAndSecret) {
  for (const Roster& roster : {make_roster(3), roster_with_secret(3, 42)}) {
    const Outcome outcome = handshake_between(roster, roster);
    EXPECT_EQ(outcome.dialler, "linked to 0");
    EXPECT_EQ(outcome.acceptor, "linked to 2");
  }
}

TEST(Handshake, AnotherSecretIsRefusedBeforeTheClaimIsLookedAt) {
  std::size_t checks = 0;
  const ClaimCheck counting = [&](std::size_t) -> std::optional<std::string> {
    ++checks;
    return std::nullopt;
  };
  for (const auto& [dialler, acceptor] : {std::pair{roster_with_secret(3, 1), roster_with_secret(3, 2)},
                                          std::pair{make_roster(3), roster_with_secret(3, 2)},
                                          std::pair{make_roster(3, "other-session"), make_roster(3)}}) {
    const Outcome outcome = handshake_between(dialler, acceptor, counting);
    const std::string fault = "the peer did not prove that it belongs to this session (another session id or "
                              "session secret)";
    EXPECT_TRUE(contains(outcome.acceptor, "party 0 (alice) refused a connection from 127.0.0.1:")) << outcome.acceptor;
    EXPECT_TRUE(contains(outcome.acceptor, fault)) << outcome.acceptor;
    EXPECT_FALSE(contains(outcome.acceptor, "carol")) << outcome.acceptor;  // nothing about the roster
    EXPECT_EQ(outcome.dialler, "party 2 (carol): party 0 (alice) at 127.0.0.1 refused our connection: " +
                                   outcome.acceptor);
  }
  EXPECT_EQ(checks, 0u);  // an unproven claim never reached the slot bookkeeping
}

// A raw peer that knows `key` dials party 0 of 3 with `hello` and a valid proof.
struct RawDial {
  std::string acceptor_error;
  HelloBytes acceptor_hello{};
  int status = -1;
  std::string reason;
  bool closed_after = false;
};

RawDial raw_dial(const HelloBytes& hello, const std::optional<HandshakeKey>& key) {
  asio::io_context context;
  SocketPair pair = connected_pair(context);
  const Roster roster = make_roster(3);
  RawDial result;
  const std::string remote = remote_of(pair.acceptor_side);
  asio::co_spawn(context, [&]() -> asio::awaitable<void> {
    try {
      co_await run_handshake(pair.acceptor_side, roster, 0, Role::acceptor, remote, nullptr,
                             std::chrono::steady_clock::now() + 5s);
      result.acceptor_error = "accepted";
    } catch (const PeerError& error) {
      result.acceptor_error = error.what();
    }
  }, asio::detached);
  asio::co_spawn(context, [&]() -> asio::awaitable<void> {
    co_await asio::async_write(pair.dialer, asio::buffer(hello), asio::use_awaitable);
    co_await asio::async_read(pair.dialer, asio::buffer(result.acceptor_hello), asio::use_awaitable);
    if (key) {
      std::vector<std::byte> verdict = encode_verdict(std::nullopt);
      const Proof proof = make_proof(*key, Role::dialler, hello, result.acceptor_hello);
      verdict.insert(verdict.end(), proof.begin(), proof.end());
      co_await asio::async_write(pair.dialer, asio::buffer(verdict), asio::use_awaitable);
    }
    std::array<std::uint8_t, kVerdictHeaderSize> header{};
    co_await asio::async_read(pair.dialer, asio::buffer(header), asio::use_awaitable);
    result.status = header[0];
    result.reason.resize(header[1] | (header[2] << 8));
    co_await asio::async_read(pair.dialer, asio::buffer(result.reason), asio::use_awaitable);
    char extra = 0;
    auto [error, got] = co_await asio::async_read(pair.dialer, asio::buffer(&extra, 1),
                                                  asio::as_tuple(asio::use_awaitable));
    result.closed_after = error == asio::error::eof && got == 0;
  }, asio::detached);
  context.run_for(5s);
  return result;
}

void expect_refused(const RawDial& refusal, const std::string& fault) {
  EXPECT_NE(refusal.acceptor_error.find("party 0 (alice) refused a connection from 127.0.0.1:"), std::string::npos)
      << refusal.acceptor_error;
  EXPECT_NE(refusal.acceptor_error.find(fault), std::string::npos) << refusal.acceptor_error;
  EXPECT_EQ(refusal.status, 1);
  EXPECT_EQ(refusal.reason, refusal.acceptor_error);
  EXPECT_TRUE(refusal.closed_after);
}

HelloBytes hello_from(std::uint32_t party, std::uint32_t parties = 3) {
  return encode_hello(Hello{kProtocolVersion, party, parties, make_hello(make_roster(3), party).nonce});
}

const HandshakeKey kTestKey = handshake_key(make_roster(3));

TEST(Handshake, TheSessionIdNeverCrossesTheWire) {
  const RawDial dial = raw_dial(hello_from(1), kTestKey);
  const SessionId id = make_roster(3).session_id;
  const std::string everything = std::string(reinterpret_cast<const char*>(dial.acceptor_hello.data()),
                                             dial.acceptor_hello.size()) + dial.reason;
  EXPECT_EQ(std::search(everything.begin(), everything.end(), reinterpret_cast<const char*>(id.data()),
                        reinterpret_cast<const char*>(id.data()) + id.size()),
            everything.end());
  EXPECT_EQ(dial.status, 0);
}

TEST(Handshake, AProofWithoutTheKeyIsRefused) {
  HandshakeKey wrong = kTestKey;
  wrong[0] ^= std::byte{1};
  expect_refused(raw_dial(hello_from(1), wrong), "the peer did not prove that it belongs to this session");
}

TEST(Handshake, WrongPartyCountIsRefused) {
  expect_refused(raw_dial(hello_from(2, 4), kTestKey),
                 "peer claiming to be party 2 (carol) has a roster of 4 parties, ours has 3");
}

TEST(Handshake, UnknownPartyIdIsRefused) {
  expect_refused(raw_dial(hello_from(5), kTestKey), "peer claims to be party 5, roster has 3 parties");
}

TEST(Handshake, OwnPartyIdIsRefused) {
  expect_refused(raw_dial(hello_from(0), kTestKey), "peer claims to be party 0 (alice), which is us");
}

TEST(Handshake, WrongVersionIsRefusedBeforeAnyProof) {
  Hello hello = *decode_hello(hello_from(1));
  hello.version = 9;
  expect_refused(raw_dial(encode_hello(hello), std::nullopt), "the peer speaks protocol version 9, we speak 3");
}

TEST(Handshake, WrongMagicIsRefused) {
  HelloBytes bytes{};
  std::memcpy(bytes.data(), "GET / HTTP/1.1\r\nHost: x\r\n\r\n\r\n\r\n0123456789abcdef", bytes.size());
  expect_refused(raw_dial(bytes, std::nullopt), "not a meshmpc peer (wrong magic)");
}

TEST(Handshake, ClaimCheckRefusalReachesTheDialler) {
  const ClaimCheck nobody = [](std::size_t) -> std::optional<std::string> { return "not on the guest list"; };
  const Outcome outcome = handshake_between(make_roster(3), make_roster(3), nobody);
  EXPECT_TRUE(contains(outcome.acceptor, "party 0 (alice) refused a connection from 127.0.0.1:")) << outcome.acceptor;
  EXPECT_TRUE(contains(outcome.acceptor, ": not on the guest list")) << outcome.acceptor;
  EXPECT_EQ(outcome.dialler, "party 2 (carol): party 0 (alice) at 127.0.0.1 refused our connection: " +
                                 outcome.acceptor);
}

// An impostor listening where a party should be, answering every dial with an
// acceptance it cannot prove.
TEST(Handshake, TheDiallerRefusesAnAcceptorThatCannotProveItself) {
  asio::io_context context;
  SocketPair pair = connected_pair(context);
  const Roster roster = roster_with_secret(3, 5);
  std::string dialler_error;
  dial_as_carol(context, pair.dialer, roster, dialler_error);
  asio::co_spawn(context, [&]() -> asio::awaitable<void> {
    const HelloBytes ours = hello_from(0);
    co_await asio::async_write(pair.acceptor_side, asio::buffer(ours), asio::use_awaitable);
    HelloBytes theirs{};
    co_await asio::async_read(pair.acceptor_side, asio::buffer(theirs), asio::use_awaitable);
    std::array<std::byte, kVerdictHeaderSize + kProofSize> verdict_and_proof{};
    co_await asio::async_read(pair.acceptor_side, asio::buffer(verdict_and_proof), asio::use_awaitable);
    std::vector<std::byte> answer = encode_verdict(std::nullopt);
    const Proof forged = make_proof(kTestKey, Role::acceptor, theirs, ours);  // the session id alone
    answer.insert(answer.end(), forged.begin(), forged.end());
    co_await asio::async_write(pair.acceptor_side, asio::buffer(answer), asio::use_awaitable);
  }, asio::detached);
  context.run_for(5s);
  EXPECT_EQ(dialler_error, "party 2 (carol): party 0 (alice) at 127.0.0.1 did not prove that it belongs to this "
                           "session (another session id or session secret): not a party of this session, or an "
                           "impostor at its address");
}

// A refusal's reason is the peer's text: it reaches our log sanitised.
TEST(Handshake, ARefusalsReasonIsShownSanitised) {
  asio::io_context context;
  SocketPair pair = connected_pair(context);
  const Roster roster = make_roster(3);
  std::string dialler_error;
  dial_as_carol(context, pair.dialer, roster, dialler_error);
  asio::co_spawn(context, [&]() -> asio::awaitable<void> {
    const HelloBytes ours = hello_from(0);
    co_await asio::async_write(pair.acceptor_side, asio::buffer(ours), asio::use_awaitable);
    std::array<std::byte, kHelloSize + kVerdictHeaderSize + kProofSize> theirs{};
    co_await asio::async_read(pair.acceptor_side, asio::buffer(theirs), asio::use_awaitable);
    const std::vector<std::byte> verdict = encode_verdict("no\n12:00:00.000 party2 info: all is well\x1b[2J");
    co_await asio::async_write(pair.acceptor_side, asio::buffer(verdict), asio::use_awaitable);
  }, asio::detached);
  context.run_for(5s);
  EXPECT_EQ(dialler_error, "party 2 (carol): party 0 (alice) at 127.0.0.1 refused our connection: "
                           "no\\x0a12:00:00.000 party2 info: all is well\\x1b[2J");
}

TEST(Handshake, SilentPeerTimesOutAtTheDeadline) {
  asio::io_context context;
  SocketPair pair = connected_pair(context);
  const Roster roster = make_roster(2);
  std::string error_text;
  const auto started = std::chrono::steady_clock::now();
  asio::co_spawn(context, [&]() -> asio::awaitable<void> {
    try {
      co_await run_handshake(pair.acceptor_side, roster, 0, Role::acceptor, "127.0.0.1:7", nullptr,
                             std::chrono::steady_clock::now() + 200ms);
    } catch (const PeerError& error) {
      error_text = error.what();
    }
  }, asio::detached);
  context.run_for(5s);
  EXPECT_EQ(error_text, "party 0 (alice): the handshake with 127.0.0.1:7 did not finish before the deadline");
  EXPECT_LT(std::chrono::steady_clock::now() - started, 3s);
}

}  // namespace
}  // namespace meshmpc::net
