#pragma once
// Fp127: GF(2^127 - 1), the Mersenne prime field for 64-bit secure integers
// (l + k + 2 = 96..127 bits). Reduction mod a Mersenne prime is two shifts and an
// add, so elements stay in canonical form (no Montgomery conversion).
#include <meshmpc/field/field_ops.hpp>
#include <meshmpc/field/int128.hpp>
#include <meshmpc/field/prime_field.hpp>

#include <cstdint>
#include <optional>
#include <span>
#include <string>

namespace meshmpc {




class Fp127Core {
 public:
  static constexpr u128 kP = (static_cast<u128>(1) << 127) - 1;

  struct Element {
    u128 v = 0;  // canonical, in [0, p)
    friend bool operator==(const Element&, const Element&) = default;
  };

  Fp127Core() = default;

  const std::string& name() const;
  std::size_t bit_length() const { return 127; }
  std::size_t byte_size() const { return 16; }

  Element zero() const { return {}; }
  Element one() const { return {1}; }
  bool is_zero(Element a) const { return a.v == 0; }

  // Branch-free on the data (see reduce): on random data a data-dependent branch
  // mispredicts half the time, and the values are secret shares. The arithmetic works
  // on 64-bit halves with explicit carries: GCC 12 kept the 128-bit temporaries of the
  // plain u128 formulas in stack slots (a store and a reload per carry, a
  // store-forwarding stall each), which was most of the time of axpy and resharing.
  Element add(Element a, Element b) const {
    // a + b < 2p < 2^128: the high half cannot overflow.
    std::uint64_t lo;
    const std::uint64_t carry = __builtin_add_overflow(lo_of(a), lo_of(b), &lo);
    return reduce(lo, hi_of(a) + hi_of(b) + carry);
  }
  Element sub(Element a, Element b) const { return sub_halves(lo_of(a), hi_of(a), lo_of(b), hi_of(b)); }
  Element neg(Element a) const { return sub_halves(0, 0, lo_of(a), hi_of(a)); }
  Element mul(Element a, Element b) const {
    return mul_add(lo_of(a), hi_of(a), lo_of(b), hi_of(b), 0, 0);
  }
  Element inv(Element a) const;
  // p = 3 (mod 4): sqrt(a) = a^((p+1)/4) when a is a square.
  std::optional<Element> sqrt(Element a) const;

  Element from_int(std::int64_t v) const {
    return v < 0 ? neg({static_cast<u128>(0 - static_cast<std::uint64_t>(v))}) : Element{static_cast<u128>(v)};
  }
  Element from_uint(std::uint64_t v) const { return {v}; }
  // Integers in the centered range [-(p-1)/2, (p-1)/2].
  Element from_int128(i128 v) const;
  Element from_uint128(u128 v) const;
  // Throws RangeError when the centered value does not fit 64 bits.
  std::int64_t to_int(Element a) const;
  i128 to_int128(Element a) const { return a.v <= (kP >> 1) ? static_cast<i128>(a.v) : -static_cast<i128>(kP - a.v); }
  std::string to_string(Element a) const;

  void encode(Element a, std::span<std::byte> out) const;
  Element decode(std::span<const std::byte> in) const;
  // Vectors, 16 bytes per element (Field checks the lengths): one copy each, where
  // a byte loop per element cost a tenth of a fixed-point division's time.
  void encode(std::span<const Element> x, std::span<std::byte> out) const;
  void decode(std::span<const std::byte> in, std::span<Element> out) const;

