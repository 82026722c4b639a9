#pragma once
// Uniformly random secret permutations (as MPyC's mpyc.random.shuffle):
// Fisher-Yates with secret random unit vectors. A unit vector of length m comes
// from ceil(log2 m) random bits expanded into a one-hot vector of length 2^k;
// when m < 2^k, whether the one landed beyond m is revealed and only those are
// drawn again (rejection sampling: nothing about the accepted ones leaks).
#include <meshmpc/runtime/protocols/compare.hpp>
#include <meshmpc/runtime/protocols/mul.hpp>

#include <boost/asio/awaitable.hpp>

#include <algorithm>
#include <bit>
#include <utility>
#include <vector>

namespace meshmpc::protocols {

// One level of random_unit_vectors' expansion: every vector v[q] with expands[q]
// becomes [v (1 - b), v b] for its bit b at this level (`bits`: one per such
// vector, in order); the others stay as they are. One product for all of them.
template <FiniteField F>
boost::asio::awaitable<std::vector<Shares<F>>> expand_unit_vectors(Core<F>& c, Scope scope,
                                                                   std::vector<Shares<F>> v, Shares<F> bits,
                                                                   std::vector<bool> expands) {
  const F& f = c.field();
  Shares<F> x, y;
  for (std::size_t q = 0, b = 0; q < v.size(); ++q) {
    if (!expands[q]) continue;
    x.insert(x.end(), v[q].begin(), v[q].end());
    y.insert(y.end(), v[q].size(), bits[b++]);
  }
  const auto vb = co_await mul(c, scope, std::move(x), std::move(y));
  std::size_t at = 0;
  for (std::size_t q = 0; q < v.size(); ++q) {
    if (!expands[q]) continue;
    const std::size_t len = v[q].size();
    Shares<F> next(2 * len);
    for (std::size_t j = 0; j < len; ++j) {
      next[j] = f.sub(v[q][j], vb[at + j]);
      next[len + j] = vb[at + j];
    }
    at += len;
    v[q] = std::move(next);
  }
  co_return v;
}

// The vectors of an attempt that came out longer than wanted (2^k > m): their
// indices in v, and for each the sum of its entries from m on, which is zero
// exactly when its one landed below m.
template <FiniteField F>
std::pair<std::vector<std::size_t>, Shares<F>> unit_vector_tails(const F& f, const std::vector<Shares<F>>& v,
                                                                 const std::vector<std::size_t>& wanted) {
  std::vector<std::size_t> checked;
  Shares<F> tails;
  for (std::size_t q = 0; q < v.size(); ++q) {
    if (v[q].size() == wanted[q]) continue;
    auto tail = f.zero();
    for (std::size_t j = wanted[q]; j < v[q].size(); ++j) tail = f.add(tail, v[q][j]);
    checked.push_back(q);
    tails.push_back(tail);
  }
  return {std::move(checked), std::move(tails)};
}

// One attempt's candidates: for each wanted length m, ceil(log2 m) random bits
// expanded level by level into a one-hot vector of length 2^ceil(log2 m).
// ceil(log2 max m) + 1 rounds (the bits' and one product per level).
template <FiniteField F>
boost::asio::awaitable<std::vector<Shares<F>>> expanded_candidates(Core<F>& c, Scope& scope,
                                                                   const std::vector<std::size_t>& wanted) {
  const F& f = c.field();
  std::vector<std::size_t> bits_of(wanted.size()), first_bit(wanted.size());
  std::size_t total_bits = 0, levels = 0;
  for (std::size_t q = 0; q < wanted.size(); ++q) {
    bits_of[q] = static_cast<std::size_t>(std::bit_width(wanted[q] - 1));
    first_bit[q] = total_bits;
    total_bits += bits_of[q];
    levels = std::max(levels, bits_of[q]);
  }
  const auto bits = co_await random_bits(c, scope.child(), total_bits);
  std::vector<Shares<F>> v(wanted.size(), Shares<F>{f.one()});
  for (std::size_t level = 0; level < levels; ++level) {
    std::vector<bool> expands(wanted.size());
    Shares<F> level_bits;
    for (std::size_t q = 0; q < wanted.size(); ++q) {
      expands[q] = level < bits_of[q];
      if (expands[q]) level_bits.push_back(bits[first_bit[q] + level]);
    }
    v = co_await expand_unit_vectors(c, scope.child(), std::move(v), std::move(level_bits), std::move(expands));
  }
  co_return v;
}

// How many candidates an attempt draws for a unit vector of length m: one when m
// is a power of two (nothing to reject), else two, and the first accepted is
// taken. A candidate is rejected with probability 1 - m/2^k < 1/2, so two make a
// second attempt — ceil(log2 m) + 2 more rounds — at most a quarter as likely
// (1/16 instead of 1/4 for m = 3), for twice the bits and products of the
// vectors that can be rejected. Which candidates were rejected is public; the
// accepted one is uniform all the same.
inline std::size_t unit_vector_candidates(std::size_t m) { return std::has_single_bit(m) ? 1 : 2; }

// One secret unit vector per requested length (lengths[i] >= 1), uniformly
// distributed. ceil(log2 max length) + 2 rounds per attempt: the random bits,
// one product per level (expand_unit_vectors), the rejection test.
template <FiniteField F>
boost::asio::awaitable<std::vector<Shares<F>>> random_unit_vectors(Core<F>& c, Scope scope,
                                                                   std::vector<std::size_t> lengths) {
  const F& f = c.field();
  std::vector<Shares<F>> out(lengths.size());
  std::vector<std::size_t> todo;
  for (std::size_t i = 0; i < lengths.size(); ++i) {
    if (lengths[i] == 0) throw RangeError("random unit vector of length 0");
    if (lengths[i] == 1)
      out[i] = Shares<F>{f.one()};
    else
      todo.push_back(i);
  }
  for (std::size_t attempt = 0; !todo.empty(); ++attempt) {
    if (attempt == 200) throw ProtocolError("random unit vectors: 200 rejections in a row");
    std::vector<std::size_t> owner, wanted;  // per candidate: its index in todo, its length
    for (std::size_t q = 0; q < todo.size(); ++q)
      for (std::size_t k = unit_vector_candidates(lengths[todo[q]]); k-- > 0;) {
        owner.push_back(q);
        wanted.push_back(lengths[todo[q]]);
      }
    auto v = co_await expanded_candidates(c, scope, wanted);
    auto [checked, tails] = unit_vector_tails(f, v, wanted);
    std::vector<bool> rejected(v.size(), false);
    if (!checked.empty()) {
      const auto zero = co_await is_zero_public(c, scope.child(), std::move(tails), "unit_vector.reject");
      for (std::size_t w = 0; w < checked.size(); ++w) rejected[checked[w]] = !zero[w];
    }
    std::vector<bool> done(todo.size(), false);
    for (std::size_t s = 0; s < v.size(); ++s) {
      if (rejected[s] || done[owner[s]]) continue;
      done[owner[s]] = true;
      v[s].resize(wanted[s]);
      out[todo[owner[s]]] = std::move(v[s]);
    }
    std::vector<std::size_t> retry;
    for (std::size_t q = 0; q < todo.size(); ++q)
      if (!done[q]) retry.push_back(todo[q]);
    todo = std::move(retry);
  }
  co_return out;
}

// Each vector of xs (all of one length n) in its own uniformly random secret
// order: Fisher-Yates, where step i swaps x_i with the x_j (j >= i) a secret unit
// vector selects. Two rounds per step (inner products, then the swaps) for the
// whole batch, plus the unit vectors.
template <FiniteField F>
boost::asio::awaitable<std::vector<Shares<F>>> shuffle_many(Core<F>& c, Scope scope, std::vector<Shares<F>> xs) {
  using E = typename F::Element;
  const F& f = c.field();
  if (xs.empty()) co_return xs;
  const std::size_t n = xs.front().size(), batch = xs.size();
  for (const auto& x : xs)
    if (x.size() != n) throw RangeError("shuffle: vectors of " + std::to_string(n) + " and " + std::to_string(x.size()) + " elements in one batch");
  if (n < 2) co_return xs;
  std::vector<std::size_t> lengths;
  for (std::size_t b = 0; b < batch; ++b)
    for (std::size_t i = 0; i + 1 < n; ++i) lengths.push_back(n - i);
  const auto units = co_await random_unit_vectors(c, scope.child(), lengths);
  for (std::size_t i = 0; i + 1 < n; ++i) {
    // picked_b = <x_b[i..], u_b>: local dot products, one degree reduction.
    Shares<F> dots(batch);
    for (std::size_t b = 0; b < batch; ++b) {
      const Shares<F>& u = units[b * (n - 1) + i];
      dots[b] = f.inner(std::span<const E>(xs[b]).subspan(i), std::span<const E>(u));
    }
    const auto picked = co_await reduce(c, scope.child(), std::move(dots));
    // x_j += u_j (x_i - picked) moves x_i to the picked place; then x_i = picked.
    Shares<F> us, ds;
    for (std::size_t b = 0; b < batch; ++b) {
      const Shares<F>& u = units[b * (n - 1) + i];
      us.insert(us.end(), u.begin(), u.end());
      ds.insert(ds.end(), u.size(), f.sub(xs[b][i], picked[b]));
    }
    const auto moved = co_await mul(c, scope.child(), std::move(us), std::move(ds));
    for (std::size_t b = 0; b < batch; ++b) {
      const std::size_t len = n - i;
      for (std::size_t j = 1; j < len; ++j) xs[b][i + j] = f.add(xs[b][i + j], moved[b * len + j]);
      xs[b][i] = picked[b];
    }
  }
  co_return xs;
}

template <FiniteField F>
boost::asio::awaitable<Shares<F>> shuffle(Core<F>& c, Scope scope, Shares<F> x) {
  std::vector<Shares<F>> one;
  one.push_back(std::move(x));
  auto out = co_await shuffle_many(c, scope, std::move(one));
  co_return std::move(out.front());
}

// `count` independent uniformly random secret permutations of 0..n-1.
template <FiniteField F>
boost::asio::awaitable<std::vector<Shares<F>>> random_permutations(Core<F>& c, Scope scope, std::size_t n,
                                                                   std::size_t count) {
  Shares<F> identity(n);
  for (std::size_t i = 0; i < n; ++i) identity[i] = c.field().from_uint(i);
  co_return co_await shuffle_many(c, scope, std::vector<Shares<F>>(count, identity));
}

// A uniformly random secret permutation of 0..n-1 (the shuffled identity).
template <FiniteField F>
boost::asio::awaitable<Shares<F>> random_permutation(Core<F>& c, Scope scope, std::size_t n) {
  Shares<F> identity(n);
  for (std::size_t i = 0; i < n; ++i) identity[i] = c.field().from_uint(i);
  co_return co_await shuffle(c, scope, std::move(identity));
}

// A uniformly random derangement of 0..n-1 (no i maps to itself), n >= 2: random
// permutations until one has no fixed point (rejection sampling, as MPyC's
// secret santa demo). A try reveals only whether it had a fixed point (the product
// of the p_i - i is tested for zero); about e tries are needed, so they are drawn
// kTries at a time and the first good one is taken.
template <FiniteField F>
boost::asio::awaitable<Shares<F>> random_derangement(Core<F>& c, Scope scope, std::size_t n) {
  constexpr std::size_t kTries = 4;
  const F& f = c.field();
  if (n < 2) throw RangeError("a derangement needs at least 2 elements, not " + std::to_string(n));
  for (int attempt = 0; attempt < 250; ++attempt) {
    auto ps = co_await random_permutations(c, scope.child(), n, kTries);
    std::vector<Shares<F>> moved(n, Shares<F>(kTries));
    for (std::size_t i = 0; i < n; ++i)
      for (std::size_t b = 0; b < kTries; ++b) moved[i][b] = f.sub(ps[b][i], f.from_uint(i));
    const auto product = co_await multiply_all(c, scope.child(), std::move(moved));
    const auto fixed = co_await is_zero_public(c, scope.child(), product, "derangement.reject");
    for (std::size_t b = 0; b < kTries; ++b)
      if (!fixed[b]) co_return std::move(ps[b]);
  }
  throw ProtocolError("random derangement: 1000 permutations in a row had a fixed point");
}

}  // namespace meshmpc::protocols
