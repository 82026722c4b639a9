#pragma once
// Test helper: the all-to-all exchange both the in-memory and the TCP tests run.
// Every party sends kMessagesPerPeer labelled payloads to every other party in
// shuffled order with random small pauses, and receives them in another shuffled
// order, concurrently; each payload is checked against its label. Every other
// message goes as shared bytes (Network::send_shared), the way a batch of shares
// does, so that every transport's links write both kinds.
#include <algorithm>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <memory>
#include <random>
#include <span>
#include <stdexcept>
#include <utility>
#include <vector>

#include <meshmpc/net/network.hpp>

#include "party_threads.hpp"

namespace meshmpc::net::testing {

inline constexpr std::size_t kMessagesPerPeer = 6;

inline std::vector<std::pair<std::size_t, std::size_t>> shuffled_messages(std::size_t n, std::size_t self,
                                                                          std::uint64_t seed) {
  std::vector<std::pair<std::size_t, std::size_t>> order;
  for (std::size_t j = 0; j < n; ++j) {
    for (std::size_t k = 0; j != self && k < kMessagesPerPeer; ++k) order.emplace_back(j, k);
  }
  std::mt19937_64 rng(seed);
  std::shuffle(order.begin(), order.end(), rng);
  return order;
}

inline asio::awaitable<void> send_all(Network& network, std::uint64_t seed) {
  std::mt19937_64 rng(seed ^ 0x5eed);
  asio::steady_timer pause(co_await asio::this_coro::executor);
  for (const auto& [to, k] : shuffled_messages(network.size(), network.self(), seed)) {
    if (k % 2 == 1) {
      const auto owner = std::make_shared<const Payload>(test_payload(network.self(), to, k));
      network.send_shared(to, test_label(k), SharedBytes{owner, std::span<const std::byte>(*owner)});
    } else {
      network.send(to, test_label(k), test_payload(network.self(), to, k));
    }
    if (rng() % 3 == 0) {
      pause.expires_after(std::chrono::microseconds(rng() % 2000));
      co_await pause.async_wait(asio::use_awaitable);
    }
  }
}

inline asio::awaitable<void> receive_all(Network& network, std::uint64_t seed) {
  for (const auto& [from, k] : shuffled_messages(network.size(), network.self(), seed + 77)) {
    const Payload payload = co_await network.receive(from, test_label(k));
    if (payload != test_payload(from, network.self(), k)) {
      throw std::runtime_error("party " + std::to_string(network.self()) + ": wrong payload from party " +
                               std::to_string(from) + " for message " + std::to_string(k));
    }
  }
}

inline asio::awaitable<void> exchange_all(Network& network, std::uint64_t seed) {
  using namespace asio::experimental::awaitable_operators;
  co_await (send_all(network, seed) && receive_all(network, seed));
}

// What the statistics of party `self` must say after exchange_all.
inline NetworkStatistics expected_statistics(std::size_t n, std::size_t self) {
  NetworkStatistics expected;
  expected.peers.resize(n);
  for (std::size_t j = 0; j < n; ++j) {
    for (std::size_t k = 0; j != self && k < kMessagesPerPeer; ++k) {
      expected.peers[j].sent.frames += 1;
      expected.peers[j].sent.payload_bytes += test_payload(self, j, k).size();
      expected.peers[j].received.frames += 1;
      expected.peers[j].received.payload_bytes += test_payload(j, self, k).size();
    }
  }
  return expected;
}

}  // namespace meshmpc::net::testing
