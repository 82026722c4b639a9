// Statistics of secret fixed-point data (statistics.hpp) among n = 3 and 5
// parties, each holding rows of (x, y): every result against the plain double
// computation on the same grid values, within the error statistics.hpp states.
// Statistics of secret integers (statistics_int.hpp): exactly MPyC's rounded
// integers, against the same formulas in plain 64-bit integers.
#include "secint_test_util.hpp"

#include <meshmpc/field/fp127.hpp>
#include <meshmpc/field/fp64.hpp>
#include <meshmpc/runtime/statistics.hpp>

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <iostream>
#include <random>

namespace meshmpc {
namespace {

using F = Fp127;
using Doubles = std::vector<double>;
constexpr double kUlp = 1.0 / 65536;

double grid(double v) { return std::nearbyint(v * 65536) / 65536; }

double plain_mean(const Doubles& v) {
  double s = 0;
  for (double e : v) s += e;
  return s / static_cast<double>(v.size());
}
double plain_co(const Doubles& x, const Doubles& y) {
  const double mx = plain_mean(x), my = plain_mean(y);
  double s = 0;
  for (std::size_t i = 0; i < x.size(); ++i) s += (x[i] - mx) * (y[i] - my);
  return s;
}
double plain_median(Doubles v) {
  std::sort(v.begin(), v.end());
  const std::size_t n = v.size();
  return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

// Rows of party i: `rows` pairs with y = 2.5 x - 3 + noise, x in [-5, 10).
void rows_of(std::size_t party, std::size_t rows, Doubles& x, Doubles& y) {
  std::mt19937 gen(static_cast<std::uint32_t>(17 + party));
  std::uniform_real_distribution<double> xs(-5, 10), noise(-2, 2);
  for (std::size_t r = 0; r < rows; ++r) {
    x.push_back(grid(xs(gen)));
    y.push_back(grid(2.5 * x.back() - 3 + noise(gen)));
  }
}

class StatisticsParties : public testing::TestWithParam<std::size_t> {};

TEST_P(StatisticsParties, MatchPlainDoublesWithinTheStatedError) {
  const std::size_t n = GetParam(), rows = 6;
  Doubles all_x, all_y;
  for (std::size_t i = 0; i < n; ++i) rows_of(i, rows, all_x, all_y);
  Doubles got;
  std::mutex m;
  run_local<F>(n, F{}, test::options_for(n), [&](Session<F>& s) -> boost::asio::awaitable<void> {
    Doubles mx, my;
    rows_of(s.id(), rows, mx, my);
    const secfxp type(32, 16);
    const auto xs = co_await s.input_all(type, mx);
    const auto ys = co_await s.input_all(type, my);
    const auto x = SecFxp<F>::concat(xs), y = SecFxp<F>::concat(ys);
    std::vector<SecFxp<F>> r;
    r.push_back(co_await statistics::mean(s, x));
    r.push_back(co_await statistics::variance(s, x));
    r.push_back(co_await statistics::variance(s, y, true));
    r.push_back(co_await statistics::stdev(s, y));
    r.push_back(co_await statistics::stdev(s, x, true));
    r.push_back(co_await statistics::median(s, y));
    std::vector<SecFxp<F>> odd_part;
    for (std::size_t i = 0; i < 5; ++i) odd_part.push_back(x.at(i));
    r.push_back(co_await statistics::median(s, SecFxp<F>::concat(odd_part)));
    r.push_back(co_await statistics::covariance(s, x, y));
    r.push_back(co_await statistics::correlation(s, x, y));
    auto [slope, intercept] = co_await statistics::linear_regression(s, x, y);
    r.push_back(slope);
    r.push_back(intercept);
    Doubles opened;
    for (const auto& v : r) opened.push_back((co_await s.output(v)).at(0));
    if (s.id() != 0) co_return;
    std::lock_guard lock(m);
    got = opened;
  }, std::chrono::seconds(120));
  const double size = static_cast<double>(all_x.size());
  const double sxx = plain_co(all_x, all_x), syy = plain_co(all_y, all_y), sxy = plain_co(all_x, all_y);
  const Doubles first5(all_x.begin(), all_x.begin() + 5);
  const Doubles want{plain_mean(all_x),        sxx / (size - 1),         syy / size,
                     std::sqrt(syy / (size - 1)), std::sqrt(sxx / size),    plain_median(all_y),
                     plain_median(first5),     sxy / (size - 1),         sxy / std::sqrt(sxx * syy),
                     sxy / sxx,                plain_mean(all_y) - sxy / sxx * plain_mean(all_x)};
  const char* names[] = {"mean",   "variance",    "pvariance",   "stdev", "pstdev", "median",
                         "median of 5", "covariance", "correlation", "slope", "intercept"};
  // The mean and medians: one truncation at most (below 2 units); the rest: a few truncations and
  // one reciprocal or root.
  const double ulps[] = {2, 4, 4, 4, 4, 2, 0, 4, 4, 4, 8};
  ASSERT_EQ(got.size(), want.size());
  for (std::size_t i = 0; i < want.size(); ++i) {
    const double err = std::fabs(got[i] - want[i]);
    std::cout << names[i] << ": " << got[i] << " (plain " << want[i] << ", error " << err / kUlp << " ulp)\n";
    EXPECT_LE(err, ulps[i] * kUlp + std::fabs(want[i]) / 4096) << names[i];
  }
}

// Solves the d x d system m b = r in doubles (Gaussian elimination, partial pivoting).
Doubles solve(std::vector<Doubles> m, Doubles r) {
  const std::size_t d = r.size();
  for (std::size_t k = 0; k < d; ++k) {
    std::size_t p = k;
    for (std::size_t i = k + 1; i < d; ++i)
      if (std::fabs(m[i][k]) > std::fabs(m[p][k])) p = i;
    std::swap(m[k], m[p]);
    std::swap(r[k], r[p]);
    for (std::size_t i = k + 1; i < d; ++i) {
      const double factor = m[i][k] / m[k][k];
      for (std::size_t j = k; j < d; ++j) m[i][j] -= factor * m[k][j];
      r[i] -= factor * r[k];
    }
  }
  Doubles b(d);
  for (std::size_t k = d; k-- > 0;) {
    double rest = r[k];
    for (std::size_t j = k + 1; j < d; ++j) rest -= m[k][j] * b[j];
    b[k] = rest / m[k][k];
  }
  return b;
}

// The plain fit: centered normal equations plus ridge, as least_squares.hpp states them.
Doubles plain_least_squares(const std::vector<Doubles>& cols, const Doubles& y, double ridge) {
  const std::size_t d = cols.size();
  std::vector<Doubles> m(d, Doubles(d));
  Doubles r(d);
  for (std::size_t i = 0; i < d; ++i) {
    for (std::size_t j = 0; j < d; ++j) m[i][j] = plain_co(cols[i], cols[j]) + (i == j ? ridge : 0);
    r[i] = plain_co(cols[i], y);
  }
  const Doubles b = solve(m, r);
  double b0 = plain_mean(y);
  for (std::size_t i = 0; i < d; ++i) b0 -= b[i] * plain_mean(cols[i]);
  Doubles out{b0};
  out.insert(out.end(), b.begin(), b.end());
  return out;
}

// Party i's rows of three features and y = 3 + 1.5 x1 - 2 x2 + 0.5 x3 + noise.
void feature_rows_of(std::size_t party, std::size_t rows, std::vector<Doubles>& cols, Doubles& y) {
  std::mt19937 gen(static_cast<std::uint32_t>(91 + party));
  std::uniform_real_distribution<double> xs(-4, 6), noise(-1, 1);
  cols.resize(3);
  for (std::size_t r = 0; r < rows; ++r) {
    for (auto& c : cols) c.push_back(grid(xs(gen)));
    y.push_back(grid(3 + 1.5 * cols[0].back() - 2 * cols[1].back() + 0.5 * cols[2].back() + noise(gen)));
  }
}

// Least squares of three features, plain and ridge: the intercept and slopes
// against the plain doubles within 2^-12 (1 + |b|) (measured
// errors are printed; docs/programs.md states the bound).
TEST_P(StatisticsParties, LeastSquaresMatchesThePlainFit) {
  const std::size_t n = GetParam(), rows = 8;
  std::vector<Doubles> all_cols;
  Doubles all_y;
  for (std::size_t i = 0; i < n; ++i) feature_rows_of(i, rows, all_cols, all_y);
  std::vector<Doubles> got(2);
  std::mutex m;
  run_local<F>(n, F{}, test::options_for(n), [&](Session<F>& s) -> boost::asio::awaitable<void> {
    std::vector<Doubles> mine;
    Doubles my_y;
    feature_rows_of(s.id(), rows, mine, my_y);
    const secfxp type(32, 16);
    std::vector<SecFxp<F>> cols;
    for (const auto& c : mine) cols.push_back(SecFxp<F>::concat(co_await s.input_all(type, c)));
    const auto y = SecFxp<F>::concat(co_await s.input_all(type, my_y));
    const auto plain_fit = co_await s.output(co_await statistics::least_squares(s, cols, y));
    const auto ridge_fit = co_await s.output(co_await statistics::least_squares(s, cols, y, 2.0));
    if (s.id() != 0) co_return;
    std::lock_guard lock(m);
    got = {plain_fit, ridge_fit};
  }, std::chrono::seconds(120));
  const double ridges[] = {0.0, 2.0};
  for (std::size_t r = 0; r < 2; ++r) {
    const Doubles want = plain_least_squares(all_cols, all_y, ridges[r]);
    ASSERT_EQ(got[r].size(), want.size());
    for (std::size_t i = 0; i < want.size(); ++i) {
      const double err = std::fabs(got[r][i] - want[i]);
      std::cout << "ridge " << ridges[r] << ", b" << i << ": " << got[r][i] << " (plain " << want[i] << ", error "
                << err << ")\n";
      EXPECT_LE(err, (1 + std::fabs(want[i])) / 4096) << "ridge " << ridges[r] << ", b" << i;
    }
  }
}

// floor(a / b) for b > 0, as Python's //.
std::int64_t floor_div(std::int64_t a, std::int64_t b) { return a / b - ((a % b != 0 && a < 0) ? 1 : 0); }

// Party i's integers: `rows` values in [-100, 100] (small enough that N^2 (N - 1)
// times the variance fits 32 bits at N = 5 * 7).
std::vector<std::int64_t> ints_of(std::size_t party, std::size_t rows, std::uint32_t seed) {
  std::mt19937 gen(seed + static_cast<std::uint32_t>(party));
  std::uniform_int_distribution<std::int64_t> v(-100, 100);
  std::vector<std::int64_t> out(rows);
  for (auto& e : out) e = v(gen);
  return out;
}

TEST_P(StatisticsParties, IntegersMatchMPyCsRoundedFormulas) {
  const std::size_t n = GetParam(), rows = 7;
  std::vector<std::int64_t> all_x, all_y;
  for (std::size_t i = 0; i < n; ++i) {
    const auto x = ints_of(i, rows, 5), y = ints_of(i, rows, 50);
    all_x.insert(all_x.end(), x.begin(), x.end());
    all_y.insert(all_y.end(), y.begin(), y.end());
  }
  std::vector<std::int64_t> got;
  std::mutex m;
  run_local<Fp64>(n, Fp64{}, test::options_for(n), [&](Session<Fp64>& s) -> boost::asio::awaitable<void> {
    const secint type(32);
    const auto xs = co_await s.input_all(type, ints_of(s.id(), rows, 5));
    const auto ys = co_await s.input_all(type, ints_of(s.id(), rows, 50));
    const auto x = SecInt<Fp64>::concat(xs), y = SecInt<Fp64>::concat(ys);
    std::vector<SecInt<Fp64>> parts;
    for (std::size_t i = 0; i + 1 < x.size(); ++i) parts.push_back(x.at(i));
    const auto even = SecInt<Fp64>::concat(parts);  // one value fewer: the other parity
    std::vector<SecInt<Fp64>> r;
    r.push_back(co_await statistics::mean(s, x));
    r.push_back(co_await statistics::mean(s, y));
    r.push_back(co_await statistics::variance(s, x));
    r.push_back(co_await statistics::variance(s, y, true));
    r.push_back(co_await statistics::stdev(s, x));
    r.push_back(co_await statistics::stdev(s, y, true));
    r.push_back(co_await statistics::median(s, x));
    r.push_back(co_await statistics::median(s, even));
    r.push_back(co_await statistics::covariance(s, x, y));
    r.push_back(co_await statistics::covariance(s, x, y, true));
    std::vector<std::int64_t> opened;
    for (const auto& v : r) opened.push_back((co_await s.output(v)).at(0));
    if (s.id() != 0) co_return;
    std::lock_guard lock(m);
    got = opened;
  }, std::chrono::seconds(120));

  const auto count = static_cast<std::int64_t>(all_x.size());
  const auto sum = [](const std::vector<std::int64_t>& v) {
    std::int64_t t = 0;
    for (auto e : v) t += e;
    return t;
  };
  const auto rounded = [](std::int64_t v, std::int64_t d) { return floor_div(v + d / 2, d); };
  const auto co = [&](const std::vector<std::int64_t>& a, const std::vector<std::int64_t>& b, bool population) {
    std::int64_t t = 0;
    for (std::size_t i = 0; i < a.size(); ++i) t += (count * a[i] - sum(a)) * (count * b[i] - sum(b));
    return rounded(t, count * count * (count - (population ? 0 : 1)));
  };
  const auto isqrt = [](std::int64_t a) {
    std::int64_t r = 0;
    while ((r + 1) * (r + 1) <= a) ++r;
    return r;
  };
  const auto median = [](std::vector<std::int64_t> v) {
    std::sort(v.begin(), v.end());
    const std::size_t k = v.size();
    return k % 2 ? v[k / 2] : floor_div(v[k / 2 - 1] + v[k / 2], 2);
  };
  const std::vector<std::int64_t> even(all_x.begin(), all_x.end() - 1);
  const std::vector<std::int64_t> want{rounded(sum(all_x), count), rounded(sum(all_y), count),
                                       co(all_x, all_x, false),      co(all_y, all_y, true),
                                       isqrt(co(all_x, all_x, false)), isqrt(co(all_y, all_y, true)),
                                       median(all_x),                median(even),
                                       co(all_x, all_y, false),      co(all_x, all_y, true)};
  EXPECT_EQ(got, want);
}

INSTANTIATE_TEST_SUITE_P(Statistics, StatisticsParties, testing::Values(3, 5),
                         [](const auto& info) { return "n" + std::to_string(info.param); });

}  // namespace
}  // namespace meshmpc
