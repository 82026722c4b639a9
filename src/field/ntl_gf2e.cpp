#include <meshmpc/field/ntl_gf2e.hpp>

#include <NTL/GF2XFactoring.h>

#include <algorithm>
#include <bit>
#include <cstring>
#include <vector>

namespace meshmpc {

namespace {

std::string degree_name(std::size_t d) { return "GF(2^" + std::to_string(d) + ")"; }

}  // namespace

NtlGF2ECore::NtlGF2ECore(std::size_t degree) {
  if (degree < 1 || degree > kMaxDegree)
    throw ConfigError("NtlGF2E: degree " + std::to_string(degree) + " is not in 1.." + std::to_string(kMaxDegree));
  NTL::GF2X modulus;
  NTL::BuildSparseIrred(modulus, static_cast<long>(degree));
  *this = NtlGF2ECore(modulus);
}

NtlGF2ECore::NtlGF2ECore(Modulus modulus_given) {
  const std::uint64_t modulus_bits = modulus_given.bits;
  if (modulus_bits < 2)
    throw ConfigError("NtlGF2E: modulus " + std::to_string(modulus_bits) + " has degree below 1");
  NTL::GF2X modulus;
  for (int i = 0; i < 64; ++i)
    if ((modulus_bits >> i) & 1U) NTL::SetCoeff(modulus, i);
  if (NTL::IterIrredTest(modulus) == 0)
    throw ConfigError("NtlGF2E: modulus " + std::to_string(modulus_bits) + " is not an irreducible polynomial");
  *this = NtlGF2ECore(modulus);
}

NtlGF2ECore::NtlGF2ECore(const NTL::GF2X& modulus) : modulus_(modulus) {
  degree_ = static_cast<std::size_t>(NTL::deg(modulus_));
  bytes_ = (degree_ + 7) / 8;
  context_ = NTL::GF2EContext(modulus_);
  {
    const NTL::GF2EPush push(context_);
    info_ = NTL::GF2EInfo;
  }
  name_ = degree_name(degree_);
}

u128 NtlGF2ECore::order_minus_one() const {
  if (degree_ > 128) throw RangeError(name_ + " has more than 2^128 elements");
  return degree_ == 128 ? ~u128{0} : (u128{1} << degree_) - 1;
}

NtlGF2ECore::Element NtlGF2ECore::from_uint(std::uint64_t v) const {
  if (static_cast<std::size_t>(std::bit_width(v)) > degree_)
    throw RangeError(std::to_string(v) + " is not a bit pattern of " + name_ + " (" + std::to_string(degree_) +
                     " bits)");
  const std::uint64_t words[1] = {v};
  return from_words(words);
}

NtlGF2ECore::Element NtlGF2ECore::from_int(std::int64_t v) const {
  if (v < 0) throw RangeError(std::to_string(v) + " is negative: elements of " + name_ + " are bit patterns");
  return from_uint(static_cast<std::uint64_t>(v));
}

std::uint64_t NtlGF2ECore::to_uint(const Element& a) const {
  const NTL::GF2X& p = NTL::rep(a);
  if (NTL::deg(p) >= 64) throw RangeError(to_string(a) + " in " + name_ + " does not fit 64 bits");
  std::uint64_t v = 0;
  for (long i = 0; i <= NTL::deg(p); ++i)
    if (NTL::IsOne(NTL::coeff(p, i))) v |= std::uint64_t{1} << i;
  return v;
}

std::int64_t NtlGF2ECore::to_int(const Element& a) const {
  const std::uint64_t v = to_uint(a);
  if (v >> 63) throw RangeError(std::to_string(v) + " in " + name_ + " does not fit 63 bits");
  return static_cast<std::int64_t>(v);
}

std::string NtlGF2ECore::to_string(const Element& a) const {
  const NTL::GF2X& p = NTL::rep(a);
  if (NTL::deg(p) < 64) {
    std::uint64_t v = 0;
    for (long i = 0; i <= NTL::deg(p); ++i)
      if (NTL::IsOne(NTL::coeff(p, i))) v |= std::uint64_t{1} << i;
    return std::to_string(v);
  }
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  for (long nibble = NTL::deg(p) / 4; nibble >= 0; --nibble) {
    unsigned d = 0;
    for (int b = 3; b >= 0; --b) d = d * 2 + (NTL::IsOne(NTL::coeff(p, nibble * 4 + b)) ? 1U : 0U);
    out.push_back(kHex[d]);
  }
  return "0x" + out;
}

void NtlGF2ECore::encode(const Element& a, std::span<std::byte> out) const {
  if (out.size() != bytes_) detail::throw_byte_length(name_, bytes_, out.size());
  NTL::BytesFromGF2X(reinterpret_cast<unsigned char*>(out.data()), NTL::rep(a), static_cast<long>(bytes_));
}

NtlGF2ECore::Element NtlGF2ECore::decode(std::span<const std::byte> in) const {
  if (in.size() != bytes_) detail::throw_byte_length(name_, bytes_, in.size());
  NTL::GF2X p;
  NTL::GF2XFromBytes(p, reinterpret_cast<const unsigned char*>(in.data()), static_cast<long>(bytes_));
  if (static_cast<std::size_t>(NTL::deg(p) + 1) > degree_)
    throw RangeError("decoding " + name_ + ": bit " + std::to_string(NTL::deg(p)) + " is set, beyond x^" +
                     std::to_string(degree_ - 1));
  const auto g = enter();
  Element r;
  NTL::conv(r, p);
  return r;
}

NtlGF2ECore::Element NtlGF2ECore::from_words(std::span<const std::uint64_t> words) const {
  std::vector<unsigned char> bytes(bytes_, 0);
  // Fewer words than the field needs (from_uint) leave the high bytes zero.
  const std::size_t given = std::min(bytes_, words.size() * 8);
  for (std::size_t i = 0; i < given; ++i) bytes[i] = static_cast<unsigned char>(words[i / 8] >> (8 * (i % 8)));
  if (degree_ % 8 != 0) bytes.back() &= static_cast<unsigned char>((1U << (degree_ % 8)) - 1);
  NTL::GF2X p;
  NTL::GF2XFromBytes(p, bytes.data(), static_cast<long>(bytes_));
  const auto g = enter();
  Element r;
  NTL::conv(r, p);
  return r;
}

}  // namespace meshmpc
