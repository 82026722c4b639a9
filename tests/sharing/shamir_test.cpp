#include <meshmpc/sharing/shamir.hpp>

#include "test_support.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <numeric>
#include <random>
#include <vector>

namespace meshmpc {
namespace {

using namespace test;  // test_support.hpp

template <class F>
class ShamirTyped : public ::testing::Test {
 protected:
  using E = typename F::Element;
  F field;

  // Edge values first (0, 1, -1, 2), then pseudo-random ones.
  std::vector<E> secrets(std::size_t m, std::uint8_t seed) const {
    std::vector<E> out{field.zero(), field.one(), field.neg(field.one()), field.from_int(2)};
    Prg rng(fixed_key(seed), 1000);
    while (out.size() < m) out.push_back(field.random(rng));
    out.resize(m);
    return out;
  }
};
TYPED_TEST_SUITE(ShamirTyped, SharingFields);

TYPED_TEST(ShamirTyped, SharesAndReconstructsForEveryThresholdUpToNineParties) {
  const auto& f = this->field;
  std::mt19937 pick(7);
  for (std::size_t n = 1; n <= 9; ++n) {
    for (std::size_t t = 0; t < n; ++t) {
      const Shamir<TypeParam> shamir(f, n, t);
      const auto secrets = this->secrets(2 * Shamir<TypeParam>::kBlock + 3, static_cast<std::uint8_t>(n * 10 + t));
      Prg rng(fixed_key(static_cast<std::uint8_t>(n + t)), 0);
      const auto shares = shamir.share(secrets, rng);
      ASSERT_EQ(shares.size(), n);

      std::vector<std::size_t> all(n);
      std::iota(all.begin(), all.end(), 0);
      EXPECT_EQ(shamir.reconstruct(all, views_of(shares, all)), secrets) << "n=" << n << " t=" << t;

      std::shuffle(all.begin(), all.end(), pick);
      const std::vector<std::size_t> some(all.begin(), all.begin() + static_cast<std::ptrdiff_t>(t + 1));
      EXPECT_EQ(shamir.reconstruct(some, views_of(shares, some)), secrets) << "n=" << n << " t=" << t;

      // With t >= 1 a share is a random polynomial's value, not the secret itself.
      if (t >= 1) {
        EXPECT_NE(shares[0], secrets) << "n=" << n << " t=" << t;
      }
    }
  }
}

TYPED_TEST(ShamirTyped, ReconstructsFromEverySubsetOfTPlusOneParties) {
  const auto& f = this->field;
  for (std::size_t n = 1; n <= 7; ++n) {
    for (std::size_t t = 0; t < n; ++t) {
      const Shamir<TypeParam> shamir(f, n, t);
      const auto secrets = this->secrets(9, static_cast<std::uint8_t>(n + 3 * t));
      Prg rng;
      const auto shares = shamir.share(secrets, rng);
      for (const auto& ids : subsets_of_size(n, t + 1)) {
        ASSERT_EQ(shamir.reconstruct(ids, views_of(shares, ids)), secrets) << "n=" << n << " t=" << t;
        // The order in which the parties are listed does not matter.
        const std::vector<std::size_t> reversed(ids.rbegin(), ids.rend());
        ASSERT_EQ(shamir.reconstruct(reversed, views_of(shares, reversed)), secrets);
      }
    }
  }
}

TYPED_TEST(ShamirTyped, EvaluateAtMatchesTheSharedPolynomial) {
  using E = typename TypeParam::Element;
  const auto& f = this->field;
  const std::size_t n = 7, t = 3;
  const Shamir<TypeParam> shamir(f, n, t);
  // A known polynomial per batch entry, evaluated naively at 1..n.
  Prg rng(fixed_key(5), 0);
  const std::size_t m = 12;
  std::vector<std::vector<E>> coeff(m, std::vector<E>(t + 1));
  for (auto& c : coeff) f.random(std::span<E>(c), rng);
  auto poly = [&](std::size_t s, E x) {
    E acc = f.zero(), power = f.one();
    for (const auto& c : coeff[s]) {
      acc = f.add(acc, f.mul(c, power));
      power = f.mul(power, x);
    }
    return acc;
  };
  std::vector<std::vector<E>> shares(n, std::vector<E>(m));
  for (std::size_t i = 0; i < n; ++i)
    for (std::size_t s = 0; s < m; ++s) shares[i][s] = poly(s, f.from_uint(i + 1));
  const std::vector<std::size_t> ids{6, 1, 4, 2};
  for (const E x : {f.zero(), f.from_int(-1), f.from_uint(3), f.from_uint(1000), f.random(rng)}) {
    const auto got = shamir.evaluate_at(ids, views_of(shares, ids), x);
    for (std::size_t s = 0; s < m; ++s) ASSERT_EQ(got[s], poly(s, x)) << "x=" << f.to_string(x);
  }
  // The value at a missing party's point is that party's share.
  EXPECT_EQ(shamir.evaluate_at(ids, views_of(shares, ids), shamir.point(0)), shares[0]);
  EXPECT_EQ(shamir.evaluate_at(ids, views_of(shares, ids), shamir.point(5)), shares[5]);
}

TYPED_TEST(ShamirTyped, SharesLieOnAPolynomialOfExactlyTheGivenDegree) {
  const auto& f = this->field;
  const std::size_t n = 9;
  const Shamir<TypeParam> shamir(f, n, 2);
  const auto secrets = this->secrets(40, 11);
  for (std::size_t degree = 1; degree < n; ++degree) {
    Prg rng(fixed_key(static_cast<std::uint8_t>(degree)), 0);
    const auto shares = shamir.share(secrets, rng, degree);
    std::vector<std::size_t> first(degree + 1);
    std::iota(first.begin(), first.end(), 0);
    // degree + 1 shares determine all others...
    for (std::size_t j = degree + 1; j < n; ++j)
      EXPECT_EQ(shamir.evaluate_at(first, views_of(shares, first), shamir.point(j), degree), shares[j]);
    EXPECT_EQ(shamir.reconstruct(first, views_of(shares, first), degree), secrets);
    // ...while degree shares read as a lower-degree sharing give a wrong secret.
    first.pop_back();
    EXPECT_NE(shamir.reconstruct(first, views_of(shares, first), degree - 1), secrets) << "degree " << degree;
  }
}

TYPED_TEST(ShamirTyped, DegreeTwoTProductsReconstructFromTwoTPlusOneParties) {
  using E = typename TypeParam::Element;
  const auto& f = this->field;
  for (std::size_t n = 1; n <= 9; ++n) {
    for (std::size_t t = 0; 2 * t < n; ++t) {
      const Shamir<TypeParam> shamir(f, n, t);
      const auto a = this->secrets(33, static_cast<std::uint8_t>(n));
      const auto b = this->secrets(33, static_cast<std::uint8_t>(n + 100));
      Prg rng;
      const auto sa = shamir.share(a, rng);
      const auto sb = shamir.share(b, rng);
      std::vector<std::vector<E>> prod(n, std::vector<E>(a.size()));
      for (std::size_t i = 0; i < n; ++i) f.mul(std::span<E>(prod[i]), std::span<const E>(sa[i]), std::span<const E>(sb[i]));
      std::vector<E> expected(a.size());
      f.mul(std::span<E>(expected), std::span<const E>(a), std::span<const E>(b));
      // The last 2t + 1 parties.
      std::vector<std::size_t> ids(2 * t + 1);
      std::iota(ids.begin(), ids.end(), n - (2 * t + 1));
      EXPECT_EQ(shamir.reconstruct(ids, views_of(prod, ids), 2 * t), expected) << "n=" << n << " t=" << t;
      if (t >= 1) {
        ids.resize(t + 1);
        EXPECT_NE(shamir.reconstruct(ids, views_of(prod, ids)), expected) << "degree t is not enough for products";
      }
    }
  }
}

TYPED_TEST(ShamirTyped, EmptyBatchGivesEmptyShares) {
  const Shamir<TypeParam> shamir(this->field, 3, 1);
  Prg rng;
  const auto shares = shamir.share(std::span<const typename TypeParam::Element>{}, rng);
  ASSERT_EQ(shares.size(), 3U);
  for (const auto& s : shares) EXPECT_TRUE(s.empty());
  const std::vector<std::size_t> ids{0, 2};
  EXPECT_TRUE(shamir.reconstruct(ids, views_of(shares, ids)).empty());
}

TYPED_TEST(ShamirTyped, SameRngStreamGivesSameSharesOtherStreamsDiffer) {
  const Shamir<TypeParam> shamir(this->field, 5, 2);
  const auto secrets = this->secrets(20, 3);
  Prg a(fixed_key(9), 4), b(fixed_key(9), 4), c(fixed_key(9), 5);
  const auto sa = shamir.share(secrets, a);
  EXPECT_EQ(sa, shamir.share(secrets, b));
  EXPECT_NE(sa, shamir.share(secrets, c));
}

TYPED_TEST(ShamirTyped, ShareIntoCallerSpansMatchesConvenienceForm) {
  using E = typename TypeParam::Element;
  const Shamir<TypeParam> shamir(this->field, 4, 1);
  const auto secrets = this->secrets(300, 8);
  Prg a(fixed_key(1), 0), b(fixed_key(1), 0);
  std::vector<std::vector<E>> buffers(4, std::vector<E>(secrets.size()));
  std::vector<std::span<E>> out(buffers.begin(), buffers.end());
  shamir.share(secrets, a, out);
  EXPECT_EQ(buffers, shamir.share(secrets, b));
}

TEST(Shamir, PartyShareIsUniformOverASmallField) {
  // GF(7), n = 3, t = 1: party 0 holds secret + c for a uniform c, so sharing the
  // same secret many times must hit every field value about equally often.
  const Fp64 f(7);
  const Shamir<Fp64> shamir(f, 3, 1);
  const std::vector<Fp64::Element> secrets(7000, f.from_uint(3));
  Prg rng(fixed_key(42), 0);
  const auto shares = shamir.share(secrets, rng);
  std::map<std::uint64_t, int> counts;
  for (const auto& s : shares[0]) ++counts[f.to_uint(s)];
  ASSERT_EQ(counts.size(), 7U);
  for (const auto& [value, count] : counts) {
    EXPECT_GT(count, 850) << "value " << value;  // expected 1000, sd about 29
    EXPECT_LT(count, 1150) << "value " << value;
  }
  std::vector<std::size_t> ids{1, 2};
  EXPECT_EQ(shamir.reconstruct(ids, views_of(shares, ids)), secrets);
}

TEST(Shamir, WorksInTheSmallestFieldThatFitsThePartyCount) {
  const Fp64 f(5);
  const Shamir<Fp64> shamir(f, 4, 1);
  std::vector<Fp64::Element> secrets;
  for (std::uint64_t v = 0; v < 5; ++v) secrets.push_back(f.from_uint(v));
  Prg rng;
  const auto shares = shamir.share(secrets, rng);
  for (const auto& ids : subsets_of_size(4, 2)) EXPECT_EQ(shamir.reconstruct(ids, views_of(shares, ids)), secrets);
}

TEST(Shamir, RefusesThresholdNotBelowPartyCount) {
  const Fp64 f;
  expect_error<ConfigError>([&] { Shamir<Fp64>(f, 3, 3); }, {"t = 3", "n = 3"});
  expect_error<ConfigError>([&] { Shamir<Fp64>(f, 3, 7); }, {"t = 7", "n = 3"});
  expect_error<ConfigError>([&] { Shamir<Fp64>(f, 0, 0); }, {"n", "0"});
}

TEST(Shamir, RefusesMorePartiesThanTheFieldHasNonzeroPoints) {
  expect_error<ConfigError>([] { Shamir<Fp64>(Fp64(5), 5, 1); }, {"n = 5", "GF(5)"});
  expect_error<ConfigError>([] { Shamir<Fp64>(Fp64(3), 9, 1); }, {"n = 9", "GF(3)"});
  EXPECT_NO_THROW(Shamir<Fp64>(Fp64(5), 4, 1));
}

class ShamirErrors : public ::testing::Test {
 protected:
  Fp64 f;
  Shamir<Fp64> shamir{f, 5, 2};
  std::vector<std::vector<Fp64::Element>> shares;
  void SetUp() override {
    Prg rng;
    shares = shamir.share(std::vector<Fp64::Element>(4, f.one()), rng);
  }
};

TEST_F(ShamirErrors, DuplicateIdIsNamed) {
  const std::vector<std::size_t> ids{0, 3, 3};
  expect_error<RangeError>([&] { shamir.reconstruct(ids, test::views_of(shares, ids)); }, {"party id 3", "twice"});
}

TEST_F(ShamirErrors, OutOfRangeIdIsNamed) {
  const std::vector<std::size_t> ids{0, 1, 4};
  auto views = test::views_of(shares, ids);
  const std::vector<std::size_t> bad{0, 1, 5};
  expect_error<RangeError>([&] { shamir.reconstruct(bad, views); }, {"party id 5", "n = 5"});
}

TEST_F(ShamirErrors, TooFewSharesAreRefused) {
  const std::vector<std::size_t> ids{0, 1};
  expect_error<RangeError>([&] { shamir.reconstruct(ids, test::views_of(shares, ids)); }, {"2 shares", "at least 3"});
  const std::vector<std::size_t> four{0, 1, 2, 3};
  expect_error<RangeError>([&] { shamir.reconstruct(four, test::views_of(shares, four), 4); }, {"4 shares", "at least 5"});
}

TEST_F(ShamirErrors, LengthMismatchNamesTheParty) {
  const std::vector<std::size_t> ids{0, 1, 2};
  auto views = test::views_of(shares, ids);
  views[2] = views[2].first(3);
  expect_error<RangeError>([&] { shamir.reconstruct(ids, views); }, {"party 2", "3 elements", "4"});
}

TEST_F(ShamirErrors, IdAndShareCountsMustAgree) {
  const std::vector<std::size_t> ids{0, 1, 2, 3};
  const std::vector<std::size_t> three{0, 1, 2};
  expect_error<RangeError>([&] { shamir.reconstruct(ids, test::views_of(shares, three)); }, {"4 party ids", "3 share"});
}

TEST_F(ShamirErrors, DegreeMustBeBelowPartyCount) {
  Prg rng;
  const std::vector<Fp64::Element> secrets(2, f.one());
  expect_error<RangeError>([&] { shamir.share(secrets, rng, 5); }, {"degree 5", "n = 5"});
  const std::vector<std::size_t> ids{0, 1, 2, 3, 4};
  expect_error<RangeError>([&] { shamir.reconstruct(ids, test::views_of(shares, ids), 5); }, {"degree 5"});
}

TEST_F(ShamirErrors, ShareOutputsMustMatch) {
  Prg rng;
  const std::vector<Fp64::Element> secrets(4, f.one());
  std::vector<std::vector<Fp64::Element>> buffers(5, std::vector<Fp64::Element>(4));
  buffers[3].resize(2);
  std::vector<std::span<Fp64::Element>> out(buffers.begin(), buffers.end());
  expect_error<RangeError>([&] { shamir.share(secrets, rng, out); }, {"party 3", "2 elements", "expected 4"});
  out.pop_back();
  expect_error<RangeError>([&] { shamir.share(secrets, rng, out); }, {"4 output spans", "n = 5"});
}

}  // namespace
}  // namespace meshmpc
