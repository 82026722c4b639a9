// Random elements from a word source: the same key gives the same elements (PRSS
// relies on it), the values are below p and spread out. Keys are fixed, so these
// tests are deterministic: the bounds are loose enough for any sound sampler and
// cannot flake.
#include "reference.hpp"

#include <meshmpc/field.hpp>
#include <meshmpc/sharing/prg.hpp>

#include <gtest/gtest.h>

#include <NTL/ZZ.h>

#include <cstdint>
#include <initializer_list>
#include <span>
#include <vector>

namespace meshmpc {
namespace {

using test::modulus;
using test::value;

constexpr const char* kPrime256 =
    "115792089237316195423570985008687907853269984665640564039457584007913129639747";

Prg::Key key(unsigned char tag) {
  Prg::Key k{};
  for (std::size_t i = 0; i < k.size(); ++i) k[i] = static_cast<std::byte>(tag + 3 * i);
  return k;
}

template <class F>
std::vector<typename F::Element> draw(const F& f, const Prg::Key& k, std::uint64_t stream, std::size_t n) {
  Prg prg(k, stream);
  std::vector<typename F::Element> out(n);
  f.random(std::span(out), prg);
  return out;
}

template <class F>
void check_random(const F& f) {
  SCOPED_TRACE(f.name());
  const auto a = draw(f, key(1), 0, 1000);
  EXPECT_EQ(draw(f, key(1), 0, 1000), a) << "same key and stream, same elements";
  EXPECT_NE(draw(f, key(1), 1, 1000), a) << "another stream";
  EXPECT_NE(draw(f, key(2), 0, 1000), a) << "another key";

  // The scalar form draws the same sequence as the vector form.
  Prg prg(key(1), 0);
  for (std::size_t i = 0; i < 10; ++i) EXPECT_EQ(f.random(prg), a[i]);

  const NTL::ZZ p = modulus(f);
  std::size_t distinct_from_first = 0;
  std::size_t upper_half = 0;
  for (const auto& e : a) {
    const NTL::ZZ v = value(f, e);
    EXPECT_TRUE(v >= 0 && v < p) << v;
    if (e != a[0]) ++distinct_from_first;
    if (2 * v >= p) ++upper_half;
  }
  EXPECT_GT(distinct_from_first, 0U);
  if (p > 1000) {
    // Binomial(1000, ~1/2): 250..750 is more than 15 standard deviations wide.
    EXPECT_GT(upper_half, 250U);
    EXPECT_LT(upper_half, 750U);
  }
}

TEST(Fp64, RandomIsDeterministicPerKeyAndBelowP) {
  for (const std::uint64_t p : std::initializer_list<std::uint64_t>{3ULL, 101ULL, 65537ULL, (1ULL << 61) - 1, 9223372036854775837ULL, Fp64Core::kDefaultPrime})
    check_random(Fp64(p));
}

TEST(Fp127, RandomIsDeterministicPerKeyAndBelowP) { check_random(Fp127()); }

TEST(NtlField, RandomIsDeterministicPerKeyAndBelowP) {
  check_random(NtlField(kPrime256));
  check_random(NtlField("340282366920938463463374607431768211297"));
  check_random(NtlField("101"));
  check_random(NtlField("3"));
}

// Chi-square over GF(101) with 100 expected per value: the statistic has mean 100 and
// standard deviation about 14; 250 is more than 10 of those away.
template <class F>
void check_chi_square(const F& f) {
  SCOPED_TRACE(f.name());
  constexpr long kP = 101;
  constexpr long kDraws = kP * 100;
  const auto x = draw(f, key(7), 3, kDraws);
  std::vector<long> count(kP, 0);
  for (const auto& e : x) ++count[NTL::conv<long>(value(f, e))];
  double chi2 = 0;
  for (const long c : count) chi2 += (c - 100.0) * (c - 100.0) / 100.0;
  EXPECT_LT(chi2, 250.0);
  for (const long c : count) EXPECT_GT(c, 0);
}

TEST(Fp64, RandomIsRoughlyUniformOverASmallPrime) { check_chi_square(Fp64(101)); }

TEST(NtlField, RandomIsRoughlyUniformOverASmallPrime) { check_chi_square(NtlField("101")); }

TEST(Fp127, RandomReachesTheTopBits) {
  // Word order and masking: draws fill all 127 bits (the top bit of the first word
  // drawn and of the second must both vary).
  const Fp127 f;
  const auto x = draw(f, key(9), 0, 1000);
  std::size_t bit126 = 0;
  std::size_t bit63 = 0;
  for (const auto& e : x) {
    bit126 += static_cast<std::size_t>((e.v >> 126) & 1U);
    bit63 += static_cast<std::size_t>((e.v >> 63) & 1U);
  }
  EXPECT_GT(bit126, 250U);
  EXPECT_LT(bit126, 750U);
  EXPECT_GT(bit63, 250U);
  EXPECT_LT(bit63, 750U);
}

}  // namespace
}  // namespace meshmpc
