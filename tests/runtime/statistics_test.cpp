// Statistics of secret fixed-point data (statistics.hpp) among n = 3 and 5
// parties, each holding rows of (x, y): every result against the plain double
// computation on the same grid values, within the error statistics.hpp states.
#include "secint_test_util.hpp"

#include <meshmpc/field/fp127.hpp>
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

INSTANTIATE_TEST_SUITE_P(Statistics, StatisticsParties, testing::Values(3, 5),
                         [](const auto& info) { return "n" + std::to_string(info.param); });

}  // namespace
}  // namespace meshmpc
