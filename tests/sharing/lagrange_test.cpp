#include <meshmpc/sharing/lagrange.hpp>

#include "test_support.hpp"

#include <gtest/gtest.h>

#include <vector>

namespace meshmpc {
namespace {

using namespace test;  // test_support.hpp

template <class F>
class LagrangeTyped : public ::testing::Test {
 protected:
  F field;
};
TYPED_TEST_SUITE(LagrangeTyped, SharingFields);

TYPED_TEST(LagrangeTyped, CoefficientsInterpolateRandomPolynomialsAtArbitraryPoints) {
  using E = typename TypeParam::Element;
  const auto& f = this->field;
  Prg rng(fixed_key(3), 0);
  for (std::size_t k = 1; k <= 8; ++k) {
    std::vector<E> points(k), coeff(k);
    f.random(std::span<E>(points), rng);  // distinct with overwhelming probability
    f.random(std::span<E>(coeff), rng);
    auto poly = [&](E x) {
      E acc = f.zero();
      for (std::size_t d = k; d-- > 0;) acc = f.add(f.mul(acc, x), coeff[d]);
      return acc;
    };
    const E x = f.random(rng);
    const auto lambda = lagrange_coefficients(f, std::span<const E>(points), x);
    ASSERT_EQ(lambda.size(), k);
    E sum = f.zero();
    for (std::size_t j = 0; j < k; ++j) sum = f.add(sum, f.mul(lambda[j], poly(points[j])));
    EXPECT_EQ(sum, poly(x)) << "k=" << k;
  }
}

TYPED_TEST(LagrangeTyped, CoefficientsForPartySetsSumToOne) {
  using E = typename TypeParam::Element;
  const auto& f = this->field;
  const Lagrange<TypeParam> lagrange(f, 7);
  for (const auto& ids : test::subsets_of_size(7, 4)) {
    for (const E x : {f.zero(), f.from_uint(9), f.from_int(-3)}) {
      const auto lambda = lagrange.at(ids, x);
      E sum = f.zero();
      for (const auto& l : *lambda) sum = f.add(sum, l);
      ASSERT_EQ(sum, f.one());  // the constant polynomial 1
    }
  }
}

TYPED_TEST(LagrangeTyped, AtAPartysOwnPointTheCoefficientsSelectIt) {
  const auto& f = this->field;
  const Lagrange<TypeParam> lagrange(f, 5);
  const std::vector<std::size_t> ids{4, 0, 2};
  const auto lambda = lagrange.at(ids, lagrange.point(0));
  EXPECT_EQ((*lambda)[0], f.zero());
  EXPECT_EQ((*lambda)[1], f.one());
  EXPECT_EQ((*lambda)[2], f.zero());
}

TEST(Lagrange, KnownCoefficientsAtZeroForThreeParties) {
  // Points 1, 2, 3 at 0: lambda = (3, -3, 1).
  const Fp64 f;
  const Lagrange<Fp64> lagrange(f, 3);
  const std::vector<std::size_t> ids{0, 1, 2};
  const auto lambda = lagrange.at(ids, f.zero());
  EXPECT_EQ(*lambda, (std::vector{f.from_int(3), f.from_int(-3), f.from_int(1)}));
  // Points 1, 2 at 0: (2, -1).
  const std::vector<std::size_t> two{0, 1};
  EXPECT_EQ(*lagrange.at(two, f.zero()), (std::vector{f.from_int(2), f.from_int(-1)}));
}

TEST(Lagrange, CachesPerPartySetOrderAndPoint) {
  const Fp64 f;
  const Lagrange<Fp64> lagrange(f, 5);
  const std::vector<std::size_t> a{0, 1, 2}, reversed{2, 1, 0};
  EXPECT_EQ(lagrange.cache_size(), 0U);
  const auto first = lagrange.at(a, f.zero());
  EXPECT_EQ(lagrange.cache_size(), 1U);
  EXPECT_EQ(lagrange.at(a, f.zero()).get(), first.get());  // served from the cache
  EXPECT_EQ(lagrange.cache_size(), 1U);
  const auto back = lagrange.at(reversed, f.zero());
  EXPECT_EQ(lagrange.cache_size(), 2U);
  EXPECT_EQ(*back, (std::vector<Fp64::Element>(first->rbegin(), first->rend())));
  lagrange.at(a, f.one());
  EXPECT_EQ(lagrange.cache_size(), 3U);
  // A copy has its own, empty cache but the same answers.
  const Lagrange<Fp64> copy = lagrange;
  EXPECT_EQ(copy.cache_size(), 0U);
  EXPECT_EQ(*copy.at(a, f.zero()), *first);
}

TEST(Lagrange, CacheStaysBounded) {
  const Fp64 f;
  const Lagrange<Fp64> lagrange(f, 3);
  const std::vector<std::size_t> ids{0, 2};
  for (std::uint64_t x = 0; x < Lagrange<Fp64>::kMaxCacheEntries + 10; ++x) lagrange.at(ids, f.from_uint(x));
  EXPECT_LE(lagrange.cache_size(), Lagrange<Fp64>::kMaxCacheEntries);
}

TEST(Lagrange, RefusesBadPartySets) {
  const Fp64 f;
  const Lagrange<Fp64> lagrange(f, 4);
  const std::vector<std::size_t> dup{1, 2, 1}, out{0, 4}, none{};
  expect_error<RangeError>([&] { lagrange.at(dup, f.zero()); }, {"party id 1", "twice"});
  expect_error<RangeError>([&] { lagrange.at(out, f.zero()); }, {"party id 4", "n = 4"});
  expect_error<RangeError>([&] { lagrange.at(none, f.zero()); }, {"at least one party"});
  expect_error<RangeError>([&] { lagrange.point(4); }, {"party id 4"});
}

TEST(Lagrange, RefusesEqualPoints) {
  const Fp64 f;
  const std::vector points{f.from_uint(3), f.from_uint(5), f.from_uint(3)};
  expect_error<RangeError>([&] { lagrange_coefficients(f, std::span<const Fp64::Element>(points), f.zero()); },
                           {"points 0 and 2", "equal"});
}

TEST(Lagrange, RefusesMorePartiesThanNonzeroPoints) {
  expect_error<ConfigError>([] { Lagrange<Fp64>(Fp64(7), 7); }, {"n = 7", "GF(7)", "6 nonzero"});
  expect_error<ConfigError>([] { Lagrange<Fp64>(Fp64(7), 0); }, {"at least 1"});
}

}  // namespace
}  // namespace meshmpc
