#include <meshmpc/field/fp64.hpp>

#include <algorithm>
#include <bit>
#include <cstring>
#include <iterator>

namespace meshmpc {

namespace {

std::uint64_t mulmod(std::uint64_t a, std::uint64_t b, std::uint64_t n) {
  return static_cast<std::uint64_t>(static_cast<u128>(a) * b % n);
}

std::uint64_t powmod(std::uint64_t a, std::uint64_t e, std::uint64_t n) {
  std::uint64_t r = 1 % n;
  a %= n;
  while (e != 0) {
    if (e & 1U) r = mulmod(r, a, n);
    a = mulmod(a, a, n);
    e >>= 1;
  }
  return r;
}

}  // namespace

bool is_prime_u64(std::uint64_t n) {
  if (n < 2) return false;
  for (std::uint64_t q : {2ULL, 3ULL, 5ULL, 7ULL, 11ULL, 13ULL, 17ULL, 19ULL, 23ULL, 29ULL, 31ULL, 37ULL}) {
    if (n % q == 0) return n == q;
  }
  std::uint64_t d = n - 1;
  unsigned s = 0;
  while ((d & 1U) == 0) {
    d >>= 1;
    ++s;
  }
  // These twelve bases are a proven deterministic set for n < 3.3 * 10^24.
  for (std::uint64_t a : {2ULL, 3ULL, 5ULL, 7ULL, 11ULL, 13ULL, 17ULL, 19ULL, 23ULL, 29ULL, 31ULL, 37ULL}) {
    std::uint64_t x = powmod(a, d, n);
    if (x == 1 || x == n - 1) continue;
    bool composite = true;
    for (unsigned r = 1; r < s; ++r) {
      x = mulmod(x, x, n);
      if (x == n - 1) {
        composite = false;
        break;
      }
    }
    if (composite) return false;
  }
  return true;
}

Fp64Core::Fp64Core(std::uint64_t p) : p_(p) {
  if (p < 3 || (p & 1U) == 0 || !is_prime_u64(p))
    throw ConfigError("Fp64: modulus " + std::to_string(p) + " is not an odd prime");
  // Newton iteration for p^-1 mod 2^64: each step doubles the correct low bits.
  std::uint64_t inv = p;
  for (int i = 0; i < 6; ++i) inv *= 2 - p * inv;
  pinv_ = inv;
  const auto r = static_cast<std::uint64_t>((static_cast<u128>(1) << 64) % p);
  one_ = r;
  r2_ = mulmod(r, r, p);
  bits_ = static_cast<std::size_t>(std::bit_width(p));
  bytes_ = (bits_ + 7) / 8;
  mask_ = bits_ == 64 ? ~0ULL : (1ULL << bits_) - 1;
  name_ = "GF(" + std::to_string(p) + ")";
  for (std::uint64_t c = 2;; ++c) {
    if (powmod(c, (p - 1) / 2, p) == p - 1) {
      std::uint64_t q = p - 1;
      while ((q & 1U) == 0) q >>= 1;
      root_of_unity_ = {to_mont(powmod(c, q, p))};
      break;
    }
  }
}

Fp64Core::Element Fp64Core::inv(Element a) const {
  if (a.mont == 0) throw RangeError("inverse of 0 in " + name_);
  // Fermat: a^(p-2). Square-and-multiply in Montgomery form.
  Element result = one();
  std::uint64_t e = p_ - 2;
  while (e != 0) {
    if (e & 1U) result = mul(result, a);
    a = mul(a, a);
    e >>= 1;
  }
  return result;
}

std::optional<Fp64Core::Element> Fp64Core::sqrt(Element a) const {
  return tonelli_shanks(static_cast<const Fp64&>(*this), a, p_ - 1, root_of_unity_);
}

Fp64Core::Element Fp64Core::from_int(std::int64_t v) const {
  const std::uint64_t half = (p_ - 1) / 2;
  const std::uint64_t mag = v < 0 ? 0 - static_cast<std::uint64_t>(v) : static_cast<std::uint64_t>(v);
  if (mag > half)
    throw RangeError("integer " + std::to_string(v) + " is outside the centered range [-" +
                     std::to_string(half) + ", " + std::to_string(half) + "] of " + name_);
  const Element e{to_mont(mag)};
  return v < 0 ? neg(e) : e;
}

Fp64Core::Element Fp64Core::from_uint(std::uint64_t v) const {
  if (v >= p_) throw RangeError("integer " + std::to_string(v) + " is not below the modulus of " + name_);
  return {to_mont(v)};
}

std::int64_t Fp64Core::to_int(Element a) const {
  const std::uint64_t v = to_uint(a);
  if (v <= (p_ - 1) / 2) return static_cast<std::int64_t>(v);
  return -static_cast<std::int64_t>(p_ - v);
}

void Fp64Core::encode(Element a, std::span<std::byte> out) const {
  if (out.size() != bytes_) detail::throw_byte_length(name_, bytes_, out.size());
  std::uint64_t v = to_uint(a);
  for (auto& b : out) {
    b = static_cast<std::byte>(v & 0xffU);
    v >>= 8;
  }
}

Fp64Core::Element Fp64Core::decode(std::span<const std::byte> in) const {
  if (in.size() != bytes_) detail::throw_byte_length(name_, bytes_, in.size());
  std::uint64_t v = 0;
  for (std::size_t i = in.size(); i-- > 0;) v = (v << 8) | std::to_integer<std::uint64_t>(in[i]);
  if (v >= p_)
    throw RangeError("decoding " + name_ + ": value " + std::to_string(v) + " is not below the modulus");
  return {to_mont(v)};
}

void Fp64Core::encode(std::span<const Element> x, std::span<std::byte> out) const {
  static_assert(std::endian::native == std::endian::little, "the wire format is little-endian");
  std::byte* dst = out.data();
  for (std::size_t i = 0; i < x.size(); ++i, dst += bytes_) {
    const std::uint64_t v = to_uint(x[i]);
    std::memcpy(dst, &v, bytes_);
  }
}

void Fp64Core::decode(std::span<const std::byte> in, std::span<Element> out) const {
  const std::byte* src = in.data();
  for (std::size_t i = 0; i < out.size(); ++i, src += bytes_) {
    std::uint64_t v = 0;
    std::memcpy(&v, src, bytes_);
    if (v >= p_)
      throw RangeError("decoding " + name_ + ": value " + std::to_string(v) + " at element " + std::to_string(i) +
                       " is not below the modulus");
    out[i] = {to_mont(v)};
  }
}

void Fp64Core::to_wire(std::span<const Element> x, std::span<std::byte> out) const {
  static_assert(sizeof(Element) == 8 && std::endian::native == std::endian::little);
  if (x.empty()) return;  // memcpy wants pointers even for no bytes
  if (bytes_ == sizeof(Element)) {
    std::memcpy(out.data(), x.data(), x.size_bytes());
    return;
  }
  std::byte* dst = out.data();
  for (std::size_t i = 0; i < x.size(); ++i, dst += bytes_) std::memcpy(dst, &x[i].mont, bytes_);
}

namespace {

// Reads the wire's words as elements for std::vector's range constructor (which
// then allocates once and writes each element once), noting in `bad` whether any
// was out of range. Random access, so that the vector takes the count from the
// distance instead of walking the range twice.
class WireReader {
 public:
  using iterator_category = std::random_access_iterator_tag;
  using value_type = Fp64Core::Element;
  using difference_type = std::ptrdiff_t;
  using pointer = const value_type*;
  using reference = value_type;

