#pragma once
// Fixed-point protocols (SecFxp; docs/protocols.md has rounds and traffic).
//  - Probabilistic truncation (Catrina-Saxena 2010) with a mask that costs no
//    random bits: for x in [-2^(2l-1), 2^(2l-1)) open
//      c = x + 2^(2l) - delta + R' + 2^s R''
//    where R' is a sum of m contributions uniform in [0, 2^s) (random_ints: m = 3
//    PRSS keys at n = 3, no interaction; else m = t + 1 dealers) and R'' a random
//    integer of 2l - s + k bits that hides the rest statistically. Then
//      y = floor(c / 2^s) - 2^(2l-s) - R'' = floor((x - delta + R') / 2^s).
//    Nobody knows R' mod 2^s (one contribution is honest), so c mod 2^s is uniform.
//    E[floor((x + R') / 2^s)] = x / 2^s + (m - 1)(2^s - 1) / 2^(s+1) exactly, so
//    delta = floor((m - 1)(2^s - 1) / 2) leaves a bias below 2^-(s+1) of an output
//    unit, and |y - x / 2^s| < (m + 1) / 2 units: below 1 for m = 1, 2 for m = 3
//    (n = 3), (t + 2) / 2 with t + 1 dealers. MPyC's trunc draws s random bits for
//    R' instead (error below 1 unit); that costs s products per value, which made
//    a product with truncation 16 times dearer than the product itself; it stays
//    as Truncation::bits (SessionOptions) for programs that need exact multiples.
//    One round (the opening) after the value; the mask is drawn alongside it.
//  - Reciprocal and square root (fxp_functions.hpp) from a secret normalization
//    (fxp_normalize.hpp), then Newton iterations on a value in a fixed interval.
#include <meshmpc/error.hpp>
#include <meshmpc/runtime/protocols/compare.hpp>

#include <boost/asio/awaitable.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>

#include <algorithm>
#include <bit>
#include <cmath>
#include <optional>
#include <string>
#include <vector>

