#pragma once
// The field concepts: what protocol code may ask of a field.
// - FiniteField: any field the sharing layer and the arithmetic protocols (input,
//   open, products, random elements, equality, permutations) run over: the prime
//   fields and the extension fields GF(p^d).
// - PrimeField: GF(p), where integers live: comparisons, secure integers and
//   division need it. The shipped ones are Fp64 (default), Fp127 and NtlField.
// - ExtensionField: GF(p^d) with d >= 1 given at run time (NtlGF2E, NtlZZpE).
//   Integers map to elements by their base-p digits (as in MPyC: 11 in GF(2^8) is
//   x^3 + x + 1), so party i's evaluation point "i + 1" is a polynomial, not the
//   (i+1)-fold sum of one, which in characteristic 2 would be 0 or 1.
//
// A field is an object (it holds its modulus and precomputed constants); elements
// are plain values that only mean something together with their field. Element
// operations are members of the field: f.mul(a, b). Vector forms take spans and
// write into an output span of the same length (out may alias an input).
#include <concepts>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>

namespace meshmpc {

// A source of uniformly random 64-bit words; fields draw random elements from it
// by rejection sampling so that every party holding the same source draws the same
// elements (PRSS relies on that).
template <class W>
concept WordSource = requires(W& w) {
  { w.next_word() } -> std::same_as<std::uint64_t>;
};

// The archetype used to check the concept; never instantiated at run time.
struct WordSourceArchetype {
  std::uint64_t next_word();
};

template <class F>
concept FiniteField = requires(const F& f, typename F::Element a, typename F::Element b,
                              std::span<typename F::Element> out,
                              std::span<const typename F::Element> x, std::int64_t i,
                              std::uint64_t e, std::span<std::byte> bytes,
                              std::span<const std::byte> cbytes, WordSourceArchetype& words) {
  requires std::regular<typename F::Element>;
  { f.name() } -> std::convertible_to<std::string>;
  { f.bit_length() } -> std::same_as<std::size_t>;
  { f.byte_size() } -> std::same_as<std::size_t>;
  { f.zero() } -> std::same_as<typename F::Element>;
  { f.one() } -> std::same_as<typename F::Element>;
  { f.is_zero(a) } -> std::same_as<bool>;
  { f.add(a, b) } -> std::same_as<typename F::Element>;
  { f.sub(a, b) } -> std::same_as<typename F::Element>;
  { f.neg(a) } -> std::same_as<typename F::Element>;
  { f.mul(a, b) } -> std::same_as<typename F::Element>;
  { f.inv(a) } -> std::same_as<typename F::Element>;
  { f.pow(a, e) } -> std::same_as<typename F::Element>;
  { f.from_int(i) } -> std::same_as<typename F::Element>;
  { f.from_uint(e) } -> std::same_as<typename F::Element>;
  { f.to_int(a) } -> std::same_as<std::int64_t>;
  { f.to_string(a) } -> std::convertible_to<std::string>;
  { f.encode(a, bytes) };
  { f.decode(cbytes) } -> std::same_as<typename F::Element>;
  { f.random(words) } -> std::same_as<typename F::Element>;
  { f.add(out, x, x) };
  { f.sub(out, x, x) };
  { f.neg(out, x) };
  { f.mul(out, x, x) };
  { f.scale(out, a, x) };
  { f.axpy(out, a, x) };
  { f.inner(x, x) } -> std::same_as<typename F::Element>;
  { f.batch_inv(out, x) };
};

template <class F>
concept ExtensionField = FiniteField<F> && requires(const F& f) {
  { f.degree() } -> std::same_as<std::size_t>;
  // True for GF(2^d): there x + x = 0, so XOR of bits is addition.
  { f.is_binary() } -> std::same_as<bool>;
};

template <class F>
concept PrimeField = FiniteField<F> && !ExtensionField<F>;

}  // namespace meshmpc
