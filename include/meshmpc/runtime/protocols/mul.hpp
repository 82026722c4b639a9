#pragma once
// Secure multiplication: a local product (a degree-2t sharing) and a degree
// reduction, in two variants (SessionOptions::mul; docs/protocols.md).
#include <meshmpc/runtime/core.hpp>
#include <meshmpc/runtime/protocols/extract.hpp>
#include <meshmpc/runtime/protocols/io.hpp>
#include <meshmpc/sharing/lagrange.hpp>

#include <boost/asio/awaitable.hpp>

#include <algorithm>
#include <string>
#include <vector>

namespace meshmpc::protocols {

// Whether party j is one of the t parties after party i (mod n): the parties
// whose GRR sub-shares from i come from their pair's PRG instead of a message.
inline bool grr_follows(std::size_t n, std::size_t t, std::size_t i, std::size_t j) {
  const std::size_t gap = (j + n - i) % n;
  return gap >= 1 && gap <= t;
}

// GRR as one of the resharers: this party's polynomial g of degree t is fixed by
// its values, g(0) = d and, at each of the t parties after it, the stream of that
// pair's "grr-subs" subkey with nonce (label, me) (reduce_grr). g at every other
// party is sent to it; g at this party's own point, times mu (this resharer's
// Lagrange weight at 0), goes straight into result.
template <FiniteField F>
void grr_reshare(Core<F>& c, Scope::Label label, const Shares<F>& d, const typename F::Element& mu,
                 Shares<F>& result) {
  using E = typename F::Element;
  const F& f = c.field();
  const std::size_t n = c.n(), t = c.t(), me = c.self(), m = d.size();
  auto point = [&](std::size_t id) { return f.from_uint(id + 1); };
  // Points {0} u S (S = the t parties after me) and g's values there.
  // g's values are views: d itself (a batch can be large: no copy of it) and the
  // t pseudo-random vectors, which `drawn` owns.
  std::vector<E> xs{f.zero()};
  std::vector<Shares<F>> drawn(t, Shares<F>(m));
  std::vector<std::span<const E>> ys{std::span<const E>(d)};
  for (std::size_t s = 1; s <= t; ++s) {
    const std::size_t j = (me + s) % n;
    xs.push_back(point(j));
    Prg prg(c.pair_key(j, PairKeyUse::grr_subshares), label, static_cast<std::uint32_t>(me));
    f.random(std::span<E>(drawn[s - 1]), prg);
    ys.push_back(std::span<const E>(drawn[s - 1]));
  }
  std::vector<E> sub(m);
  if (t == 1) {
    // The line through (0, d) and (x_f, r) is g(x) = d + x s with the slope
    // s = (r - d) / x_f: one full product per element, and every value of g at a
    // party's point (a small integer) costs a 64-bit multiple only. Own point:
    // result += mu d + (mu x_me) s, both coefficients small when mu is (n = 3).
    Shares<F>& slope = drawn[0];
    f.sub(std::span<E>(slope), std::span<const E>(slope), std::span<const E>(d));
    f.scale(std::span<E>(slope), f.inv(xs[1]), std::span<const E>(slope));
    for (std::size_t j = 0; j < n; ++j) {
      if (grr_follows(n, t, me, j)) continue;
      if (j == me) {
        f.axpy(std::span<E>(result), mu, std::span<const E>(d));
        f.axpy(std::span<E>(result), f.mul(mu, point(j)), std::span<const E>(slope));
        continue;
      }
      std::copy(d.begin(), d.end(), sub.begin());
      f.axpy(std::span<E>(sub), point(j), std::span<const E>(slope));
      c.send(j, label, sub);
    }
    return;
  }
  for (std::size_t j = 0; j < n; ++j) {
    if (grr_follows(n, t, me, j)) continue;
    const auto w = lagrange_coefficients(f, std::span<const E>(xs), point(j));
    if (j == me) {
      // Straight into the result: one pass per term, no sub-share vector.
      for (std::size_t q = 0; q < ys.size(); ++q)
        f.axpy(std::span<E>(result), f.mul(mu, w[q]), ys[q]);
      continue;
    }
    f.scale(std::span<E>(sub), w[0], ys[0]);
    for (std::size_t q = 1; q < ys.size(); ++q) f.axpy(std::span<E>(sub), w[q], ys[q]);
    c.send(j, label, sub);
  }
}

// GRR degree reduction (Gennaro-Rabin-Rabin 1998) with pseudo-random sub-shares:
// 2t+1 resharers (rotating) each share their product share d_i with degree t; the
// t parties following i get their sub-shares from the PRG keyed by their pairwise
// key with i (no message), the other n-1-t get them sent. Each party combines the
// sub-shares with the Lagrange weights at 0 of the resharers' points.
// One round; a resharer sends (n-1-t) * batch elements: exactly one element per
// product at n = 3.
// The sub-shares resharer i gives its follower j for one label are ChaCha20-IETF
// under the pair's "grr-subs" subkey with nonce (label, i): both ends compute the
// same stream, and i's index keeps i -> j apart from j -> i under the one key.
template <FiniteField F>
boost::asio::awaitable<Shares<F>> reduce_grr(Core<F>& c, Scope scope, Shares<F> d) {
  using E = typename F::Element;
  const F& f = c.field();
  const std::size_t n = c.n(), t = c.t(), me = c.self(), m = d.size();
  const auto label = scope.next_label();
  scope.count_rounds(1);
  const auto resharers = rotating_parties(n, 2 * t + 1, label);
  std::vector<E> rx;
  for (auto i : resharers) rx.push_back(f.from_uint(i + 1));
  const auto mu = lagrange_coefficients(f, std::span<const E>(rx), f.zero());

  Shares<F> result(m, f.zero());
  for (std::size_t k = 0; k < resharers.size(); ++k)
    if (resharers[k] == me) grr_reshare(c, label, d, mu[k], result);
  Shares<F>().swap(d);  // resent: not held while the others' sub-shares arrive
  std::vector<E> sub(m);
  for (std::size_t k = 0; k < resharers.size(); ++k) {
    const std::size_t i = resharers[k];
    if (i == me) continue;
    if (grr_follows(n, t, i, me)) {
      Prg prg(c.pair_key(i, PairKeyUse::grr_subshares), label, static_cast<std::uint32_t>(i));
      f.random(std::span<E>(sub), prg);
      f.axpy(std::span<E>(result), mu[k], std::span<const E>(sub));
    } else {
      const auto got = co_await c.receive(i, label, m);
      f.axpy(std::span<E>(result), mu[k], std::span<const E>(got));
    }
  }
  co_return result;
}

// DN07-style degree reduction (Damgard-Nielsen 2007) with double sharings
// ([r]_t, [r]_2t): from PRSS ([r]_2t = [r]_t + a PRSS zero sharing, no
// interaction), or dealt and extracted (extract.hpp: one more round first).
// d + [r]_2t is opened through kings (open_by_kings: the king of each element,
// rotating over the batch, reconstructs e = d + r from 2t + 1 shares and returns
// it); out = e - [r]_t. Two rounds (three with extraction); about (2t + n - 1)/n elements per product per party, plus 2(n-1)/(n-t) for the
// extracted double sharing.
template <FiniteField F>
boost::asio::awaitable<Shares<F>> reduce_dn07(Core<F>& c, Scope scope, Shares<F> d) {
  using E = typename F::Element;
  const F& f = c.field();
  const std::size_t m = d.size();
  Shares<F> rt(m);
  if (c.has_prss()) {
    Shares<F> z(m);
    c.prss().random_shares(prss_counter(scope.next_label()), std::span<E>(rt));
    c.prss().zero_shares(prss_counter(scope.next_label()), std::span<E>(z));
    f.add(std::span<E>(d), std::span<const E>(d), std::span<const E>(rt));
    f.add(std::span<E>(d), std::span<const E>(d), std::span<const E>(z));
  } else {
    auto [low, high] = co_await extracted_doubles(c, scope.child(), m);
    rt = std::move(low);
    f.add(std::span<E>(d), std::span<const E>(d), std::span<const E>(high));
  }
  d = co_await open_by_kings(c, scope.child(), std::move(d), 2 * c.t(), "mul.dn07.king");
  f.sub(std::span<E>(d), std::span<const E>(d), std::span<const E>(rt));
  co_return d;
}

template <FiniteField F>
boost::asio::awaitable<Shares<F>> reduce(Core<F>& c, Scope scope, Shares<F> d) {
  if (c.options().mul == MulProtocol::dn07) co_return co_await reduce_dn07(c, scope, std::move(d));
  co_return co_await reduce_grr(c, scope, std::move(d));
}

// Element-wise product of two batches of shares: one degree reduction.
template <FiniteField F>
boost::asio::awaitable<Shares<F>> mul(Core<F>& c, Scope scope, Shares<F> x, Shares<F> y) {
  if (x.size() != y.size())
    throw RangeError("mul: batches of " + std::to_string(x.size()) + " and " + std::to_string(y.size()) + " shares");
  c.field().mul(std::span<typename F::Element>(x), std::span<const typename F::Element>(x),
                std::span<const typename F::Element>(y));
  Shares<F>().swap(y);  // not held by this frame while the reduction waits
  co_return co_await reduce(c, scope, std::move(x));
}

// Inner product sum_k x_k y_k: the local products are summed first, so one
// reduction of a single element does it.
template <FiniteField F>
boost::asio::awaitable<Shares<F>> inner(Core<F>& c, Scope scope, Shares<F> x, Shares<F> y) {
  if (x.size() != y.size())
    throw RangeError("inner: vectors of " + std::to_string(x.size()) + " and " + std::to_string(y.size()) + " shares");
  Shares<F> d{c.field().inner(std::span<const typename F::Element>(x), std::span<const typename F::Element>(y))};
  co_return co_await reduce(c, scope, std::move(d));
}

// Combines the vectors of `level` (all of one length) element-wise by `step`, one
// interactive binary operation (mul, xor_bits), as a tree: each level pairs the
// vectors up and does all of its pairs in one call of step (the left sides
// concatenated, the right sides concatenated); an odd one out waits for the next
// level. ceil(log2 |level|) calls of step, |level| - 1 operations per element;
// each call on its own child of `scope`, in level order. RangeError naming `what`
// if level is empty.
template <FiniteField F, typename Step>
boost::asio::awaitable<Shares<F>> fold_tree(Core<F>& c, Scope scope, std::vector<Shares<F>> level, Step step,
                                            const char* what) {
  if (level.empty()) throw RangeError(std::string(what) + ": no factors");
  const std::size_t count = level.front().size();
  while (level.size() > 1) {
    const std::size_t pairs = level.size() / 2;
    Shares<F> x, y;
    x.reserve(pairs * count);
    y.reserve(pairs * count);
    for (std::size_t k = 0; k < pairs; ++k) {
      x.insert(x.end(), level[2 * k].begin(), level[2 * k].end());
      y.insert(y.end(), level[2 * k + 1].begin(), level[2 * k + 1].end());
    }
    const auto z = co_await step(c, scope.child(), std::move(x), std::move(y));
    std::vector<Shares<F>> next(pairs);
    for (std::size_t k = 0; k < pairs; ++k)
      next[k].assign(z.begin() + static_cast<std::ptrdiff_t>(k * count),
                     z.begin() + static_cast<std::ptrdiff_t>((k + 1) * count));
    if (level.size() % 2 == 1) next.push_back(std::move(level.back()));
    level = std::move(next);
  }
  co_return std::move(level.front());
}

}  // namespace meshmpc::protocols
