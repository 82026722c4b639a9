#pragma once
// Secret normalization for the fixed-point reciprocal and square root: Y = X 2^S
// in about [2^(l-last), 2^l) for 0 < X < 2^l, with S secret, in a few bands. A band
// of width w compares Y with the k thresholds 2^(l-w), 2^(l-2w), ...: the bits
// lt_j = [Y < 2^(l-(j+1)w)] are non-increasing in j, so their count c picks the
// shift c w, and any public function of c — 2^(cw), or 2^((k-c)w/2) for the root
// — is a linear combination of them (count_select): one product per band applies
// it to Y and to the accumulators. Widths 8, 2, 1 for l = 32: 7 comparisons per
// value in three sequential batches (where one batch of l comparisons, [X < 2^j]
// for every j, would cost four times more traffic for a third fewer rounds).
// After the first band Y has r significant bits (Y in [2^(l-r), 2^l)), so the
// later bands compare T = Y / 2^m, truncated (one opening), with m leaving r + g
// bits (g guard bits): comparisons of r + g + 2 bits instead of l, far cheaper
// (their cost is linear in the bits). T is Y / 2^m within the truncation's error
// E units, and a later band's smallest threshold is at least 2^(g+1) units, so a
// decision may go the wrong way only for Y within eps = E 2^-(g+1) (relative) of a
// threshold: Y ends in [2^(l-last) (1 - eps), 2^l (1 + eps)), which the Newton
// iterations after it absorb (their first error is computed from eps, so the step
// counts allow for it). S and the accumulators follow the decisions taken, so
// Y = X 2^S holds exactly whatever they were. normalize_guard picks g.
#include <meshmpc/runtime/protocols/compare.hpp>
#include <meshmpc/runtime/protocols/fxp.hpp>
#include <meshmpc/runtime/protocols/mul.hpp>

#include <boost/asio/awaitable.hpp>

#include <cmath>

#include <utility>
#include <vector>