  // Vectors (Field calls these after checking the lengths). Each out[i] depends only
  // on the inputs' element i, read before out[i] is written: out may alias x or y.
  //
  // out += a x, with one reduction per element (mul_add). Lagrange and resharing
  // coefficients are mostly small integers or their negatives (3, -3, 1 at n = 3):
  // for those, a 64-bit by 128-bit product (two multiplications instead of four). The
  // coefficient is public: the tests on it are outside the loops.
  void axpy(std::span<Element> out, Element a, std::span<const Element> x) const {
    if (hi_of(a) == 0) return mul_small_loop<false, true>(out, lo_of(a), x);
    if (const u128 minus_a = kP - a.v; minus_a >> 64 == 0)
      return mul_small_loop<true, true>(out, low_word(minus_a), x);
    const std::uint64_t a_lo = lo_of(a), a_hi = hi_of(a);
    for (std::size_t i = 0; i < out.size(); ++i)
      out[i] = mul_add(a_lo, a_hi, lo_of(x[i]), hi_of(x[i]), lo_of(out[i]), hi_of(out[i]));
  }
  // out = a x.
  void scale(std::span<Element> out, Element a, std::span<const Element> x) const {
    if (hi_of(a) == 0) return mul_small_loop<false, false>(out, lo_of(a), x);
    if (const u128 minus_a = kP - a.v; minus_a >> 64 == 0)
      return mul_small_loop<true, false>(out, low_word(minus_a), x);
    const std::uint64_t a_lo = lo_of(a), a_hi = hi_of(a);
    for (std::size_t i = 0; i < out.size(); ++i) out[i] = mul_add(a_lo, a_hi, lo_of(x[i]), hi_of(x[i]), 0, 0);
  }
  // out = x - y and out = -x: the same reduction as sub_halves, on the 128-bit
  // difference. In a loop of their own GCC 12 keeps it in a register pair and emits
  // sub, sbb, sar, and, add, adc (1.25 ns an element against 1.5 for the halves);
  // mixed with other arithmetic in a caller's loop the 128-bit form spills again, so
  // the scalar ops keep the halves.
  void sub(std::span<Element> out, std::span<const Element> x, std::span<const Element> y) const {
    for (std::size_t i = 0; i < out.size(); ++i) out[i] = {fold_difference(x[i].v - y[i].v)};
  }
  void neg(std::span<Element> out, std::span<const Element> x) const {
    for (std::size_t i = 0; i < out.size(); ++i) out[i] = {fold_difference(0 - x[i].v)};
  }
  // sum x[i] y[i], the running sum taken as the addend of the next product: one
  // reduction per element instead of two.
  Element inner(std::span<const Element> x, std::span<const Element> y) const {
    Element acc{};
    for (std::size_t i = 0; i < x.size(); ++i)
      acc = mul_add(lo_of(x[i]), hi_of(x[i]), lo_of(y[i]), hi_of(y[i]), lo_of(acc), hi_of(acc));
    return acc;
  }

  template <WordSource W>
  Element random(W& words) const {
    for (;;) {
      // Two statements: the operands of | are unsequenced, and every party (whatever
      // its compiler) must read the words in the same order: high word first.
      const std::uint64_t hi = words.next_word();
      const std::uint64_t lo = words.next_word();
      const u128 v = (static_cast<u128>(hi) << 64 | lo) & kP;
      if (v < kP) return {v};
    }
  }

 protected:
  static constexpr std::uint64_t kHighMask = ~std::uint64_t{0} >> 1;  // the high half of p

  static std::uint64_t low_word(u128 v) { return static_cast<std::uint64_t>(v); }
  static std::uint64_t high_word(u128 v) { return static_cast<std::uint64_t>(v >> 64); }
  static std::uint64_t lo_of(Element a) { return low_word(a.v); }
  static std::uint64_t hi_of(Element a) { return high_word(a.v); }
  static Element join(std::uint64_t lo, std::uint64_t hi) { return {static_cast<u128>(hi) << 64 | lo}; }

  // s mod p for s = hi 2^64 + lo in [0, 2p). Bit 127 of s + 1 (no overflow: s + 1 < 2^128)
  // is set exactly when s >= p; spread to a mask, it selects p to subtract (p's halves
  // are the mask and the mask shifted right once). A mask, not a branch.
  static Element reduce(std::uint64_t lo, std::uint64_t hi) {
    std::uint64_t t_lo;
    const std::uint64_t t_hi = hi + __builtin_add_overflow(lo, std::uint64_t{1}, &t_lo);
    const std::uint64_t ge = 0 - (t_hi >> 63);  // all ones when s >= p
    std::uint64_t r_lo;
    const std::uint64_t r_hi = hi - ((ge >> 1) + __builtin_sub_overflow(lo, ge, &r_lo));
    return join(r_lo, r_hi);
  }

  // (a - b) mod p for a, b in [0, 2^127), from the 128-bit difference d = a - b mod 2^128.
  // When a >= b, d = a - b < 2^127. Otherwise d = 2^128 + a - b lies in (2^127, 2^128):
  // bit 127 is set and d - 2^127 >= 1, so (d - 2^127) - 1 = a - b + p (as 2^128 = 2^127 +
  // 2^127 and p = 2^127 - 1) without a borrow past the low bits. Both cases are
  // (d with bit 127 cleared) - (bit 127 of d). With a = 0 this is neg: 0 for b = 0.
  static Element sub_halves(std::uint64_t a_lo, std::uint64_t a_hi, std::uint64_t b_lo, std::uint64_t b_hi) {
    std::uint64_t d_lo;
    const std::uint64_t d_hi = a_hi - (b_hi + __builtin_sub_overflow(a_lo, b_lo, &d_lo));  // b_hi < 2^63
    // Subtracting bit 127 is adding all ones (minus_top, both halves) when it is set.
    const auto minus_top = static_cast<std::uint64_t>(static_cast<std::int64_t>(d_hi) >> 63);
    std::uint64_t r_lo;
    const std::uint64_t r_hi = (d_hi & kHighMask) + minus_top + __builtin_add_overflow(d_lo, minus_top, &r_lo);
    return join(r_lo, r_hi);
  }

  // d = a - b mod 2^128 for a, b < 2^127 to (a - b) mod p: see sub_halves.
  static u128 fold_difference(u128 d) { return (d & kP) - (d >> 127); }