namespace meshmpc::protocols {

// How many more terms than t + 1 a truncation mask's parts may have so that PRSS
// draws them without interaction: 1, which admits n = 3 (C(3,1) = 3 keys).
inline constexpr std::size_t kTruncationPrssSlack = 1;

// m: the terms of a truncation mask's low part R' (and of its high part) here.
template <FiniteField F>
std::size_t truncation_terms(const Core<F>& c) {
  return random_ints_terms(c, kTruncationPrssSlack);
}

// The largest error of a truncation with m terms, in units of its result: (m + 1) / 2.
inline double truncation_error_bound(std::size_t terms) { return (static_cast<double>(terms) + 1) / 2; }

// How the high part R'' of a truncation mask is drawn: random_ints takes at most
// 63 bits, so `bits` are split into `chunks` equal chunks of `chunk_bits`.
struct HighLayout {
  std::size_t chunks;
  std::size_t chunk_bits;
};
inline HighLayout high_layout(std::size_t bits) {
  const std::size_t chunks = (bits + 61) / 62;
  return {chunks, (bits + chunks - 1) / chunks};
}

// The bits of R'': it hides x / 2^s (below 2^(2l - s)) with distance 2^(1-k).
inline std::size_t truncation_high_bits(std::size_t l, std::size_t s, std::size_t k) { return 2 * l - s + k; }

// The bits a truncation of 2l-bit values by s bits needs below p, with `terms`
// contributions per part: c < 2^(2l+1) + terms 2^s + 2^s R'', where R'' is below
// 2 terms 2^(chunks * chunk_bits) (its chunks' sums overlap by a carry at most).
inline std::size_t truncation_top_bits(std::size_t l, std::size_t s, std::size_t k, std::size_t terms) {
  const HighLayout h = high_layout(truncation_high_bits(l, s, k));
  const auto spread = static_cast<std::size_t>(std::bit_width(2 * terms));
  return std::max(2 * l + 1, s + h.chunks * h.chunk_bits + spread) + 2;
}

// Whether a field of `field_bits` bits (p >= 2^(field_bits - 1)) holds that sum.
inline bool truncation_fits(std::size_t field_bits, std::size_t top) { return top < field_bits; }

// ConfigError naming l, f, k, n and the field unless a truncation of 2l-bit
// values fits it (the 127-bit field for l = 32).
template <PrimeField F>
void check_fxp_fits(const Core<F>& c, std::size_t l, std::size_t f) {
  const std::size_t k = c.options().sec_param, s = std::max<std::size_t>(f, 1);
  const std::size_t top = truncation_top_bits(l, s, k, truncation_terms(c));
  if (truncation_fits(c.field().bit_length(), top)) return;
  throw ConfigError("secfxp(" + std::to_string(l) + ", " + std::to_string(f) + ") with security parameter k = " +
                    std::to_string(k) + " (n = " + std::to_string(c.n()) + ", t = " + std::to_string(c.t()) +
                    ") needs a field of about " + std::to_string(top + 1) + " bits (a product of 2l = " +
                    std::to_string(2 * l) + " bits masked with k more), more than " + c.field().name() +
                    " has: use GF(2^127 - 1) (Fp127) or a smaller l");
}

// v < p as an element; two64 = 2^64 in f (unused where f converts 128 bits itself).
template <PrimeField F>
typename F::Element from_u128(const F& f, u128 v, const typename F::Element& two64) {
  if constexpr (requires { f.from_uint128(v); }) {
    return f.from_uint128(v);
  } else {
    const auto low = f.from_uint(static_cast<std::uint64_t>(v));
    const auto high = static_cast<std::uint64_t>(v >> 64);
    return high == 0 ? low : f.add(f.mul(f.from_uint(high), two64), low);
  }
}

// Shares of count random integers R'' of about `bits` bits (high_layout): one
// call of random_ints for all chunks, R'' = sum_j 2^(j b) R_j.
template <PrimeField F>
boost::asio::awaitable<Shares<F>> random_high(Core<F>& c, Scope scope, std::size_t bits, std::size_t count) {
  const HighLayout h = high_layout(bits);
  auto all = co_await random_ints(c, scope, h.chunk_bits, h.chunks * count, kTruncationPrssSlack);
  if (h.chunks == 1) co_return all;
  const F& f = c.field();
  Shares<F> out(count, f.zero());
  const auto shift = power_of_two(f, h.chunk_bits);
  for (std::size_t j = h.chunks; j-- > 0;)
    for (std::size_t e = 0; e < count; ++e) out[e] = f.add(f.mul(out[e], shift), all[j * count + e]);
  co_return out;
}

// The randomness of one truncation by s bits of count values: R' and R'' (see the
// top of this file), R' either a sum (Truncation::sum) or made of s random bits
// (Truncation::bits). Independent of the values, so it is drawn alongside them.
template <PrimeField F>
struct TruncationMask {
  Shares<F> low;                   // R' (sum)
  std::vector<Shares<F>> low_bits;  // R''s bits, bits[i][e] (bits)
  Shares<F> high;                  // R''
  std::size_t bits = 0;
  std::size_t terms = 1;
};

template <PrimeField F>
boost::asio::awaitable<Shares<F>> truncation_low(Core<F>& c, Scope scope, std::size_t count, std::size_t s,
                                                 Truncation kind) {
  if (kind == Truncation::bits) co_return co_await random_bits(c, scope, s * count);
  co_return co_await random_ints(c, scope, s, count, kTruncationPrssSlack);
}

// `kind`: the session's truncation (SessionOptions::truncation) unless a protocol
// needs the error below one unit whatever the session says (exponential's
// integer part).
template <PrimeField F>
boost::asio::awaitable<TruncationMask<F>> truncation_mask(Core<F>& c, Scope scope, std::size_t count, std::size_t l,
                                                          std::size_t s, std::optional<Truncation> kind = {}) {
  using namespace boost::asio::experimental::awaitable_operators;
  if (s < 1 || s > 62) throw RangeError("truncation by " + std::to_string(s) + " bits (1..62)");
  const Truncation how = kind.value_or(c.options().truncation);
  auto low = truncation_low(c, scope.child(), count, s, how);
  auto high = random_high(c, scope.child(), truncation_high_bits(l, s, c.options().sec_param), count);
  auto both = co_await (std::move(low) && std::move(high));
  TruncationMask<F> out;
  if (how == Truncation::bits) {
    out.low_bits = split_bits<F>(std::get<0>(both), s, count);
  } else {
    out.low = std::move(std::get<0>(both));
    out.terms = truncation_terms(c);
  }
  out.high = std::move(std::get<1>(both));
  out.bits = s;
  co_return out;
}

// Truncation::bits: (x - (c mod 2^s) + R') / 2^s, R' from its bits, through
// compare.hpp's masked opening of a = x + 2^(2l-1) (MPyC's trunc). One round.
template <PrimeField F>
boost::asio::awaitable<Shares<F>> truncate_by_bits(Core<F>& c, Scope scope, Shares<F> x, TruncationMask<F> mask,
                                                   std::size_t l) {
  using E = typename F::Element;
  const F& f = c.field();
  const std::size_t count = x.size();
  const E shift = power_of_two(f, 2 * l - 1);
  Shares<F> a(count);
  for (std::size_t e = 0; e < count; ++e) a[e] = f.add(x[e], shift);
  std::vector<Shares<F>> high;  // R'' itself, as one base-2 "digit" (mask_and_open)
  high.push_back(std::move(mask.high));
  const auto opened = co_await mask_and_open(c, scope.child(), std::move(a), std::move(mask.low_bits),
                                             std::move(high), "fxp.trunc");
  const E inv = f.inv(power_of_two(f, mask.bits));
  for (std::size_t e = 0; e < count; ++e)
    x[e] = f.mul(f.add(f.sub(x[e], f.from_uint(opened.low[e])), opened.mask[e]), inv);
  co_return x;
}

// x / 2^s, rounded probabilistically (see the top of this file), for shares of x
// in [-2^(2l-1), 2^(2l-1)) and a mask of s bits. One round.
template <PrimeField F>
boost::asio::awaitable<Shares<F>> truncate(Core<F>& c, Scope scope, Shares<F> x, TruncationMask<F> mask,
                                           std::size_t l) {
  using E = typename F::Element;
  if (!mask.low_bits.empty()) co_return co_await truncate_by_bits(c, scope, std::move(x), std::move(mask), l);
  const F& f = c.field();
  const std::size_t s = mask.bits, count = x.size();
  const u128 delta = (static_cast<u128>(mask.terms - 1) * ((u128{1} << s) - 1)) / 2;
  const E two64 = power_of_two(f, 64);
  const E offset = f.sub(power_of_two(f, 2 * l), from_u128(f, delta, two64));
  const E shift = power_of_two(f, s);
  for (std::size_t e = 0; e < count; ++e)
    x[e] = f.add(f.add(f.add(x[e], offset), mask.low[e]), f.mul(shift, mask.high[e]));
  mask.low = {};
  const auto opened = co_await open(c, scope.child(), std::move(x), c.t(), "fxp.trunc");
  const E base = power_of_two(f, 2 * l - s);
  Shares<F> y(count);
  for (std::size_t e = 0; e < count; ++e)
    y[e] = f.sub(f.sub(from_u128(f, to_u128(f, opened[e]) >> s, two64), base), mask.high[e]);
  co_return y;
}

// x / 2^s for shares of x (|x| < 2^(2l-1)): the mask, then truncate. One round
// (two where the mask is dealt); none for s = 0.
template <PrimeField F>
boost::asio::awaitable<Shares<F>> shift_right(Core<F>& c, Scope scope, Shares<F> x, std::size_t l, std::size_t s,
                                              std::optional<Truncation> kind = {}) {
  if (s == 0 || x.empty()) co_return x;
  auto mask = co_await truncation_mask(c, scope.child(), x.size(), l, s, kind);
  co_return co_await truncate(c, scope.child(), std::move(x), std::move(mask), l);
}

// Element-wise x y / 2^s: the product and the truncation mask at once, then one
// opening. Two rounds.
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

// value where keep is 1, exactly 0 where keep is 0 (keep a shared 0/1). A sum-mask
// truncation (Truncation::sum) does not keep a zero product zero, so results that
// are defined as exactly 0 (division by secret zero, sqrt of x <= 0) pass through
// this: one product, none under Truncation::bits, whose truncation keeps them 0.
template <PrimeField F>
boost::asio::awaitable<Shares<F>> zero_unless(Core<F>& c, Scope scope, Shares<F> value, Shares<F> keep) {
  if (c.options().truncation == Truncation::bits) co_return value;
  co_return co_await mul(c, scope.child(), std::move(value), std::move(keep));
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
