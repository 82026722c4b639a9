#pragma once
// The PrimeField concept: what protocol code may ask of a field. Protocols are
// templates over it; the shipped fields are Fp64 (default), Fp127 and NtlField.
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
concept PrimeField = requires(const F& f, typename F::Element a, typename F::Element b,
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

}  // namespace meshmpc
