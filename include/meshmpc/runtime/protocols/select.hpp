#pragma once
// Oblivious selection on top of comparisons: if_else, min/max, argmax/argmin.
#include <meshmpc/runtime/protocols/compare.hpp>

#include <boost/asio/awaitable.hpp>

#include <vector>

namespace meshmpc::protocols {

// cond ? a : b = b + cond (a - b), element-wise, for shared bits cond. One product.
template <PrimeField F>
boost::asio::awaitable<Shares<F>> if_else(Core<F>& c, Scope scope, Shares<F> cond, Shares<F> a, Shares<F> b) {
  using E = typename F::Element;
  const F& f = c.field();
  Shares<F> diff(a.size());
  f.sub(std::span<E>(diff), std::span<const E>(a), std::span<const E>(b));
  auto out = co_await mul(c, scope.child(), std::move(cond), std::move(diff));
  f.add(std::span<E>(out), std::span<const E>(out), std::span<const E>(b));
  co_return out;
}

// Element-wise min (or max) of l-bit a and b: one comparison, one product.
template <PrimeField F>
boost::asio::awaitable<Shares<F>> min_or_max(Core<F>& c, Scope scope, Shares<F> a, Shares<F> b, std::size_t l,
                                             bool want_max) {
  using E = typename F::Element;
  const F& f = c.field();
  Shares<F> diff(a.size());
  f.sub(std::span<E>(diff), std::span<const E>(a), std::span<const E>(b));
  // a < b: min = a, max = b
  const auto a_less = co_await less_than_zero(c, scope.child(), diff, l);
  co_return co_await if_else(c, scope.child(), a_less, want_max ? b : a, want_max ? a : b);
}

// The index and value of the largest (or smallest) of the l-bit values x: a
// tournament, ceil(log2 N) levels of one comparison and one product each. Ties go
// to the lowest index (a later entry wins only when strictly better).
template <PrimeField F>
boost::asio::awaitable<std::pair<Shares<F>, Shares<F>>> arg_extreme(Core<F>& c, Scope scope, Shares<F> x,
                                                                    std::size_t l, bool want_max) {
  using E = typename F::Element;
  const F& f = c.field();
  if (x.empty()) throw RangeError(std::string(want_max ? "argmax" : "argmin") + " of an empty vector");
  Shares<F> index(x.size());
  for (std::size_t i = 0; i < x.size(); ++i) index[i] = f.from_uint(i);
  while (x.size() > 1) {
    const std::size_t pairs = x.size() / 2;
    Shares<F> diff(pairs), value_step(pairs), index_step(pairs);
    for (std::size_t k = 0; k < pairs; ++k) {
      const E& left = x[2 * k];
      const E& right = x[2 * k + 1];
      // max: right wins when left < right; min: right wins when right < left.
      diff[k] = want_max ? f.sub(left, right) : f.sub(right, left);
      value_step[k] = f.sub(right, left);
      index_step[k] = f.sub(index[2 * k + 1], index[2 * k]);
    }
    auto right_wins = co_await less_than_zero(c, scope.child(), std::move(diff), l);
    Shares<F> cond = right_wins;
    cond.insert(cond.end(), right_wins.begin(), right_wins.end());
    Shares<F> steps = std::move(value_step);
    steps.insert(steps.end(), index_step.begin(), index_step.end());
    const auto moved = co_await mul(c, scope.child(), std::move(cond), std::move(steps));
    Shares<F> next_x(pairs), next_index(pairs);
    for (std::size_t k = 0; k < pairs; ++k) {
      next_x[k] = f.add(x[2 * k], moved[k]);
      next_index[k] = f.add(index[2 * k], moved[pairs + k]);
    }
    if (x.size() % 2 == 1) {
      next_x.push_back(x.back());
      next_index.push_back(index.back());
    }
    x = std::move(next_x);
    index = std::move(next_index);
  }
  co_return std::pair{std::move(index), std::move(x)};
}

}  // namespace meshmpc::protocols
