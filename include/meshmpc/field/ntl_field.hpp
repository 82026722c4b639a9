#pragma once
// NtlField: GF(p) for any odd prime p a user gives, backed by NTL's ZZ_p. For
// moduli beyond Fp64 and Fp127, e.g. for long secure integers or a prime another
// system fixed.
//
// NTL keeps "the current modulus" per thread (Debian builds NTL with NTL_THREADS),
// and every ZZ_p operation reduces modulo it. So that fields with different moduli
// can be used side by side, in any thread, each field holds its own ZZ_pContext and
// every public operation makes it current for its duration (NtlModulusGuard) and
// puts the caller's back afterwards. Vector operations do this once per call. The
// guard is a thread-local pointer compare when the modulus is already current, so
// holding one (`const auto g = f.enter();`) around a run of scalar ops saves little
// but costs nothing.
#include <meshmpc/field/field_ops.hpp>
#include <meshmpc/field/ntl_core_ops.hpp>
#include <meshmpc/field/prime_field.hpp>

#include <NTL/ZZ.h>
#include <NTL/ZZ_p.h>

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace meshmpc {

// Makes a field's modulus NTL's current one in this thread while it lives, and
// restores the previous one (possibly none) when it dies. Not copyable or movable.
class NtlModulusGuard {
 public:
  NtlModulusGuard(const NTL::ZZ_pContext& context, const NTL::ZZ_pInfoT* info) {
    // NTL::ZZ_pInfo is the current thread's modulus. The field's context keeps its
    // ZZ_pInfoT alive, so an equal pointer means that very modulus is installed.
    if (NTL::ZZ_pInfo != info) push_.emplace(context);
  }
  NtlModulusGuard(const NtlModulusGuard&) = delete;
  NtlModulusGuard& operator=(const NtlModulusGuard&) = delete;

 private:
  std::optional<NTL::ZZ_pPush> push_;
};

// Elements are canonical representatives in [0, p).
class NtlFieldCore : public NtlCoreOps<NtlFieldCore, NTL::ZZ_p> {
 public:
  // Throws ConfigError if p is not an odd prime (probabilistic test, error < 2^-40).
  explicit NtlFieldCore(const NTL::ZZ& p);
  // p in decimal; throws ConfigError if it is not a decimal integer or not an odd prime.
  explicit NtlFieldCore(std::string_view p_decimal);

  const NTL::ZZ& modulus() const { return p_; }
  const std::string& name() const { return name_; }
  std::size_t bit_length() const { return bits_; }
  std::size_t byte_size() const { return bytes_; }

  NtlModulusGuard enter() const { return NtlModulusGuard(context_, info_); }

  // zero, one, is_zero, add, sub, neg, mul, inv: NtlCoreOps; the vector forms below.
  using NtlCoreOps::add;
  using NtlCoreOps::mul;
  using NtlCoreOps::neg;
  using NtlCoreOps::sub;

  // Empty if a is not a square.
  std::optional<Element> sqrt(const Element& a) const;

  // Vector forms (Field<> calls them after checking the lengths); out may alias an input.
  void add(std::span<Element> out, std::span<const Element> x, std::span<const Element> y) const;
  void sub(std::span<Element> out, std::span<const Element> x, std::span<const Element> y) const;
  void mul(std::span<Element> out, std::span<const Element> x, std::span<const Element> y) const;
  void neg(std::span<Element> out, std::span<const Element> x) const;
  void scale(std::span<Element> out, const Element& a, std::span<const Element> x) const;
  void axpy(std::span<Element> out, const Element& a, std::span<const Element> x) const;
  // Sums the unreduced products and reduces once.
  Element inner(std::span<const Element> x, std::span<const Element> y) const;

  // Integers in the centered range [-(p-1)/2, (p-1)/2]; anything else is refused.
  Element from_int(std::int64_t v) const;
  Element from_zz(const NTL::ZZ& v) const;
  // Integers in [0, p).
  Element from_uint(std::uint64_t v) const;
  Element from_canonical(const NTL::ZZ& v) const;
  // The centered value; to_int throws RangeError when it does not fit 64 bits.
  std::int64_t to_int(const Element& a) const;
  NTL::ZZ to_zz(const Element& a) const;
  // The canonical representative in [0, p).
  const NTL::ZZ& canonical(const Element& a) const { return NTL::rep(a); }
  std::string to_string(const Element& a) const;

  // byte_size() bytes, little-endian, canonical value in [0, p).
  void encode(const Element& a, std::span<std::byte> out) const;
  Element decode(std::span<const std::byte> in) const;

  // Rejection sampling: ceil(bit_length()/64) words, little-endian, cut to
  // bit_length() bits, kept if below p. Uniform, and the same draws on every party
  // that shares the word source.
  template <WordSource W>
  Element random(W& words) const {
    std::vector<std::uint64_t> buffer(word_count_);
    Element out;
    for (;;) {
      for (auto& w : buffer) w = words.next_word();
      if (from_words(buffer, out)) return out;
    }
  }

 private:
  // Element from random words if their value (cut to bit_length() bits) is below p.
  bool from_words(std::span<const std::uint64_t> words, Element& out) const;
  [[noreturn]] void throw_outside_centered(const std::string& value) const;

  NTL::ZZ p_;
  NTL::ZZ half_;  // (p - 1) / 2
  NTL::ZZ_pContext context_;
  const NTL::ZZ_pInfoT* info_ = nullptr;  // owned by context_
  std::size_t bits_ = 0;
  std::size_t bytes_ = 0;
  std::size_t word_count_ = 0;
  std::string name_;
};

using NtlField = Field<NtlFieldCore>;
static_assert(PrimeField<NtlField>);

}  // namespace meshmpc
