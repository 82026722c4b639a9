#pragma once
// Statistics of secret integers (SecInt vectors), as MPyC's mpyc.statistics does
// them for secure integers: every result is a secret integer of the same type,
// rounded to the nearest (half up): mean, variance and stdev (sample and
// population), median, covariance. Included by statistics.hpp, whose functions
// these overload.
//
// The intermediate sums must fit the type, as every SecInt result must: for
// variance and covariance N^2 (N - 1) times the variance, i.e. sum((N x - sum x)^2),
// stays below 2^(l-1). Divisions are Session::div by a public integer (exact
// floor), so the rounding is exact; stdev is the integer square root of the
// rounded variance, by one comparison per bit of the root (MPyC's _isqrt).
#include <meshmpc/runtime/secfxp.hpp>
#include <meshmpc/runtime/secint.hpp>
#include <meshmpc/runtime/session.hpp>

#include <boost/asio/awaitable.hpp>

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace meshmpc::statistics {

template <FiniteField F>
using IntStat = boost::asio::awaitable<SecInt<F>>;

namespace detail {
// RangeError unless the data has at least `least` entries (statistics.hpp's too).
inline void need(std::size_t size, std::size_t least, const char* what) {
  if (size < least)
    throw RangeError(std::string(what) + " needs at least " + std::to_string(least) + " data points, got " +
                     std::to_string(size));
}

// round(v / d), halves up, for d >= 1 and v of either sign: floor((v + floor(d/2)) / d).
template <FiniteField F>
IntStat<F> rounded_quotient(Session<F>& s, SecInt<F> v, std::uint64_t d) {
  co_return co_await s.div(v + static_cast<std::int64_t>(d / 2), d);
}

// Entries [begin, begin + count) of v.
template <FiniteField F>
SecInt<F> entries(const SecInt<F>& v, std::size_t begin, std::size_t count) {
  std::vector<SecInt<F>> parts;
  for (std::size_t i = 0; i < count; ++i) parts.push_back(v.at(begin + i));
  return SecInt<F>::concat(parts);
}

// Half of a sum of two values: a fixed-point product by 1/2, or integer floor division.
template <FiniteField F>
boost::asio::awaitable<SecFxp<F>> halve(Session<F>& s, const SecFxp<F>& v) {
  return s.mul(v, 0.5);
}
template <FiniteField F>
boost::asio::awaitable<SecInt<F>> halve(Session<F>& s, const SecInt<F>& v) {
  return s.div(v, 2);
}

// The middle value of x after sorting, or half the sum of the two middle values.
template <FiniteField F, class V>
boost::asio::awaitable<V> median_by_sort(Session<F>& s, V x) {
  need(x.size(), 1, "median");
  const V sorted = co_await s.sort(x);
  const std::size_t n = x.size();
  if (n % 2 == 1) co_return sorted.at(n / 2);
  co_return co_await halve(s, sorted.at(n / 2 - 1) + sorted.at(n / 2));
}

// N x - sum(x): the deviations scaled by N, exact in integers.
template <FiniteField F>
SecInt<F> scaled_deviations(Session<F>& s, const SecInt<F>& x) {
  const auto n = static_cast<std::int64_t>(x.size());
  return n * x - s.sum(x).repeated(x.size());
}
}  // namespace detail

// round(sum(x) / N).
template <FiniteField F>
IntStat<F> mean(Session<F>& s, SecInt<F> x) {
  detail::need(x.size(), 1, "mean");
  co_return co_await detail::rounded_quotient(s, s.sum(x), x.size());
}

// round(sum((N x - sum x)^2) / (N^2 (N - 1))), or by N^3 for the population.
template <FiniteField F>
IntStat<F> variance(Session<F>& s, SecInt<F> x, bool population = false) {
  detail::need(x.size(), population ? 1 : 2, "variance");
  const std::uint64_t n = x.size();
  const SecInt<F> y = detail::scaled_deviations(s, x);
  SecInt<F> squares = co_await s.inner(y, y);
  co_return co_await detail::rounded_quotient(s, std::move(squares), n * n * (n - (population ? 0 : 1)));
}

// The largest r with r^2 <= a, for 0 <= a < 2^(l-1): from the top bit of r down,
// keep r + 2^j where (r + 2^j)^2 <= a (r^2 kept alongside, so each step is one
// comparison and one selection): about l/2 sequential comparisons.
template <FiniteField F>
IntStat<F> integer_sqrt(Session<F>& s, SecInt<F> a) {
  const std::size_t l = a.bit_length(), count = a.size();
  SecInt<F> r = s.constant(secint(l), 0, count), r2 = r;
  for (std::size_t e = (l - 1) / 2 + 1; e-- > 0;) {
    const auto j = std::int64_t{1} << e;
    const SecInt<F> h = r + j, h2 = r2 + 2 * j * r + j * j;
    const SecInt<F> keep = co_await s.le(h2, a);
    std::vector<SecInt<F>> take{h, h2}, stay{r, r2};
    const SecInt<F> both = co_await s.if_else(keep.repeated(2), SecInt<F>::concat(take), SecInt<F>::concat(stay));
    r = detail::entries(both, 0, count);
    r2 = detail::entries(both, count, count);
  }
  co_return r;
}

// floor(sqrt(variance)), the variance rounded first (MPyC's stdev of secure integers).
template <FiniteField F>
IntStat<F> stdev(Session<F>& s, SecInt<F> x, bool population = false) {
  SecInt<F> var = co_await variance(s, std::move(x), population);
  co_return co_await integer_sqrt(s, std::move(var));
}

// The middle value after sorting, or the two middle values' mean rounded down (MPyC).
template <FiniteField F>
IntStat<F> median(Session<F>& s, SecInt<F> x) {
  return detail::median_by_sort(s, std::move(x));
}

// round(sum((N x - sum x)(N y - sum y)) / (N^2 (N - 1))), or by N^3 for the population.
template <FiniteField F>
IntStat<F> covariance(Session<F>& s, SecInt<F> x, SecInt<F> y, bool population = false) {
  detail::need(x.size(), population ? 1 : 2, "covariance");
  if (x.size() != y.size()) throw RangeError("covariance of data of different lengths");
  const std::uint64_t n = x.size();
  const SecInt<F> dx = detail::scaled_deviations(s, x), dy = detail::scaled_deviations(s, y);
  SecInt<F> products = co_await s.inner(dx, dy);
  co_return co_await detail::rounded_quotient(s, std::move(products), n * n * (n - (population ? 0 : 1)));
}

}  // namespace meshmpc::statistics
