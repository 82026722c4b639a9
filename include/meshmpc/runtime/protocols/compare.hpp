#pragma once
// Comparisons of secret integers (docs/protocols.md has rounds and traffic):
//  - a masked opening: c = a + r' + 2^m r'' with r' = sum_i r_i 2^i from m shared
//    random bits and r'' a random integer of k bits per term (HighMask), so that
//    c mod 2^m = (a + r') mod 2^m while c hides a statistically;
//  - the bitwise comparison [c' < r'] of a public c' with shared bits, by the
//    DGK-style product with a random sign (Nishide-Ohta 2007, as MPyC's sgn):
//    the opened product says only whether some factor is zero, which the random
//    sign turns into a uniformly random public bit;
//  - less_than_zero (a < b, sign, min, max) and is_zero (a == b) on top.
// Everything is vectorized: a batch of N comparisons takes the rounds of one.
#include <meshmpc/error.hpp>
#include <meshmpc/field/int128.hpp>
#include <meshmpc/runtime/core.hpp>
#include <meshmpc/runtime/protocols/io.hpp>
#include <meshmpc/runtime/protocols/mul.hpp>
#include <meshmpc/runtime/protocols/random.hpp>

#include <boost/asio/awaitable.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>

#include <algorithm>

#include <bit>
#include <cstdint>
#include <iterator>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

