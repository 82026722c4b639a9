#include <meshmpc/net/network.hpp>

#include <gtest/gtest.h>

#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/steady_timer.hpp>

#include <meshmpc/error.hpp>
#include <meshmpc/net/inmemory.hpp>

#include "exchange.hpp"

namespace meshmpc::net {
namespace {

using namespace std::chrono_literals;
using testing::make_roster;
using testing::message_of;

asio::awaitable<void> pause(std::chrono::milliseconds duration) {
  asio::steady_timer timer(co_await asio::this_coro::executor, duration);
  co_await timer.async_wait(asio::use_awaitable);
}

// Waits for party 0's label 99, retrying after each timeout (fine after one), so
// that a party whose receives time out on purpose does not leave before party 0.
asio::awaitable<void> wait_for_release(Network& network) {
  for (int attempt = 0; attempt < 20; ++attempt) {
    try {
      co_await network.receive(0, 99);
      co_return;
    } catch (const PeerError&) {
    }
  }
}

class InMemoryNetwork : public ::testing::TestWithParam<std::size_t> {};

TEST_P(InMemoryNetwork, AllToAllExchangeMatchesEveryLabelAndCountsBytes) {
  const std::size_t n = GetParam();
  const Roster roster = make_roster(n);
  InMemoryHub hub(n);
  testing::PartyThreads parties(n);
  std::vector<NetworkStatistics> statistics(n);
  testing::expect_no_errors(parties.run([&](std::size_t self) -> asio::awaitable<void> {
    auto transport = hub.transport(self);
    Network network = co_await connect_network(*transport, roster, self, 5s, {.receive_timeout = 5s});
    co_await testing::exchange_all(network, 1000 + self);
    co_await network.shutdown();
    statistics[self] = network.statistics();
  }));
  for (std::size_t self = 0; self < n; ++self) {
    const NetworkStatistics expected = testing::expected_statistics(n, self);
    EXPECT_EQ(statistics[self].peers, expected.peers) << "party " << self;
    EXPECT_EQ(statistics[self].total().sent.wire_bytes(),
              expected.total().sent.payload_bytes + kFrameHeaderSize * (n - 1) * testing::kMessagesPerPeer);
  }
}

INSTANTIATE_TEST_SUITE_P(Parties, InMemoryNetwork, ::testing::Values(3, 5));

// Runs body(network) for every party of an in-memory session of n.
std::vector<std::exception_ptr> run_session(std::size_t n, NetworkOptions options,
                                            const std::function<asio::awaitable<void>(Network&)>& body) {
  const Roster roster = make_roster(n);
  InMemoryHub hub(n);
  testing::PartyThreads parties(n);
  return parties.run([&](std::size_t self) -> asio::awaitable<void> {
    auto transport = hub.transport(self);
    Network network = co_await connect_network(*transport, roster, self, 5s, options);
    co_await body(network);
  });
}

TEST(Network, ReceiveForALabelNeverSentTimesOut) {
  std::string timeout_message;
  std::chrono::steady_clock::duration waited{};
  const auto errors = run_session(2, {.receive_timeout = 150ms}, [&](Network& network) -> asio::awaitable<void> {
    if (network.self() == 0) {
      const auto started = std::chrono::steady_clock::now();
      try {
        co_await network.receive(1, 42);
      } catch (const PeerError& error) {
        timeout_message = error.what();
      }
      waited = std::chrono::steady_clock::now() - started;
      network.send(1, 99, {});  // bob waits for this, so he does not leave first
    } else {
      co_await wait_for_release(network);  // bob's receives time out too while alice waits
    }
    co_await network.shutdown();
  });
  testing::expect_no_errors(errors);
  EXPECT_EQ(timeout_message, "party 0 (alice): timed out after 0.15 s waiting for party 1 (bob) label 42");
  EXPECT_GE(waited, 150ms);
  EXPECT_LT(waited, 3s);
}

// One timer keeps every waiting receive's deadline (ReceiveWatchdog): a receive
// started later, on another peer, times out at its own deadline, not at the
// first one's; a receive that gets its message in time is not failed by the
// deadline of one that waited before it.
TEST(Network, EachWaitingReceiveTimesOutAtItsOwnDeadline) {
  std::chrono::steady_clock::duration first_waited{}, second_waited{};
  std::string second_message;
  bool third_arrived = false;
  const auto errors = run_session(3, {.receive_timeout = 300ms}, [&](Network& network) -> asio::awaitable<void> {
    using namespace asio::experimental::awaitable_operators;
    if (network.self() == 0) {
      const auto timed = [&](std::size_t peer, Label label, std::chrono::milliseconds delay,
                             std::chrono::steady_clock::duration& waited,
                             std::string* message) -> asio::awaitable<void> {
        co_await pause(delay);
        const auto started = std::chrono::steady_clock::now();
        try {
          co_await network.receive(peer, label);
        } catch (const PeerError& error) {
          if (message) *message = error.what();
        }
        waited = std::chrono::steady_clock::now() - started;
      };
      co_await (timed(1, 42, 0ms, first_waited, nullptr) && timed(2, 43, 150ms, second_waited, &second_message));
      // Waits from about 450 ms; sent at 600 ms: in time for its own deadline.
      third_arrived = !(co_await network.receive(1, 44)).empty();
      network.send(1, 99, {});
      network.send(2, 99, {});
    } else {
      if (network.self() == 1) {
        co_await pause(600ms);
        network.send(0, 44, testing::test_payload(1, 0, 1));
      }
      co_await wait_for_release(network);
    }
    co_await network.shutdown();
  });
  testing::expect_no_errors(errors);
  EXPECT_GE(first_waited, 300ms);
  EXPECT_GE(second_waited, 300ms) << "the later receive keeps its own deadline";
  EXPECT_LT(second_waited, 3s);
  EXPECT_EQ(second_message, "party 0 (alice): timed out after 0.3 s waiting for party 2 (carol) label 43");
  EXPECT_TRUE(third_arrived);
}

TEST(Network, PeerClosingFailsItsReceivesPromptlyWithItsName) {
  const auto started = std::chrono::steady_clock::now();
  std::string first_payload_ok;
  const auto errors = run_session(3, {.receive_timeout = 20s}, [&](Network& network) -> asio::awaitable<void> {
    if (network.self() == 1) {
      network.send(0, 1, testing::test_payload(1, 0, 1));
      co_await pause(20ms);  // let the writer flush before the abrupt close
      network.close();
      co_return;
    }
    if (network.self() == 0) {
      const Payload payload = co_await network.receive(1, 1);
      first_payload_ok = payload == testing::test_payload(1, 0, 1) ? "yes" : "no";
      try {
        co_await network.receive(1, 2);  // bob never sends it
      } catch (const PeerError&) {
        network.close();
        throw;
      }
    }
    co_await network.shutdown();
  });
  EXPECT_EQ(first_payload_ok, "yes");
  EXPECT_EQ(message_of(errors[0]), "party 1 (bob) closed the connection");
  EXPECT_FALSE(errors[1]);
  EXPECT_FALSE(errors[2]) << message_of(errors[2]);
  EXPECT_LT(std::chrono::steady_clock::now() - started, 5s);  // not the 20 s receive timeout
}

TEST(Network, SecondFrameWithAPendingLabelIsProtocolError) {
  std::string kept;
  const auto errors = run_session(2, {.receive_timeout = 5s}, [&](Network& network) -> asio::awaitable<void> {
    if (network.self() == 1) {
      network.send(0, 7, {std::byte{1}});
      network.send(0, 7, {std::byte{2}});
      co_await network.shutdown();
      co_return;
    }
    co_await pause(50ms);  // both frames arrive before anyone asks for label 7
    const Payload first = co_await network.receive(1, 7);
    kept = first == Payload{std::byte{1}} ? "first" : "other";
    try {
      co_await network.receive(1, 8);
    } catch (const Error&) {
      network.close();
      throw;
    }
  });
  EXPECT_EQ(kept, "first");
  EXPECT_EQ(message_of(errors[0]), "party 1 (bob) sent label 7 twice before party 0 (alice) received it");
  EXPECT_THROW(std::rethrow_exception(errors[0]), ProtocolError);
}

TEST(Network, MessagesToSelfAreDeliveredLocally) {
  const auto errors = run_session(2, {.receive_timeout = 5s}, [&](Network& network) -> asio::awaitable<void> {
    network.send(network.self(), 3, {std::byte{9}});
    const Payload payload = co_await network.receive(network.self(), 3);
    if (payload != Payload{std::byte{9}}) throw std::runtime_error("wrong self payload");
    co_await network.shutdown();
    if (network.statistics().total().sent.frames != 0) throw std::runtime_error("self message counted");
  });
  testing::expect_no_errors(errors);
}

// Shared bytes (Network::send_shared) arrive as a payload of their own, to a peer
// and to oneself, and the network lets go of their owner once it is done with them:
// the sender may keep the vector, but the network holds no reference after it.
TEST(Network, SharedBytesArriveAsTheirOwnPayloadAndTheOwnerIsReleased) {
  std::vector<std::weak_ptr<const Payload>> owners(3);
  const auto errors = run_session(3, {.receive_timeout = 5s}, [&](Network& network) -> asio::awaitable<void> {
    const std::size_t me = network.self();
    {
      Payload bytes(100'000);
      for (std::size_t i = 0; i < bytes.size(); ++i) bytes[i] = static_cast<std::byte>(i * 7 + me);
      const auto owner = std::make_shared<const Payload>(std::move(bytes));
      owners[me] = owner;
      for (std::size_t j = 0; j < network.size(); ++j)
        network.send_shared(j, 5, SharedBytes{owner, std::span<const std::byte>(*owner).subspan(10)});
    }
    for (std::size_t j = 0; j < network.size(); ++j) {
      const Payload got = co_await network.receive(j, 5);
      if (got.size() != 100'000 - 10) throw std::runtime_error("wrong size from party " + std::to_string(j));
      for (std::size_t i = 0; i < got.size(); ++i)
        if (got[i] != static_cast<std::byte>((i + 10) * 7 + j))
          throw std::runtime_error("wrong byte " + std::to_string(i) + " from party " + std::to_string(j));
    }
    co_await network.shutdown();
    if (!owners[me].expired()) throw std::runtime_error("the network still holds the shared bytes");
  });
  testing::expect_no_errors(errors);
}

// Party 0 closes its network while it waits; party 1, waiting for party 0, learns
// that party 0 is gone. (Only party 0 closes: with both closing, which of the two
// errors a party sees first would depend on the scheduling.)
TEST(Network, CloseFailsPendingReceivesAndLetsRunReturn) {
  const auto errors = run_session(2, {.receive_timeout = 20s}, [&](Network& network) -> asio::awaitable<void> {
    asio::steady_timer closer(co_await asio::this_coro::executor, 30ms);
    if (network.self() == 0) {
      // A cancelled wait (the timer destroyed with this frame) must not touch the network.
      closer.async_wait([&](boost::system::error_code ec) {
        if (!ec) network.close();
      });
    }
    co_await network.receive(1 - network.self(), 5);
  });
  EXPECT_NE(message_of(errors[0]).find("the network was closed while waiting for party 1"), std::string::npos)
      << message_of(errors[0]);
  EXPECT_NE(message_of(errors[1]).find("party 0"), std::string::npos) << message_of(errors[1]);
}

TEST(Network, UnknownPeerIsRangeError) {
  const auto errors = run_session(2, {.receive_timeout = 5s}, [&](Network& network) -> asio::awaitable<void> {
    try {
      network.send(2, 1, {});
    } catch (const RangeError&) {
      network.close();
      throw;
    }
    co_return;
  });
  EXPECT_EQ(message_of(errors[0]), "party 0 (alice): no party 2, the session has 2 parties");
}

TEST(InMemoryHub, ConnectDeadlineListsPartiesThatNeverCame) {
  const Roster roster = make_roster(3);
  InMemoryHub hub(3);
  testing::PartyThreads parties(2);  // carol never shows up
  const auto errors = parties.run([&](std::size_t self) -> asio::awaitable<void> {
    auto transport = hub.transport(self);
    co_await transport->connect(roster, self, std::chrono::steady_clock::now() + 100ms);
  });
  EXPECT_EQ(message_of(errors[0]),
            "party 0 (alice): never reached party 2 (carol) (they did not connect to the in-memory hub before "
            "the deadline)");
  EXPECT_NE(message_of(errors[1]).find("party 1 (bob): never reached party 2 (carol)"), std::string::npos);
}

TEST(InMemoryHub, ConnectingTwiceIsConfigError) {
  const Roster roster = make_roster(1);
  InMemoryHub hub(1);
  testing::PartyThreads parties(1);
  const auto errors = parties.run([&](std::size_t) -> asio::awaitable<void> {
    auto first = hub.transport(0);
    const Links links = co_await first->connect(roster, 0, std::chrono::steady_clock::now() + 1s);
    auto second = hub.transport(0);
    co_await second->connect(roster, 0, std::chrono::steady_clock::now() + 1s);
  });
  EXPECT_EQ(message_of(errors[0]), "party 0 (alice) connected to the in-memory hub twice");
}

}  // namespace
}  // namespace meshmpc::net
