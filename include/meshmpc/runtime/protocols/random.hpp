#pragma once
// Random sharings and random bits.
#include <meshmpc/runtime/core.hpp>
#include <meshmpc/runtime/protocols/io.hpp>

#include <boost/asio/awaitable.hpp>

namespace meshmpc::protocols {

// Degree-t shares of `count` uniformly random secrets nobody knows. With PRSS: no
// communication (CDI05). Without: every party deals a random sharing and the sum
// is used (one round, count elements to each peer).
template <PrimeField F>
boost::asio::awaitable<Shares<F>> random(Core<F>& c, Scope scope, std::size_t count) {
  using E = typename F::Element;
  Shares<F> out(count);
  if (c.has_prss()) {
    c.prss().random_shares(prss_counter(scope.next_label()), std::span<E>(out));
    co_return out;
  }
  Shares<F> mine(count);
  c.field().random(std::span<E>(mine), c.rng());
  const auto all = co_await input_all(c, scope.child(), std::move(mine), count);
  out.assign(count, c.field().zero());
  for (const auto& s : all) c.field().add(std::span<E>(out), std::span<const E>(out), std::span<const E>(s));
  co_return out;
}

// Shares of `count` uniformly random bits, by the square trick (as MPyC's
// random_bits): r random, open r^2 from its degree-2t product shares, s = sqrt(r^2),
// b = (r/s + 1)/2. One round per attempt; a zero r^2 (probability 1/p each) is
// retried for just those elements.
template <PrimeField F>
boost::asio::awaitable<Shares<F>> random_bits(Core<F>& c, Scope scope, std::size_t count) {
  using E = typename F::Element;
  const F& f = c.field();
  Shares<F> bits(count);
  std::vector<std::size_t> todo(count);
  for (std::size_t k = 0; k < count; ++k) todo[k] = k;
  const E half = f.inv(f.from_uint(2));
  while (!todo.empty()) {
    auto r = co_await random(c, scope.child(), todo.size());
    Shares<F> r2(todo.size());
    f.mul(std::span<E>(r2), std::span<const E>(r), std::span<const E>(r));
    const auto squares = co_await open(c, scope.child(), std::move(r2), 2 * c.t());
    std::vector<std::size_t> retry;
    std::vector<E> roots;
    std::vector<std::size_t> where;
    for (std::size_t q = 0; q < todo.size(); ++q) {
      if (f.is_zero(squares[q])) {
        retry.push_back(todo[q]);
        continue;
      }
      const auto s = f.sqrt(squares[q]);
      if (!s) throw ProtocolError("random_bits: an opened square has no square root in " + f.name());
      roots.push_back(*s);
      where.push_back(q);
    }
    std::vector<E> inv_roots(roots.size());
    f.batch_inv(std::span<E>(inv_roots), std::span<const E>(roots));
    for (std::size_t w = 0; w < where.size(); ++w) {
      const std::size_t q = where[w];
      bits[todo[q]] = f.mul(f.add(f.mul(r[q], inv_roots[w]), f.one()), half);
    }
    todo = std::move(retry);
  }
  co_return bits;
}

}  // namespace meshmpc::protocols
