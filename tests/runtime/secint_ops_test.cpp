// Selection, sorting, division and random permutations of secure integers among
// n = 3 and 5 parties, each opened result checked against the plain computation.
#include "secint_test_util.hpp"

#include <meshmpc/field/fp64.hpp>
#include <meshmpc/runtime/protocols/sort.hpp>

#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <numeric>
#include <random>
#include <set>

namespace meshmpc {
namespace {

using Ints = std::vector<std::int64_t>;
using F = Fp64;

// Runs `body` at every party with party 0's values x as a secure vector; counts
// the parties that got to the end.
template <class Body>
void with_input(std::size_t n, const Ints& x, Body body, std::size_t bits = 32) {
  std::mutex m;
  std::size_t done = 0;
  run_local<F>(n, F{}, test::options_for(n), [&](Session<F>& s) -> boost::asio::awaitable<void> {
    const auto v = co_await s.input(secint(bits), 0,
                                    s.id() == 0 ? std::span<const std::int64_t>(x) : std::span<const std::int64_t>{},
                                    x.size());
    co_await body(s, v);
    std::lock_guard lock(m);
    ++done;
  }, std::chrono::seconds(120));
  EXPECT_EQ(done, n);
}

// A vector of one (no initializer lists in coroutines: GCC 12 mishandles them).
Ints one(std::int64_t v) { return Ints(1, v); }

// 37 values with duplicates and both signs.
Ints test_values() {
  Ints x;
  std::mt19937_64 gen(37);
  std::uniform_int_distribution<std::int64_t> dist(-50, 50);
  for (int i = 0; i < 37; ++i) x.push_back(i % 5 == 0 ? 7 : dist(gen));
  return x;
}

class Ops : public testing::TestWithParam<std::size_t> {};

TEST_P(Ops, ArgmaxAndArgminResolveTiesToTheLowestIndex) {
  const std::vector<Ints> cases = {{3, 9, -4, 9, 0, 9}, {-5, -5, -5}, {7}, {1, 2, 3, 4, 5, 6, 7, 8}, {-1, -8, 4, -8, 4}};
  for (const auto& x : cases) {
    const auto max_at = static_cast<std::int64_t>(std::max_element(x.begin(), x.end()) - x.begin());  // first
    const auto min_at = static_cast<std::int64_t>(std::min_element(x.begin(), x.end()) - x.begin());  // first
    with_input(GetParam(), x, [&](Session<F>& s, const SecInt<F>& v) -> boost::asio::awaitable<void> {
      const auto [imax, vmax] = co_await s.argmax(v);
      const auto [imin, vmin] = co_await s.argmin(v);
      EXPECT_EQ((co_await s.output(imax)), one(max_at));
      EXPECT_EQ((co_await s.output(vmax)), one(x[static_cast<std::size_t>(max_at)]));
      EXPECT_EQ((co_await s.output(imin)), one(min_at));
      EXPECT_EQ((co_await s.output(vmin)), one(x[static_cast<std::size_t>(min_at)]));
    });
  }
}

TEST_P(Ops, IfElseSumAndProduct) {
  const Ints x = {5, -3, 0, 12, -7, 2};
  const Ints small = {5, -3, 12, -7, 2};
  with_input(GetParam(), x, [&](Session<F>& s, const SecInt<F>& v) -> boost::asio::awaitable<void> {
    const auto negative = co_await s.lt(v, 0);
    const auto picked = co_await s.if_else(negative, s.constant(secint(), 100, x.size()), v);
    Ints want_pick;
    for (auto e : x) want_pick.push_back(e < 0 ? 100 : e);
    EXPECT_EQ((co_await s.output(picked)), want_pick);
    EXPECT_EQ((co_await s.output(s.sum(v))), one(std::accumulate(x.begin(), x.end(), std::int64_t{0})));
    EXPECT_EQ((co_await s.output(co_await s.product(s.constant(secint(), small)))), one(5 * -3 * 12 * -7 * 2));
    EXPECT_EQ((co_await s.output(co_await s.product(v))), one(0));
  });
}

TEST_P(Ops, SortAscendingAndDescendingWithDuplicates) {
  Ints x = test_values();
  with_input(GetParam(), x, [&](Session<F>& s, const SecInt<F>& v) -> boost::asio::awaitable<void> {
    Ints up = x, down = x;
    std::sort(up.begin(), up.end());
    std::sort(down.rbegin(), down.rend());
    EXPECT_EQ((co_await s.output(co_await s.sort(v))), up);
    EXPECT_EQ((co_await s.output(co_await s.sort(v, true))), down);
  });
}

TEST_P(Ops, DivisionAndRemainderByPublicConstantsFloorAsPython) {
  const Ints x = {0, 1, -1, 7, -7, 100, -100, 2147483647, -2147483648, 999, -1000, 65536, 12345678};
  const std::vector<std::uint64_t> divisors = {1, 2, 3, 7, 10, 16, 1000, 65537};
  with_input(GetParam(), x, [&](Session<F>& s, const SecInt<F>& v) -> boost::asio::awaitable<void> {
    for (const auto d : divisors) {
      const auto sd = static_cast<std::int64_t>(d);
      Ints q, r;
      for (auto e : x) {
        std::int64_t qq = e / sd, rr = e % sd;
        if (rr < 0) {
          rr += sd;
          --qq;
        }
        q.push_back(qq);
        r.push_back(rr);
      }
      EXPECT_EQ((co_await s.output(co_await s.mod(v, d))), r) << "mod " << d;
      EXPECT_EQ((co_await s.output(co_await s.div(v, d))), q) << "div " << d;
    }
  }, 32);
}

TEST_P(Ops, ShuffleKeepsTheValuesAndDerangementsHaveNoFixedPoint) {
  const Ints x = {4, 4, -2, 9, 0, 31, 7};
  const std::vector<std::size_t> sizes = {2, 3, 5, 9};
  with_input(GetParam(), x, [&](Session<F>& s, const SecInt<F>& v) -> boost::asio::awaitable<void> {
    auto shuffled = co_await s.output(co_await s.shuffle(v));
    std::sort(shuffled.begin(), shuffled.end());
    Ints sorted = x;
    std::sort(sorted.begin(), sorted.end());
    EXPECT_EQ(shuffled, sorted);
    for (const std::size_t m : sizes) {
      const auto p = co_await s.output(co_await s.random_derangement(secint(), m));
      EXPECT_EQ(p.size(), m);
      if (p.size() != m) co_return;
      std::set<std::int64_t> seen(p.begin(), p.end());
      EXPECT_EQ(seen.size(), m);
      for (std::size_t i = 0; i < m; ++i) {
        EXPECT_NE(p[i], static_cast<std::int64_t>(i)) << "fixed point in a derangement of " << m;
        EXPECT_TRUE(p[i] >= 0 && p[i] < static_cast<std::int64_t>(m));
      }
    }
  });
}

TEST_P(Ops, PrivateOutputsReachOnlyTheirReceiver) {
  const Ints x = {11, 22, 33};
  with_input(GetParam(), x, [&](Session<F>& s, const SecInt<F>& v) -> boost::asio::awaitable<void> {
    const std::size_t receiver = s.n() - 1;
    const std::size_t who[] = {receiver};
    const auto got = co_await s.output_to(who, v);
    EXPECT_EQ(got.has_value(), s.id() == receiver);
    if (got) {
      EXPECT_EQ(*got, x);
    }
  });
}

INSTANTIATE_TEST_SUITE_P(Parties, Ops, testing::Values(3, 5),
                         [](const auto& info) { return "n" + std::to_string(info.param); });

// A chi-square test of 2400 random permutations of 4 elements (24 outcomes, 100
// expected each): 23 degrees of freedom; 80 is exceeded by a uniform sample with
// probability about 1e-8, and by any noticeably biased shuffle almost surely.
TEST(Permutations, AreUniformByChiSquare) {
  constexpr std::size_t kTrials = 2400;
  std::map<Ints, std::size_t> counts;
  std::mutex m;
  run_local<F>(3, F{}, test::options_for(3), [&](Session<F>& s) -> boost::asio::awaitable<void> {
    const auto perms = co_await s.random_permutations(secint(), 4, kTrials);
    for (const auto& p : perms) {
      const auto opened = co_await s.output(p);
      if (s.id() != 0) continue;
      std::lock_guard lock(m);
      ++counts[opened];
    }
  }, std::chrono::seconds(120));
  ASSERT_EQ(counts.size(), 24u) << "some permutation of 4 never came up";
  double chi2 = 0;
  for (const auto& [perm, count] : counts) {
    Ints sorted = perm;
    std::sort(sorted.begin(), sorted.end());
    ASSERT_EQ(sorted, (Ints{0, 1, 2, 3}));
    const double d = static_cast<double>(count) - kTrials / 24.0;
    chi2 += d * d / (kTrials / 24.0);
  }
  EXPECT_LT(chi2, 80.0);
}

TEST(SortingNetwork, SortsEveryZeroOneVectorUpTo12) {
  // The 0-1 principle: a comparator network sorts everything iff it sorts 0/1 inputs.
  for (std::size_t n = 1; n <= 12; ++n) {
    const auto layers = protocols::odd_even_merge_layers(n);
    for (std::uint32_t bits = 0; bits < (1u << n); ++bits) {
      std::vector<int> v(n);
      for (std::size_t i = 0; i < n; ++i) v[i] = (bits >> i) & 1;
      for (const auto& layer : layers)
        for (const auto& [i, j] : layer)
          if (v[j] < v[i]) std::swap(v[i], v[j]);
      ASSERT_TRUE(std::is_sorted(v.begin(), v.end())) << "n = " << n << ", input " << bits;
    }
  }
}

}  // namespace
}  // namespace meshmpc