namespace meshmpc::protocols {

// The largest error of the truncation that makes T, in units of T: the session's
// kind (Truncation::bits: below 1).
template <PrimeField F>
double normalize_truncation_error(const Core<F>& c) {
  return c.options().truncation == Truncation::bits ? 1.0 : truncation_error_bound(truncation_terms(c));
}

// eps for g guard bits and a truncation error of E units (see the top).
inline double normalize_slack(double error, std::size_t guard) {
  return std::ldexp(error, -static_cast<int>(guard) - 1);
}

// The fewest guard bits, from `least` up, for which `steps(eps)` (the Newton
// iterations a caller needs when Y may stray by eps) is what it is for eps = 0,
// and for which T of a zero Y stays below the zero test's 2^(g-1): more guard bits
// cost comparison bits in every later band, fewer cost an iteration.
template <PrimeField F, typename Steps>
std::size_t normalize_guard(const Core<F>& c, std::size_t least, Steps steps) {
  const double error = normalize_truncation_error(c);
  const auto ideal = steps(0.0);
  std::size_t g = least;
  while (g < 24 && (std::ldexp(1.0, static_cast<int>(g) - 1) < error || steps(normalize_slack(error, g)) > ideal)) ++g;
  return g;
}

// The band widths from a range of r bits down to `last` bits: powers of two times
// `last`, each about a quarter of the range before it (32 -> 8, 2, 1).
inline std::vector<std::size_t> band_widths(std::size_t range, std::size_t last) {
  std::vector<std::size_t> out;
  for (std::size_t r = range; r > last;) {
    std::size_t w = last;
    while (w * 4 < r) w *= 2;
    out.push_back(w);
    r = w;
  }
  return out;
}

// sum_i coef[i] [c == i] for c = #{j : lt_j = 1} and non-increasing lt_j:
// [c == i] = lt_(i-1) - lt_i (lt_(-1) = 1, lt_k = 0), so the sum is
// coef[0] + sum_j lt_j (coef[j+1] - coef[j]). Local.
template <PrimeField F>
Shares<F> count_select(const F& f, const std::vector<Shares<F>>& lt, const Shares<F>& coef, std::size_t count) {
  Shares<F> out(count, coef[0]);
  for (std::size_t j = 0; j < lt.size(); ++j) {
    const auto step = f.sub(coef[j + 1], coef[j]);
    for (std::size_t e = 0; e < count; ++e) out[e] = f.add(out[e], f.mul(step, lt[j][e]));
  }
  return out;
}

// Y scaled into the top band, and accumulators scaled alongside: `shifted` by
// 2^S (as Y), `halved` by 2^((Smax - S)/2) (for the root; w even then).
template <PrimeField F>
struct Normalized {
  Shares<F> y;
  Shares<F> shifted;
  Shares<F> halved;
  Shares<F> shift;            // S itself (summed band by band: no product)
  Shares<F> zero;             // [X == 0], when normalize was asked to detect it
  std::size_t max_shift = 0;  // Smax: the shift of the smallest Y
};

// One band of width w over a range of r bits (Y >= 2^(l-r) or Y = 0): one batch
// of comparisons, one product for Y and the accumulators.
// With detect_zero, one more comparison in the same batch gives v.zero = [Y == 0]:
// Y < 1, or T < 2^(g-1) where T = Y / 2^m (above 2^g - E >= 2^(g-1) unless Y is 0,
// below E <= 2^(g-1) when it is: normalize_guard sees to E <= 2^(g-1)).
template <PrimeField F>
boost::asio::awaitable<void> normalize_band(Core<F>& c, Scope scope, Normalized<F>& v, std::size_t l,
                                            std::size_t r, std::size_t w, std::size_t guard, bool detect_zero) {
  const F& f = c.field();
  const std::size_t count = v.y.size(), k = (r + w - 1) / w - 1;
  // Compare Y itself (the first band), or T = Y / 2^m with r + g bits left.
  const std::size_t m = r + guard + 2 < l ? l - r - guard : 0;
  const std::size_t bits = m > 0 ? r + guard + 2 : l;
  Shares<F> t;  // (no co_await inside ?: — GCC 12 miscompiles it)
  if (m > 0)
    t = co_await shift_right(c, scope.child(), v.y, l, m);
  else
    t = v.y;
  const std::size_t tests = k + (detect_zero ? 1 : 0);
  std::vector<std::int64_t> thresholds(tests);
  for (std::size_t j = 0; j < tests; ++j)
    thresholds[j] = j < k ? std::int64_t{1} << (l - (j + 1) * w - m) : (m > 0 ? std::int64_t{1} << (guard - 1) : 1);
  auto lt = split_bits<F>(co_await less_than_thresholds(c, scope.child(), std::move(t), std::move(thresholds), bits),
                          tests, count);
  if (detect_zero) {
    v.zero = std::move(lt.back());
    lt.pop_back();
  }
  Shares<F> up(k + 1), down(k + 1), shift(k + 1);
  for (std::size_t i = 0; i <= k; ++i) {
    up[i] = power_of_two(f, i * w);
    down[i] = power_of_two(f, (k - i) * w / 2);
    shift[i] = f.from_uint(i * w);
  }
  const Shares<F> g = count_select(f, lt, up, count), s = count_select(f, lt, shift, count);
  if (v.shift.empty()) v.shift.assign(count, f.zero());
  f.add(std::span<typename F::Element>(v.shift), std::span<const typename F::Element>(v.shift),
        std::span<const typename F::Element>(s));
  const bool shifts = !v.shifted.empty(), halves = !v.halved.empty();
  Shares<F> lhs = std::move(v.y), rhs = g;
  if (shifts) {
    lhs.insert(lhs.end(), v.shifted.begin(), v.shifted.end());
    rhs.insert(rhs.end(), g.begin(), g.end());
  }
  if (halves) {
    const Shares<F> h = count_select(f, lt, down, count);
    lhs.insert(lhs.end(), v.halved.begin(), v.halved.end());
    rhs.insert(rhs.end(), h.begin(), h.end());
  }
  auto all = co_await mul(c, scope.child(), std::move(lhs), std::move(rhs));
  const auto part = [&](std::size_t i) {
    return Shares<F>(all.begin() + static_cast<std::ptrdiff_t>(i * count),
                     all.begin() + static_cast<std::ptrdiff_t>((i + 1) * count));
  };
  v.y = part(0);
  if (shifts) v.shifted = part(1);
  if (halves) v.halved = part(shifts ? 2 : 1);
  v.max_shift += k * w;
}

// Y = X 2^S in about [2^(l-last), 2^l) for X in [1, 2^l), 0 for X = 0; `shifted`
// and `halved` (empty: not kept) start as given. For last = 2 every shift is even.
// `guard`: g (normalize_guard). detect_zero: also v.zero = [X == 0], from the last
// band's batch.
template <PrimeField F>
boost::asio::awaitable<Normalized<F>> normalize(Core<F>& c, Scope scope, Shares<F> x, Shares<F> shifted,
                                                Shares<F> halved, std::size_t l, std::size_t last,
                                                std::size_t guard, bool detect_zero = false) {
  Normalized<F> v;
  v.y = std::move(x);
  v.shifted = std::move(shifted);
  v.halved = std::move(halved);
  std::size_t r = l;
  const auto widths = band_widths(l, last);
  for (std::size_t i = 0; i < widths.size(); ++i) {
    co_await normalize_band(c, scope.child(), v, l, r, widths[i], guard, detect_zero && i + 1 == widths.size());
    r = widths[i];
  }
  co_return v;
}

// [x > 0] and [x > 0] x: what sqrt and log normalize (a value <= 0 becomes 0, so
// their results for it are defined). One comparison (0 < x, as -x < 0) and one product.
template <PrimeField F>
boost::asio::awaitable<std::pair<Shares<F>, Shares<F>>> positive_part(Core<F>& c, Scope scope, Shares<F> x,
                                                                       std::size_t l) {
  const F& fld = c.field();
  Shares<F> minus(x.size());
  for (std::size_t e = 0; e < x.size(); ++e) minus[e] = fld.neg(x[e]);
  auto positive = co_await less_than_zero(c, scope.child(), std::move(minus), l);
  auto part = co_await mul(c, scope.child(), positive, std::move(x));
  co_return std::pair<Shares<F>, Shares<F>>(std::move(positive), std::move(part));
}

}  // namespace meshmpc::protocols
