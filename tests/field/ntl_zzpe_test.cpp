// NtlZZpE: GF(p^d) — the field laws on random elements, Fermat, digit conversions,
// encoding and the errors for what is not an element.
#include <meshmpc/error.hpp>
#include <meshmpc/field/ntl_zzpe.hpp>
#include <meshmpc/sharing/prg.hpp>
#include <meshmpc/sharing/shamir.hpp>

#include <gtest/gtest.h>

#include <set>
#include <vector>

namespace meshmpc {
namespace {

TEST(NtlZZpE, FieldLawsAndFermatInGF3to5) {
  const NtlZZpE f(3, 5);
  EXPECT_EQ(f.name(), "GF(3^5)");
  EXPECT_EQ(f.order_minus_one(), u128{242});
  Prg rng;
  for (int i = 0; i < 200; ++i) {
    const auto a = f.random(rng), b = f.random(rng), c = f.random(rng);
    EXPECT_EQ(f.mul(f.mul(a, b), c), f.mul(a, f.mul(b, c)));
    EXPECT_EQ(f.mul(a, f.add(b, c)), f.add(f.mul(a, b), f.mul(a, c)));
    EXPECT_TRUE(f.is_zero(f.add(a, f.neg(a))));
    EXPECT_EQ(f.sub(a, b), f.add(a, f.neg(b)));
    if (!f.is_zero(a)) {
      EXPECT_EQ(f.mul(a, f.inv(a)), f.one());
      EXPECT_EQ(f.pow(a, std::uint64_t{242}), f.one());
    }
  }
}

TEST(NtlZZpE, IntegersAreBaseP_DigitStrings) {
  const NtlZZpE f(5, 3);  // 125 elements
  std::set<std::uint64_t> seen;
  for (std::uint64_t v = 0; v < 125; ++v) {
    const auto e = f.from_uint(v);
    EXPECT_EQ(f.to_uint(e), v);
    seen.insert(f.to_uint(f.add(e, f.one())));
  }
  EXPECT_EQ(seen.size(), 125U);
  // 7 = 1*5 + 2: x + 2; adding 1 five times wraps the constant digit only.
  EXPECT_EQ(f.to_uint(f.add(f.from_uint(7), f.from_uint(3))), 5U);  // (x + 2) + 3 = x
  EXPECT_THROW((void)f.from_uint(125), RangeError);
  EXPECT_THROW((void)f.from_int(-2), RangeError);
  EXPECT_THROW((void)f.inv(f.zero()), RangeError);
  EXPECT_THROW(NtlZZpE(4, 2), ConfigError);
  EXPECT_THROW(NtlZZpE(2, 8), ConfigError);  // GF(2^d) is NtlGF2E's
  EXPECT_THROW(NtlZZpE(7, 0), ConfigError);
}

TEST(NtlZZpE, EncodeDecodeRoundTripsAndRefusesCoefficientsNotBelowP) {
  const NtlZZpE f(257, 4);  // two bytes per coefficient
  ASSERT_EQ(f.byte_size(), 8U);
  Prg rng;
  for (int i = 0; i < 50; ++i) {
    const auto a = f.random(rng);
    std::vector<std::byte> bytes(f.byte_size());
    f.encode(a, bytes);
    EXPECT_EQ(f.decode(bytes), a);
  }
  std::vector<std::byte> bad(f.byte_size(), std::byte{0});
  bad[2] = std::byte{0x01};
  bad[3] = std::byte{0x01};  // coefficient 1 = 257
  try {
    (void)f.decode(bad);
    FAIL() << "257 decoded as a coefficient mod 257";
  } catch (const RangeError& e) {
    EXPECT_NE(std::string(e.what()).find("coefficient 1 is 257"), std::string::npos) << e.what();
  }
}

TEST(NtlZZpE, ShamirOverGF3to5ForFiveParties) {
  const NtlZZpE f(3, 5);
  const Shamir<NtlZZpE> shamir(f, 5, 2);
  for (std::size_t i = 0; i < 5; ++i) EXPECT_EQ(f.to_uint(shamir.point(i)), i + 1);
  Prg rng;
  const std::vector<NtlZZpE::Element> secrets{f.from_uint(0), f.from_uint(242), f.from_uint(100)};
  const auto shares = shamir.share(secrets, rng);
  const std::vector<std::size_t> parties{0, 3, 4};
  std::vector<std::span<const NtlZZpE::Element>> views;
  for (auto p : parties) views.emplace_back(shares[p]);
  EXPECT_EQ(shamir.reconstruct(parties, views), secrets);
}

}  // namespace
}  // namespace meshmpc
