#pragma once
// Reciprocal and square root of secret fixed-point numbers (l bits, f fractional;
// integers X = x 2^f underneath). Both first learn, in secret, the bit length m of
// X from one batch of l comparisons [X < 2^j] (below_powers), which makes any
// public function of m a linear combination of those bits (magnitude_select): the
// normalizing factor 2^(l-m) and the scale of the result cost no product. Then
// Newton iterations on b = X 2^-m in a fixed interval, as MPyC's _rec (a linear
// first guess, then quadratic convergence): the number of iterations is public,
// from f alone. docs/protocols.md has the rounds and the measured errors.
#include <meshmpc/runtime/protocols/compare.hpp>
#include <meshmpc/runtime/protocols/fxp.hpp>

#include <boost/asio/awaitable.hpp>

#include <cmath>
#include <vector>

namespace meshmpc::protocols {

// lt[j][e] = [X_e < 2^j] for j < l, for shares of X in [-2^(l-1), 2^(l-1)]: one
// batch of l comparisons per element (less_than_zero's rounds).
template <PrimeField F>
boost::asio::awaitable<std::vector<Shares<F>>> below_powers(Core<F>& c, Scope scope, const Shares<F>& x,
                                                            std::size_t l) {
  const F& f = c.field();
  const std::size_t count = x.size();
  Shares<F> diffs(l * count);
  for (std::size_t j = 0; j < l; ++j)
    for (std::size_t e = 0; e < count; ++e) diffs[j * count + e] = f.sub(x[e], power_of_two(f, j));
  const auto lt = co_await less_than_zero(c, scope.child(), std::move(diffs), l);
  co_return split_bits<F>(lt, l, count);
}

// sum_m coef[m] [m_e == m] for m = 0..l, where m_e = #{j : X_e >= 2^j} is the bit
// length of a positive X_e (0 for X_e <= 0): with b_j = 1 - lt_j (non-increasing
// in j), [m == i] = b_(i-1) - b_i, so the sum is coef[0] + sum_j b_j (coef[j+1] -
// coef[j]). Local.
template <PrimeField F>
Shares<F> magnitude_select(const F& f, const std::vector<Shares<F>>& lt, const Shares<F>& coef) {
  const std::size_t count = lt.empty() ? 0 : lt.front().size();
  Shares<F> out(count, coef[0]);
  for (std::size_t j = 0; j < lt.size(); ++j) {
    const auto step = f.sub(coef[j + 1], coef[j]);
    for (std::size_t e = 0; e < count; ++e) out[e] = f.add(out[e], f.mul(step, f.sub(f.one(), lt[j][e])));
  }
  return out;
}

// round(v 2^f) as an element (v small and public).
template <PrimeField F>
typename F::Element fixed(const F& f, double v, std::size_t frac) {
  return f.from_int(static_cast<std::int64_t>(std::nearbyint(std::ldexp(v, static_cast<int>(frac)))));
}

// The Newton iterations that take a relative error e0 below 2^-(f+2), with
// e -> a e^2 + b e^3 per iteration.
inline std::size_t newton_steps(double e0, double a, double b, std::size_t f) {
  std::size_t steps = 0;
  for (double e = e0; e > std::ldexp(1.0, -static_cast<int>(f) - 2) && steps < 8; ++steps) e = a * e * e + b * e * e * e;
  return steps;
}

// The parts of 1/x: y ~ 1/b in (1, 2] with f fractional bits and the signed
// scale (1 - 2s) 2^(l-m), so that 1/x = y (1 - 2s) 2^(l-m) / 2^(l-f). With
// s = [x < 0], X = (1 - 2s) x, m its bit length: b = X 2^(l-m) / 2^(l-f) in
// [1/2, 1), y0 = 2.9142 - 2b (relative error at most 0.0858, as MPyC's _rec),
// then y <- y (2 - b y). For x = 0 the scale is 0 (m = 0 has factor 0): division
// by secret zero gives 0.
template <PrimeField F>
struct ReciprocalParts {
  Shares<F> y;
  Shares<F> scale;
};

template <PrimeField F>
boost::asio::awaitable<ReciprocalParts<F>> reciprocal_parts(Core<F>& c, Scope scope, Shares<F> x, std::size_t l,
                                                            std::size_t f) {
  const F& fld = c.field();
  const std::size_t count = x.size();
  const auto neg = co_await less_than_zero(c, scope.child(), x, l);
  Shares<F> sign(count);
  for (std::size_t e = 0; e < count; ++e) sign[e] = fld.sub(fld.one(), fld.add(neg[e], neg[e]));
  const auto abs_x = co_await mul(c, scope.child(), sign, std::move(x));
  const auto lt = co_await below_powers(c, scope.child(), abs_x, l);
  Shares<F> coef(l + 1, fld.zero());
  for (std::size_t m = 1; m <= l; ++m) coef[m] = power_of_two(fld, l - m);
  const Shares<F> w = magnitude_select(fld, lt, coef);
  // X W and (1 - 2s) W in one product.
  Shares<F> lhs = abs_x, rhs = w;
  lhs.insert(lhs.end(), sign.begin(), sign.end());
  rhs.insert(rhs.end(), w.begin(), w.end());
  auto both = co_await mul(c, scope.child(), std::move(lhs), std::move(rhs));
  ReciprocalParts<F> out;
  out.scale.assign(both.begin() + static_cast<std::ptrdiff_t>(count), both.end());
  both.resize(count);
  const auto b = co_await shift_right(c, scope.child(), std::move(both), l, l - f);
  out.y.resize(count);
  for (std::size_t e = 0; e < count; ++e) out.y[e] = fld.sub(fixed(fld, 2.9142135623731, f), fld.add(b[e], b[e]));
  const auto two = fixed(fld, 2.0, f);
  for (std::size_t i = newton_steps(0.0858, 1.0, 0.0, f); i-- > 0;) {
    auto by = co_await mul_shift(c, scope.child(), b, out.y, l, f);
    for (auto& v : by) v = fld.sub(two, v);
    out.y = co_await mul_shift(c, scope.child(), std::move(out.y), std::move(by), l, f);
  }
  co_return out;
}

// 1/x (0 for x = 0). The result must fit l bits: |x| >= 2^(2f+1-l) or so.
template <PrimeField F>
boost::asio::awaitable<Shares<F>> reciprocal(Core<F>& c, Scope scope, Shares<F> x, std::size_t l, std::size_t f) {
  if (x.empty()) co_return x;
  auto parts = co_await reciprocal_parts(c, scope.child(), std::move(x), l, f);
  co_return co_await mul_shift(c, scope.child(), std::move(parts.y), std::move(parts.scale), l, l - f);
}

// x / y (0 for y = 0): x times y's normalized reciprocal, then the scale, with one
// truncation at the end, so that the error is relative to the quotient (not to
// 1/y, which fixed point holds to 2^-f only).
template <PrimeField F>
boost::asio::awaitable<Shares<F>> divide(Core<F>& c, Scope scope, Shares<F> x, Shares<F> y, std::size_t l,
                                         std::size_t f) {
  if (x.empty()) co_return x;
  auto parts = co_await reciprocal_parts(c, scope.child(), std::move(y), l, f);
  // x c, untruncated (below 2^(l+f+1)), times the scale and truncated once: the
  // value before the truncation is below 2^(2l-1) whenever the quotient fits.
  auto xy = co_await mul(c, scope.child(), std::move(x), std::move(parts.y));
  co_return co_await mul_shift(c, scope.child(), std::move(xy), std::move(parts.scale), l, l);
}

// sqrt(x) for x >= 0, and 0 for x <= 0 (m = 0: b and the result are zero). With
// m' = m or m + 1, of f's parity: b = X 2^(l-m') / 2^(l-f) in [1/4, 1),
// y ~ 1/sqrt(b) from y0 = 2.13 - 1.21 b (relative error at most 0.088) by
// y <- y (3 - b y^2) / 2, and sqrt(x) = b y 2^((m'-f)/2).
template <PrimeField F>
boost::asio::awaitable<Shares<F>> square_root(Core<F>& c, Scope scope, Shares<F> x, std::size_t l, std::size_t f) {
  const F& fld = c.field();
  const std::size_t count = x.size();
  if (count == 0) co_return x;
  const auto lt = co_await below_powers(c, scope.child(), x, l);
  Shares<F> norm(l + 1, fld.zero()), scale(l + 1, fld.zero());
  for (std::size_t m = 1; m <= l; ++m) {
    const std::size_t even = m + ((m + f) % 2);  // m' - f even
    norm[m] = power_of_two(fld, l - std::min(even, l));
    scale[m] = power_of_two(fld, (even + f) / 2);  // 2^((m'-f)/2) with f fractional bits
  }
  const Shares<F> n_factor = magnitude_select(fld, lt, norm), u = magnitude_select(fld, lt, scale);
  auto xn = co_await mul(c, scope.child(), std::move(x), n_factor);
  // b and 1.21 b (310 / 2^8) in one truncation by l - f + 8 bits.
  constexpr std::size_t kGuard = 8;
  Shares<F> both(2 * count);
  for (std::size_t e = 0; e < count; ++e) {
    both[e] = fld.mul(power_of_two(fld, kGuard), xn[e]);
    both[count + e] = fld.mul(fld.from_uint(310), xn[e]);
  }
  both = co_await shift_right(c, scope.child(), std::move(both), l, l - f + kGuard);
  Shares<F> b(both.begin(), both.begin() + static_cast<std::ptrdiff_t>(count)), y(count);
  for (std::size_t e = 0; e < count; ++e) y[e] = fld.sub(fixed(fld, 2.13, f), both[count + e]);
  const auto three = fixed(fld, 3.0, f);
  for (std::size_t i = newton_steps(0.088, 1.5, 0.5, f); i-- > 0;) {
    auto y2 = co_await mul_shift(c, scope.child(), y, y, l, f);
    auto by2 = co_await mul_shift(c, scope.child(), b, std::move(y2), l, f);
    for (auto& v : by2) v = fld.sub(three, v);
    y = co_await mul_shift(c, scope.child(), std::move(y), std::move(by2), l, f + 1);
  }
  auto root_b = co_await mul_shift(c, scope.child(), std::move(b), std::move(y), l, f);
  co_return co_await mul_shift(c, scope.child(), std::move(root_b), u, l, f);
}

}  // namespace meshmpc::protocols
