#include <meshmpc/error.hpp>
#include <meshmpc/field/fp127.hpp>
#include <meshmpc/field/fp64.hpp>
#include <meshmpc/runtime/field_choice.hpp>
#include <meshmpc/runtime/protocols/compare.hpp>
#include <meshmpc/runtime/protocols/fxp.hpp>

#include <NTL/ZZ.h>

#include <sstream>

namespace meshmpc {

std::string to_string(ShippedField field) {
  switch (field) {
    case ShippedField::fp64: return "fp64";
    case ShippedField::fp127: return "fp127";
    case ShippedField::ntl: return "ntl";
  }
  return "?";
}

namespace {
// The smallest prime above 2^bits, in decimal (the same at every party).
std::string prime_above(std::size_t bits) {
  const NTL::ZZ p = NTL::NextPrime(NTL::power2_ZZ(static_cast<long>(bits)));
  std::ostringstream decimal;
  decimal << p;
  return decimal.str();
}
}  // namespace

FieldChoice choose_integer_field(const IntegerDemand& d) {
  if (d.bit_length < 2 || d.bit_length > 64)
    throw ConfigError("secure integers of " + std::to_string(d.bit_length) + " bits: the bit length must be 2..64");
  if (d.sec_param < 1 || d.sec_param > 512)
    throw ConfigError("security parameter k = " + std::to_string(d.sec_param) + " is outside 1..512");
  // Comparisons and equality tests mask l-bit values at m = l (less_than_zero,
  // is_zero). The smallest demand is a high mask of k random bits (one term,
  // HighMask::bits): with it, Fp64 holds 32-bit comparisons at k = 30 for any n —
  // faster than Fp127 with dealt terms (docs/protocols.md, "Which field").
  const std::size_t l = d.bit_length;
  std::size_t top = 0;
  if (protocols::mask_fits(Fp64{}, l, l + 1, d.sec_param, 1, &top)) return {ShippedField::fp64, top, {}};
  if (protocols::mask_fits(Fp127{}, l, l + 1, d.sec_param, 1, &top)) return {ShippedField::fp127, top, {}};
  // Beyond 127 bits: the smallest prime above 2^top, the same at every party.
  return {ShippedField::ntl, top, prime_above(top)};
}


FieldChoice choose_fixed_point_field(const FixedPointDemand& d) {
  if (d.bit_length < 2 || d.bit_length > 62 || d.frac_length >= d.bit_length)
    throw ConfigError("secfxp(" + std::to_string(d.bit_length) + ", " + std::to_string(d.frac_length) +
                      "): the bit length must be 2..62 and the fractional bits fewer than it");
  if (d.sec_param < 1 || d.sec_param > 512)
    throw ConfigError("security parameter k = " + std::to_string(d.sec_param) + " is outside 1..512");
  // As check_fxp_fits, with the most terms a truncation mask can have at this t
  // (PRSS may add kTruncationPrssSlack to the t + 1 dealers).
  const std::size_t s = std::max<std::size_t>(d.frac_length, 1);
  const std::size_t terms = d.threshold + 1 + protocols::kTruncationPrssSlack;
  const std::size_t top = protocols::truncation_top_bits(d.bit_length, s, d.sec_param, terms);
  if (protocols::truncation_fits(Fp64{}.bit_length(), top)) return {ShippedField::fp64, top, {}};
  if (protocols::truncation_fits(Fp127{}.bit_length(), top)) return {ShippedField::fp127, top, {}};
  return {ShippedField::ntl, top, prime_above(top)};
}

}  // namespace meshmpc
