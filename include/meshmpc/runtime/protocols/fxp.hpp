#pragma once
// Fixed-point protocols (SecFxp; docs/protocols.md has rounds and traffic).
//  - Probabilistic truncation (Catrina-Saxena 2010, as MPyC's trunc): for x in
//    [-2^(2l-1), 2^(2l-1)) open c = a + r' + 2^s r'' with a = x + 2^(2l-1), r' from
//    s shared random bits and r'' of 2l - s + k bits (so that c hides a
//    statistically), through compare.hpp's mask_and_open; then
//    (x - (c mod 2^s) + r') / 2^s = floor(x / 2^s) + carry, carry = 1 with
//    probability (x mod 2^s) / 2^s: the result is x / 2^s rounded down or up, an
//    error below one unit of the last place, unbiased. One round (the opening)
//    after the value; the mask's randomness is drawn alongside the product.
//  - Reciprocal and square root (fxp_functions.hpp) from a secret normalization
//    (fxp_normalize.hpp), then Newton iterations on a value in a fixed interval.
#include <meshmpc/error.hpp>
#include <meshmpc/runtime/protocols/compare.hpp>

#include <boost/asio/awaitable.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>

#include <cmath>
#include <string>
#include <vector>

namespace meshmpc::protocols {

// How the high part r'' of a truncation mask is drawn: random_ints takes at most
// 63 bits, so `bits` are split into `chunks` equal chunks of `chunk_bits`.
struct HighLayout {
  std::size_t chunks;
  std::size_t chunk_bits;
};
inline HighLayout high_layout(std::size_t bits) {
  const std::size_t chunks = (bits + 61) / 62;
  return {chunks, (bits + chunks - 1) / chunks};
}

// The bits of r'': it hides a / 2^s (below 2^(2l - s)) with distance 2^(1-k).
inline std::size_t truncation_high_bits(std::size_t l, std::size_t s, std::size_t k) { return 2 * l - s + k; }

// ConfigError naming l, f, k, n and the field unless a truncation of 2l-bit
// values fits it: a + r' + 2^s r'' < p, about 2l + k + log2(t + 1) + 2 bits
// whatever s is (the 127-bit field for l = 32).
template <PrimeField F>
void check_fxp_fits(const Core<F>& c, std::size_t l, std::size_t f) {
  const std::size_t k = c.options().sec_param, s = std::max<std::size_t>(f, 1);
  const HighLayout h = high_layout(truncation_high_bits(l, s, k));
  std::size_t top = 0;
  // 2 * terms: the chunks' sums overlap by a carry at most.
  if (mask_fits(c.field(), s, 2 * l, h.chunks * h.chunk_bits, 2 * random_ints_terms(c), &top)) return;
  throw ConfigError("secfxp(" + std::to_string(l) + ", " + std::to_string(f) + ") with security parameter k = " +
                    std::to_string(k) + " (n = " + std::to_string(c.n()) + ", t = " + std::to_string(c.t()) +
                    ") needs a field of about " + std::to_string(top) + " bits (a product of 2l = " +
                    std::to_string(2 * l) + " bits masked with k more), more than " + c.field().name() +
                    " has: use GF(2^127 - 1) (Fp127) or a smaller l");
}

// Shares of count random integers r'' of about `bits` bits (high_layout): one
// call of random_ints for all chunks, r'' = sum_j 2^(j b) R_j.
template <PrimeField F>
boost::asio::awaitable<Shares<F>> random_high(Core<F>& c, Scope scope, std::size_t bits, std::size_t count) {
  const HighLayout h = high_layout(bits);
  auto all = co_await random_ints(c, scope, h.chunk_bits, h.chunks * count);
  if (h.chunks == 1) co_return all;
  const F& f = c.field();
  Shares<F> out(count, f.zero());
  for (std::size_t j = h.chunks; j-- > 0;) {
    const auto shift = power_of_two(f, h.chunk_bits);
    for (std::size_t e = 0; e < count; ++e) out[e] = f.add(f.mul(out[e], shift), all[j * count + e]);
  }
  co_return out;
}

// The randomness of one truncation by s bits of count values: s bits each (r')
// and r''. Independent of the values, so it is drawn alongside their product.
template <PrimeField F>
struct TruncationMask {
  std::vector<Shares<F>> bits;
  Shares<F> high;
};

template <PrimeField F>
boost::asio::awaitable<TruncationMask<F>> truncation_mask(Core<F>& c, Scope scope, std::size_t count, std::size_t l,
                                                          std::size_t s) {
  using namespace boost::asio::experimental::awaitable_operators;
  auto bits = random_bits(c, scope.child(), s * count);
  auto high = random_high(c, scope.child(), truncation_high_bits(l, s, c.options().sec_param), count);
  auto [all, r_high] = co_await (std::move(bits) && std::move(high));
  TruncationMask<F> out;
  out.bits = split_bits<F>(all, s, count);
  out.high = std::move(r_high);
  co_return out;
}

// x / 2^s, rounded probabilistically (see the top of this file), for shares of x
// in [-2^(2l-1), 2^(2l-1)) and a mask of s bits. One round.
template <PrimeField F>
boost::asio::awaitable<Shares<F>> truncate(Core<F>& c, Scope scope, Shares<F> x, TruncationMask<F> mask,
                                           std::size_t l) {
  using E = typename F::Element;
  const F& f = c.field();
  const std::size_t s = mask.bits.size(), count = x.size();
  const E shift = power_of_two(f, 2 * l - 1);
  Shares<F> a(count);
  for (std::size_t e = 0; e < count; ++e) a[e] = f.add(x[e], shift);
  std::vector<Shares<F>> high;  // r'' itself, as one base-2 "digit" (mask_and_open)
  high.push_back(std::move(mask.high));
  const auto opened = co_await mask_and_open(c, scope.child(), std::move(a), std::move(mask.bits), std::move(high),
                                             "fxp.trunc");
  const E inv = f.inv(power_of_two(f, s));
  for (std::size_t e = 0; e < count; ++e)
    x[e] = f.mul(f.add(f.sub(x[e], f.from_uint(opened.low[e])), opened.mask[e]), inv);
  co_return x;
}

// x / 2^s for shares of x (|x| < 2^(2l-1)): the mask, then truncate. Two rounds
// at most; none for s = 0.
template <PrimeField F>
boost::asio::awaitable<Shares<F>> shift_right(Core<F>& c, Scope scope, Shares<F> x, std::size_t l, std::size_t s) {
  if (s == 0 || x.empty()) co_return x;
  auto mask = co_await truncation_mask(c, scope.child(), x.size(), l, s);
  co_return co_await truncate(c, scope.child(), std::move(x), std::move(mask), l);
}

// Element-wise x y / 2^s: the product and the truncation mask at once, then one
// opening. Two rounds (with PRSS random bits).
template <PrimeField F>
boost::asio::awaitable<Shares<F>> mul_shift(Core<F>& c, Scope scope, Shares<F> x, Shares<F> y, std::size_t l,
                                            std::size_t s) {
  using namespace boost::asio::experimental::awaitable_operators;
  if (s == 0 || x.empty()) co_return co_await mul(c, scope.child(), std::move(x), std::move(y));
  const std::size_t count = x.size();
  auto product = mul(c, scope.child(), std::move(x), std::move(y));
  auto mask = truncation_mask(c, scope.child(), count, l, s);
  auto [xy, m] = co_await (std::move(product) && std::move(mask));
  co_return co_await truncate(c, scope.child(), std::move(xy), std::move(m), l);
}

// <x, y> / 2^s with one reduction and one truncation for the whole sum.
template <PrimeField F>
boost::asio::awaitable<Shares<F>> inner_shift(Core<F>& c, Scope scope, Shares<F> x, Shares<F> y, std::size_t l,
                                              std::size_t s) {
  using namespace boost::asio::experimental::awaitable_operators;
  auto sum = inner(c, scope.child(), std::move(x), std::move(y));
  auto mask = truncation_mask(c, scope.child(), 1, l, s);
  auto [xy, m] = co_await (std::move(sum) && std::move(mask));
  co_return co_await truncate(c, scope.child(), std::move(xy), std::move(m), l);
}

}  // namespace meshmpc::protocols
