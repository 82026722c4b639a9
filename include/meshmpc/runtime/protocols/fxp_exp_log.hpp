#pragma once
// exp and log of secret fixed-point numbers (l bits, f fractional).
//  exp: z = x log2(e), n = z rounded to an integer (a truncation by f: down or up),
//       phi = z - n in (-1, 1); 2^phi by its Taylor polynomial of degree 7 (error
//       below 0.7^8 / 8! = 1.4e-6), 2^n from one batch of comparisons [n >= j - f]
//       (a public function of n, linear in them: count_select), and
//       e^x = 2^phi 2^n. Values of e^x below 2^-f come out 0; x must stay below
//       (l - f - 1) ln 2 (10.39 for secfxp(32, 16)).
//  log: x = b 2^(l-f-S) with b in [1/2, 1) (fxp_normalize.hpp, S secret and
//       kept), ln b by its series around 3/4 to degree 9 (error below 2e-6), and
//       ln x = ln b + (l - f - S) ln 2. For x <= 0 the result is the smallest value
//       of the type, -2^(l-f-1).
#include <meshmpc/runtime/protocols/compare.hpp>
#include <meshmpc/runtime/protocols/fxp.hpp>
#include <meshmpc/runtime/protocols/fxp_functions.hpp>
#include <meshmpc/runtime/protocols/fxp_normalize.hpp>

#include <boost/asio/awaitable.hpp>

#include <cmath>
#include <numbers>
#include <vector>

