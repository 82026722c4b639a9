// The user-space link emulation (link_emulation.hpp): frames arrive intact and in
// order, no earlier than half the round trip after they were sent, a party's uplink
// rate bounds how fast its bytes leave, and a session over emulated links ends
// cleanly. Bounds are lower bounds only: a loaded machine makes runs slower, never
// faster, so these cannot fail from load.
#include <meshmpc/net/link_emulation.hpp>

#include <gtest/gtest.h>

#include <meshmpc/net/inmemory.hpp>
#include <meshmpc/net/network.hpp>

#include "exchange.hpp"

namespace meshmpc::net {
namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

// Runs body(network) for every party of an in-memory session of n whose links
// are emulated; returns each party's time from connected to done.
std::vector<Clock::duration> timed_session(std::size_t n, LinkEmulation emulation,
                                           const std::function<asio::awaitable<void>(Network&)>& body) {
  const Roster roster = testing::make_roster(n);
  InMemoryHub hub(n);
  testing::PartyThreads parties(n);
  std::vector<Clock::duration> took(n);
  testing::expect_no_errors(parties.run([&](std::size_t self) -> asio::awaitable<void> {
    auto transport = hub.transport(self);
    Network network =
        co_await connect_network(*transport, roster, self, 5s, {.receive_timeout = 5s, .emulation = emulation});
    const auto start = Clock::now();
    co_await body(network);
    co_await network.shutdown();
    took[self] = Clock::now() - start;
  }));
  return took;
}

// One round: every party sends `bytes` to every other and waits for theirs.
asio::awaitable<void> all_to_all(Network& network, Label label, std::size_t bytes) {
  for (std::size_t to = 0; to < network.size(); ++to) {
    if (to == network.self()) continue;
    Payload payload(bytes, static_cast<std::byte>(network.self() * 16 + to));
    network.send(to, label, std::move(payload));
  }
  for (std::size_t from = 0; from < network.size(); ++from) {
    if (from == network.self()) continue;
    const Payload got = co_await network.receive(from, label);
    const Payload want(bytes, static_cast<std::byte>(from * 16 + network.self()));
    if (got != want) throw std::runtime_error("round " + std::to_string(label) + ": wrong payload");
  }
}

TEST(LinkEmulation, ExchangeArrivesIntactAndInOrderAfterHalfTheRoundTrip) {
  const auto took = timed_session(3, {.rtt = 200ms}, [](Network& network) -> asio::awaitable<void> {
    co_await testing::exchange_all(network, 7 + network.self());  // shuffled labels, checked payloads
  });
  for (std::size_t i = 0; i < took.size(); ++i) EXPECT_GE(took[i], 100ms) << "party " << i;
}

TEST(LinkEmulation, DependentRoundsEachTakeHalfTheRoundTrip) {
  constexpr std::size_t kRounds = 4;
  const auto took = timed_session(3, {.rtt = 100ms}, [](Network& network) -> asio::awaitable<void> {
    for (Label r = 1; r <= kRounds; ++r) co_await all_to_all(network, r, 64);
  });
  for (std::size_t i = 0; i < took.size(); ++i) EXPECT_GE(took[i], kRounds * 50ms) << "party " << i;
}

TEST(LinkEmulation, UplinkRateIsSharedByAPartysLinks) {
  // 1 MB to each of 4 peers through one 80 Mbit/s uplink: 32 Mbit, at least 0.4 s.
  const auto took = timed_session(5, {.rate_bits_per_second = 80e6}, [](Network& network) -> asio::awaitable<void> {
    co_await all_to_all(network, 1, std::size_t{1} << 20);
  });
  for (std::size_t i = 0; i < took.size(); ++i) EXPECT_GE(took[i], 400ms) << "party " << i;
}

TEST(LinkEmulation, CloseWithFramesInFlightLeavesNothingBehind) {
  const Roster roster = testing::make_roster(3);
  InMemoryHub hub(3);
  testing::PartyThreads parties(3);
  // Frames still held back when the network closes are dropped; every io_context
  // runs dry (PartyThreads fails a party that leaves work behind).
  testing::expect_no_errors(parties.run([&](std::size_t self) -> asio::awaitable<void> {
    auto transport = hub.transport(self);
    Network network = co_await connect_network(*transport, roster, self, 5s,
                                               {.receive_timeout = 5s, .emulation = {.rtt = 10s}});
    for (std::size_t to = 0; to < 3; ++to)
      if (to != self) network.send(to, 1, Payload(100, std::byte{1}));
    network.close();
  }));
}

}  // namespace
}  // namespace meshmpc::net