namespace meshmpc::protocols {

// The canonical value of an element known to be below 2^128 (an opened mask).
template <PrimeField F>
u128 to_u128(const F& f, const typename F::Element& e) {
  std::vector<std::byte> bytes(f.byte_size());
  f.encode(e, bytes);
  u128 v = 0;
  for (std::size_t i = std::min<std::size_t>(16, bytes.size()); i-- > 0;)
    v = (v << 8) | static_cast<u128>(std::to_integer<unsigned>(bytes[i]));
  return v;
}

// 2^e as an element.
template <PrimeField F>
typename F::Element power_of_two(const F& f, std::size_t e) {
  return f.pow(f.from_uint(2), static_cast<std::uint64_t>(e));
}

// The number of bits of v (std::bit_width has no unsigned __int128 overload).
inline std::size_t bit_width128(u128 v) {
  const auto high = static_cast<std::uint64_t>(v >> 64);
  return high ? 64 + static_cast<std::size_t>(std::bit_width(high))
              : static_cast<std::size_t>(std::bit_width(static_cast<std::uint64_t>(v)));
}

// True when bound < p.
template <PrimeField F>
bool below_modulus(const F& f, u128 bound) {
  if constexpr (requires { { f.modulus() } -> std::convertible_to<std::uint64_t>; }) {
    return bound < static_cast<u128>(f.modulus());
  } else {
    return bit_width128(bound) < f.bit_length();  // bound < 2^(B-1) <= p
  }
}

// Whether a masked opening cannot wrap around p: a < 2^value_bits plus the mask
// r' < 2^m plus 2^m times the high part's bound (terms * 2^k) stays below p. `top`
// is set to the bits that sum needs. choose_integer_field (field_choice.hpp)
// asks the same question of each shipped field.
template <PrimeField F>
bool mask_fits(const F& f, std::size_t m, std::size_t value_bits, std::size_t k, std::size_t terms,
               std::size_t* top = nullptr) {
  const std::size_t bits = std::max(value_bits, m + k + static_cast<std::size_t>(std::bit_width(terms))) + 1;
  if (top) *top = bits;
  if (bits >= 127) return bits < f.bit_length();
  return below_modulus(f, (u128{1} << value_bits) + (u128{1} << m) + (static_cast<u128>(terms) << (m + k)));
}

// Where the high part r'' of a mask comes from (docs/protocols.md, "Which field"):
//  dealt — t + 1 parties each deal a k-bit integer (random_ints: one round, one
//          element per party); the sum needs log2(t + 1) bits more than k, so it
//          fits a field only up to some n;
//  bits  — k shared random bits, r'' uniform in [0, 2^k): one term at any n, at
//          the price of k more random bits per value, drawn with the mask's own.
// Both hide a with statistical distance 2^(1-k). dealt is the cheaper where it fits.
enum class HighMask { dealt, bits };

// The high mask a masked opening of m-bit values (a < 2^value_bits) uses in this
// session: dealt if it fits the field, else bits; ConfigError naming the
// operation, m, k, n and the field if neither fits.
template <PrimeField F>
HighMask check_mask_fits(const Core<F>& c, std::size_t m, std::size_t value_bits, const char* op) {
  const std::size_t k = c.options().sec_param;
  const std::size_t terms = random_ints_terms(c);
  if (m < 1 || m > 64)
    throw ConfigError(std::string(op) + ": bit length " + std::to_string(m) + " is outside 1..64");
  if (mask_fits(c.field(), m, value_bits, k, terms)) return HighMask::dealt;
  std::size_t top = 0;
  if (mask_fits(c.field(), m, value_bits, k, 1, &top)) return HighMask::bits;
  throw ConfigError(std::string(op) + ": " + std::to_string(m) + "-bit values with security parameter k = " +
                    std::to_string(k) + " (n = " + std::to_string(c.n()) + ", t = " + std::to_string(c.t()) +
                    ") need a field of about " + std::to_string(top) + " bits, more than " + c.field().name() +
                    " has: use a larger field, a smaller bit length or a smaller k");
}

// The random bits a masked opening of count values takes beyond its m mask bits.
template <PrimeField F>
std::size_t high_mask_bits(const Core<F>& c, HighMask mode) {
  return mode == HighMask::bits ? c.options().sec_param : 0;
}

// Runs `step` (a comparison of a batch, returning `blocks` results per value,
// block-major: entry j count + e) on x in slices of at most
// SessionOptions::comparison_slice values, two slices at a time, and lays the
// results out as one call on all of x would. A comparison's working memory is
// dozens of elements per value (its mask bits and their products), so slicing
// bounds it by the slice instead of the batch; the price is rounds: the rounds
// of one call per pair of slices. A batch within one slice (or a slice of 0)
// is one call on the same scope, exactly as without slicing.
template <PrimeField F, typename Step>
boost::asio::awaitable<Shares<F>> in_slices(Core<F>& c, Scope scope, Shares<F> x, std::size_t blocks, Step step) {
  using namespace boost::asio::experimental::awaitable_operators;
  const std::size_t count = x.size(), slice = c.options().comparison_slice;
  if (slice == 0 || count <= slice) co_return co_await step(c, scope, std::move(x));
  Shares<F> out(blocks * count);
  const auto place = [&](const Shares<F>& part, std::size_t begin, std::size_t end) {
    const std::size_t len = end - begin;
    for (std::size_t j = 0; j < blocks; ++j)
      std::copy(part.begin() + static_cast<std::ptrdiff_t>(j * len), part.begin() + static_cast<std::ptrdiff_t>((j + 1) * len),
                out.begin() + static_cast<std::ptrdiff_t>(j * count + begin));
  };
  const auto values = [&](std::size_t begin, std::size_t end) {
    return Shares<F>(x.begin() + static_cast<std::ptrdiff_t>(begin), x.begin() + static_cast<std::ptrdiff_t>(end));
  };
  for (std::size_t begin = 0; begin < count; begin += 2 * slice) {
    const std::size_t mid = std::min(count, begin + slice), end = std::min(count, mid + slice);
    auto first = step(c, scope.child(), values(begin, mid));
    if (mid == end) {
      place(co_await std::move(first), begin, mid);
      continue;
    }
    auto second = step(c, scope.child(), values(mid, end));
    auto both = co_await (std::move(first) && std::move(second));
    place(std::get<0>(both), begin, mid);
    place(std::get<1>(both), mid, end);
  }
  co_return out;
}

// Element-wise product of all factor vectors (each of the same length): a tree
// of products (fold_tree), one multiplication per level with every pair of the
// level in it. RangeError if there are no factors.
template <FiniteField F>
boost::asio::awaitable<Shares<F>> multiply_all(Core<F>& c, Scope scope, std::vector<Shares<F>> factors) {
  co_return co_await fold_tree(c, scope, std::move(factors), mul<F>, "multiply_all");
}

// The same for `rows` factor vectors stored one after another in `flat`.
template <FiniteField F>
boost::asio::awaitable<Shares<F>> multiply_rows(Core<F>& c, Scope scope, Shares<F> flat, std::size_t rows) {
  co_return co_await fold_rows(c, scope, std::move(flat), rows, mul<F>, "multiply_all");
}

// What a masked opening leaves: the public low bits c' = c mod 2^m, the shared
// mask bits (bits[i][e] is bit i of element e's r') and r' itself.
template <PrimeField F>
struct MaskedOpening {
  std::vector<std::uint64_t> low;
  std::vector<Shares<F>> bits;
  Shares<F> mask;
};

// Splits m * count bits (bit-major) into m vectors.
template <PrimeField F>
std::vector<Shares<F>> split_bits(const Shares<F>& all, std::size_t m, std::size_t count) {
  std::vector<Shares<F>> bits(m);
  for (std::size_t i = 0; i < m; ++i)
    bits[i].assign(all.begin() + static_cast<std::ptrdiff_t>(i * count),
                   all.begin() + static_cast<std::ptrdiff_t>((i + 1) * count));
  return bits;
}

// Opens c = a + r' + 2^m r'' for shares of non-negative a given the m mask bits
// (split_bits) and, for HighMask::bits, the k bits of r'' (`high_bits`; empty for
// dealt). check_mask_fits first. One round, plus random_ints' one for dealt r''.
// `tag` names the caller's step for the audit hook.
template <PrimeField F>
boost::asio::awaitable<MaskedOpening<F>> mask_and_open(Core<F>& c, Scope scope, Shares<F> a,
                                                       std::vector<Shares<F>> bits,
                                                       std::vector<Shares<F>> high_bits, const char* tag) {
  using E = typename F::Element;
  const F& f = c.field();
  const std::size_t m = bits.size(), count = a.size();
  // Horner: sum_i 2^i v_i.
  auto combine = [&](const std::vector<Shares<F>>& vs) {
    Shares<F> sum(count, f.zero());
    for (std::size_t i = vs.size(); i-- > 0;) {
      f.add(std::span<E>(sum), std::span<const E>(sum), std::span<const E>(sum));
      f.add(std::span<E>(sum), std::span<const E>(sum), std::span<const E>(vs[i]));
    }
    return sum;
  };
  // (No co_await inside ?: — GCC 12 miscompiles it.)
  Shares<F> high;
  if (high_bits.empty())
    high = co_await random_ints(c, scope.child(), c.options().sec_param, count);
  else
    high = combine(high_bits);
  Shares<F> mask = combine(bits);
  Shares<F> masked(count);
  f.add(std::span<E>(masked), std::span<const E>(a), std::span<const E>(mask));
  f.axpy(std::span<E>(masked), power_of_two(f, m), std::span<const E>(high));
  const auto opened = co_await open(c, scope.child(), std::move(masked), c.t(), tag);
  MaskedOpening<F> out;
  out.low.resize(count);
  const u128 low_mask = (u128{1} << m) - 1;  // m <= 64
  for (std::size_t e = 0; e < count; ++e) out.low[e] = static_cast<std::uint64_t>(to_u128(f, opened[e]) & low_mask);
  out.bits = std::move(bits);
  out.mask = std::move(mask);
  co_return out;
}

// [pub < r] for public m-bit pub and shared bits of r (bits[i] = bit i), given one
// more shared random bit `flip` per element. With s' = 1 - 2 flip and, from the
// top bit down, e_i = s' + r_i - pub_i + 3 * #{j > i: r_j != pub_j}, and
// e_m = s' - 1 + 3 * #{j: r_j != pub_j}, some e is zero exactly when r < pub or
// r = pub (flip = 0), or when r > pub (flip = 1). The product of all e times a
// random rho is opened: whether it is zero is uniformly random to the parties.
// Rounds: ceil(log2(m + 2)) products and one opening; m + 1 products per element.
template <PrimeField F>
boost::asio::awaitable<Shares<F>> public_less_than_bits(Core<F>& c, Scope scope, std::vector<std::uint64_t> pub,
                                                        std::vector<Shares<F>> bits, Shares<F> flip) {
  using E = typename F::Element;
  const F& f = c.field();
  const std::size_t m = bits.size(), count = pub.size();
  const E one = f.one();
  // s' = 1 - 2 flip
  // Small multiples by additions: a full product costs several times more in Fp127.
  const auto times3 = [&f](const E& v) { return f.add(f.add(v, v), v); };
  Shares<F> sign(count);
  for (std::size_t e = 0; e < count; ++e) sign[e] = f.sub(one, f.add(flip[e], flip[e]));
  // The m + 2 factors, row after row (factor m - 1 - i for bit i, then e_m, then
  // rho), in one buffer: multiply_rows pairs its halves without copying them.
  // Reserved, then grown row by row as the bits' rows are freed: the two are not
  // both whole at once.
  Shares<F> factors;
  factors.reserve((m + 2) * count);
  const auto next_row = [&] {
    factors.resize(factors.size() + count);
    return factors.end() - static_cast<std::ptrdiff_t>(count);
  };
  Shares<F> differ(count, f.zero());  // #{j > i: r_j != pub_j}, shared
  for (std::size_t i = m; i-- > 0;) {
    const auto fi = next_row();
    const Shares<F>& bit = bits[i];
    for (std::size_t e = 0; e < count; ++e) {
      const bool p = (pub[e] >> i) & 1U;
      E v = f.add(sign[e], bit[e]);
      if (p) v = f.sub(v, one);
      fi[static_cast<std::ptrdiff_t>(e)] = f.add(v, times3(differ[e]));
      // r_i XOR p: r_i, or 1 - r_i
      differ[e] = f.add(differ[e], p ? f.sub(one, bit[e]) : bit[e]);
    }
    Shares<F>().swap(bits[i]);  // used: free it before the next row is written
  }
  const auto last = next_row();
  for (std::size_t e = 0; e < count; ++e) last[static_cast<std::ptrdiff_t>(e)] = f.add(f.sub(sign[e], one), times3(differ[e]));
  Shares<F>().swap(differ);
  Shares<F>().swap(sign);
  const auto rho = co_await random(c, scope.child(), count);
  factors.insert(factors.end(), rho.begin(), rho.end());
  const auto product = co_await multiply_rows(c, scope.child(), std::move(factors), m + 2);
  const auto opened = co_await open(c, scope.child(), product, c.t(), "bits_lt.product");
  Shares<F> out(count);
  for (std::size_t e = 0; e < count; ++e) {
    // [pub < r] = flip ? z : 1 - z, with z = [product == 0]: (1 - z) + flip (2z - 1)
    const bool z = f.is_zero(opened[e]);
    out[e] = z ? flip[e] : f.sub(one, flip[e]);
  }
  co_return out;
}

// What less_than_zero and is_zero start with: a = x + 2^l (in [0, 2^(l+1)) for x
// in [-2^l, 2^l)), its masked opening, and the spare random bits drawn with the
// mask's (spare[s][e]: spare bit s of element e).
template <PrimeField F>
struct ShiftedOpening {
  Shares<F> a;
  MaskedOpening<F> opened;
  std::vector<Shares<F>> spare;
};

// The common first steps of less_than_zero and is_zero, for a non-empty batch:
// check_mask_fits (ConfigError naming `op`), a = x + 2^l, one call of random_bits
// for the l mask bits, `spare` more bits per element and the high mask's bits if
// it is made of bits (in that order) — or, for a dealt high mask, random_ints at
// the same time (it does not depend on the bits, so its round overlaps theirs) —
// then mask_and_open (`tag` for the audit hook). random bits + 1 rounds. `scope` is
// the caller's, by reference: its next children go to these steps; the caller
// awaits at once.
template <PrimeField F>
boost::asio::awaitable<ShiftedOpening<F>> open_shifted(Core<F>& c, Scope& scope, Shares<F> x, std::size_t l,
                                                       std::size_t spare, const char* op, const char* tag) {
  const F& f = c.field();
  const std::size_t count = x.size();
  const HighMask mode = check_mask_fits(c, l, l + 1, op);
  const std::size_t extra = high_mask_bits(c, mode);
  const auto two_l = power_of_two(f, l);
  ShiftedOpening<F> out;
  out.a = std::move(x);
  for (auto& v : out.a) v = f.add(v, two_l);
  const std::size_t drawn = l + spare + extra;
  std::vector<Shares<F>> high;  // r'' as one base-2 digit (dealt), or its k bits
  Shares<F> all_bits;
  Scope bits_scope = scope.child();
  if (mode == HighMask::dealt) {
    using namespace boost::asio::experimental::awaitable_operators;
    Scope high_scope = scope.child();  // taken before either counts: the two rounds overlap
    auto both = co_await (random_bits(c, bits_scope, drawn * count) &&
                          random_ints(c, high_scope, c.options().sec_param, count));
    all_bits = std::move(std::get<0>(both));
    high.push_back(std::move(std::get<1>(both)));
  } else {
    all_bits = co_await random_bits(c, bits_scope, drawn * count);
  }
  auto bits = split_bits<F>(std::exchange(all_bits, {}), drawn, count);  // one copy alive, not two
  const auto at = [&](std::size_t i) { return std::make_move_iterator(bits.begin() + static_cast<std::ptrdiff_t>(i)); };
  if (mode == HighMask::bits) high.assign(at(l + spare), at(drawn));
  out.spare.assign(at(l), at(l + spare));
  bits.resize(l);
  out.opened = co_await mask_and_open(c, scope.child(), out.a, std::move(bits), std::move(high), tag);
  co_return out;
}

// [x < T_j] for shares of integers x and public thresholds T_0..T_(k-1), with
// every x - T_j in [-2^l, 2^l): k count-element blocks, threshold-major (entry
// j count + e is [x_e < T_j]). One masked opening of a = x + 2^l serves them all:
// a - T_j opens as c - T_j, so (c - T_j) mod 2^l comes from the public c' and only
// the bitwise comparison with the mask bits r' is per threshold (one DGK batch of
// k count elements, each with its own flip bit, so that the opened zero-nesses
// stay independent). l + k random bits per value instead of k (l + 1).
template <PrimeField F>
boost::asio::awaitable<Shares<F>> less_than_thresholds_at_once(Core<F>& c, Scope scope, Shares<F> x,
                                                               std::vector<std::int64_t> thresholds, std::size_t l) {
  using E = typename F::Element;
  const F& f = c.field();
  const std::size_t count = x.size(), k = thresholds.size();
  if (count == 0 || k == 0) co_return Shares<F>{};
  auto shifted = co_await open_shifted(c, scope, std::move(x), l, k, "comparison", "ltz.masked");
  MaskedOpening<F>& opened = shifted.opened;
  // (c - T_j) mod 2^l for every j, and the mask bits repeated for each threshold.
  const std::uint64_t low_mask = l >= 64 ? ~std::uint64_t{0} : (std::uint64_t{1} << l) - 1;
  std::vector<std::uint64_t> pub(k * count);
  for (std::size_t j = 0; j < k; ++j)
    for (std::size_t e = 0; e < count; ++e)
      pub[j * count + e] = (opened.low[e] - static_cast<std::uint64_t>(thresholds[j])) & low_mask;
  std::vector<Shares<F>> bits = std::move(opened.bits);
  if (k > 1)
    for (auto& b : bits) {
      Shares<F> repeated;
      repeated.reserve(k * count);
      for (std::size_t j = 0; j < k; ++j) repeated.insert(repeated.end(), b.begin(), b.end());
      b = std::move(repeated);
    }
  Shares<F> flips;
  flips.reserve(k * count);
  for (auto& spare : shifted.spare) flips.insert(flips.end(), spare.begin(), spare.end());
  shifted.spare = {};
  const auto below = co_await public_less_than_bits(c, scope.child(), pub, std::move(bits), std::move(flips));
  // a - T_j mod 2^l = c'_j - r' + 2^l [c'_j < r'], and [x < T_j] = 1 - floor((a - T_j) / 2^l).
  const E two_l = power_of_two(f, l);
  const E inv_two_l = f.inv(two_l);
  Shares<F> out(k * count);
  for (std::size_t j = 0; j < k; ++j) {
    const E t = f.from_int(thresholds[j]);
    for (std::size_t e = 0; e < count; ++e) {
      const std::size_t q = j * count + e;
      const E a_mod = f.add(f.sub(f.from_uint(pub[q]), opened.mask[e]), f.mul(two_l, below[q]));
      out[q] = f.sub(f.one(), f.mul(f.sub(f.sub(shifted.a[e], t), a_mod), inv_two_l));
    }
  }
  co_return out;
}

// less_than_thresholds_at_once, in slices of SessionOptions::comparison_slice
// values (in_slices) when the batch is larger.
template <PrimeField F>
boost::asio::awaitable<Shares<F>> less_than_thresholds(Core<F>& c, Scope scope, Shares<F> x,
                                                       std::vector<std::int64_t> thresholds, std::size_t l) {
  const std::size_t blocks = thresholds.size();
  co_return co_await in_slices(c, scope, std::move(x), blocks, [&thresholds, l](Core<F>& core, Scope part, Shares<F> values) {
    return less_than_thresholds_at_once(core, part, std::move(values), thresholds, l);
  });
}

// [x < 0] for shares of integers x in [-2^l, 2^l) (the difference of two l-bit
// integers): less_than_thresholds with the one threshold 0. l + 1 random bits
// (the mask's and a flip), a masked opening of a = x + 2^l (open_shifted),
// public_less_than_bits; [x < 0] = 1 - floor(a / 2^l).
template <PrimeField F>
boost::asio::awaitable<Shares<F>> less_than_zero(Core<F>& c, Scope scope, Shares<F> x, std::size_t l) {
  std::vector<std::int64_t> zero{0};
  co_return co_await less_than_thresholds(c, scope, std::move(x), std::move(zero), l);
}

// [x == 0] for shares of integers x in (-2^l, 2^l): x = 0 exactly when
// x + 2^l = 0 mod 2^l, i.e. when the opened c' equals r' bit for bit; the product
// of the l bit equalities. l random bits, one opening (open_shifted),
// ceil(log2 l) products.
template <PrimeField F>
boost::asio::awaitable<Shares<F>> is_zero_at_once(Core<F>& c, Scope scope, Shares<F> x, std::size_t l) {
  const F& f = c.field();
  const std::size_t count = x.size();
  if (count == 0) co_return Shares<F>{};
  const auto shifted = co_await open_shifted(c, scope, std::move(x), l, 0, "equality test", "is_zero.masked");
  const MaskedOpening<F>& opened = shifted.opened;
  std::vector<Shares<F>> equal(l, Shares<F>(count));
  for (std::size_t i = 0; i < l; ++i)
    for (std::size_t e = 0; e < count; ++e)
      equal[i][e] = ((opened.low[e] >> i) & 1U) ? opened.bits[i][e] : f.sub(f.one(), opened.bits[i][e]);
  co_return co_await multiply_all(c, scope.child(), std::move(equal));
}

// is_zero_at_once in slices (in_slices).
template <PrimeField F>
boost::asio::awaitable<Shares<F>> is_zero(Core<F>& c, Scope scope, Shares<F> x, std::size_t l) {
  co_return co_await in_slices(c, scope, std::move(x), 1, [l](Core<F>& core, Scope part, Shares<F> values) {
    return is_zero_at_once(core, part, std::move(values), l);
  });
}

// A b with q >= 2^b for the field's size q (b = B - 1 for a B-bit prime).
template <FiniteField F>
std::size_t order_bits_lower_bound(const F& f) {
  if constexpr (ExtensionField<F>) {
    try {
      return bit_width128(f.order_minus_one()) - 1;
    } catch (const RangeError&) {
      return 128;  // q > 2^128
    }
  } else {
    return f.bit_length() - 1;
  }
}

// Whether each x is zero, revealed (and nothing else): open x * rho for random
// rho. Two rounds. A zero rho (probability 1/q) would report a false zero, so in a
// small field (GF(2^8), say) r independent rho are used, with q^r >= 2^k for the
// statistical security parameter k: x counts as zero only if all r products are.
// `tag` names the caller's step for the audit hook.
template <FiniteField F>
boost::asio::awaitable<std::vector<bool>> is_zero_public(Core<F>& c, Scope scope, Shares<F> x,
                                                         const char* tag = "is_zero_public") {
  const std::size_t count = x.size();
  const std::size_t bits_per_rho = std::max<std::size_t>(1, order_bits_lower_bound(c.field()));
  const std::size_t r = (c.options().sec_param + bits_per_rho - 1) / bits_per_rho;
  auto rho = co_await random(c, scope.child(), count * std::max<std::size_t>(r, 1));
  Shares<F> xs;
  xs.reserve(rho.size());
  for (std::size_t j = 0; j < std::max<std::size_t>(r, 1); ++j) xs.insert(xs.end(), x.begin(), x.end());
  const auto masked = co_await mul(c, scope.child(), std::move(xs), std::move(rho));
  const auto opened = co_await open(c, scope.child(), masked, c.t(), tag);
  std::vector<bool> out(count, true);
  for (std::size_t e = 0; e < opened.size(); ++e)
    if (!c.field().is_zero(opened[e])) out[e % count] = false;
  co_return out;
}

}  // namespace meshmpc::protocols
