#include <meshmpc/sharing/extraction.hpp>
#include <meshmpc/sharing/shamir.hpp>

#include "test_support.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <numeric>
#include <vector>

namespace meshmpc {
namespace {

using namespace test;  // test_support.hpp

template <class F>
class ExtractionTyped : public ::testing::Test {
 protected:
  using E = typename F::Element;
  using Table = std::vector<std::vector<E>>;  // [party][element]
  F field;

  // Every party j deals secrets[j] (b values) with degree `degree`; returns what
  // each party holds after applying the extractor to the n sharings it received
  // (rows() * b outputs each).
  Table deal_and_extract(const Extractor<F>& x, const Shamir<F>& shamir, const Table& secrets, std::size_t degree,
                         std::uint8_t seed) const {
    const std::size_t n = x.n();
    std::vector<Table> dealt(n);  // dealt[dealer][party]
    for (std::size_t j = 0; j < n; ++j) {
      Prg rng(fixed_key(static_cast<std::uint8_t>(seed + j)), 0);
      dealt[j] = shamir.share(secrets[j], rng, degree);
    }
    Table out(n, std::vector<E>(x.rows() * secrets[0].size()));
    for (std::size_t i = 0; i < n; ++i) {
      std::vector<std::span<const E>> received;
      for (std::size_t j = 0; j < n; ++j) received.emplace_back(dealt[j][i]);
      x.apply(received, out[i]);
    }
    return out;
  }

  Table random_secrets(std::size_t n, std::size_t b, std::uint8_t seed) const {
    Table out(n, std::vector<E>(b));
    Prg rng(fixed_key(seed), 99);
    for (auto& v : out) field.random(std::span<E>(v), rng);
    return out;
  }

  // True when the shares lie on one polynomial of degree <= d: the first d + 1
  // parties' shares predict every other party's share.
  bool consistent(const Shamir<F>& shamir, const Table& shares, std::size_t d) const {
    std::vector<std::size_t> first(d + 1);
    std::iota(first.begin(), first.end(), 0);
    for (std::size_t k = d + 1; k < shares.size(); ++k)
      if (shamir.evaluate_at(first, views_of(shares, first), shamir.point(k), d) != shares[k]) return false;
    return true;
  }

  std::vector<E> reconstruct(const Shamir<F>& shamir, const Table& shares, std::size_t d) const {
    std::vector<std::size_t> ids(shares.size());
    std::iota(ids.begin(), ids.end(), 0);
    return shamir.reconstruct(ids, views_of(shares, ids), d);
  }

