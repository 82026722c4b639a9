#pragma once
// Field<Core>: the vector (span) operations and the generic algorithms (pow,
// batch inverse, Tonelli-Shanks square root, byte encoding of vectors) written
// once over a Core that supplies the element operations. Fp64, Fp127 and NtlField
// are Field<...Core>. Two hooks let a Core do better than the generic loops:
// - a Core that defines a span op with the same signature (say
//   mul(span<Element>, span<const Element>, span<const Element>)) gets it called
//   instead of the loop, after the lengths were checked;
// - a Core that defines enter() (returning a guard object) has it called once at the
//   start of every vector op and generic algorithm: NtlField installs its modulus
//   as NTL's thread-local modulus there, once per call rather than once per element.
#include <meshmpc/error.hpp>
#include <meshmpc/field/int128.hpp>

#include <concepts>
#include <cstddef>
#include <cstdint>
#include <new>
#include <optional>
#include <span>
#include <string>
#include <vector>

namespace meshmpc {

namespace detail {
struct NoGuard {};
[[noreturn]] void throw_length_mismatch(const char* op, std::size_t expected, std::size_t got);
[[noreturn]] void throw_byte_length(const std::string& field, std::size_t expected,
                                    std::size_t got);
}  // namespace detail

template <class Core>
class Field : public Core {
 public:
  using Core::Core;
  using Element = typename Core::Element;
  using Core::add;
  using Core::mul;
  using Core::neg;
  using Core::sub;

  // The Core's guard (see the header comment), or an empty object. Callers doing many
  // scalar operations in a row may hold one for the run: `const auto g = f.enter();`.
  auto enter() const {
    if constexpr (requires(const Core& c) { c.enter(); }) {
      return Core::enter();
    } else {
      return detail::NoGuard{};
    }
  }

  // out[i] = x[i] + y[i]
  void add(std::span<Element> out, std::span<const Element> x, std::span<const Element> y) const {
    check3("add", out, x, y);
    if constexpr (requires(const Core& c) { c.add(out, x, y); }) {
      Core::add(out, x, y);
    } else {
      [[maybe_unused]] const auto guard = enter();
      for (std::size_t i = 0; i < out.size(); ++i) out[i] = Core::add(x[i], y[i]);
    }
  }
  void sub(std::span<Element> out, std::span<const Element> x, std::span<const Element> y) const {
    check3("sub", out, x, y);
    if constexpr (requires(const Core& c) { c.sub(out, x, y); }) {
      Core::sub(out, x, y);
    } else {
      [[maybe_unused]] const auto guard = enter();
      for (std::size_t i = 0; i < out.size(); ++i) out[i] = Core::sub(x[i], y[i]);
    }
  }
  void mul(std::span<Element> out, std::span<const Element> x, std::span<const Element> y) const {
    check3("mul", out, x, y);
    if constexpr (requires(const Core& c) { c.mul(out, x, y); }) {
      Core::mul(out, x, y);
    } else {
      [[maybe_unused]] const auto guard = enter();
      for (std::size_t i = 0; i < out.size(); ++i) out[i] = Core::mul(x[i], y[i]);
    }
  }
  void neg(std::span<Element> out, std::span<const Element> x) const {
    check2("neg", out, x);
    if constexpr (requires(const Core& c) { c.neg(out, x); }) {
      Core::neg(out, x);
    } else {
      [[maybe_unused]] const auto guard = enter();
      for (std::size_t i = 0; i < out.size(); ++i) out[i] = Core::neg(x[i]);
    }
  }
  // out[i] = a * x[i]
  void scale(std::span<Element> out, Element a, std::span<const Element> x) const {
    check2("scale", out, x);
    if constexpr (requires(const Core& c) { c.scale(out, a, x); }) {
      Core::scale(out, a, x);
    } else {
      [[maybe_unused]] const auto guard = enter();
      for (std::size_t i = 0; i < out.size(); ++i) out[i] = Core::mul(a, x[i]);
    }
  }
  // out[i] += a * x[i]
  void axpy(std::span<Element> out, Element a, std::span<const Element> x) const {
    check2("axpy", out, x);
    if constexpr (requires(const Core& c) { c.axpy(out, a, x); }) {
      Core::axpy(out, a, x);
    } else {
      [[maybe_unused]] const auto guard = enter();
      for (std::size_t i = 0; i < out.size(); ++i) out[i] = Core::add(out[i], Core::mul(a, x[i]));
    }
  }
  // sum_i x[i] * y[i]
  Element inner(std::span<const Element> x, std::span<const Element> y) const {
    if (x.size() != y.size()) detail::throw_length_mismatch("inner", x.size(), y.size());
    if constexpr (requires(const Core& c) { c.inner(x, y); }) {
      return Core::inner(x, y);
    } else {
      [[maybe_unused]] const auto guard = enter();
      Element acc = this->zero();
      for (std::size_t i = 0; i < x.size(); ++i) acc = Core::add(acc, Core::mul(x[i], y[i]));
      return acc;
    }
  }