  WireReader(const std::byte* at, std::size_t width, std::uint64_t p, std::uint64_t* bad)
      : at_(at), width_(width), p_(p), bad_(bad) {}
  value_type operator*() const {
    std::uint64_t v = 0;
    if (width_ == sizeof v) {
      std::memcpy(&v, at_, sizeof v);  // a constant size: one load, not a call
    } else {
      std::memcpy(&v, at_, width_);
    }
    *bad_ |= static_cast<std::uint64_t>(v >= p_);
    return {v};
  }
  WireReader& operator++() {
    at_ += width_;
    return *this;
  }
  WireReader operator++(int) {
    WireReader before = *this;
    at_ += width_;
    return before;
  }
  difference_type operator-(const WireReader& other) const {
    return (at_ - other.at_) / static_cast<difference_type>(width_);
  }
  bool operator==(const WireReader& other) const { return at_ == other.at_; }

 private:
  const std::byte* at_;
  std::size_t width_;
  std::uint64_t p_;
  std::uint64_t* bad_;
};

}  // namespace

std::vector<Fp64Core::Element> Fp64Core::from_wire(std::span<const std::byte> in) const {
  std::uint64_t bad = 0;
  const std::byte* begin = in.data();
  const std::byte* end = begin + in.size() / bytes_ * bytes_;
  std::vector<Element> out(WireReader(begin, bytes_, p_, &bad), WireReader(end, bytes_, p_, &bad));
  if (bad != 0) throw_not_a_residue(out);
  return out;
}

void Fp64Core::from_wire(std::span<const std::byte> in, std::span<Element> out) const {
  // Copy and range check in one branch-free pass (it vectorizes); the element is
  // looked for only when there is one to name.
  std::uint64_t bad = 0;
  const std::byte* src = in.data();
  if (bytes_ == sizeof(Element)) {
    for (std::size_t i = 0; i < out.size(); ++i, src += sizeof(Element)) {
      std::uint64_t v;
      std::memcpy(&v, src, sizeof v);
      bad |= static_cast<std::uint64_t>(v >= p_);
      out[i].mont = v;
    }
  } else {
    for (std::size_t i = 0; i < out.size(); ++i, src += bytes_) {
      std::uint64_t v = 0;
      std::memcpy(&v, src, bytes_);
      bad |= static_cast<std::uint64_t>(v >= p_);
      out[i].mont = v;
    }
  }
  if (bad != 0) throw_not_a_residue(out);
}

void Fp64Core::check_wire(std::span<const Element> words) const {
  std::uint64_t bad = 0;
  for (const Element& w : words) bad |= static_cast<std::uint64_t>(w.mont >= p_);
  if (bad != 0) throw_not_a_residue(words);
}

void Fp64Core::throw_not_a_residue(std::span<const Element> decoded) const {
  const auto it = std::find_if(decoded.begin(), decoded.end(), [this](const Element& e) { return e.mont >= p_; });
  throw RangeError("decoding " + name_ + ": value " + std::to_string(it->mont) + " at element " +
                   std::to_string(it - decoded.begin()) + " is not below the modulus (as its Montgomery residue)");
}

}  // namespace meshmpc
