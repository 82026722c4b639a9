#pragma once
// Which shipped prime field a program of secure integers runs over, chosen from
// what its comparisons need — so that a user never has to know a field exists.
//
// A comparison or equality test of l-bit integers opens c = a + r' + 2^m r''
// (protocols/compare.hpp): a < 2^(l+1), the mask r' < 2^m (m = l) and the
// statistical mask r'' of k bits — dealt as t + 1 terms where their sum fits, else
// k shared random bits (HighMask). c must stay below p: about l + k + 2 bits, so
// 32-bit integers at k = 30 fit GF(2^64 - 59) at any n; longer integers or a larger
// k need GF(2^127 - 1) or beyond. docs/protocols.md ("Which field") has the
// measurements behind the choice.
#include <cstddef>
#include <string>

namespace meshmpc {

// What a program's secure integers demand of the field.
struct IntegerDemand {
  std::size_t bit_length;  // l of its SecInt values (comparisons of l-bit values)
  std::size_t sec_param;   // k (SessionOptions::sec_param)
};

enum class ShippedField {
  fp64,   // Fp64{}: GF(2^64 - 59)
  fp127,  // Fp127: GF(2^127 - 1)
  ntl,    // NtlField of the prime FieldChoice::ntl_prime_decimal (beyond 127 bits)
};

struct FieldChoice {
  ShippedField field;
  std::size_t needed_bits;         // the bits a modulus must have (approximately: see above)
  std::string ntl_prime_decimal;   // field == ntl: the smallest prime of needed_bits + 1 bits
};

// The smallest shipped field whose comparisons of demand.bit_length-bit integers
// fit (exactly: the bound protocols::check_mask_fits applies, with the high mask
// that needs least). ConfigError for l outside 2..64 or k outside 1..512.
FieldChoice choose_integer_field(const IntegerDemand& demand);

// What a program's secure fixed-point numbers (secfxp(l, f)) demand: a product of
// two is an integer of 2l bits truncated by f (protocols/fxp.hpp), masked by
// r' + 2^f r'' with r'' of 2l - f + k bits dealt by up to t + 1 parties — about
// 2l + k + log2(t + 1) + 2 bits, whatever f (GF(2^127 - 1) for l = 32, k = 30).
struct FixedPointDemand {
  std::size_t bit_length;   // l
  std::size_t frac_length;  // f
  std::size_t sec_param;    // k
  std::size_t threshold;    // t (the session's, resolved)
};

// The smallest shipped field whose truncations fit that demand (the bound
// protocols::check_fxp_fits applies); ConfigError for l outside 2..62, f >= l or
// k outside 1..512.
FieldChoice choose_fixed_point_field(const FixedPointDemand& demand);

std::string to_string(ShippedField field);

}  // namespace meshmpc