  // a^e by square-and-multiply, for any unsigned exponent type (u64, u128).
  template <std::unsigned_integral U>
  Element pow(Element a, U e) const {
    [[maybe_unused]] const auto guard = enter();
    Element result = this->one();
    while (e != 0) {
      if (e & 1U) result = Core::mul(result, a);
      a = Core::mul(a, a);
      e >>= 1;
    }
    return result;
  }
  Element pow(Element a, u128 e) const {
    [[maybe_unused]] const auto guard = enter();
    Element result = this->one();
    while (e != 0) {
      if (e & 1U) result = Core::mul(result, a);
      a = Core::mul(a, a);
      e >>= 1;
    }
    return result;
  }

  // Montgomery's trick: one inversion and 3(m-1) multiplications for m inverses.
  // Any zero input is an error naming its position.
  void batch_inv(std::span<Element> out, std::span<const Element> x) const {
    check2("batch_inv", out, x);
    if (x.empty()) return;
    [[maybe_unused]] const auto guard = enter();
    std::vector<Element> prefix(x.size());
    Element acc = this->one();
    for (std::size_t i = 0; i < x.size(); ++i) {
      if (this->is_zero(x[i]))
        throw RangeError("batch_inv: element " + std::to_string(i) + " is zero in " + this->name());
      prefix[i] = acc;
      acc = Core::mul(acc, x[i]);
    }
    Element inv_acc = this->inv(acc);
    for (std::size_t i = x.size(); i-- > 0;) {
      const Element xi = x[i];
      out[i] = Core::mul(inv_acc, prefix[i]);
      inv_acc = Core::mul(inv_acc, xi);
    }
  }

  // Uniform random elements from a word source (rejection sampling in the Core).
  template <class Words>
  void random(std::span<Element> out, Words& words) const {
    [[maybe_unused]] const auto guard = enter();
    for (auto& e : out) e = Core::random(words);
  }
  using Core::random;

  // Fixed-width little-endian encoding of a vector: byte_size() bytes per element.
  void encode(std::span<const Element> x, std::span<std::byte> bytes) const {
    const std::size_t w = this->byte_size();
    if (bytes.size() != x.size() * w) detail::throw_byte_length(this->name(), x.size() * w, bytes.size());
    [[maybe_unused]] const auto guard = enter();
    if constexpr (requires(const Core& c) { c.encode(x, bytes); }) {
      Core::encode(x, bytes);
      return;
    }
    for (std::size_t i = 0; i < x.size(); ++i) Core::encode(x[i], bytes.subspan(i * w, w));
  }
  void decode(std::span<const std::byte> bytes, std::span<Element> out) const {
    const std::size_t w = this->byte_size();
    if (bytes.size() != out.size() * w) detail::throw_byte_length(this->name(), out.size() * w, bytes.size());
    [[maybe_unused]] const auto guard = enter();
    if constexpr (requires(const Core& c) { c.decode(bytes, out); }) {
      Core::decode(bytes, out);
      return;
    }
    for (std::size_t i = 0; i < out.size(); ++i) out[i] = Core::decode(bytes.subspan(i * w, w));
  }
  // How shares cross the network (Core::send and receive): byte_size() bytes per
  // element in the core's own representation where it has a wire form of its own
  // (Fp64: the Montgomery residue), else encode's canonical value. Both ends run
  // the same build (the handshake's protocol version), and decoding still refuses
  // anything that is not an element.
  void to_wire(std::span<const Element> x, std::span<std::byte> bytes) const {
    if constexpr (requires(const Core& c) { c.to_wire(x, bytes); }) {
      check_wire_length(x.size(), bytes.size());
      [[maybe_unused]] const auto guard = enter();
      Core::to_wire(x, bytes);
    } else {
      encode(x, bytes);
    }
  }
  void from_wire(std::span<const std::byte> bytes, std::span<Element> out) const {
    if constexpr (requires(const Core& c) { c.from_wire(bytes, out); }) {
      check_wire_length(out.size(), bytes.size());
      [[maybe_unused]] const auto guard = enter();
      Core::from_wire(bytes, out);
    } else {
      decode(bytes, out);
    }
  }
  // `count` elements from the wire, as a new vector: where the core can, without
  // zero-filling it first.
  std::vector<Element> from_wire(std::span<const std::byte> bytes, std::size_t count) const {
    check_wire_length(count, bytes.size());
    if constexpr (requires(const Core& c) {
                    { c.from_wire(bytes) } -> std::same_as<std::vector<Element>>;
                  }) {
      [[maybe_unused]] const auto guard = enter();
      return Core::from_wire(bytes);
    } else {
      std::vector<Element> out(count);
      from_wire(bytes, std::span<Element>(out));
      return out;
    }
  }
  // Whether the wire form of a vector is its memory (Fp64 at 8 bytes per element):
  // a batch can then be sent from the vector itself and a received one read where
  // it arrived (Core::send of a shared batch, Core::receive_view).
  bool wire_is_memory() const {
    if constexpr (requires(const Core& c) {
                    { c.wire_is_memory() } -> std::same_as<bool>;
                  }) {
      return Core::wire_is_memory();
    } else {
      return false;
    }
  }
  // `count` elements read in place from bytes in their wire form, each checked to
  // be an element (RangeError naming the first that is not); the caller keeps the
  // bytes alive as long as the view. Empty unless wire_is_memory() holds and the
  // bytes are aligned for Element (a buffer from operator new is): then decode a
  // copy with from_wire.
  std::optional<std::span<const Element>> view_wire(std::span<const std::byte> bytes, std::size_t count) const {
    check_wire_length(count, bytes.size());
    if constexpr (requires(const Core& c, std::span<const Element> w) { c.check_wire(w); }) {
      if (wire_is_memory() && reinterpret_cast<std::uintptr_t>(bytes.data()) % alignof(Element) == 0) {
        // The bytes came from a socket or a memcpy into storage from operator new,
        // where elements of this trivially copyable type may live (implicit
        // object creation); launder tells the compiler so.
        const std::span<const Element> view(std::launder(reinterpret_cast<const Element*>(bytes.data())), count);
        Core::check_wire(view);
        return view;
      }
    }
    return std::nullopt;
  }
  using Core::decode;
  using Core::encode;

