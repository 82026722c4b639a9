#pragma once
// Random sharings and random bits.
#include <meshmpc/runtime/core.hpp>
#include <meshmpc/runtime/protocols/extract.hpp>
#include <meshmpc/runtime/protocols/io.hpp>
#include <meshmpc/runtime/protocols/mul.hpp>
#include <meshmpc/sharing/subsets.hpp>

#include <boost/asio/awaitable.hpp>

#include <algorithm>

namespace meshmpc::protocols {

// Degree-t shares of `count` uniformly random secrets nobody knows. With PRSS: no
// communication (CDI05). Without: dealt and extracted (extract.hpp; one round,
// about (n - 1) / (n - t) elements per sharing to each peer).
template <FiniteField F>
boost::asio::awaitable<Shares<F>> random(Core<F>& c, Scope scope, std::size_t count) {
  using E = typename F::Element;
  if (!c.has_prss()) co_return co_await extracted_random(c, scope, count);
  Shares<F> out(count);
  c.prss().random_shares(prss_counter(scope.next_label()), std::span<E>(out));
  co_return out;
}

// Shares of `count` uniformly random bits by the square trick (as MPyC's
// random_bits): r random, open r^2, s = sqrt(r^2), b = (r/s + 1)/2. The local
// degree-2t products are re-randomized by a degree-2t zero sharing and opened at
// once (one element per bit to each peer): opening the bare product f_r^2 would
// show the polynomial f_r up to its sign, i.e. every party's share of r. With PRSS
// r and the zero sharing cost no messages (one round); by extraction both come
// from one dealing (two rounds).
// A zero r^2 (probability 1/p each) is retried for just those elements.
template <PrimeField F>
boost::asio::awaitable<Shares<F>> random_bits_by_squares(Core<F>& c, Scope scope, std::size_t count) {
  using E = typename F::Element;
  const F& f = c.field();
  Shares<F> bits(count);
  std::vector<std::size_t> todo(count);
  for (std::size_t k = 0; k < count; ++k) todo[k] = k;
  const E half = f.inv(f.from_uint(2));
  while (!todo.empty()) {
    Shares<F> r, zero(todo.size());
    if (c.has_prss()) {
      r = co_await random(c, scope.child(), todo.size());
      c.prss().zero_shares(prss_counter(scope.next_label()), std::span<E>(zero));
    } else {
      std::vector<Dealing> dealings{Dealing{.zero = false, .degrees = {c.t()}},
                                    Dealing{.zero = true, .degrees = {2 * c.t()}}};
      auto dealt = co_await extract_sharings(c, scope.child(), todo.size(), std::move(dealings));
      r = std::move(dealt[0]);
      zero = std::move(dealt[1]);
    }
    Shares<F> r2(todo.size());
    f.mul(std::span<E>(r2), std::span<const E>(r), std::span<const E>(r));
    f.add(std::span<E>(r2), std::span<const E>(r2), std::span<const E>(zero));
    const auto squares = co_await open(c, scope.child(), std::move(r2), 2 * c.t(), "random_bits.square");
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

// x XOR y = x + y - 2xy for shared bits, element-wise: one product.
// x and y become their product and their sum in place: no copies of either.
template <FiniteField F>
boost::asio::awaitable<Shares<F>> xor_bits(Core<F>& c, Scope scope, Shares<F> x, Shares<F> y) {
  using E = typename F::Element;
  const F& f = c.field();
  if (x.size() != y.size())
    throw RangeError("xor_bits: batches of " + std::to_string(x.size()) + " and " + std::to_string(y.size()) +
                     " shares");
  // x y and x + y in the inputs' own buffers, in one pass (random bits for a large
  // comparison batch are most of its peak memory).
  for (std::size_t i = 0; i < x.size(); ++i) {
    const E xi = x[i];
    x[i] = f.mul(xi, y[i]);
    y[i] = f.add(xi, y[i]);
  }
  // x + y - 2 xy: the reduction of xy is added straight into y (ReduceInto), so
  // xy's own term is not held while the round is in flight.
  std::optional<ReduceInto<F>> into(ReduceInto<F>{std::move(y), f.neg(f.from_uint(2))});
  co_return co_await reduce(c, scope.child(), std::move(x), std::move(into));
}

// The XOR of several vectors of shared bits, element-wise. In GF(2^d) that is their
// sum (no interaction); elsewhere a tree of XORs (fold_tree), ceil(log2 count)
// rounds, with all pairs of one level in a single multiplication.
template <FiniteField F>
boost::asio::awaitable<Shares<F>> xor_all(Core<F>& c, Scope scope, std::vector<Shares<F>> level) {
  using E = typename F::Element;
  const F& f = c.field();
  if constexpr (ExtensionField<F>) {
    if (f.is_binary()) {
      Shares<F> sum = std::move(level.front());
      for (std::size_t k = 1; k < level.size(); ++k)
        f.add(std::span<E>(sum), std::span<const E>(sum), std::span<const E>(level[k]));
      co_return sum;
    }
  }
  co_return co_await fold_tree(c, scope, std::move(level), xor_bits<F>, "xor_all");
}

// Random bits as the XOR of one PRSS bit per key (Prss::bit_shares): no square
// roots; C(n,t) - 1 products per bit in ceil(log2 C(n,t)) rounds, or none at all in
// GF(2^d).
template <FiniteField F>
boost::asio::awaitable<Shares<F>> random_bits_by_prss_xor(Core<F>& c, Scope scope, std::size_t count) {
  auto level = c.prss().bit_shares(prss_counter(scope.next_label()), count);
  co_return co_await xor_all(c, scope.child(), std::move(level));
}

// Random bits as the XOR of bits dealt by parties 0..t (one of them honest): one
// round of dealing, then xor_all. For fields without square roots (GF(p^d)) when
// the session runs without PRSS.
template <FiniteField F>
boost::asio::awaitable<Shares<F>> random_bits_by_dealers(Core<F>& c, Scope scope, std::size_t count) {
  const F& f = c.field();
  const auto label = scope.next_label();
  scope.count_rounds(1);
  const std::size_t dealers = c.t() + 1;
  std::vector<Shares<F>> dealt(dealers);
  if (c.self() < dealers) {
    Shares<F> mine(count);
    for (auto& b : mine) b = (c.rng().next_word() & 1U) ? f.one() : f.zero();
    dealt[c.self()] = deal_and_send(c, label, std::span<const typename F::Element>(mine));
  }
  for (std::size_t d = 0; d < dealers; ++d)
    if (d != c.self()) dealt[d] = co_await c.receive(d, label, count);
  co_return co_await xor_all(c, scope.child(), std::move(dealt));
}

// For t = 1 with PRSS: for each party d, the index in prss_subsets(n, 1) of the
// one key d lacks (the subset of all others).
inline std::vector<std::size_t> prss_keys_lacking(std::size_t n) {
  const auto all = prss_subsets(n, 1);
  std::vector<std::size_t> lacked(n);
  for (std::size_t d = 0; d < n; ++d) {
    const auto it = std::find_if(all.begin(), all.end(),
                                 [&](const Subset& a) { return !std::binary_search(a.begin(), a.end(), d); });
    if (it == all.end()) throw ProtocolError("random bits: no PRSS key lacks party " + std::to_string(d));
    lacked[d] = static_cast<std::size_t>(it - all.begin());
  }
  return lacked;
}

// How many of `count` dealt-XOR bits party d deals: bits d, d + n, ...
inline std::size_t dealt_xor_bits(std::size_t n, std::size_t count, std::size_t d) {
  return d < count ? (count - d + n - 1) / n : 0;
}

// random_bits_by_dealt_xor as a dealer: for its bits j = me, me + n, ... u_j =
// the XOR of the PRSS bits of its own keys, dealt on the line through (0, u_j)
// and (x_f, r_j), r_j from the pair key with its follower f (who computes it too,
// so is sent nothing); the others are sent their values. Its own go into u.
template <FiniteField F>
void deal_xor_bits(Core<F>& c, std::uint64_t counter, Scope::Label label, std::size_t count, Shares<F>& u) {
  using E = typename F::Element;
  const F& f = c.field();
  const std::size_t n = c.n(), me = c.self(), mine = dealt_xor_bits(n, count, me);
  const auto clear = c.prss().xor_of_bits(counter, count);
  const std::size_t follower = (me + 1) % n;
  Prg prg(c.pair_key(follower, PairKeyUse::dealt_bits), label, static_cast<std::uint32_t>(me));
  Shares<F> slope(mine);  // r_j at first
  f.random(std::span<E>(slope), prg);
  // g(x) = u + s x with the slope s = (r - u) / x_f: one full product per bit; g at
  // the points 1, 2, ..., n by repeated addition.
  const E inv_xf = f.inv(f.from_uint(follower + 1));
  std::vector<Shares<F>> out(n);
  for (std::size_t k = 0; k < n; ++k)
    if (k != me && k != follower) out[k].resize(mine);
  for (std::size_t q = 0; q < mine; ++q) {
    const std::size_t j = me + q * n;
    const E uj = (clear[j / 64] >> (j % 64)) & 1U ? f.one() : f.zero();
    const E s = f.mul(f.sub(slope[q], uj), inv_xf);
    E at = uj;
    for (std::size_t k = 0; k < n; ++k) {
      at = f.add(at, s);
      if (k == me)
        u[j] = at;
      else if (k != follower)
        out[k][q] = at;
    }
  }
  for (std::size_t k = 0; k < n; ++k)
    if (k != me && k != follower) c.send(k, label, std::move(out[k]));
}

// Random bits for t = 1 with PRSS, where every party misses exactly one key (the
// subset without it): bit j has a dealer d = j mod n, who knows u = the XOR of the
// PRSS bits of its own keys and deals a sharing of u; then b = u XOR b_K for the
// key K without d (nobody but d knows u, and d does not know b_K). The dealt
// polynomial's value at the party after d comes from their pairwise PRG (the pair's
// "rbit-xor" subkey, nonce (label, d)), so d sends to n - 2 parties only (one
// element per bit at n = 3). Two rounds (the dealing, one product); one product
// per bit instead of C(n,1) - 1.
template <FiniteField F>
boost::asio::awaitable<Shares<F>> random_bits_by_dealt_xor(Core<F>& c, Scope scope, std::size_t count) {
  using E = typename F::Element;
  const F& f = c.field();
  const std::size_t n = c.n(), me = c.self();
  const auto counter = prss_counter(scope.next_label());
  const auto label = scope.next_label();
  scope.count_rounds(1);

  Shares<F> u(count, f.zero());  // shares of the dealt XORs
  if (dealt_xor_bits(n, count, me) > 0) deal_xor_bits(c, counter, label, count, u);
  for (std::size_t d = 0; d < n; ++d) {
    const std::size_t m = dealt_xor_bits(n, count, d);
    if (d == me || m == 0) continue;
    Shares<F> got(m);
    if ((d + 1) % n == me) {
      Prg prg(c.pair_key(d, PairKeyUse::dealt_bits), label, static_cast<std::uint32_t>(d));
      f.random(std::span<E>(got), prg);
    } else {
      got = co_await c.receive(d, label, m);
    }
    for (std::size_t q = 0; q < m; ++q) u[d + q * n] = got[q];
  }
  // v: for bit j, this party's share of b_K, K the key that dealer j mod n lacks.
  // Drawn once the dealing is through (the PRSS draw depends on the counter
  // alone): a vector fewer held while the dealing round is in flight.
  const auto lacked = prss_keys_lacking(n);
  Shares<F> v = c.prss().bit_shares_cyclic(counter, count, std::span<const std::size_t>(lacked));
  // b = u XOR b_K: u + v - 2uv.
  co_return co_await xor_bits(c, scope.child(), std::move(u), std::move(v));
}

// Shares of `count` uniformly random bits, by whichever method is cheaper here.
// In GF(p): a dealt XOR for t = 1, else the square trick. In an extension field:
// XOR of PRSS bits (free in GF(2^d)), or of dealt bits.
template <FiniteField F>
boost::asio::awaitable<Shares<F>> random_bits(Core<F>& c, Scope scope, std::size_t count) {
  if (count == 0) co_return Shares<F>{};
  if constexpr (ExtensionField<F>) {
    if (c.has_prss() && c.t() > 0) co_return co_await random_bits_by_prss_xor(c, scope, count);
    co_return co_await random_bits_by_dealers(c, scope, count);
  } else {
    // t >= 2 has C(n,t) >= 10 keys: the XOR of PRSS bits would cost 9 products per
    // bit, the square trick one opening.
    if (c.has_prss() && c.t() == 1 && c.n() >= 3) co_return co_await random_bits_by_dealt_xor(c, scope, count);
    co_return co_await random_bits_by_squares(c, scope, count);
  }
}

// Shares of random non-negative integers below random_ints_terms(c) * 2^bits
// whose low part no t parties can predict: each is the sum of contributions
// uniform in [0, 2^bits), at least one of which the honest parties alone know.
// With PRSS: one contribution per key, no interaction. Without PRSS, or when there
// are more keys than t+1 dealers plus `slack`: t+1 parties each deal one (one
// round). A caller that can afford a few more terms than t+1 (a larger sum) passes
// a slack to save the round and the traffic: with slack 1, n = 3 draws 3 terms by
// PRSS instead of 2 dealt. Used as the high part of masks (statistical hiding:
// docs/protocols.md) and as the low part of truncation masks (fxp.hpp).
template <FiniteField F>
bool random_ints_by_prss(const Core<F>& c, std::size_t slack = 0) {
  return c.has_prss() && binomial(c.n(), c.t()) <= c.t() + 1 + slack;
}

template <FiniteField F>
std::size_t random_ints_terms(const Core<F>& c, std::size_t slack = 0) {
  return random_ints_by_prss(c, slack) ? binomial(c.n(), c.t()) : c.t() + 1;
}

template <FiniteField F>
boost::asio::awaitable<Shares<F>> random_ints(Core<F>& c, Scope scope, std::size_t bits, std::size_t count,
                                              std::size_t slack = 0) {
  using E = typename F::Element;
  const F& f = c.field();
  Shares<F> out(count, f.zero());
  if (random_ints_by_prss(c, slack)) {
    c.prss().random_int_shares(prss_counter(scope.next_label()), bits, std::span<E>(out));
    co_return out;
  }
  if (bits < 1 || bits > 63) throw RangeError("random_ints: " + std::to_string(bits) + "-bit integers (1..63)");
  const std::uint64_t mask = (std::uint64_t{1} << bits) - 1;
  const auto label = scope.next_label();
  scope.count_rounds(1);
  const std::size_t dealers = c.t() + 1;
  if (c.self() < dealers) {
    Shares<F> mine(count);
    for (auto& v : mine) v = f.from_uint(c.rng().next_word() & mask);
    out = deal_and_send(c, label, std::span<const E>(mine));
  }
  for (std::size_t d = 0; d < dealers; ++d) {
    if (d == c.self()) continue;
    const auto part = co_await c.receive_view(d, label, count);
    f.add(std::span<E>(out), std::span<const E>(out), part.elements());
  }
  co_return out;
}

}  // namespace meshmpc::protocols
