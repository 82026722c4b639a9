#include <meshmpc/sharing/subsets.hpp>

#include "test_support.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <set>

namespace meshmpc {
namespace {

using test::expect_error;

TEST(Subsets, BinomialCoefficients) {
  EXPECT_EQ(binomial(3, 1), 3U);
  EXPECT_EQ(binomial(5, 2), 10U);
  EXPECT_EQ(binomial(7, 3), 35U);
  EXPECT_EQ(binomial(9, 4), 126U);
  EXPECT_EQ(binomial(4, 0), 1U);
  EXPECT_EQ(binomial(4, 5), 0U);
  EXPECT_EQ(binomial(64, 32), 1832624140942590534ULL);
  expect_error<ConfigError>([] { binomial(100, 50); }, {"C(100, 50)", "64 bits"});
}

TEST(Subsets, EnumeratesEveryNMinusTSubsetOnceInLexicographicOrder) {
  for (std::size_t n = 1; n <= 9; ++n) {
    for (std::size_t t = 0; t < n; ++t) {
      const auto subsets = prss_subsets(n, t);
      ASSERT_EQ(subsets.size(), binomial(n, t)) << "n=" << n << " t=" << t;
      EXPECT_TRUE(std::is_sorted(subsets.begin(), subsets.end()));
      EXPECT_EQ(std::adjacent_find(subsets.begin(), subsets.end()), subsets.end());
      for (const auto& a : subsets) {
        ASSERT_EQ(a.size(), n - t);
        EXPECT_TRUE(std::is_sorted(a.begin(), a.end()));
        EXPECT_EQ(std::adjacent_find(a.begin(), a.end()), a.end());
        EXPECT_LT(a.back(), n);
      }
    }
  }
  EXPECT_EQ(prss_subsets(3, 1), (std::vector<Subset>{{0, 1}, {0, 2}, {1, 2}}));
}

TEST(Subsets, KeyRolesListTheSubsetsContainingThePartyWithTheLowestMemberDealing) {
  for (std::size_t n = 1; n <= 7; ++n) {
    for (std::size_t t = 0; t < n; ++t) {
      std::set<Subset> covered;
      for (std::size_t self = 0; self < n; ++self) {
        const auto roles = prss_key_roles(n, t, self);
        ASSERT_EQ(roles.size(), binomial(n - 1, t));
        for (const auto& r : roles) {
          EXPECT_TRUE(std::binary_search(r.subset.begin(), r.subset.end(), self));
          EXPECT_EQ(r.dealer, r.subset.front());
          covered.insert(r.subset);
        }
      }
      EXPECT_EQ(covered.size(), binomial(n, t));
    }
  }
  const auto roles = prss_key_roles(3, 1, 2);
  EXPECT_EQ(roles, (std::vector<PrssKeyRole>{{{0, 2}, 0}, {{1, 2}, 1}}));
}

TEST(Subsets, RefusesBadParameters) {
  expect_error<ConfigError>([] { prss_subsets(3, 3); }, {"t = 3", "n = 3"});
  expect_error<ConfigError>([] { prss_subsets(0, 0); }, {"at least 1"});
  expect_error<ConfigError>([] { prss_subsets(40, 19); }, {"n = 40", "t = 19", "limit"});
  expect_error<RangeError>([] { prss_key_roles(3, 1, 3); }, {"party id 3", "n = 3"});
}

TEST(Subsets, PrintsAsBraces) { EXPECT_EQ(to_string(Subset{0, 2, 5}), "{0,2,5}"); }

}  // namespace
}  // namespace meshmpc
