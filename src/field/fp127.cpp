#include <meshmpc/field/fp127.hpp>

#include <bit>
#include <cstring>

namespace meshmpc {

std::string u128_to_string(u128 v) {
  if (v == 0) return "0";
  std::string s;
  while (v != 0) {
    s.insert(s.begin(), static_cast<char>('0' + static_cast<int>(v % 10)));
    v /= 10;
  }
  return s;
}

namespace {
std::string i128_to_string(i128 v) {
  return v < 0 ? "-" + u128_to_string(static_cast<u128>(0) - static_cast<u128>(v))
               : u128_to_string(static_cast<u128>(v));
}
}  // namespace

const std::string& Fp127Core::name() const {
  static const std::string kName = "GF(2^127-1)";
  return kName;
}

Fp127Core::Element Fp127Core::inv(Element a) const {
  if (a.v == 0) throw RangeError("inverse of 0 in " + name());
  return static_cast<const Fp127&>(*this).pow(a, kP - 2);
}

std::optional<Fp127Core::Element> Fp127Core::sqrt(Element a) const {
  const Element r = static_cast<const Fp127&>(*this).pow(a, (kP + 1) >> 2);
  if (mul(r, r) != a) return std::nullopt;
  return r;
}

Fp127Core::Element Fp127Core::from_int128(i128 v) const {
  const u128 half = kP >> 1;
  const u128 mag = v < 0 ? static_cast<u128>(0) - static_cast<u128>(v) : static_cast<u128>(v);
  if (mag > half)
    throw RangeError("integer " + i128_to_string(v) + " is outside the centered range of " + name());
  return v < 0 ? neg({mag}) : Element{mag};
}

Fp127Core::Element Fp127Core::from_uint128(u128 v) const {
  if (v >= kP) throw RangeError("integer " + u128_to_string(v) + " is not below the modulus of " + name());
  return {v};
}

std::int64_t Fp127Core::to_int(Element a) const {
  const i128 v = to_int128(a);
  if (v < INT64_MIN || v > INT64_MAX)
    throw RangeError("value " + i128_to_string(v) + " of " + name() + " does not fit a 64-bit integer");
  return static_cast<std::int64_t>(v);
}

std::string Fp127Core::to_string(Element a) const { return u128_to_string(a.v); }

void Fp127Core::encode(Element a, std::span<std::byte> out) const {
  if (out.size() != 16) detail::throw_byte_length(name(), 16, out.size());
  u128 v = a.v;
  for (auto& b : out) {
    b = static_cast<std::byte>(static_cast<unsigned>(v & 0xffU));
    v >>= 8;
  }
}

Fp127Core::Element Fp127Core::decode(std::span<const std::byte> in) const {
  if (in.size() != 16) detail::throw_byte_length(name(), 16, in.size());
  u128 v = 0;
  for (std::size_t i = in.size(); i-- > 0;) v = (v << 8) | std::to_integer<unsigned>(in[i]);
  if (v >= kP) throw RangeError("decoding " + name() + ": value " + u128_to_string(v) + " is not below the modulus");
  return {v};
}

void Fp127Core::encode(std::span<const Element> x, std::span<std::byte> out) const {
  static_assert(std::endian::native == std::endian::little, "the wire format is little-endian");
  static_assert(sizeof(u128) == 16);
  for (std::size_t i = 0; i < x.size(); ++i) std::memcpy(out.data() + 16 * i, &x[i].v, 16);
}

void Fp127Core::decode(std::span<const std::byte> in, std::span<Element> out) const {
  for (std::size_t i = 0; i < out.size(); ++i) {
    u128 v = 0;
    std::memcpy(&v, in.data() + 16 * i, 16);
    if (v >= kP)
      throw RangeError("decoding " + name() + ": value " + u128_to_string(v) + " at element " + std::to_string(i) +
                       " is not below the modulus");
    out[i] = {v};
  }
}

}  // namespace meshmpc
