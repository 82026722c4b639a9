#pragma once
// Sorting a secret vector with Batcher's odd-even merge sort network (Batcher,
// "Sorting networks and their applications", 1968): the comparators of one layer
// touch disjoint positions, so a layer is one vectorized comparison and one
// product. N values: ceil(log2 N)(ceil(log2 N) + 1)/2 layers.
#include <meshmpc/runtime/protocols/select.hpp>

#include <boost/asio/awaitable.hpp>

#include <utility>
#include <vector>

namespace meshmpc::protocols {

using Comparator = std::pair<std::size_t, std::size_t>;  // (i, j), i < j: min goes to i

// The layers of the network for n values: the network for the next power of two
// with the comparators that touch a position >= n left out (those positions hold
// +infinity in the padded network, so the comparators never move anything).
std::vector<std::vector<Comparator>> odd_even_merge_layers(std::size_t n);

// x sorted ascending (or descending) as l-bit integers.
template <PrimeField F>
boost::asio::awaitable<Shares<F>> sort(Core<F>& c, Scope scope, Shares<F> x, std::size_t l, bool descending) {
  using E = typename F::Element;
  const F& f = c.field();
  for (const auto& layer : odd_even_merge_layers(x.size())) {
    const std::size_t m = layer.size();
    Shares<F> diff(m), span(m);
    for (std::size_t k = 0; k < m; ++k) {
      const auto [i, j] = layer[k];
      // swap when x_j < x_i (ascending) or x_i < x_j (descending)
      diff[k] = descending ? f.sub(x[i], x[j]) : f.sub(x[j], x[i]);
      span[k] = f.sub(x[j], x[i]);
    }
    const auto swap = co_await less_than_zero(c, scope.child(), std::move(diff), l);
    const auto moved = co_await mul(c, scope.child(), swap, std::move(span));
    for (std::size_t k = 0; k < m; ++k) {
      const auto [i, j] = layer[k];
      const E sum = f.add(x[i], x[j]);
      x[i] = f.add(x[i], moved[k]);
      x[j] = f.sub(sum, x[i]);
    }
  }
  co_return x;
}

}  // namespace meshmpc::protocols
