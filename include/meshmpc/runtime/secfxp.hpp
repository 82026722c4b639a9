#pragma once
// SecFxp<F>: a vector of secret fixed-point numbers, as MPyC's secfxp types: l
// bits in all, f of them after the binary point. A value x is the l-bit integer
// round(x * 2^f) underneath — a SecInt<F> of l bits — so comparisons, min, max
// and sorting are the integer protocols unchanged. Addition, subtraction and
// multiplication by a public integer are local; a product of two secret values
// (or by a public non-integer) is an integer product followed by a truncation of
// f bits (Session::mul, protocols/fxp.hpp). As with SecInt, a result outside the
// l-bit range is the program's fault: inputs and constants are checked, results
// are not.
#include <meshmpc/runtime/secint.hpp>

#include <cmath>
#include <concepts>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

namespace meshmpc {

// The secure type "fixed-point numbers of l bits, f of them fractional", as MPyC's
// SecFxp(l, f): e.g. s.input(secfxp(32, 16), 0, values, 3). MPyC's defaults.
struct secfxp {
  constexpr explicit secfxp(std::size_t bit_length = 32) : bits(bit_length), frac(bit_length / 2) {}
  constexpr secfxp(std::size_t bit_length, std::size_t frac_length) : bits(bit_length), frac(frac_length) {}
  std::size_t bits;
  std::size_t frac;
};

namespace fxp {
// l in 2..62 (the integer division behind floor takes up to 62 bits) and
// 0 <= f < l; RangeError naming both otherwise.
inline void check_type(secfxp type) {
  if (type.bits < 2 || type.bits > 62 || type.frac >= type.bits)
    throw RangeError("secfxp(" + std::to_string(type.bits) + ", " + std::to_string(type.frac) +
                     "): the bit length must be 2..62 and the fractional bits fewer than it");
}

// round(v * 2^f), refused (RangeError naming value, index and range) unless it is
// an l-bit integer. `index` only names the value in the message.
inline std::int64_t scaled(double v, secfxp type, std::size_t index) {
  const double scaled = std::nearbyint(std::ldexp(v, static_cast<int>(type.frac)));
  const double hi = std::ldexp(1.0, static_cast<int>(type.bits) - 1);
  if (!std::isfinite(v) || scaled < -hi || scaled >= hi)
    throw RangeError("value " + std::to_string(v) + " at index " + std::to_string(index) + " is outside the range of secfxp(" +
                     std::to_string(type.bits) + ", " + std::to_string(type.frac) + "): [" +
                     std::to_string(-std::ldexp(1.0, static_cast<int>(type.bits - type.frac) - 1)) + ", " +
                     std::to_string(std::ldexp(hi - 1, -static_cast<int>(type.frac))) + "]");
  return static_cast<std::int64_t>(scaled);
}

inline std::vector<std::int64_t> scaled(std::span<const double> values, secfxp type) {
  check_type(type);
  std::vector<std::int64_t> out(values.size());
  for (std::size_t i = 0; i < values.size(); ++i) out[i] = scaled(values[i], type, i);
  return out;
}

inline std::vector<double> unscaled(std::span<const std::int64_t> values, std::size_t frac) {
  std::vector<double> out(values.size());
  for (std::size_t i = 0; i < values.size(); ++i) out[i] = std::ldexp(static_cast<double>(values[i]), -static_cast<int>(frac));
  return out;
}
}  // namespace fxp

template <FiniteField F>
class SecFxp {
 public:
  using Element = typename F::Element;

  // `integer`: the l-bit integers round(x * 2^f).
  SecFxp(SecInt<F> integer, std::size_t frac_length) : int_(std::move(integer)), frac_(frac_length) {}

  // The integers round(x * 2^f) underneath (for the integer protocols).
  const SecInt<F>& integer() const { return int_; }
  const SecFld<F>& value() const { return int_.value(); }
  std::span<const Element> view() const { return int_.view(); }
  std::size_t size() const { return int_.size(); }
  std::size_t bit_length() const { return int_.bit_length(); }
  std::size_t frac_length() const { return frac_; }
  secfxp type() const { return secfxp(bit_length(), frac_); }

  SecFxp at(std::size_t i) const { return {int_.at(i), frac_}; }
  SecFxp repeated(std::size_t times) const { return {int_.repeated(times), frac_}; }
  static SecFxp concat(const std::vector<SecFxp>& parts) {
    std::vector<SecInt<F>> ints;
    for (const auto& p : parts) ints.push_back(p.checked(parts.front(), "concat"));
    return SecFxp(SecInt<F>::concat(ints), parts.empty() ? 0 : parts.front().frac_);
  }

  // Local arithmetic: with another value of the same type, a public integer, or a
  // public double added (rounded to the nearest multiple of 2^-f; RangeError if
  // it does not fit). A product by a public non-integer needs a truncation: it is
  // Session::mul(x, double).
  friend SecFxp operator+(const SecFxp& a, const SecFxp& b) { return {a.int_ + b.checked(a, "+"), a.frac_}; }
  friend SecFxp operator-(const SecFxp& a, const SecFxp& b) { return {a.int_ - b.checked(a, "-"), a.frac_}; }
  friend SecFxp operator-(const SecFxp& a) { return {-a.int_, a.frac_}; }
  // Integers only: a double would otherwise convert silently (use Session::mul).
  template <std::integral I>
  friend SecFxp operator*(I c, const SecFxp& a) { return {static_cast<std::int64_t>(c) * a.int_, a.frac_}; }
  template <std::integral I>
  friend SecFxp operator*(const SecFxp& a, I c) { return c * a; }
  template <std::floating_point D>
  friend SecFxp operator*(D, const SecFxp&) = delete;
  template <std::floating_point D>
  friend SecFxp operator*(const SecFxp&, D) = delete;
  friend SecFxp operator+(const SecFxp& a, double c) { return {a.int_ + fxp::scaled(c, a.type(), 0), a.frac_}; }
  friend SecFxp operator+(double c, const SecFxp& a) { return a + c; }
  friend SecFxp operator-(const SecFxp& a, double c) { return a + (-c); }
  friend SecFxp operator-(double c, const SecFxp& a) { return -a + c; }
  SecFxp& operator+=(const SecFxp& b) { return *this = *this + b; }
  SecFxp& operator-=(const SecFxp& b) { return *this = *this - b; }

 private:
  // Same session, same l (SecInt's checks), then the same f.
  const SecInt<F>& checked(const SecFxp& other, const char* op) const {
    if (frac_ != other.frac_)
      throw RangeError("secure fixed-point values with " + std::to_string(other.frac_) + " and " +
                       std::to_string(frac_) + " fractional bits in '" + op + "'");
    return int_;
  }

  SecInt<F> int_;
  std::size_t frac_;
};

}  // namespace meshmpc