 private:
  void check_wire_length(std::size_t count, std::size_t bytes) const {
    if (bytes != count * this->byte_size()) detail::throw_byte_length(this->name(), count * this->byte_size(), bytes);
  }

  static void check2(const char* op, std::span<Element> out, std::span<const Element> x) {
    if (out.size() != x.size()) detail::throw_length_mismatch(op, out.size(), x.size());
  }
  static void check3(const char* op, std::span<Element> out, std::span<const Element> x,
                     std::span<const Element> y) {
    check2(op, out, x);
    if (out.size() != y.size()) detail::throw_length_mismatch(op, out.size(), y.size());
  }
};

// Tonelli-Shanks over any Field whose p - 1 = q * 2^s fits the unsigned type U,
// given root_of_unity = c^q for a non-residue c (a primitive 2^s-th root of unity:
// a constant of the field, so the field computes it once rather than per call).
// Returns the root r with r <= p - r in canonical form is NOT guaranteed: callers
// that need a canonical choice pick it themselves. Empty if a is a non-residue.
template <class F, class U>
std::optional<typename F::Element> tonelli_shanks(const F& f, typename F::Element a, U p_minus_1,
                                                  typename F::Element root_of_unity) {
  using E = typename F::Element;
  if (f.is_zero(a)) return a;
  U q = p_minus_1;
  unsigned s = 0;
  while ((q & 1U) == 0) {
    q >>= 1;
    ++s;
  }
  // One exponentiation: w = a^((q-1)/2) gives x = a^((q+1)/2) and b = a^q, and
  // Euler's criterion a^((p-1)/2) = b^(2^(s-1)) costs only s-1 squarings.
  const E w = f.pow(a, U((q - 1) >> 1));
  E x = f.mul(a, w);
  E b = f.mul(x, w);
  E euler = b;
  for (unsigned j = 1; j < s; ++j) euler = f.mul(euler, euler);
  if (euler != f.one()) return std::nullopt;
  if (b == f.one()) return x;
  E z = root_of_unity;
  unsigned m = s;
  while (b != f.one()) {
    unsigned i = 0;
    E b2 = b;
    while (b2 != f.one()) {
      b2 = f.mul(b2, b2);
      ++i;
    }
    E c = z;
    for (unsigned j = 0; j + i + 1 < m; ++j) c = f.mul(c, c);
    x = f.mul(x, c);
    z = f.mul(c, c);
    b = f.mul(b, z);
    m = i;
  }
  return x;
}

}  // namespace meshmpc