namespace meshmpc::protocols {

// p(v) = sum_k coef[k] v^k by Horner, v and the result with f fractional bits:
// one product and truncation per degree.
template <PrimeField F>
boost::asio::awaitable<Shares<F>> horner(Core<F>& c, Scope scope, const Shares<F>& v, std::vector<double> coef,
                                         std::size_t l, std::size_t f) {
  const F& fld = c.field();
  Shares<F> p(v.size(), fixed(fld, coef.back(), f));
  for (std::size_t k = coef.size() - 1; k-- > 0;) {
    p = co_await mul_shift(c, scope.child(), std::move(p), v, l, f);
    const auto a = fixed(fld, coef[k], f);
    for (auto& e : p) e = fld.add(e, a);
  }
  co_return p;
}

template <PrimeField F>
boost::asio::awaitable<Shares<F>> exponential(Core<F>& c, Scope scope, Shares<F> x, std::size_t l, std::size_t f) {
  const F& fld = c.field();
  const std::size_t count = x.size();
  if (count == 0) co_return x;
  // z = x log2(e) to f bits: x times round(log2(e) 2^(l-2)), truncated by l - 2.
  const auto log2e = fld.from_uint(static_cast<std::uint64_t>(std::nearbyint(std::ldexp(std::numbers::log2e, static_cast<int>(l) - 2))));
  for (auto& e : x) e = fld.mul(log2e, e);
  const auto z = co_await shift_right(c, scope.child(), std::move(x), l, l - 2);
  // n within one of z (bits: a sum mask's error of up to 2 would push phi out of
  // the Taylor polynomial's range and n past the table of powers).
  const auto n = co_await shift_right(c, scope.child(), z, l, f, Truncation::bits);
  Shares<F> phi(count);
  const auto one = power_of_two(fld, f);
  for (std::size_t e = 0; e < count; ++e) phi[e] = fld.sub(z[e], fld.mul(one, n[e]));
  // [n >= j - f] for j = 1..l-1 (n has at most l - f + 1 bits), non-increasing in j.
  // [n < j + 1 - f] for all j from one masked opening of n (less_than_thresholds).
  const std::size_t k = l - 1, bits = l - f + 2;
  std::vector<std::int64_t> thresholds(k);
  for (std::size_t j = 0; j < k; ++j) thresholds[j] = static_cast<std::int64_t>(j + 1) - static_cast<std::int64_t>(f);
  const auto below = co_await less_than_thresholds(c, scope.child(), n, std::move(thresholds), bits);
  std::vector<Shares<F>> at_least(k, Shares<F>(count));
  for (std::size_t j = 0; j < k; ++j)
    for (std::size_t e = 0; e < count; ++e) at_least[j][e] = fld.sub(fld.one(), below[j * count + e]);
  Shares<F> powers(k + 1, fld.zero());  // 2^(c - f) with f fractional bits; c = 0: below 2^-f, 0
  for (std::size_t i = 1; i <= k; ++i) powers[i] = power_of_two(fld, i);
  const Shares<F> two_n = count_select(fld, at_least, powers, count);
  std::vector<double> taylor(8);
  for (std::size_t i = 0; i < taylor.size(); ++i) taylor[i] = std::pow(std::numbers::ln2, static_cast<double>(i)) / std::tgamma(i + 1.0);
  auto two_phi = co_await horner(c, scope.child(), phi, std::move(taylor), l, f);
  co_return co_await mul_shift(c, scope.child(), std::move(two_phi), two_n, l, f);
}

inline constexpr std::size_t kLogNormalizeGuard = 6;

template <PrimeField F>
boost::asio::awaitable<Shares<F>> logarithm(Core<F>& c, Scope scope, Shares<F> x, std::size_t l, std::size_t f) {
  const F& fld = c.field();
  const std::size_t count = x.size();
  if (count == 0) co_return x;
  auto parts = co_await positive_part(c, scope.child(), std::move(x), l);  // [x > 0], [x > 0] x
  const Shares<F>& positive = parts.first;
  Shares<F>& pos_x = parts.second;
  // b may stray by eps = E 2^-(g+1) from [1/2, 1), and the series' error grows
  // with |u| / (3/4) <= 1/3 + 4 eps / 3: at least 6 guard bits keep eps below
  // 2^-6 at n = 3 (docs/programs.md has the error measured).
  const std::size_t guard = normalize_guard(c, kLogNormalizeGuard, [](double) { return 0; });
  auto v = co_await normalize(c, scope.child(), std::move(pos_x), Shares<F>{}, Shares<F>{}, l, 1, guard);
  // u = b - 3/4 in [-1/4, 1/4) and S ln 2 to f + 8 bits, in one truncation batch.
  constexpr std::size_t kGuard = 8;
  Shares<F> both(2 * count);
  const auto ln2 = fld.from_uint(static_cast<std::uint64_t>(std::nearbyint(std::ldexp(std::numbers::ln2, static_cast<int>(f + kGuard)))));
  for (std::size_t e = 0; e < count; ++e) {
    both[e] = fld.mul(power_of_two(fld, kGuard), v.y[e]);
    both[count + e] = fld.mul(fld.mul(ln2, v.shift[e]), power_of_two(fld, l - f));
  }
  both = co_await shift_right(c, scope.child(), std::move(both), l, l - f + kGuard);
  Shares<F> u(both.begin(), both.begin() + static_cast<std::ptrdiff_t>(count));
  for (auto& e : u) e = fld.sub(e, fixed(fld, 0.75, f));
  std::vector<double> series(10, std::log(0.75));  // ln(3/4) + sum (-1)^(k+1) (u / (3/4))^k / k
  for (std::size_t k = 1; k < series.size(); ++k)
    series[k] = (k % 2 ? 1.0 : -1.0) / (static_cast<double>(k) * std::pow(0.75, static_cast<double>(k)));
  auto ln_b = co_await horner(c, scope.child(), u, std::move(series), l, f);
  const auto offset = fixed(fld, static_cast<double>(l - f) * std::numbers::ln2, f), lowest = fld.neg(power_of_two(fld, l - 1));
  for (std::size_t e = 0; e < count; ++e) ln_b[e] = fld.sub(fld.add(ln_b[e], offset), both[count + e]);
  // pos ? ln x : lowest, as lowest + pos (ln x - lowest).
  for (auto& e : ln_b) e = fld.sub(e, lowest);
  auto out = co_await mul(c, scope.child(), positive, std::move(ln_b));
  for (auto& e : out) e = fld.add(e, lowest);
  co_return out;
}

}  // namespace meshmpc::protocols
