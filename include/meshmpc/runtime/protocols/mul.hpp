#pragma once
// Secure multiplication: a local product (a degree-2t sharing) and a degree
// reduction, in two variants (SessionOptions::mul; docs/protocols.md).
#include <meshmpc/runtime/core.hpp>
#include <meshmpc/runtime/protocols/extract.hpp>
#include <meshmpc/runtime/protocols/io.hpp>
#include <meshmpc/sharing/lagrange.hpp>

#include <boost/asio/awaitable.hpp>

#include <algorithm>
#include <optional>
#include <string>
#include <vector>

namespace meshmpc::protocols {

// Where a degree reduction may put its result (reduce, reduce_grr): added, times
// `scale`, to `sum`, a vector of the batch's length the caller gives up.
template <FiniteField F>
struct ReduceInto {
  Shares<F> sum;
  typename F::Element scale;
};

inline void check_sum_length(const char* op, std::size_t sum, std::size_t batch) {
  if (sum != batch)
    throw RangeError(std::string(op) + ": a sum of " + std::to_string(sum) + " shares for a batch of " +
                     std::to_string(batch));
}

// Whether party j is one of the t parties after party i (mod n): the parties
// whose GRR sub-shares from i come from their pair's PRG instead of a message.
inline bool grr_follows(std::size_t n, std::size_t t, std::size_t i, std::size_t j) {
  const std::size_t gap = (j + n - i) % n;
  return gap >= 1 && gap <= t;
}

// GRR as one of the resharers at t = 1: this party's polynomial is the line
// g(x) = d + s x through (0, d) and (x_f, r), r the stream of the pair's
// "grr-subs" subkey with its follower f, nonce (label, me) (reduce_grr): the
// slope s = (r - d) / x_f is one full product per element, and g at any party's
// point (a small integer) a 64-bit multiple only. d becomes this party's own term
// mu g(x_me) in place (mu: its Lagrange weight at 0; n = 3: 3, -3 or 1), the last
// party sent to gets g(x_j) = g(x_me) + (x_j - x_me) s computed in the slope's own
// vector: at n = 3 (one party sent to) the resharing holds d and one more vector,
// and the own term is the result's start, not a vector of its own.
template <FiniteField F>
void grr_reshare_line(Core<F>& c, Scope::Label label, Shares<F>& d, const typename F::Element& mu) {
  using E = typename F::Element;
  const F& f = c.field();
  const std::size_t n = c.n(), me = c.self(), follower = (me + 1) % n;
  auto point = [&](std::size_t id) { return f.from_uint(id + 1); };
  Shares<F> slope(d.size());
  Prg prg(c.pair_key(follower, PairKeyUse::grr_subshares), label, static_cast<std::uint32_t>(me));
  f.random(std::span<E>(slope), prg);
  f.sub(std::span<E>(slope), std::span<const E>(slope), std::span<const E>(d));
  f.scale(std::span<E>(slope), f.inv(point(follower)), std::span<const E>(slope));
  std::vector<std::size_t> receivers;
  for (std::size_t j = 0; j < n; ++j)
    if (j != me && j != follower) receivers.push_back(j);
  for (std::size_t q = 0; q + 1 < receivers.size(); ++q) {  // n = 4: all but the last, from d itself
    Shares<F> sub(d.begin(), d.end());
    f.axpy(std::span<E>(sub), point(receivers[q]), std::span<const E>(slope));
    c.send(receivers[q], label, std::move(sub));  // the message's bytes (Core::send)
  }
  f.axpy(std::span<E>(d), point(me), std::span<const E>(slope));  // d := g(x_me)
  if (!receivers.empty()) {
    const std::size_t j = receivers.back();
    f.scale(std::span<E>(slope), f.sub(point(j), point(me)), std::span<const E>(slope));
    f.add(std::span<E>(slope), std::span<const E>(slope), std::span<const E>(d));
    c.send(j, label, std::move(slope));
  }
  f.scale(std::span<E>(d), mu, std::span<const E>(d));
}

// GRR as one of the resharers at t >= 2 (t = 1: grr_reshare_line): this party's
// polynomial g of degree t is fixed by its values, g(0) = d and, at each of the t
// parties after it, the stream of that pair's "grr-subs" subkey with nonce
// (label, me) (reduce_grr). g at every other party is sent to it; g at this
// party's own point, times mu (this resharer's Lagrange weight at 0), goes
// straight into result.
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
  for (std::size_t j = 0; j < n; ++j) {
    if (grr_follows(n, t, me, j)) continue;
    const auto w = lagrange_coefficients(f, std::span<const E>(xs), point(j));
    if (j == me) {
      // Straight into the result: one pass per term, no sub-share vector.
      for (std::size_t q = 0; q < ys.size(); ++q)
        f.axpy(std::span<E>(result), f.mul(mu, w[q]), ys[q]);
      continue;
    }
    Shares<F> sub(m);
    f.scale(std::span<E>(sub), w[0], ys[0]);
    for (std::size_t q = 1; q < ys.size(); ++q) f.axpy(std::span<E>(sub), w[q], ys[q]);
    c.send(j, label, std::move(sub));  // the message's bytes (Core::send)
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
//
// With `into`, the reduction is added, times into->scale, to into->sum, which is
// returned: the own term is added and freed before the others' sub-shares arrive,
// so the round holds one vector of the batch fewer (xor_bits: x + y - 2 xy).
template <FiniteField F>
boost::asio::awaitable<Shares<F>> reduce_grr(Core<F>& c, Scope scope, Shares<F> d,
                                             std::optional<ReduceInto<F>> into = std::nullopt) {
  using E = typename F::Element;
  const F& f = c.field();
  const std::size_t n = c.n(), t = c.t(), me = c.self(), m = d.size();
  const auto label = scope.next_label();
  scope.count_rounds(1);
  const auto resharers = rotating_parties(n, 2 * t + 1, label);
  std::vector<E> rx;
  for (auto i : resharers) rx.push_back(f.from_uint(i + 1));
  auto mu = lagrange_coefficients(f, std::span<const E>(rx), f.zero());
  if (into) {
    check_sum_length("reduce", into->sum.size(), m);
    for (auto& w : mu) w = f.mul(w, into->scale);
  }

  Shares<F> result;
  const auto mine = std::find(resharers.begin(), resharers.end(), me);
  if (mine != resharers.end() && t == 1) {
    grr_reshare_line(c, label, d, mu[static_cast<std::size_t>(mine - resharers.begin())]);
    if (into) {
      result = std::move(into->sum);
      f.add(std::span<E>(result), std::span<const E>(result), std::span<const E>(d));
      Shares<F>().swap(d);
    } else {
      result = std::move(d);  // this party's own term: the others' are added to it
    }
  } else {
    if (into) {
      result = std::move(into->sum);
    } else {
      result.assign(m, f.zero());
    }
    if (mine != resharers.end()) grr_reshare(c, label, d, mu[static_cast<std::size_t>(mine - resharers.begin())], result);
    Shares<F>().swap(d);  // resent: not held while the others' sub-shares arrive
  }
  for (std::size_t k = 0; k < resharers.size(); ++k) {
    const std::size_t i = resharers[k];
    if (i == me) continue;
    if (grr_follows(n, t, i, me)) {
      // The stream in blocks: no vector of the batch's size for it.
      Prg prg(c.pair_key(i, PairKeyUse::grr_subshares), label, static_cast<std::uint32_t>(i));
      constexpr std::size_t kBlock = 1024;
      std::vector<E> block(std::min(m, kBlock));
      for (std::size_t begin = 0; begin < m; begin += kBlock) {
        const std::size_t len = std::min(kBlock, m - begin);
        f.random(std::span<E>(block).first(len), prg);
        f.axpy(std::span<E>(result).subspan(begin, len), mu[k], std::span<const E>(block).first(len));
      }
    } else {
      const auto got = co_await c.receive_view(i, label, m);
      f.axpy(std::span<E>(result), mu[k], got.elements());
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

// The degree reduction of the session's protocol; with `into`, added times
// into->scale to into->sum (reduce_grr).
template <FiniteField F>
boost::asio::awaitable<Shares<F>> reduce(Core<F>& c, Scope scope, Shares<F> d,
                                         std::optional<ReduceInto<F>> into = std::nullopt) {
  if (c.options().mul == MulProtocol::dn07) {
    auto reduced = co_await reduce_dn07(c, scope, std::move(d));
    if (!into) co_return reduced;
    check_sum_length("reduce", into->sum.size(), reduced.size());
    c.field().axpy(std::span<typename F::Element>(into->sum), into->scale,
                   std::span<const typename F::Element>(reduced));
    co_return std::move(into->sum);
  }
  co_return co_await reduce_grr(c, scope, std::move(d), std::move(into));
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

// Combines `rows` vectors of one length, stored one after another in `flat`,
// element-wise by `step`, one interactive binary operation (mul, xor_bits; both
// commutative and associative), as a tree: each level pairs row k of its first
// half with row k of its second half and does all of its pairs in one call of
// step (the halves are already contiguous: only the second is copied out); an odd
// row out waits for the next level. ceil(log2 rows) calls of step, rows - 1
// operations per element; each call on its own child of `scope`, in level order.
// RangeError naming `what` if there are no rows.
template <FiniteField F, typename Step>
boost::asio::awaitable<Shares<F>> fold_rows(Core<F>& c, Scope scope, Shares<F> flat, std::size_t rows, Step step,
                                            const char* what) {
  if (rows == 0) throw RangeError(std::string(what) + ": no factors");
  if (flat.size() % rows != 0)
    throw RangeError(std::string(what) + ": " + std::to_string(flat.size()) + " elements are not " +
                     std::to_string(rows) + " rows");
  const std::size_t count = flat.size() / rows;
  const auto at = [count](Shares<F>& v, std::size_t row) { return v.begin() + static_cast<std::ptrdiff_t>(row * count); };
  Shares<F> spare;  // the odd row out, when one waits
  bool waiting = false;
  while (rows + (waiting ? 1 : 0) > 1) {
    if (rows % 2 == 1) {
      if (waiting) {
        flat.insert(flat.end(), spare.begin(), spare.end());
        ++rows;
        Shares<F>().swap(spare);
      } else {
        spare.assign(at(flat, rows - 1), flat.end());
        flat.resize((rows - 1) * count);
        --rows;
      }
      waiting = !waiting;
    }
    const std::size_t half = rows / 2;
    Shares<F> y(at(flat, half), flat.end());
    flat.resize(half * count);
    flat = co_await step(c, scope.child(), std::move(flat), std::move(y));
    rows = half;
  }
  co_return rows == 1 ? std::move(flat) : std::move(spare);
}

// The same for separate vectors (all of one length).
template <FiniteField F, typename Step>
boost::asio::awaitable<Shares<F>> fold_tree(Core<F>& c, Scope scope, std::vector<Shares<F>> level, Step step,
                                            const char* what) {
  if (level.empty()) throw RangeError(std::string(what) + ": no factors");
  const std::size_t rows = level.size(), count = level.front().size();
  Shares<F> flat;
  flat.reserve(rows * count);
  for (auto& row : level) {
    if (row.size() != count)
      throw RangeError(std::string(what) + ": factors of " + std::to_string(count) + " and " +
                       std::to_string(row.size()) + " elements");
    flat.insert(flat.end(), row.begin(), row.end());
    Shares<F>().swap(row);
  }
  co_return co_await fold_rows(c, scope, std::move(flat), rows, step, what);
}

}  // namespace meshmpc::protocols
