#pragma once
// NtlZZpE: the extension field GF(p^d) for an odd prime p, backed by NTL's ZZ_pE:
// polynomials over GF(p) modulo an irreducible polynomial of degree d (NTL's
// BuildIrred, deterministic, so every party builds the same field). Integers map to
// elements by their base-p digits (digit i is the coefficient of x^i, as in MPyC).
// For GF(2^d) use NtlGF2E, which is much faster.
//
// NTL keeps both the ZZ_p and the ZZ_pE modulus per thread; every public operation
// makes this field's pair current for its duration, as NtlField does.
#include <meshmpc/field/field_ops.hpp>
#include <meshmpc/field/int128.hpp>
#include <meshmpc/field/ntl_core_ops.hpp>
#include <meshmpc/field/prime_field.hpp>

#include <NTL/ZZ.h>
#include <NTL/ZZ_p.h>
#include <NTL/ZZ_pE.h>

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

namespace meshmpc {

// Makes a ZZ_p modulus and a ZZ_pE modulus over it NTL's current ones while it lives.
class NtlZZpEGuard {
 public:
  NtlZZpEGuard(const NTL::ZZ_pContext& base, const NTL::ZZ_pInfoT* base_info, const NTL::ZZ_pEContext& ext,
               const NTL::ZZ_pEInfoT* ext_info) {
    if (NTL::ZZ_pInfo != base_info) base_.emplace(base);
    if (NTL::ZZ_pEInfo != ext_info) ext_.emplace(ext);
  }
  NtlZZpEGuard(const NtlZZpEGuard&) = delete;
  NtlZZpEGuard& operator=(const NtlZZpEGuard&) = delete;

 private:
  std::optional<NTL::ZZ_pPush> base_;  // destroyed after ext_: the order NTL needs
  std::optional<NTL::ZZ_pEPush> ext_;
};

class NtlZZpECore : public NtlCoreOps<NtlZZpECore, NTL::ZZ_pE> {
 public:
  // GF(p^d); ConfigError unless p is an odd prime below 2^62 and 1 <= d <= 1024.
  NtlZZpECore(std::uint64_t p, std::size_t degree);

  const std::string& name() const { return name_; }
  std::size_t degree() const { return degree_; }
  bool is_binary() const { return false; }
  std::uint64_t characteristic() const { return p_; }
  // Bits of one coefficient, times d.
  std::size_t bit_length() const { return coefficient_bits_ * degree_; }
  std::size_t byte_size() const { return coefficient_bytes_ * degree_; }
  // p^d - 1; RangeError if it does not fit 128 bits.
  u128 order_minus_one() const;

  NtlZZpEGuard enter() const { return NtlZZpEGuard(base_, base_info_, ext_, ext_info_); }

  // zero, one, is_zero, add, sub, neg, mul, inv: NtlCoreOps.

  // Integers below p^d by their base-p digits; anything else is refused.
  Element from_int(std::int64_t v) const;
  Element from_uint(std::uint64_t v) const;
  // The digits as an integer; RangeError when it does not fit 63 bits.
  std::int64_t to_int(const Element& a) const;
  std::uint64_t to_uint(const Element& a) const;
  // The integer in decimal where it fits 64 bits, else the coefficients "[c0 c1 ...]".
  std::string to_string(const Element& a) const;

  // d coefficients of byte_size()/d bytes each, little-endian, lowest first.
  void encode(const Element& a, std::span<std::byte> out) const;
  // RangeError for the wrong length or a coefficient not below p.
  Element decode(std::span<const std::byte> in) const;

  // Each coefficient by rejection sampling from one word cut to the bits of p.
  template <WordSource W>
  Element random(W& words) const {
    std::vector<std::uint64_t> coefficients(degree_);
    for (auto& c : coefficients) {
      do {
        c = words.next_word() & coefficient_mask_;
      } while (c >= p_);
    }
    return from_coefficients(coefficients);
  }

 private:
  Element from_coefficients(std::span<const std::uint64_t> coefficients) const;
  std::vector<std::uint64_t> coefficients(const Element& a) const;

  std::uint64_t p_ = 0;
  std::size_t degree_ = 0;
  std::size_t coefficient_bits_ = 0;
  std::size_t coefficient_bytes_ = 0;
  std::uint64_t coefficient_mask_ = 0;
  NTL::ZZ_pContext base_;
  const NTL::ZZ_pInfoT* base_info_ = nullptr;  // owned by base_
  NTL::ZZ_pEContext ext_;
  const NTL::ZZ_pEInfoT* ext_info_ = nullptr;  // owned by ext_
  std::string name_;
};

using NtlZZpE = Field<NtlZZpECore>;
static_assert(ExtensionField<NtlZZpE>);

}  // namespace meshmpc
