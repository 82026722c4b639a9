// NtlGF2E: GF(2^d) arithmetic against a plain bitwise reference (carry-less
// multiplication reduced by the modulus), conversions and their errors.
#include <meshmpc/error.hpp>
#include <meshmpc/field/ntl_gf2e.hpp>
#include <meshmpc/sharing/prg.hpp>
#include <meshmpc/sharing/shamir.hpp>

#include <gtest/gtest.h>

#include <array>
#include <cstddef>
#include <cstdint>
#include <set>
#include <vector>

namespace meshmpc {
namespace {

// a * b in GF(2)[x] modulo `modulus` (degree d <= 32), bit by bit.
std::uint64_t reference_mul(std::uint64_t a, std::uint64_t b, std::uint64_t modulus, unsigned d) {
  std::uint64_t product = 0;
  for (unsigned i = 0; i < d; ++i)
    if ((b >> i) & 1U) product ^= a << i;
  for (unsigned i = 2 * d; i-- > d;)
    if ((product >> i) & 1U) product ^= modulus << (i - d);
  return product;
}

TEST(NtlGF2E, DefaultDegree8IsTheAesField) {
  const NtlGF2E f(8);
  EXPECT_EQ(f.name(), "GF(2^8)");
  EXPECT_EQ(f.degree(), 8U);
  EXPECT_EQ(f.byte_size(), 1U);
  // FIPS-197 section 4.2: {57} * {83} = {c1}, and {53} * {ca} = {01}.
  EXPECT_EQ(f.to_uint(f.mul(f.from_uint(0x57), f.from_uint(0x83))), 0xc1U);
  EXPECT_EQ(f.to_uint(f.inv(f.from_uint(0x53))), 0xcaU);
}

TEST(NtlGF2E, AllProductsAndInversesMatchTheReferenceInGF256) {
  const NtlGF2E f = NtlGF2E(NtlGF2E::Modulus{0x11b});
  for (std::uint64_t a = 0; a < 256; ++a) {
    for (std::uint64_t b = 0; b < 256; ++b) {
      const auto fa = f.from_uint(a), fb = f.from_uint(b);
      ASSERT_EQ(f.to_uint(f.mul(fa, fb)), reference_mul(a, b, 0x11b, 8)) << a << " * " << b;
      ASSERT_EQ(f.to_uint(f.add(fa, fb)), a ^ b);
      ASSERT_EQ(f.to_uint(f.sub(fa, fb)), a ^ b);
    }
    if (a != 0) {
      EXPECT_EQ(reference_mul(a, f.to_uint(f.inv(f.from_uint(a))), 0x11b, 8), 1U) << a;
    }
  }
}

TEST(NtlGF2E, FermatAndVectorOpsOnAWiderField) {
  const NtlGF2E f(61);
  Prg rng;
  std::vector<NtlGF2E::Element> x(64), y(64), out(64);
  f.random(std::span(x), rng);
  f.random(std::span(y), rng);
  f.mul(std::span(out), std::span<const NtlGF2E::Element>(x), std::span<const NtlGF2E::Element>(y));
  for (std::size_t i = 0; i < x.size(); ++i) {
    EXPECT_EQ(out[i], f.mul(x[i], y[i]));
    if (!f.is_zero(x[i])) {
      EXPECT_EQ(f.pow(x[i], (std::uint64_t{1} << 61) - 1), f.one());
    }
  }
  EXPECT_EQ(f.inner(std::span<const NtlGF2E::Element>(x), std::span<const NtlGF2E::Element>(y)),
            [&] {
              auto acc = f.zero();
              for (std::size_t i = 0; i < x.size(); ++i) acc = f.add(acc, f.mul(x[i], y[i]));
              return acc;
            }());
}

TEST(NtlGF2E, EncodeDecodeRoundTripsAndRefusesBitsBeyondTheDegree) {
  const NtlGF2E f(12);
  ASSERT_EQ(f.byte_size(), 2U);
  for (std::uint64_t v : {0ULL, 1ULL, 0x800ULL, 0xfffULL, 0x5a5ULL}) {
    std::array<std::byte, 2> bytes{};
    f.encode(f.from_uint(v), bytes);
    EXPECT_EQ(f.to_uint(f.decode(bytes)), v);
  }
  const std::array<std::byte, 2> wide{std::byte{0}, std::byte{0x10}};  // x^12
  try {
    (void)f.decode(wide);
    FAIL() << "x^12 decoded in GF(2^12)";
  } catch (const RangeError& e) {
    EXPECT_NE(std::string(e.what()).find("bit 12 is set"), std::string::npos) << e.what();
  }
  const std::array<std::byte, 1> short_input{};
  EXPECT_THROW((void)f.decode(short_input), RangeError);
}

TEST(NtlGF2E, ConversionsRefuseWhatIsNotABitPatternOfTheField) {
  const NtlGF2E f(8);
  EXPECT_EQ(f.to_int(f.from_int(200)), 200);
  EXPECT_EQ(f.to_string(f.from_uint(11)), "11");
  EXPECT_THROW((void)f.from_uint(256), RangeError);
  EXPECT_THROW((void)f.from_int(-1), RangeError);
  EXPECT_THROW((void)f.inv(f.zero()), RangeError);
  EXPECT_THROW(NtlGF2E(0), ConfigError);
  EXPECT_THROW(NtlGF2E(NtlGF2E::Modulus{0x100}), ConfigError);  // x^8 is reducible
  const NtlGF2E wide(70);
  const auto top = wide.pow(wide.from_uint(2), std::uint64_t{69});  // x^69
  EXPECT_EQ(wide.to_string(top), "0x200000000000000000");
  EXPECT_THROW((void)wide.to_uint(top), RangeError);
}

TEST(NtlGF2E, RandomElementsCoverTheFieldAndFollowTheWordSource) {
  const NtlGF2E f(4);
  Prg rng;
  std::set<std::uint64_t> seen;
  for (int i = 0; i < 400; ++i) seen.insert(f.to_uint(f.random(rng)));
  EXPECT_EQ(seen.size(), 16U);
  const Prg::Key key{};
  Prg a(key, 7), b(key, 7);
  for (int i = 0; i < 10; ++i) EXPECT_EQ(f.random(a), f.random(b));
}

TEST(NtlGF2E, ShamirPointsAreBitPatternsAndSharesReconstruct) {
  const NtlGF2E f(8);
  const Shamir<NtlGF2E> shamir(f, 5, 2);
  for (std::size_t i = 0; i < 5; ++i) EXPECT_EQ(f.to_uint(shamir.point(i)), i + 1);
  Prg rng;
  std::vector<NtlGF2E::Element> secrets{f.from_uint(0), f.from_uint(1), f.from_uint(0xab), f.from_uint(0xff)};
  const auto shares = shamir.share(secrets, rng);
  const std::vector<std::size_t> parties{4, 1, 2};
  std::vector<std::span<const NtlGF2E::Element>> views;
  for (auto p : parties) views.emplace_back(shares[p]);
  EXPECT_EQ(shamir.reconstruct(parties, views), secrets);
  // 256 parties need the point 256, which GF(2^8) lacks.
  EXPECT_THROW(Shamir<NtlGF2E>(f, 256, 1), ConfigError);
}

}  // namespace
}  // namespace meshmpc
