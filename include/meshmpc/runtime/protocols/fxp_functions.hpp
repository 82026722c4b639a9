#pragma once
// Reciprocal and square root of secret fixed-point numbers (l bits, f fractional;
// integers X = x 2^f underneath). Both first scale X, in secret, into a fixed
// interval (fxp_normalize.hpp: Y = X 2^S with a secret S, the scale kept
// alongside), then run Newton iterations on b = Y / 2^l, as MPyC's _rec (a linear
// first guess, then quadratic convergence): the number of iterations is public,
// from f alone. docs/protocols.md has the rounds; docs/programs.md the errors.
#include <meshmpc/runtime/protocols/compare.hpp>
#include <meshmpc/runtime/protocols/fxp.hpp>
#include <meshmpc/runtime/protocols/fxp_normalize.hpp>

#include <boost/asio/awaitable.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>

#include <algorithm>
#include <cmath>
#include <vector>

namespace meshmpc::protocols {

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

// The largest relative error of the first guesses, |1 - b y0| for the reciprocal
// and |1 - sqrt(b) y0| for the root, when normalization may leave b up to eps
// (relative) outside its interval: the larger of the ends and the one turning
// point of each (b = 2.9142 / 4 and b = 2.13 / 3.63).
inline double reciprocal_first_error(double eps) {
  const auto error = [](double b) { return std::abs(1 - b * (2.9142135623731 - 2 * b)); };
  return std::max({error(0.5 * (1 - eps)), error(1 + eps), error(2.9142135623731 / 4)});
}
inline double root_first_error(double eps) {
  const auto error = [](double b) { return std::abs(1 - std::sqrt(b) * (2.13 - 1.21 * b)); };
  return std::max({error(0.25 * (1 - eps)), error(1 + eps), error(2.13 / 3.63)});
}
inline std::size_t reciprocal_steps(double eps, std::size_t f) { return newton_steps(reciprocal_first_error(eps), 1.0, 0.0, f); }
inline std::size_t root_steps(double eps, std::size_t f) { return newton_steps(root_first_error(eps), 1.5, 0.5, f); }

// The parts of 1/x: y ~ 1/b in (1, 2] with f fractional bits and the signed
// scale sgn(x) 2^S, so that 1/x = y sgn(x) 2^S / 2^(l-f). s = 1 - 2 [x < 0],
// X = s x, Y = X 2^S in [2^(l-1), 2^l),
// b = Y / 2^(l-f) in [1/2, 1), y0 = 2.9142 - 2b (relative error at most 0.0858,
// as MPyC's _rec), then y <- y (2 - b y). For x = 0 the scale is 0: division by
// secret zero gives 0 (`nonzero` = [x != 0] keeps it exactly 0 through a sum-mask
// truncation: zero_unless).
template <PrimeField F>
struct ReciprocalParts {
  Shares<F> y;
  Shares<F> scale;
  Shares<F> nonzero;
};

template <PrimeField F>
boost::asio::awaitable<ReciprocalParts<F>> reciprocal_parts(Core<F>& c, Scope scope, Shares<F> x, std::size_t l,
                                                            std::size_t f) {
  using namespace boost::asio::experimental::awaitable_operators;
  const F& fld = c.field();
  const std::size_t count = x.size();
  // s = 1 - 2 [x < 0] (1 for x = 0), |x| = s x.
  const auto below = co_await less_than_zero(c, scope.child(), x, l);
  Shares<F> sign(count);
  for (std::size_t e = 0; e < count; ++e) sign[e] = fld.sub(fld.one(), fld.add(below[e], below[e]));
  auto abs_x = co_await mul(c, scope.child(), sign, std::move(x));
  // The last band also tells whether |x| is 0 (normalize's detect_zero): one short
  // comparison where telling the sign of 0 apart took a full one.
  const std::size_t guard = normalize_guard(c, 2, [f](double eps) { return reciprocal_steps(eps, f); });
  auto v = co_await normalize(c, scope.child(), std::move(abs_x), std::move(sign), Shares<F>{}, l, 1, guard, true);
  ReciprocalParts<F> out;
  out.nonzero.resize(count);
  for (std::size_t e = 0; e < count; ++e) out.nonzero[e] = fld.sub(fld.one(), v.zero[e]);
  // The scale s 2^S, 0 for x = 0 (so that nothing after it grows out of range),
  // alongside b's truncation.
  auto scaled = mul(c, scope.child(), std::move(v.shifted), out.nonzero);
  auto shifted = shift_right(c, scope.child(), std::move(v.y), l, l - f);
  auto both = co_await (std::move(scaled) && std::move(shifted));
  out.scale = std::move(std::get<0>(both));
  const Shares<F> b = std::move(std::get<1>(both));
  out.y.resize(count);
  for (std::size_t e = 0; e < count; ++e) out.y[e] = fld.sub(fixed(fld, 2.9142135623731, f), fld.add(b[e], b[e]));
  const auto two = fixed(fld, 2.0, f);
  // 0.0858 on [1/2, 1]; a little more on the normalization's slightly wider range.
  for (std::size_t i = reciprocal_steps(normalize_slack(normalize_truncation_error(c), guard), f); i-- > 0;) {
    auto by = co_await mul_shift(c, scope.child(), b, out.y, l, f);
    for (auto& e : by) e = fld.sub(two, e);
    out.y = co_await mul_shift(c, scope.child(), std::move(out.y), std::move(by), l, f);
  }
  co_return out;
}

// 1/x (0 for x = 0). The result must fit l bits: |x| >= 2^(2f+1-l) or so.
template <PrimeField F>
boost::asio::awaitable<Shares<F>> reciprocal(Core<F>& c, Scope scope, Shares<F> x, std::size_t l, std::size_t f) {
  if (x.empty()) co_return x;
  auto parts = co_await reciprocal_parts(c, scope.child(), std::move(x), l, f);
  auto r = co_await mul_shift(c, scope.child(), std::move(parts.y), std::move(parts.scale), l, l - f);
  co_return co_await zero_unless(c, scope.child(), std::move(r), std::move(parts.nonzero));
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
  auto q = co_await mul_shift(c, scope.child(), std::move(xy), std::move(parts.scale), l, l);
  co_return co_await zero_unless(c, scope.child(), std::move(q), std::move(parts.nonzero));
}

// sqrt(x) for x > 0, and 0 for x <= 0 (X = [x > 0] x, and the scale starts at
// [x > 0]). With X' = X 2^((l-f) mod 2) (so that l - f + the shift is even),
// Y = X' 2^S in [2^(l-2), 2^l) with S even, b = Y / 2^(l-f) in [1/4, 1); y ~ 1/sqrt(b)
// from y0 = 2.13 - 1.21 b (relative error at most 0.088) by y <- y (3 - b y^2) / 2;
// sqrt(x) = b y 2^((l - f - S - odd)/2) = b y U 2^e0 with U = 2^((Smax - S)/2)
// kept alongside Y and the public e0 = (l - f - odd - Smax) / 2.
template <PrimeField F>
boost::asio::awaitable<Shares<F>> square_root(Core<F>& c, Scope scope, Shares<F> x, std::size_t l, std::size_t f) {
  const F& fld = c.field();
  const std::size_t count = x.size();
  if (count == 0) co_return x;
  auto parts = co_await positive_part(c, scope.child(), std::move(x), l);  // [x > 0], [x > 0] x
  const Shares<F>& positive = parts.first;
  Shares<F>& pos_x = parts.second;
  const std::size_t odd = (l - f) % 2;
  for (auto& e : pos_x) e = fld.mul(power_of_two(fld, odd), e);
  const std::size_t guard = normalize_guard(c, 2, [f](double eps) { return root_steps(eps, f); });
  auto v = co_await normalize(c, scope.child(), std::move(pos_x), Shares<F>{}, positive, l, 2, guard);
  const int e0 = (static_cast<int>(l - f - odd) - static_cast<int>(v.max_shift)) / 2;
  // b and 1.21 b (310 / 2^8) in one truncation by l - f + 8 bits.
  constexpr std::size_t kGuard = 8;
  Shares<F> both(2 * count);
  for (std::size_t e = 0; e < count; ++e) {
    both[e] = fld.mul(power_of_two(fld, kGuard), v.y[e]);
    both[count + e] = fld.mul(fld.from_uint(310), v.y[e]);
  }
  both = co_await shift_right(c, scope.child(), std::move(both), l, l - f + kGuard);
  Shares<F> b(both.begin(), both.begin() + static_cast<std::ptrdiff_t>(count)), y(count);
  for (std::size_t e = 0; e < count; ++e) y[e] = fld.sub(fixed(fld, 2.13, f), both[count + e]);
  const auto three = fixed(fld, 3.0, f);
  // 0.088 on [1/4, 1]; a little more on the normalization's slightly wider range.
  for (std::size_t i = root_steps(normalize_slack(normalize_truncation_error(c), guard), f); i-- > 0;) {
    auto y2 = co_await mul_shift(c, scope.child(), y, y, l, f);
    auto by2 = co_await mul_shift(c, scope.child(), b, std::move(y2), l, f);
    for (auto& e : by2) e = fld.sub(three, e);
    y = co_await mul_shift(c, scope.child(), std::move(y), std::move(by2), l, f + 1);
  }
  auto root_b = co_await mul_shift(c, scope.child(), std::move(b), std::move(y), l, f);
  if (e0 > 0)
    for (auto& e : v.halved) e = fld.mul(power_of_two(fld, static_cast<std::size_t>(e0)), e);
  auto root = co_await mul_shift(c, scope.child(), std::move(root_b), std::move(v.halved), l,
                                 e0 < 0 ? static_cast<std::size_t>(-e0) : 0);
  co_return co_await zero_unless(c, scope.child(), std::move(root), std::move(parts.first));
}

}  // namespace meshmpc::protocols
