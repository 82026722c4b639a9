#pragma once
// Fp64: GF(p) for any odd prime p < 2^64, elements in Montgomery form (R = 2^64)
// so that a product costs three 64-bit multiplications and no division. The
// default field: its default prime 2^64 - 59 holds SecInt<32> with k = 30.
#include <meshmpc/field/field_ops.hpp>
#include <meshmpc/field/int128.hpp>
#include <meshmpc/field/prime_field.hpp>

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

namespace meshmpc {

class Fp64Core {
 public:
  // Largest prime below 2^64.
  static constexpr std::uint64_t kDefaultPrime = 18446744073709551557ULL;  // 2^64 - 59

  struct Element {
    std::uint64_t mont = 0;  // a * 2^64 mod p, in [0, p)
    friend bool operator==(const Element&, const Element&) = default;
  };

  // Throws ConfigError if p is not an odd prime >= 3.
  explicit Fp64Core(std::uint64_t p = kDefaultPrime);

  std::uint64_t modulus() const { return p_; }
  const std::string& name() const { return name_; }
  std::size_t bit_length() const { return bits_; }
  std::size_t byte_size() const { return bytes_; }

  Element zero() const { return {}; }
  Element one() const { return {one_}; }
  bool is_zero(Element a) const { return a.mont == 0; }

  Element add(Element a, Element b) const {
    // a + b = a - (p - b): never overflows even when p > 2^63, and compiles to a
    // conditional move (a data-dependent branch here mispredicts half the time).
    const std::uint64_t nb = p_ - b.mont;
    const std::uint64_t d = a.mont - nb;
    return {a.mont < nb ? d + p_ : d};
  }
  Element sub(Element a, Element b) const {
    const std::uint64_t d = a.mont - b.mont;
    return {a.mont < b.mont ? d + p_ : d};
  }
  Element neg(Element a) const { return {a.mont == 0 ? 0 : p_ - a.mont}; }
  Element mul(Element a, Element b) const {
    return {redc(static_cast<u128>(a.mont) * b.mont)};
  }
  // sum_i x[i] * y[i] with one reduction: the 128-bit products are summed exactly
  // (with a count of the carries out of 128 bits) and reduced once at the end.
  // Field<> calls it after checking the lengths.
  Element inner(std::span<const Element> x, std::span<const Element> y) const {
    u128 acc = 0;
    std::uint64_t carries = 0;
    for (std::size_t i = 0; i < x.size(); ++i) {
      const u128 t = static_cast<u128>(x[i].mont) * y[i].mont;
      acc += t;
      carries += acc < t ? 1 : 0;
    }
    return reduce_sum(acc, carries);
  }
  // Throws RangeError for 0.
  Element inv(Element a) const;
  // Empty if a is not a square.
  std::optional<Element> sqrt(Element a) const;

  // Integers in the centered range [-(p-1)/2, (p-1)/2]; anything else is refused.
  Element from_int(std::int64_t v) const;
  // Integers in [0, p).
  Element from_uint(std::uint64_t v) const;
  std::int64_t to_int(Element a) const;
  std::uint64_t to_uint(Element a) const { return redc(a.mont); }
  std::string to_string(Element a) const { return std::to_string(to_uint(a)); }

  // byte_size() bytes, little-endian, canonical value in [0, p).
  void encode(Element a, std::span<std::byte> out) const;
  Element decode(std::span<const std::byte> in) const;
  // Whole vectors (sizes checked by Field): one pass with word copies, since
  // every share that crosses the network goes through these.
  void encode(std::span<const Element> x, std::span<std::byte> out) const;
  void decode(std::span<const std::byte> in, std::span<Element> out) const;
  // Shares on the wire (Field::to_wire): the Montgomery residue itself, byte_size()
  // bytes little-endian. It is a bijection of [0, p), so a uniform share stays
  // uniform and the range check is encode's; but no reduction per element each way,
  // which cost more than the network's own copies of a large batch.
  void to_wire(std::span<const Element> x, std::span<std::byte> out) const;
  void from_wire(std::span<const std::byte> in, std::span<Element> out) const;
  // As a new vector of in.size() / byte_size() elements, read and checked in the
  // same pass that writes them (a vector sized first is zero-filled first: a third
  // pass over a large batch).
  std::vector<Element> from_wire(std::span<const std::byte> in) const;
  // Whether a vector's wire form is its memory (8 bytes per element): a batch is
  // then sent from the vector and read where it arrived (Field::view_wire).
  bool wire_is_memory() const { return bytes_ == sizeof(Element); }
  // For wire_is_memory: throws RangeError naming the first word that is not a
  // residue below p. One read-only pass.
  void check_wire(std::span<const Element> words) const;

  // Rejection sampling over bit_length()-bit words: uniform, and the same draws on
  // every party that shares the word source.
  template <WordSource W>
  Element random(W& words) const {
    for (;;) {
      const std::uint64_t v = words.next_word() & mask_;
      if (v < p_) return {v};  // uniform in [0,p) as a Montgomery form is uniform too
    }
  }

 protected:
  std::uint64_t redc(u128 t) const {
    // Montgomery reduction without overflow for any odd p < 2^64:
    // m = t_lo * p^-1 makes t - m*p divisible by 2^64.
    const auto lo = static_cast<std::uint64_t>(t);
    const auto hi = static_cast<std::uint64_t>(t >> 64);
    const std::uint64_t m = lo * pinv_;
    const auto mp_hi = static_cast<std::uint64_t>((static_cast<u128>(m) * p_) >> 64);
    // hi - mp_hi is in (-p, p); add p back with a mask, not a branch: on random data
    // a branch here mispredicts half the time and costs more than the multiplications.
    const std::uint64_t d = hi - mp_hi;
    return d + (p_ & (0 - static_cast<std::uint64_t>(hi < mp_hi)));
  }
  // The Montgomery form of (carries * 2^128 + acc) / 2^64 mod p, i.e. of the sum of
  // products of Montgomery forms.
  Element reduce_sum(u128 acc, std::uint64_t carries) const {
    // Reduce the high word first so that redc's input is below p * 2^64; a carry
    // 2^128 divided by R = 2^64 is R, the Montgomery form of 1.
    const auto hi = static_cast<std::uint64_t>(acc >> 64) % p_;
    const Element low{redc(static_cast<u128>(hi) << 64 | static_cast<std::uint64_t>(acc))};
    return add(low, {to_mont(carries % p_)});
  }
  std::uint64_t to_mont(std::uint64_t v) const {
    return redc(static_cast<u128>(v) * r2_);
  }

 private:
  // RangeError naming the first element of `decoded` that is no residue.
  [[noreturn]] void throw_not_a_residue(std::span<const Element> decoded) const;

  std::uint64_t p_;
  std::uint64_t pinv_ = 0;  // p^-1 mod 2^64
  std::uint64_t r2_ = 0;    // 2^128 mod p
  std::uint64_t one_ = 0;   // 2^64 mod p
  std::uint64_t mask_ = 0;  // 2^bits - 1
  std::size_t bits_ = 0;
  std::size_t bytes_ = 0;
  Element root_of_unity_{};  // c^q for the least non-residue c, p - 1 = q 2^s (sqrt)
  std::string name_;
};

using Fp64 = Field<Fp64Core>;
static_assert(PrimeField<Fp64>);

// Deterministic Miller-Rabin for 64-bit integers.
bool is_prime_u64(std::uint64_t n);

}  // namespace meshmpc
