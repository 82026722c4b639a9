#pragma once
// NtlGF2E: the binary field GF(2^d), backed by NTL's GF2E — the field MPyC's
// secret santa demo also runs over. Elements are polynomials over GF(2) modulo an
// irreducible polynomial of degree d; integers map to them bit by bit (bit i is the
// coefficient of x^i, so 11 is x^3 + x + 1, as in MPyC). Addition is XOR, so a sum
// of shared bits is their XOR and random bits cost no interaction.
//
// Like NtlField, each field holds its own NTL context and makes it current for the
// duration of every public operation (NTL keeps the GF2E modulus per thread).
#include <meshmpc/field/field_ops.hpp>
#include <meshmpc/field/int128.hpp>
#include <meshmpc/field/ntl_core_ops.hpp>
#include <meshmpc/field/prime_field.hpp>

#include <NTL/GF2E.h>
#include <NTL/GF2X.h>

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>

namespace meshmpc {

// Makes a GF2E modulus NTL's current one in this thread while it lives.
class NtlGF2EGuard {
 public:
  NtlGF2EGuard(const NTL::GF2EContext& context, const NTL::GF2EInfoT* info) {
    if (NTL::GF2EInfo != info) push_.emplace(context);
  }
  NtlGF2EGuard(const NtlGF2EGuard&) = delete;
  NtlGF2EGuard& operator=(const NtlGF2EGuard&) = delete;

 private:
  std::optional<NTL::GF2EPush> push_;
};

class NtlGF2ECore : public NtlCoreOps<NtlGF2ECore, NTL::GF2E> {
 public:
  // GF(2^d) with NTL's sparse irreducible polynomial of degree d (a trinomial or
  // pentanomial; for d = 8 the AES polynomial x^8 + x^4 + x^3 + x + 1, as MPyC).
  // ConfigError unless 1 <= d <= 4096.
  explicit NtlGF2ECore(std::size_t degree);
  // GF(2^d) modulo the polynomial whose bit i is the coefficient of x^i (d < 64),
  // e.g. NtlGF2E(NtlGF2E::Modulus{0x11b}); ConfigError if it is not irreducible or
  // of degree < 1.
  struct Modulus {
    std::uint64_t bits;
  };
  explicit NtlGF2ECore(Modulus modulus);

  const std::string& name() const { return name_; }
  std::size_t degree() const { return degree_; }
  bool is_binary() const { return true; }
  std::size_t bit_length() const { return degree_; }
  std::size_t byte_size() const { return bytes_; }
  const NTL::GF2X& modulus() const { return modulus_; }
  // 2^d - 1; RangeError if d > 128.
  u128 order_minus_one() const;

  NtlGF2EGuard enter() const { return NtlGF2EGuard(context_, info_); }

  // zero, one, is_zero, add, mul, inv: NtlCoreOps. In characteristic 2 subtracting
  // is adding and every element is its own negative.
  Element sub(const Element& a, const Element& b) const { return add(a, b); }
  Element neg(const Element& a) const { return a; }

  // Bit patterns below 2^d; anything else (negative, too wide) is refused.
  Element from_int(std::int64_t v) const;
  Element from_uint(std::uint64_t v) const;
  // The bit pattern; RangeError when it does not fit 63 bits.
  std::int64_t to_int(const Element& a) const;
  std::uint64_t to_uint(const Element& a) const;
  // The bit pattern in decimal for d <= 64, else "0x" and hex.
  std::string to_string(const Element& a) const;

  // byte_size() bytes, little-endian bit pattern.
  void encode(const Element& a, std::span<std::byte> out) const;
  // RangeError for the wrong length or bits at or above x^d.
  Element decode(std::span<const std::byte> in) const;

  // d bits from ceil(d/64) words (lowest first, the top word cut): uniform, and the
  // same on every party sharing the word source.
  template <WordSource W>
  Element random(W& words) const {
    std::uint64_t buffer[kMaxWords];
    const std::size_t count = (degree_ + 63) / 64;
    for (std::size_t i = 0; i < count; ++i) buffer[i] = words.next_word();
    return from_words(std::span<const std::uint64_t>(buffer, count));
  }

 private:
  static constexpr std::size_t kMaxDegree = 4096;
  static constexpr std::size_t kMaxWords = kMaxDegree / 64;

  explicit NtlGF2ECore(const NTL::GF2X& modulus);
  Element from_words(std::span<const std::uint64_t> words) const;

  NTL::GF2X modulus_;
  NTL::GF2EContext context_;
  const NTL::GF2EInfoT* info_ = nullptr;  // owned by context_
  std::size_t degree_ = 0;
  std::size_t bytes_ = 0;
  std::string name_;
};

using NtlGF2E = Field<NtlGF2ECore>;
static_assert(ExtensionField<NtlGF2E>);

}  // namespace meshmpc
