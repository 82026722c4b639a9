#pragma once
// SecInt<F>: a vector of secret signed integers of bit length l, as MPyC's
// secint types: values in [-2^(l-1), 2^(l-1)), embedded in F in the centered
// representation. Inputs outside the range are refused before anything is sent.
// Arithmetic wraps nothing: a result outside the range is the program's fault, as
// in MPyC (comparisons in a later layer rely on l + k + 2 bits fitting the field).
#include <meshmpc/runtime/secfld.hpp>

#include <cstdint>
#include <span>
#include <string>
#include <vector>

namespace meshmpc {

// The secure type "l-bit integers", as MPyC's SecInt(l): what Session's input,
// constant and random calls are told to make, e.g. s.input(secint(32), 0, v, 3).
struct secint {
  constexpr explicit secint(std::size_t bit_length = 32) : bits(bit_length) {}
  std::size_t bits;
};

// Constrained on FiniteField only so that Session<F> can name it for any field;
// its operations (comparisons, encode's range) need a PrimeField.
template <FiniteField F>
class SecInt {
 public:
  using Element = typename F::Element;

  SecInt(SecFld<F> value, std::size_t bit_length) : value_(std::move(value)), bits_(bit_length) {}

  const SecFld<F>& value() const { return value_; }
  std::span<const Element> view() const { return value_.view(); }
  std::size_t size() const { return value_.size(); }
  std::size_t bit_length() const { return bits_; }

  // Checks that l-bit integers fit `field` with room for the sum of two, and
  // every value lies in [-2^(l-1), 2^(l-1)); names the offending value and index.
  static std::vector<Element> encode(const F& field, std::span<const std::int64_t> values, std::size_t bits) {
    if (bits < 1 || bits > 64 || bits + 1 >= field.bit_length())
      throw RangeError("bit length " + std::to_string(bits) + " does not fit " + field.name() +
                       " (at most " + std::to_string(std::min<std::size_t>(64, field.bit_length() - 2)) + ")");
    const std::int64_t hi = static_cast<std::int64_t>((std::uint64_t{1} << (bits - 1)) - 1), lo = -hi - 1;
    std::vector<Element> out(values.size());
    for (std::size_t i = 0; i < values.size(); ++i) {
      if (values[i] < lo || values[i] > hi)
        throw RangeError("value " + std::to_string(values[i]) + " at index " + std::to_string(i) +
                         " is outside the " + std::to_string(bits) + "-bit range [" + std::to_string(lo) + ", " +
                         std::to_string(hi) + "]");
      out[i] = field.from_int(values[i]);
    }
    return out;
  }

  // Entry i alone, and this value repeated `times` times (e.g. one entry set
  // against every entry of another value): local, no communication.
  SecInt at(std::size_t i) const { return {value_.at(i), bits_}; }
  SecInt repeated(std::size_t times) const { return {value_.repeated(times), bits_}; }

  // One vector of all parts, in order (e.g. the per-party results of input_all).
  static SecInt concat(const std::vector<SecInt>& parts) {
    if (parts.empty()) throw RangeError("concat of no secure integers");
    Shares<F> all;
    for (const auto& p : parts) {
      (void)p.checked(parts.front(), "concat");
      all.insert(all.end(), p.view().begin(), p.view().end());
    }
    return SecInt(SecFld<F>(parts.front().value_.field_handle(), std::move(all)), parts.front().bits_);
  }

  // Local arithmetic: with another secure integer of the session, or a public
  // integer (every party applies it to its share).
  friend SecInt operator+(const SecInt& a, const SecInt& b) { return {a.value_ + b.checked(a, "+"), a.bits_}; }
  friend SecInt operator-(const SecInt& a, const SecInt& b) { return {a.value_ - b.checked(a, "-"), a.bits_}; }
  friend SecInt operator-(const SecInt& a) { return {-a.value_, a.bits_}; }
  friend SecInt operator*(std::int64_t c, const SecInt& a) { return {a.value_.field().from_int(c) * a.value_, a.bits_}; }
  friend SecInt operator*(const SecInt& a, std::int64_t c) { return c * a; }
  friend SecInt operator+(const SecInt& a, std::int64_t c) { return {a.value_ + a.value_.field().from_int(c), a.bits_}; }
  friend SecInt operator+(std::int64_t c, const SecInt& a) { return a + c; }
  friend SecInt operator-(const SecInt& a, std::int64_t c) { return {a.value_ - a.value_.field().from_int(c), a.bits_}; }
  friend SecInt operator-(std::int64_t c, const SecInt& a) { return -a + c; }
  SecInt& operator+=(const SecInt& b) { return *this = *this + b; }
  SecInt& operator-=(const SecInt& b) { return *this = *this - b; }
  SecInt& operator+=(std::int64_t c) { return *this = *this + c; }
  SecInt& operator-=(std::int64_t c) { return *this = *this - c; }

 private:
  // Same session (ConfigError naming both fields), then same bit length.
  const SecFld<F>& checked(const SecInt& other, const char* op) const {
    value_.check_same_session(other.value_, op);
    if (bits_ != other.bits_)
      throw RangeError("secure integers of " + std::to_string(other.bits_) + " and " + std::to_string(bits_) +
                       " bits in one operation");
    return value_;
  }

  SecFld<F> value_;
  std::size_t bits_;
};

}  // namespace meshmpc
