#pragma once
// The MPC result the transport tests compute over the links they make: party i
// inputs 3i + 2, the parties open the sum of the products x_i · x_{i+1 mod n};
// plain_products is the same computed in the clear.
#include <boost/asio/awaitable.hpp>
#include <cstdint>
#include <vector>

#include <meshmpc/field/fp64.hpp>
#include <meshmpc/net/network.hpp>
#include <meshmpc/runtime/run_local.hpp>
#include <meshmpc/runtime/session.hpp>

namespace meshmpc::net::testing {

// Runs the session over `network` (not shut down after) and returns the opened sum.
inline boost::asio::awaitable<std::int64_t> open_products(Network& network) {
  const std::size_t n = network.size(), self = network.self();
  std::int64_t opened = -1;
  const PartyProgram<Fp64> program = [&opened, n, self](Session<Fp64>& s) -> boost::asio::awaitable<void> {
    const std::vector<std::int64_t> mine{static_cast<std::int64_t>(3 * self + 2)};
    const auto x = co_await s.input_all(secint(16), mine);
    auto sum = co_await s.mul(x[0], x[1]);
    for (std::size_t i = 1; i < n; ++i) sum = sum + co_await s.mul(x[i], x[(i + 1) % n]);
    opened = (co_await s.output(sum))[0];
  };
  co_await run_session<Fp64>(network, Fp64{}, SessionOptions{.threshold = (n - 1) / 2}, program);
  co_return opened;
}

inline std::int64_t plain_products(std::size_t n) {
  std::int64_t sum = 0;
  for (std::size_t i = 0; i < n; ++i) sum += static_cast<std::int64_t>((3 * i + 2) * (3 * ((i + 1) % n) + 2));
  return sum;
}

}  // namespace meshmpc::net::testing
