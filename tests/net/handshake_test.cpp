#include "meshmpc/net/handshake.hpp"

#include <gtest/gtest.h>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <cstring>

#include "meshmpc/error.hpp"
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

TEST(Handshake, HelloRoundTrips) {
  const Hello hello{kProtocolVersion, session_id_from_text("session-x"), 3, 7};
  const HelloBytes bytes = encode_hello(hello);
  EXPECT_EQ(std::memcmp(bytes.data(), "MMPC", 4), 0);
  const std::optional<Hello> decoded = decode_hello(bytes);
  ASSERT_TRUE(decoded);
  EXPECT_EQ(decoded->version, hello.version);
  EXPECT_EQ(decoded->session_id, hello.session_id);
  EXPECT_EQ(decoded->party, 3u);
  EXPECT_EQ(decoded->parties, 7u);
}

TEST(Handshake, WrongMagicDecodesToNothing) {
  HelloBytes bytes = encode_hello(Hello{});
  bytes[0] = std::byte{'G'};
  EXPECT_FALSE(decode_hello(bytes));
}

TEST(Handshake, BothEndsAgreeOnMatchingHellos) {
  asio::io_context context;
  SocketPair pair = connected_pair(context);
  const Roster roster = make_roster(3);
  const auto deadline = std::chrono::steady_clock::now() + 5s;
  std::size_t seen_by_dialer = 99;
  std::size_t seen_by_acceptor = 99;
  asio::co_spawn(context, [&]() -> asio::awaitable<void> {
    seen_by_dialer = co_await run_handshake(pair.dialer, roster, 2, "party 0 (alice)", nullptr, deadline);
  }, asio::detached);
  asio::co_spawn(context, [&]() -> asio::awaitable<void> {
    seen_by_acceptor = co_await run_handshake(pair.acceptor_side, roster, 0, "a dialler", nullptr, deadline);
  }, asio::detached);
  context.run_for(5s);
  EXPECT_EQ(seen_by_dialer, 0u);
  EXPECT_EQ(seen_by_acceptor, 2u);
}

// What the acceptor (party 0 of 3, alice) says and what the raw peer reads back.
struct Refusal {
  std::string acceptor_error;
  int status = -1;
  std::string reason;
  bool closed_after = false;
};

Refusal refuse(const HelloBytes& raw_hello) {
  asio::io_context context;
  SocketPair pair = connected_pair(context);
  const Roster roster = make_roster(3);
  Refusal result;
  const std::string remote = remote_of(pair.acceptor_side);
  asio::co_spawn(context, [&]() -> asio::awaitable<void> {
    try {
      co_await run_handshake(pair.acceptor_side, roster, 0, remote, nullptr,
                             std::chrono::steady_clock::now() + 5s);
      result.acceptor_error = "accepted";
    } catch (const PeerError& error) {
      result.acceptor_error = error.what();
    }
  }, asio::detached);
  asio::co_spawn(context, [&]() -> asio::awaitable<void> {
    co_await asio::async_write(pair.dialer, asio::buffer(raw_hello), asio::use_awaitable);
    HelloBytes their_hello{};
    co_await asio::async_read(pair.dialer, asio::buffer(their_hello), asio::use_awaitable);
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

void expect_refused(const Refusal& refusal, const std::string& fault) {
  EXPECT_NE(refusal.acceptor_error.find("party 0 (alice) refused a connection from 127.0.0.1:"), std::string::npos)
      << refusal.acceptor_error;
  EXPECT_NE(refusal.acceptor_error.find(fault), std::string::npos) << refusal.acceptor_error;
  EXPECT_EQ(refusal.status, 1);
  EXPECT_EQ(refusal.reason, refusal.acceptor_error);
  EXPECT_TRUE(refusal.closed_after);
}

Hello good_hello_from(std::uint32_t party) {
  return Hello{kProtocolVersion, make_roster(3).session_id, party, 3};
}

TEST(Handshake, WrongSessionIdIsRefusedNamingBothSides) {
  Hello hello = good_hello_from(1);
  hello.session_id = session_id_from_text("other-session");
  expect_refused(refuse(encode_hello(hello)),
                 "peer claiming to be party 1 (bob) belongs to another session");
}

TEST(Handshake, WrongPartyCountIsRefused) {
  Hello hello = good_hello_from(2);
  hello.parties = 4;
  expect_refused(refuse(encode_hello(hello)),
                 "peer claiming to be party 2 (carol) has a roster of 4 parties, ours has 3");
}

TEST(Handshake, UnknownPartyIdIsRefused) {
  expect_refused(refuse(encode_hello(good_hello_from(5))), "peer claims to be party 5, roster has 3 parties");
}

TEST(Handshake, OwnPartyIdIsRefused) {
  expect_refused(refuse(encode_hello(good_hello_from(0))), "peer claims to be party 0 (alice), which is us");
}

TEST(Handshake, WrongVersionIsRefused) {
  Hello hello = good_hello_from(1);
  hello.version = 9;
  expect_refused(refuse(encode_hello(hello)), "speaks protocol version 9, we speak 1");
}

TEST(Handshake, WrongMagicIsRefused) {
  HelloBytes bytes{};
  std::memcpy(bytes.data(), "GET / HTTP/1.1\r\nHost: x\r\n\r\n\r\n\r\n", bytes.size());
  expect_refused(refuse(bytes), "not a meshmpc peer (wrong magic)");
}

TEST(Handshake, ClaimCheckRefusalReachesTheDialler) {
  asio::io_context context;
  SocketPair pair = connected_pair(context);
  const Roster roster = make_roster(3);
  const auto deadline = std::chrono::steady_clock::now() + 5s;
  std::string dialler_error;
  std::string acceptor_error;
  asio::co_spawn(context, [&]() -> asio::awaitable<void> {
    try {
      co_await run_handshake(pair.dialer, roster, 2, "party 0 (alice) at 127.0.0.1", nullptr, deadline);
    } catch (const PeerError& error) {
      dialler_error = error.what();
    }
  }, asio::detached);
  asio::co_spawn(context, [&]() -> asio::awaitable<void> {
    const ClaimCheck nobody = [](std::size_t) -> std::optional<std::string> { return "not on the guest list"; };
    try {
      co_await run_handshake(pair.acceptor_side, roster, 0, "127.0.0.1:1", nobody, deadline);
    } catch (const PeerError& error) {
      acceptor_error = error.what();
    }
  }, asio::detached);
  context.run_for(5s);
  EXPECT_EQ(acceptor_error, "party 0 (alice) refused a connection from 127.0.0.1:1: not on the guest list");
  EXPECT_EQ(dialler_error, "party 2 (carol): party 0 (alice) at 127.0.0.1 refused our connection: " + acceptor_error);
}

TEST(Handshake, SilentPeerTimesOutAtTheDeadline) {
  asio::io_context context;
  SocketPair pair = connected_pair(context);
  const Roster roster = make_roster(2);
  std::string error_text;
  const auto started = std::chrono::steady_clock::now();
  asio::co_spawn(context, [&]() -> asio::awaitable<void> {
    try {
      co_await run_handshake(pair.acceptor_side, roster, 0, "127.0.0.1:7", nullptr,
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