  // Gauss-Jordan elimination of an augmented matrix [A | b] (rows of width
  // k + 1): the solution of A x = b, or empty if A is singular.
  std::vector<E> solve(std::vector<std::vector<E>> m) const {
    const F& f = field;
    const std::size_t k = m.size();
    for (std::size_t col = 0; col < k; ++col) {
      std::size_t pivot = col;
      while (pivot < k && f.is_zero(m[pivot][col])) ++pivot;
      if (pivot == k) return {};
      std::swap(m[pivot], m[col]);
      const E inv = f.inv(m[col][col]);
      for (auto& v : m[col]) v = f.mul(v, inv);
      for (std::size_t r = 0; r < k; ++r) {
        if (r == col) continue;
        const E factor = m[r][col];
        for (std::size_t c = col; c <= k; ++c) m[r][c] = f.sub(m[r][c], f.mul(factor, m[col][c]));
      }
    }
    std::vector<E> x(k);
    for (std::size_t r = 0; r < k; ++r) x[r] = m[r][k];
    return x;
  }
  bool invertible(std::vector<std::vector<E>> m) const {
    const std::size_t k = m.size();
    for (auto& row : m) row.push_back(field.zero());
    return solve(std::move(m)).size() == k;
  }
};
TYPED_TEST_SUITE(ExtractionTyped, SharingFields);

// The privacy argument: with the t corrupted inputs fixed, the outputs are the
// image of the n - t honest inputs under an (n - t) x (n - t) submatrix, a
// bijection exactly when that submatrix is invertible. Every choice of columns.
TYPED_TEST(ExtractionTyped, EverySquareSubmatrixIsInvertible) {
  for (std::size_t n = 1; n <= 11; ++n) {
    for (std::size_t t = 0; 2 * t < n; ++t) {
      const Extractor<TypeParam> x(this->field, n, t);
      ASSERT_EQ(x.rows(), n - t);
      for (const auto& cols : subsets_of_size(n, n - t)) {
        std::vector<std::vector<typename TypeParam::Element>> m(n - t);
        for (std::size_t i = 0; i < n - t; ++i)
          for (auto c : cols) m[i].push_back(x.entry(i, c));
        ASSERT_TRUE(this->invertible(m)) << "n=" << n << " t=" << t;
      }
    }
  }
}

TYPED_TEST(ExtractionTyped, OutputsAreDegreeTSharingsOfTheMatrixTimesTheDealtSecrets) {
  const auto& f = this->field;
  for (std::size_t n : {1, 3, 4, 7, 9}) {
    const std::size_t t = (n - 1) / 2;
    const Extractor<TypeParam> x(f, n, t);
    const Shamir<TypeParam> shamir(f, n, t);
    // More columns than one block, not a multiple of it.
    const std::size_t b = Extractor<TypeParam>::kBlock + 37;
    const auto secrets = this->random_secrets(n, b, static_cast<std::uint8_t>(n));
    const auto out = this->deal_and_extract(x, shamir, secrets, t, 40);
    EXPECT_TRUE(this->consistent(shamir, out, t)) << "n=" << n;
    const auto values = this->reconstruct(shamir, out, t);
    for (std::size_t i = 0; i < x.rows(); ++i) {
      for (std::size_t s : {std::size_t{0}, std::size_t{1}, b / 2, b - 1}) {
        auto expected = f.zero();
        for (std::size_t j = 0; j < n; ++j) expected = f.add(expected, f.mul(x.entry(i, j), secrets[j][s]));
        ASSERT_EQ(values[i * b + s], expected) << "n=" << n << " row " << i << " column " << s;
      }
    }
    if (n > 1) {
      // Fresh values: no two rows repeat each other.
      for (std::size_t i = 1; i < x.rows(); ++i) EXPECT_NE(values[i * b], values[0]) << "n=" << n;
    }
  }
}

// The t corrupted dealers' inputs known: the n - t outputs give back exactly the
// honest inputs (solving with the honest columns), i.e. the map from honest inputs
// to outputs is a bijection, for every set of corrupted parties.
TYPED_TEST(ExtractionTyped, OutputsDetermineTheHonestInputsForEveryCorruptedSet) {
  using E = typename TypeParam::Element;
  const auto& f = this->field;
  const std::size_t n = 7, t = 3;
  const Extractor<TypeParam> x(f, n, t);
  const auto inputs = this->random_secrets(n, 1, 11);
  std::vector<E> outputs(x.rows());
  x.apply(views_of(inputs, std::vector<std::size_t>{0, 1, 2, 3, 4, 5, 6}), outputs);
  for (const auto& corrupted : subsets_of_size(n, t)) {
    std::vector<std::size_t> honest;
    for (std::size_t j = 0; j < n; ++j)
      if (std::find(corrupted.begin(), corrupted.end(), j) == corrupted.end()) honest.push_back(j);
    // [M_H | y - M_C x_C], reduced to the identity on the left.
    std::vector<std::vector<E>> m(n - t);
    for (std::size_t i = 0; i < n - t; ++i) {
      E rhs = outputs[i];
      for (auto c : corrupted) rhs = f.sub(rhs, f.mul(x.entry(i, c), inputs[c][0]));
      for (auto h : honest) m[i].push_back(x.entry(i, h));
      m[i].push_back(rhs);
    }
    const auto solved = this->solve(std::move(m));
    ASSERT_EQ(solved.size(), honest.size());
    for (std::size_t k = 0; k < honest.size(); ++k) EXPECT_EQ(solved[k], inputs[honest[k]][0]);
  }
}

TYPED_TEST(ExtractionTyped, ZeroSharingsOfDegree2tStayZeroAndOfDegree2t) {
  const auto& f = this->field;
  for (std::size_t n : {3, 5, 9, 11}) {
    const std::size_t t = (n - 1) / 2;
    const Extractor<TypeParam> x(f, n, t);
    const Shamir<TypeParam> shamir(f, n, t);
    const std::size_t b = 20;
    const typename ExtractionTyped<TypeParam>::Table zeros(n, std::vector<typename TypeParam::Element>(b, f.zero()));
    const auto out = this->deal_and_extract(x, shamir, zeros, 2 * t, 7);
    EXPECT_TRUE(this->consistent(shamir, out, 2 * t)) << "n=" << n;
    EXPECT_EQ(this->reconstruct(shamir, out, 2 * t), std::vector<typename TypeParam::Element>(x.rows() * b, f.zero()));
    // Random polynomials of degree 2t, not lower: t + 1 shares do not predict the rest.
    EXPECT_FALSE(this->consistent(shamir, out, t)) << "n=" << n;
  }
}

TYPED_TEST(ExtractionTyped, DoubleSharingsHideTheSameValueAtDegreesTAnd2t) {
  const auto& f = this->field;
  for (std::size_t n : {3, 5, 9}) {
    const std::size_t t = (n - 1) / 2;
    const Extractor<TypeParam> x(f, n, t);
    const Shamir<TypeParam> shamir(f, n, t);
    const auto secrets = this->random_secrets(n, 33, 3);
    const auto low = this->deal_and_extract(x, shamir, secrets, t, 10);
    const auto high = this->deal_and_extract(x, shamir, secrets, 2 * t, 60);
    EXPECT_TRUE(this->consistent(shamir, low, t));
    EXPECT_TRUE(this->consistent(shamir, high, 2 * t));
    EXPECT_EQ(this->reconstruct(shamir, low, t), this->reconstruct(shamir, high, 2 * t)) << "n=" << n;
  }
}

TYPED_TEST(ExtractionTyped, ComputesOnlyTheOutputsAskedFor) {
  const auto& f = this->field;
  const std::size_t n = 5, t = 2, b = Extractor<TypeParam>::kBlock + 5;
  const Extractor<TypeParam> x(f, n, t);
  EXPECT_EQ(x.columns_for(0), 0u);
  EXPECT_EQ(x.columns_for(3), 1u);
  EXPECT_EQ(x.columns_for(4), 2u);
  const auto inputs = this->random_secrets(n, b, 5);
  const auto views = views_of(inputs, std::vector<std::size_t>{0, 1, 2, 3, 4});
  std::vector<typename TypeParam::Element> all(x.rows() * b), some(b + 9);
  x.apply(views, all);
  x.apply(views, some);
  EXPECT_TRUE(std::equal(some.begin(), some.end(), all.begin()));
}

TYPED_TEST(ExtractionTyped, RefusesBadShapes) {
  const auto& f = this->field;
  expect_error<ConfigError>([&] { Extractor<TypeParam>(f, 0, 0); }, {"at least 1"});
  expect_error<ConfigError>([&] { Extractor<TypeParam>(f, 3, 3); }, {"t = 3", "n = 3"});
  const Extractor<TypeParam> x(f, 3, 1);
  const std::vector<typename TypeParam::Element> a(4), b(5);
  std::vector<typename TypeParam::Element> out(8);
  const std::vector<std::span<const typename TypeParam::Element>> two{a, a};
  expect_error<RangeError>([&] { x.apply(two, out); }, {"2 inputs", "n = 3"});
  const std::vector<std::span<const typename TypeParam::Element>> uneven{a, a, b};
  expect_error<RangeError>([&] { x.apply(uneven, out); }, {"input 2", "5"});
  const std::vector<std::span<const typename TypeParam::Element>> three{a, a, a};
  std::vector<typename TypeParam::Element> too_many(9);
  expect_error<RangeError>([&] { x.apply(three, too_many); }, {"9 outputs"});
}

}  // namespace
}  // namespace meshmpc
