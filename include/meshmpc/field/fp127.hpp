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

  // Branch-free (see reduce): on random data a data-dependent branch mispredicts
  // half the time.
  Element add(Element a, Element b) const { return {reduce(a.v + b.v)}; }
  Element sub(Element a, Element b) const { return {reduce(a.v + (kP - b.v))}; }
  Element neg(Element a) const { return {reduce(kP - a.v)}; }
  Element mul(Element a, Element b) const {
    const std::uint64_t a0 = static_cast<std::uint64_t>(a.v), a1 = static_cast<std::uint64_t>(a.v >> 64);
    const std::uint64_t b0 = static_cast<std::uint64_t>(b.v), b1 = static_cast<std::uint64_t>(b.v >> 64);
    // a1, b1 < 2^63, so the middle sum cannot overflow 128 bits.
    const u128 lo = static_cast<u128>(a0) * b0;
    const u128 mid = static_cast<u128>(a0) * b1 + static_cast<u128>(a1) * b0;
    const u128 hi = static_cast<u128>(a1) * b1;  // < 2^126
    const u128 low = lo + (mid << 64);
    const u128 high = hi + (mid >> 64) + (low < lo ? 1 : 0);  // < 2^127
    // x = high * 2^128 + low, and 2^127 = 1 (mod p): fold the bits above 127. The
    // product is at most (p-1)^2 < 2^254 - 2^129 + 5, so high <= 2^126 - 2 and the
    // folded sum is at most 2^128 - 4 < 2p: one reduce finishes.
    return {reduce((low & kP) + (low >> 127) + (high << 1))};
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

  // out += a x. Lagrange and resharing coefficients are mostly small integers or
  // their negatives (3, -3, 1 at n = 3): for those, a 64-bit by 128-bit product
  // (two multiplications instead of four).
  void axpy(std::span<Element> out, Element a, std::span<const Element> x) const {
    if (a.v >> 64 == 0 || (kP - a.v) >> 64 == 0) {
      const bool negative = a.v >> 64 != 0;
      const auto m = static_cast<std::uint64_t>(negative ? kP - a.v : a.v);
      for (std::size_t i = 0; i < out.size(); ++i) {
        const Element p = mul_small(m, x[i]);
        out[i] = negative ? sub(out[i], p) : add(out[i], p);
      }
      return;
    }
    for (std::size_t i = 0; i < out.size(); ++i) out[i] = add(out[i], mul(a, x[i]));
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
  // m x mod p for m < 2^64: x m < 2^191 = high 2^128 + low; 2^128 = 2 (mod p).
  static Element mul_small(std::uint64_t m, Element x) {
    const u128 lo = static_cast<u128>(static_cast<std::uint64_t>(x.v)) * m;
    const u128 mid = static_cast<u128>(static_cast<std::uint64_t>(x.v >> 64)) * m;  // < 2^127
    const u128 low = lo + (mid << 64);
    const u128 high = (mid >> 64) + (low < lo ? 1 : 0);  // < 2^63
    return {reduce((low & kP) + (low >> 127) + (high << 1))};
  }

  // s mod p for s in [0, 2p): with t = s + 1, (t mod 2^127) + (t >> 127) is t when
  // s < p and s - p + 1 otherwise. Shifts and masks only.
  static u128 reduce(u128 s) {
    const u128 t = s + 1;
    return (t & kP) + (t >> 127) - 1;
  }
};

using Fp127 = Field<Fp127Core>;
static_assert(PrimeField<Fp127>);

std::string u128_to_string(u128 v);

}  // namespace meshmpc