  // (a b + c) mod p for a, b, c < 2^127 with a b + c <= (p-1)^2 + p - 1 = p (p-1) (true
  // when all three are canonical). y = a b + c < 2^254 in four words w0..w3; as
  // 2^127 = 1 (mod p), y = H 2^127 + L is L + H mod p, with L = y mod 2^127 and
  // H = y >> 127. H <= p (p-1) / 2^127 < 2^127 - 2, so L + H < 2^128 - 3 < 2p and
  // one reduce finishes. Only the products (and mid, a sum of two) are 128-bit: the
  // word sums carry through __builtin_add_overflow, because GCC 12 built every 128-bit
  // sum with a zero-extended word (say p11 + (mid >> 64)) in a stack slot.
  static Element mul_add(std::uint64_t a_lo, std::uint64_t a_hi, std::uint64_t b_lo, std::uint64_t b_hi,
                         std::uint64_t c_lo, std::uint64_t c_hi) {
    const u128 p00 = static_cast<u128>(a_lo) * b_lo;
    // a_hi, b_hi < 2^63: each cross product is < 2^127 and their sum fits 128 bits.
    const u128 mid = static_cast<u128>(a_lo) * b_hi + static_cast<u128>(a_hi) * b_lo;
    const u128 p11 = static_cast<u128>(a_hi) * b_hi;  // < 2^126
    std::uint64_t w0, w1, w2;
    const std::uint64_t k0 = __builtin_add_overflow(low_word(p00), c_lo, &w0);
    std::uint64_t k1 = __builtin_add_overflow(high_word(p00), low_word(mid), &w1);
    k1 += __builtin_add_overflow(w1, c_hi + k0, &w1);  // c_hi < 2^63: c_hi + k0 cannot wrap
    std::uint64_t k2 = __builtin_add_overflow(low_word(p11), high_word(mid), &w2);
    k2 += __builtin_add_overflow(w2, k1, &w2);
    const std::uint64_t w3 = high_word(p11) + k2;  // y < 2^254: no carry out of w3
    const std::uint64_t h_lo = w2 << 1 | w1 >> 63, h_hi = w3 << 1 | w2 >> 63;
    std::uint64_t s_lo;
    const std::uint64_t carry = __builtin_add_overflow(w0, h_lo, &s_lo);
    return reduce(s_lo, (w1 & kHighMask) + h_hi + carry);
  }

  // (m x + c) mod p for m < 2^64 and x, c < 2^127 with x <= p and c < p:
  // y = m x + c <= (2^64 - 1) p + p - 1 < 2^191 in three words, so H = y >> 127 < 2^64
  // and L + H < 2^127 + 2^64 < 2p: one reduce finishes.
  static Element mul_small_add(std::uint64_t m, std::uint64_t x_lo, std::uint64_t x_hi, std::uint64_t c_lo,
                               std::uint64_t c_hi) {
    const u128 p0 = static_cast<u128>(x_lo) * m;
    const u128 p1 = static_cast<u128>(x_hi) * m;  // < 2^127
    std::uint64_t w0, w1;
    const std::uint64_t k0 = __builtin_add_overflow(low_word(p0), c_lo, &w0);
    std::uint64_t k1 = __builtin_add_overflow(high_word(p0), low_word(p1), &w1);
    k1 += __builtin_add_overflow(w1, c_hi + k0, &w1);  // c_hi < 2^63: c_hi + k0 cannot wrap
    const std::uint64_t w2 = high_word(p1) + k1;        // < 2^63 + 2
    const std::uint64_t h = w2 << 1 | w1 >> 63;
    std::uint64_t s_lo;
    const std::uint64_t carry = __builtin_add_overflow(w0, h, &s_lo);
    return reduce(s_lo, (w1 & kHighMask) + carry);
  }

  // out = (Accumulate ? out : 0) + (Negate ? -m : m) x. For -m, m (p - x) = -m x: p - x
  // is x XOR p for x <= p, and p - x = p (for x = 0) is still a valid input of
  // mul_small_add.
  template <bool Negate, bool Accumulate>
  static void mul_small_loop(std::span<Element> out, std::uint64_t m, std::span<const Element> x) {
    for (std::size_t i = 0; i < out.size(); ++i) {
      std::uint64_t x_lo = lo_of(x[i]), x_hi = hi_of(x[i]);
      if constexpr (Negate) {
        x_lo = ~x_lo;
        x_hi ^= kHighMask;
      }
      out[i] = Accumulate ? mul_small_add(m, x_lo, x_hi, lo_of(out[i]), hi_of(out[i]))
                          : mul_small_add(m, x_lo, x_hi, 0, 0);
    }
  }
};

using Fp127 = Field<Fp127Core>;
static_assert(PrimeField<Fp127>);

std::string u128_to_string(u128 v);

}  // namespace meshmpc
