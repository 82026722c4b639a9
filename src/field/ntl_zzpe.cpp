#include <meshmpc/field/ntl_zzpe.hpp>

#include <NTL/ZZ_pXFactoring.h>

#include <bit>

namespace meshmpc {

namespace {

constexpr std::size_t kMaxDegree = 1024;

}  // namespace

NtlZZpECore::NtlZZpECore(std::uint64_t p, std::size_t degree) : p_(p), degree_(degree) {
  if (p < 3 || p >= (std::uint64_t{1} << 62) || p % 2 == 0 ||
      NTL::ProbPrime(NTL::conv<NTL::ZZ>(static_cast<long>(p)), 20) == 0)
    throw ConfigError("NtlZZpE: characteristic " + std::to_string(p) + " is not an odd prime below 2^62");
  if (degree < 1 || degree > kMaxDegree)
    throw ConfigError("NtlZZpE: degree " + std::to_string(degree) + " is not in 1.." + std::to_string(kMaxDegree));
  coefficient_bits_ = static_cast<std::size_t>(std::bit_width(p));
  coefficient_bytes_ = (coefficient_bits_ + 7) / 8;
  coefficient_mask_ = (std::uint64_t{1} << coefficient_bits_) - 1;
  base_ = NTL::ZZ_pContext(NTL::conv<NTL::ZZ>(static_cast<long>(p)));
  const NTL::ZZ_pPush base_push(base_);
  base_info_ = NTL::ZZ_pInfo;
  NTL::ZZ_pX modulus;
  NTL::BuildIrred(modulus, static_cast<long>(degree));
  ext_ = NTL::ZZ_pEContext(modulus);
  const NTL::ZZ_pEPush ext_push(ext_);
  ext_info_ = NTL::ZZ_pEInfo;
  name_ = "GF(" + std::to_string(p) + "^" + std::to_string(degree) + ")";
}

u128 NtlZZpECore::order_minus_one() const {
  u128 q = 1;
  for (std::size_t i = 0; i < degree_; ++i) {
    if (q > (~u128{0}) / p_) throw RangeError(name_ + " has more than 2^128 elements");
    q *= p_;
  }
  return q - 1;
}

NtlZZpECore::Element NtlZZpECore::from_uint(std::uint64_t v) const {
  std::vector<std::uint64_t> digits(degree_, 0);
  std::uint64_t rest = v;
  for (std::size_t i = 0; i < degree_ && rest != 0; ++i) {
    digits[i] = rest % p_;
    rest /= p_;
  }
  if (rest != 0) throw RangeError(std::to_string(v) + " has more than " + std::to_string(degree_) +
                                  " base-" + std::to_string(p_) + " digits: not an element of " + name_);
  return from_coefficients(digits);
}

NtlZZpECore::Element NtlZZpECore::from_int(std::int64_t v) const {
  if (v < 0) throw RangeError(std::to_string(v) + " is negative: elements of " + name_ + " are base-" +
                              std::to_string(p_) + " digit strings");
  return from_uint(static_cast<std::uint64_t>(v));
}

std::vector<std::uint64_t> NtlZZpECore::coefficients(const Element& a) const {
  std::vector<std::uint64_t> out(degree_, 0);
  const NTL::ZZ_pX& poly = NTL::rep(a);
  for (long i = 0; i <= NTL::deg(poly); ++i)
    out[static_cast<std::size_t>(i)] = NTL::conv<unsigned long>(NTL::rep(NTL::coeff(poly, i)));
  return out;
}

std::uint64_t NtlZZpECore::to_uint(const Element& a) const {
  const auto c = coefficients(a);
  u128 v = 0;
  for (std::size_t i = degree_; i-- > 0;) {
    v = v * p_ + c[i];
    if (v >> 64) throw RangeError(to_string(a) + " in " + name_ + " does not fit 64 bits");
  }
  return static_cast<std::uint64_t>(v);
}

std::int64_t NtlZZpECore::to_int(const Element& a) const {
  const std::uint64_t v = to_uint(a);
  if (v >> 63) throw RangeError(std::to_string(v) + " in " + name_ + " does not fit 63 bits");
  return static_cast<std::int64_t>(v);
}

std::string NtlZZpECore::to_string(const Element& a) const {
  const auto c = coefficients(a);
  u128 v = 0;
  bool fits = true;
  for (std::size_t i = degree_; i-- > 0 && fits;) {
    v = v * p_ + c[i];
    fits = (v >> 64) == 0;
  }
  if (fits) return std::to_string(static_cast<std::uint64_t>(v));
  std::string out = "[";
  for (std::size_t i = 0; i < c.size(); ++i) out += (i ? " " : "") + std::to_string(c[i]);
  return out + "]";
}

void NtlZZpECore::encode(const Element& a, std::span<std::byte> out) const {
  if (out.size() != byte_size()) detail::throw_byte_length(name_, byte_size(), out.size());
  const auto c = coefficients(a);
  for (std::size_t i = 0; i < degree_; ++i)
    for (std::size_t b = 0; b < coefficient_bytes_; ++b)
      out[i * coefficient_bytes_ + b] = static_cast<std::byte>(c[i] >> (8 * b));
}

NtlZZpECore::Element NtlZZpECore::decode(std::span<const std::byte> in) const {
  if (in.size() != byte_size()) detail::throw_byte_length(name_, byte_size(), in.size());
  std::vector<std::uint64_t> c(degree_, 0);
  for (std::size_t i = 0; i < degree_; ++i) {
    for (std::size_t b = 0; b < coefficient_bytes_; ++b)
      c[i] |= static_cast<std::uint64_t>(in[i * coefficient_bytes_ + b]) << (8 * b);
    if (c[i] >= p_)
      throw RangeError("decoding " + name_ + ": coefficient " + std::to_string(i) + " is " + std::to_string(c[i]) +
                       ", not below " + std::to_string(p_));
  }
  return from_coefficients(c);
}

NtlZZpECore::Element NtlZZpECore::from_coefficients(std::span<const std::uint64_t> coefficients) const {
  const auto g = enter();
  NTL::ZZ_pX poly;
  for (std::size_t i = 0; i < coefficients.size(); ++i)
    if (coefficients[i] != 0) NTL::SetCoeff(poly, static_cast<long>(i), NTL::conv<NTL::ZZ_p>(static_cast<long>(coefficients[i])));
  Element r;
  NTL::conv(r, poly);
  return r;
}

}  // namespace meshmpc
