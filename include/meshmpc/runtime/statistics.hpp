#pragma once
// Statistics of secret data, as MPyC's mpyc.statistics (and Python's statistics):
// mean, variance, stdev, median, covariance, correlation and simple linear
// regression over the entries of a SecFxp vector; mean, variance, stdev, median and
// covariance of a SecInt vector too (statistics_int.hpp: rounded integers, as MPyC);
// least squares with a few features, optionally ridge (least_squares.hpp). Each returns secret values (a
// vector of one entry); only Session's operations are used, so the results are
// as private as any: open what you mean to publish.
//
// Errors (measured in tests/runtime/statistics_test.cpp, stated in
// docs/programs.md): every sum is exact and each result is a few truncations and
// at most one reciprocal or square root away from it — mean within 2^-f, the rest
// within a few units of 2^-f plus a relative 2^-12. The sums must fit the type:
// sum(x), sum((x - mean)^2) below 2^(l-f-1) (32768 for secfxp(32, 16)).
//
// Each call runs its steps one after another on `s`: co_await it before issuing
// more work on the same handle (or give it a fork: Session::fork).
#include <meshmpc/runtime/least_squares.hpp>
#include <meshmpc/runtime/secfxp.hpp>
#include <meshmpc/runtime/session.hpp>
#include <meshmpc/runtime/statistics_int.hpp>

#include <boost/asio/awaitable.hpp>

#include <string>
#include <utility>
#include <vector>

namespace meshmpc::statistics {

template <FiniteField F>
using Stat = boost::asio::awaitable<SecFxp<F>>;

// sum(x) / N: one truncation.
template <FiniteField F>
Stat<F> mean(Session<F>& s, SecFxp<F> x) {
  detail::need(x.size(), 1, "mean");
  co_return co_await s.div(s.sum(x), static_cast<double>(x.size()));
}

// The deviations x - mean(x) and y - mean(y), both means in one truncation.
template <FiniteField F>
boost::asio::awaitable<std::pair<SecFxp<F>, SecFxp<F>>> deviations(Session<F>& s, SecFxp<F> x, SecFxp<F> y) {
  std::vector<SecFxp<F>> sums;
  sums.push_back(s.sum(x));
  sums.push_back(s.sum(y));
  const SecFxp<F> means = co_await s.div(SecFxp<F>::concat(sums), static_cast<double>(x.size()));
  co_return std::pair<SecFxp<F>, SecFxp<F>>(x - means.at(0).repeated(x.size()), y - means.at(1).repeated(y.size()));
}

// sum((x - mean(x)) (y - mean(y))): the deviations' inner product, one truncation.
template <FiniteField F>
Stat<F> co_deviation(Session<F>& s, SecFxp<F> x, SecFxp<F> y) {
  const auto [dx, dy] = co_await deviations(s, std::move(x), std::move(y));
  co_return co_await s.inner(dx, dy);
}

// The sample variance (divided by N - 1) or, with population = true, the
// population variance (by N).
template <FiniteField F>
Stat<F> variance(Session<F>& s, SecFxp<F> x, bool population = false) {
  detail::need(x.size(), population ? 1 : 2, "variance");
  const SecFxp<F> sxx = co_await co_deviation(s, x, x);
  co_return co_await s.div(sxx, static_cast<double>(x.size() - (population ? 0 : 1)));
}

template <FiniteField F>
Stat<F> stdev(Session<F>& s, SecFxp<F> x, bool population = false) {
  const SecFxp<F> var = co_await variance(s, std::move(x), population);
  co_return co_await s.sqrt(var);
}

// The middle value after sorting, or the mean of the two middle values.
template <FiniteField F>
Stat<F> median(Session<F>& s, SecFxp<F> x) {
  return detail::median_by_sort(s, std::move(x));
}

// The sample covariance (by N - 1) or the population covariance (by N).
template <FiniteField F>
Stat<F> covariance(Session<F>& s, SecFxp<F> x, SecFxp<F> y, bool population = false) {
  detail::need(x.size(), population ? 1 : 2, "covariance");
  if (x.size() != y.size()) throw RangeError("covariance of data of different lengths");
  const SecFxp<F> sxy = co_await co_deviation(s, x, y);
  co_return co_await s.div(sxy, static_cast<double>(x.size() - (population ? 0 : 1)));
}

// Pearson's r = Sxy / (sqrt(Sxx) sqrt(Syy)): both roots at once.
template <FiniteField F>
Stat<F> correlation(Session<F>& s, SecFxp<F> x, SecFxp<F> y) {
  detail::need(x.size(), 2, "correlation");
  if (x.size() != y.size()) throw RangeError("correlation of data of different lengths");
  const auto [dx, dy] = co_await deviations(s, std::move(x), std::move(y));
  const SecFxp<F> sxy = co_await s.inner(dx, dy);
  std::vector<SecFxp<F>> both;
  both.push_back(co_await s.inner(dx, dx));
  both.push_back(co_await s.inner(dy, dy));
  const SecFxp<F> roots = co_await s.sqrt(SecFxp<F>::concat(both));
  const SecFxp<F> denominator = co_await s.mul(roots.at(0), roots.at(1));
  co_return co_await s.div(sxy, denominator);
}

// Least squares y ~ slope x + intercept (Python's statistics.linear_regression):
// slope = Sxy / Sxx, intercept = mean(y) - slope mean(x).
template <FiniteField F>
boost::asio::awaitable<std::pair<SecFxp<F>, SecFxp<F>>> linear_regression(Session<F>& s, SecFxp<F> x, SecFxp<F> y) {
  detail::need(x.size(), 2, "linear regression");
  if (x.size() != y.size()) throw RangeError("linear regression of data of different lengths");
  const auto [dx, dy] = co_await deviations(s, x, y);
  const SecFxp<F> sxy = co_await s.inner(dx, dy);
  const SecFxp<F> sxx = co_await s.inner(dx, dx);
  const SecFxp<F> slope = co_await s.div(sxy, sxx);
  // The means again, exactly as deviations() had them: x - dx.
  const SecFxp<F> mx = x.at(0) - dx.at(0), my = y.at(0) - dy.at(0);
  const SecFxp<F> intercept = my - co_await s.mul(slope, mx);
  co_return std::pair<SecFxp<F>, SecFxp<F>>(slope, intercept);
}

}  // namespace meshmpc::statistics
