// Secure fixed-point numbers (secfxp(32, 16) over GF(2^127 - 1)) among n = 3 and 5
// parties: every operation's opened result against plain double arithmetic on
// the same grid values, within the bound docs/programs.md states (exact for the
// local operations and comparisons; for a product (m + 1) / 2 units in the last
// place, 2^-16, with the default sum-mask truncation of m terms, one unit with
// Truncation::bits).
#include "secint_test_util.hpp"
#include "two_sample.hpp"

#include <meshmpc/field/fp127.hpp>
#include <meshmpc/field/fp64.hpp>
#include <meshmpc/runtime/field_choice.hpp>
#include <meshmpc/runtime/protocols/compare.hpp>
#include <meshmpc/runtime/protocols/fxp.hpp>

#include <gtest/gtest.h>

#include <cmath>
#include <functional>
#include <iostream>
#include <random>
#include <string>
#include <string_view>

namespace meshmpc {
namespace {

using F = Fp127;
using Doubles = std::vector<double>;
using Results = std::vector<Doubles>;
using Fxp = SecFxp<F>;
// What a test computes from x (party 0's values) and y (party 1's).
using Ops = std::function<boost::asio::awaitable<std::vector<Fxp>>(Session<F>&, const Fxp&, const Fxp&)>;

constexpr double kUlp = 1.0 / 65536;          // 2^-f
constexpr double kMax = 32768.0 - kUlp;       // the largest secfxp(32, 16)
const secfxp kType(32, 16);

// The value a secfxp(32, 16) holds for v.
double grid(double v) { return std::nearbyint(v * 65536) / 65536; }

// Party 0 inputs a, party 1 inputs b; every party opens what `ops` returns and
// party 0's openings come back. Also the rounds the ops took, at party 0.
// `truncation` chooses how products are truncated (SessionOptions::truncation).
Results run_ops(std::size_t n, const Doubles& a, const Doubles& b, const Ops& ops, std::uint64_t* rounds = nullptr,
                Truncation truncation = Truncation::sum) {
  Results out;
  std::mutex m;
  auto options = test::options_for(n);
  options.truncation = truncation;
  run_local<F>(n, F{}, options, [&](Session<F>& s) -> boost::asio::awaitable<void> {
    const std::span<const double> none;
    const auto x = co_await s.input(kType, 0, s.id() == 0 ? std::span<const double>(a) : none, a.size());
    const auto y = co_await s.input(kType, 1, s.id() == 1 ? std::span<const double>(b) : none, b.size());
    const std::uint64_t before = s.rounds();
    const auto results = co_await ops(s, x, y);
    const std::uint64_t used = s.rounds() - before;
    Results opened;
    for (const auto& r : results) opened.push_back(co_await s.output(r));
    if (s.id() != 0) co_return;
    std::lock_guard lock(m);
    out = opened;
    if (rounds) *rounds = used;
  }, std::chrono::seconds(120));
  return out;
}

// |got - want| <= bound for every entry, naming the inputs where not; returns the
// largest error seen.
double expect_near(const Doubles& got, const Doubles& want, double bound, const std::string& what,
                   const Doubles& a, const Doubles& b) {
  double worst = 0;
  EXPECT_EQ(got.size(), want.size()) << what;
  for (std::size_t e = 0; e < std::min(got.size(), want.size()); ++e) {
    const double err = std::fabs(got[e] - want[e]);
    worst = std::max(worst, err);
    EXPECT_LE(err, bound) << what << " at " << e << " (a = " << a[e] << ", b = " << b[e] << "): got " << got[e]
                          << ", want " << want[e];
  }
  return worst;
}

Doubles plain(const Doubles& a, const Doubles& b, const std::function<double(double, double)>& op) {
  Doubles out(a.size());
  for (std::size_t e = 0; e < a.size(); ++e) out[e] = op(grid(a[e]), grid(b[e]));
  return out;
}

class FxpParties : public testing::TestWithParam<std::size_t> {};

// Pairs whose sums, differences and products stay in range, with zero, negatives,
// the extremes and values off the grid.
const Doubles kA{0, 1.5, -2.25, 181, -181, 0.1, 3.14159, -0.00002, 1000.5, 32767.99998, -32768, 7};
const Doubles kB{0, -3, -4, 181, 181, -0.3, 2.71828, 0.5, -30.25, 0.0, 0, 1.0 / 3};

TEST_P(FxpParties, LocalOperationsAreExact) {
  const Ops ops = [](Session<F>& s, const Fxp& x, const Fxp& y) -> boost::asio::awaitable<std::vector<Fxp>> {
    (void)s;
    std::vector<Fxp> r;
    r.push_back(x.at(1) + y.at(1));
    r.push_back(x - x + y);
    r.push_back(-y);
    r.push_back(3 * y - y * 2);
    r.push_back(y + 1.5 - 0.25);
    co_return r;
  };
  const auto got = run_ops(GetParam(), kA, kB, ops);
  ASSERT_EQ(got.size(), 5U);
  EXPECT_EQ(got[0], Doubles{grid(1.5) + grid(-3)});
  expect_near(got[1], plain(kA, kB, [](double, double y) { return y; }), 0, "x - x + y", kA, kB);
  expect_near(got[2], plain(kA, kB, [](double, double y) { return -y; }), 0, "-y", kA, kB);
  expect_near(got[3], plain(kA, kB, [](double, double y) { return y; }), 0, "3y - 2y", kA, kB);
  expect_near(got[4], plain(kA, kB, [](double, double y) { return y + 1.25; }), 0, "y + 1.25", kA, kB);
}

// The bound on a product's error, in units of 2^-16, for the session's truncation:
// (m + 1) / 2 for a sum mask of m terms (m = 3 at n = 3 and 5), 1 for bits.
double product_bound(Session<F>& s) {
  if (s.options().truncation == Truncation::bits) return 1;
  return protocols::truncation_error_bound(protocols::truncation_terms(protocols::core_of(s)));
}

// Every kind of product, with either truncation: within its bound.
void expect_products_within_bound(std::size_t n, Truncation truncation) {
  double units = 0;
  const Ops ops = [&units](Session<F>& s, const Fxp& x, const Fxp& y) -> boost::asio::awaitable<std::vector<Fxp>> {
    units = product_bound(s);
    std::vector<Fxp> r;
    const Fxp small = co_await s.mul(y, y);  // |y| <= 181: y^2 fits
    r.push_back(co_await s.mul(x.at(2), y.at(2)));
    r.push_back(small);
    r.push_back(co_await s.mul(y, 2.5));
    r.push_back(co_await s.mul(y, -1.0 / 3));
    r.push_back(co_await s.div(y, 7.0));
    r.push_back(co_await s.inner(y, y));
    co_return r;
  };
  const auto got = run_ops(n, kA, kB, ops, nullptr, truncation);
  ASSERT_EQ(got.size(), 6U);
  ASSERT_GE(units, 1.0);
  const double ulp = units * kUlp;
  EXPECT_NEAR(got[0][0], grid(-2.25) * grid(-4), ulp);
  expect_near(got[1], plain(kA, kB, [](double, double y) { return y * y; }), ulp, "y * y", kA, kB);
  expect_near(got[2], plain(kA, kB, [](double, double y) { return y * 2.5; }), ulp, "y * 2.5", kA, kB);
  expect_near(got[3], plain(kA, kB, [](double, double y) { return -y / 3; }), 1.01 * ulp, "y * -1/3", kA, kB);
  expect_near(got[4], plain(kA, kB, [](double, double y) { return y / 7; }), 1.01 * ulp, "y / 7", kA, kB);
  double dot = 0;
  for (double v : kB) dot += grid(v) * grid(v);
  EXPECT_NEAR(got[5][0], dot, ulp);
}

TEST_P(FxpParties, ProductsAreWithinTheirBound) { expect_products_within_bound(GetParam(), Truncation::sum); }

TEST_P(FxpParties, BitTruncationIsWithinOneUlp) { expect_products_within_bound(GetParam(), Truncation::bits); }

// The sum mask's error is unbiased (its offset delta cancels the terms' carry):
// 4000 products whose exact value lies 0.3 units above the grid, mean error
// within 0.05 units of 0 (the spread per product is below 1 unit, so the mean's
// is about 0.015; leaving delta out shifts it by 1). Under Truncation::bits,
// products of values that are multiples of 2^-16 by whole numbers stay exact.
TEST_P(FxpParties, SumTruncationIsUnbiasedAndBitTruncationKeepsMultiples) {
  const std::size_t count = 4000;
  const Doubles x(count, grid(0.3 / 65536 * 4096)), y(count, 1.0 / 4096);  // x y = 0.3 units
  const Ops product = [](Session<F>& s, const Fxp& a, const Fxp& b) -> boost::asio::awaitable<std::vector<Fxp>> {
    std::vector<Fxp> r;
    r.push_back(co_await s.mul(a, b));
    co_return r;
  };
  const auto got = run_ops(GetParam(), x, y, product);
  ASSERT_EQ(got.size(), 1U);
  double sum = 0;
  const double want = grid(x[0]) * y[0];
  for (double v : got[0]) sum += (v - want) / kUlp;
  EXPECT_LT(std::fabs(sum / count), 0.05) << "mean error " << sum / count << " units";

  const Doubles whole{0, 3, -7, 0.5, 181}, other{5.25, 0, 2, -4, -181};
  const auto exact = run_ops(GetParam(), whole, other, product, nullptr, Truncation::bits);
  ASSERT_EQ(exact.size(), 1U);
  for (std::size_t e = 0; e < whole.size(); ++e) EXPECT_EQ(exact[0][e], whole[e] * other[e]) << e;
}

TEST_P(FxpParties, ComparisonsAreExact) {
  const Ops ops = [](Session<F>& s, const Fxp& x, const Fxp& y) -> boost::asio::awaitable<std::vector<Fxp>> {
    std::vector<Fxp> r;
    const auto one = secfxp(32, 16);
    r.push_back(s.to_fxp(co_await s.lt(x, y), one));
    r.push_back(s.to_fxp(co_await s.le(x, y), one));
    r.push_back(s.to_fxp(co_await s.eq(x, y), one));
    r.push_back(s.to_fxp(co_await s.sign(x), one));
    r.push_back(co_await s.min(x, y));
    r.push_back(co_await s.max(x, y));
    r.push_back(co_await s.abs(y));
    r.push_back(s.to_fxp(co_await s.floor(x), one));
    auto [index, value] = co_await s.argmax(x);
    r.push_back(s.to_fxp(index, one));
    r.push_back(value);
    co_return r;
  };
  const auto got = run_ops(GetParam(), kA, kB, ops);
  ASSERT_EQ(got.size(), 10U);
  expect_near(got[0], plain(kA, kB, [](double x, double y) { return x < y ? 1.0 : 0.0; }), 0, "lt", kA, kB);
  expect_near(got[1], plain(kA, kB, [](double x, double y) { return x <= y ? 1.0 : 0.0; }), 0, "le", kA, kB);
  expect_near(got[2], plain(kA, kB, [](double x, double y) { return x == y ? 1.0 : 0.0; }), 0, "eq", kA, kB);
  expect_near(got[3], plain(kA, kB, [](double x, double) { return (x > 0) - (x < 0); }), 0, "sign", kA, kB);
  expect_near(got[4], plain(kA, kB, [](double x, double y) { return std::min(x, y); }), 0, "min", kA, kB);
  expect_near(got[5], plain(kA, kB, [](double x, double y) { return std::max(x, y); }), 0, "max", kA, kB);
  expect_near(got[6], plain(kA, kB, [](double, double y) { return std::fabs(y); }), 0, "abs", kA, kB);
  expect_near(got[7], plain(kA, kB, [](double x, double) { return std::floor(x); }), 0, "floor", kA, kB);
  EXPECT_EQ(got[8], Doubles{9});  // the largest value, 32767.99998, is at index 9
  EXPECT_EQ(got[9], Doubles{kMax});
}

// Log-uniform magnitudes in [2^lo, 2^hi), random signs unless `positive`.
Doubles spread(std::size_t count, double lo, double hi, bool positive, std::uint32_t seed) {
  std::mt19937 gen(seed);
  std::uniform_real_distribution<double> exponent(lo, hi);
  Doubles out(count);
  for (auto& v : out) v = grid(std::exp2(exponent(gen)) * (positive || gen() % 2 ? 1 : -1));
  return out;
}

// Largest |got - want| / (ulps + rel |want|) over the entries: <= 1 within the
// bound ulps 2^-f + rel |want|.
void expect_within(const Doubles& got, const Doubles& want, double ulps, double rel, const std::string& what) {
  ASSERT_EQ(got.size(), want.size()) << what;
  double worst_abs = 0, worst_rel = 0;
  for (std::size_t e = 0; e < got.size(); ++e) {
    const double err = std::fabs(got[e] - want[e]);
    worst_abs = std::max(worst_abs, err / kUlp);
    if (std::fabs(want[e]) >= 1.0 / 16) worst_rel = std::max(worst_rel, err / std::fabs(want[e]));
    EXPECT_LE(err, ulps * kUlp + rel * std::fabs(want[e])) << what << " at " << e << ": got " << got[e] << ", want "
                                                           << want[e];
  }
  std::cout << what << ": largest error " << worst_abs << " ulp; relative, where |result| >= 1/16: " << worst_rel
            << "\n";
}

TEST_P(FxpParties, ReciprocalDivisionAndSquareRootAreWithinTheirBounds) {
  const std::size_t count = 100;
  // 1/y must fit: |y| >= 2^-14 keeps 1/|y| <= 2^14.
  const Doubles a = spread(count, -8, 7, false, 1), b = spread(count, -7, 14.9, false, 2);
  const Doubles roots = spread(count, -16, 15, true, 3);
  const Ops ops = [&roots](Session<F>& s, const Fxp& x, const Fxp& y) -> boost::asio::awaitable<std::vector<Fxp>> {
    std::vector<Fxp> r;
    r.push_back(co_await s.reciprocal(y));
    r.push_back(co_await s.div(x, y));
    r.push_back(co_await s.sqrt(s.constant(kType, roots)));
    r.push_back(co_await s.sqrt(y));  // negative y: 0
    co_return r;
  };
  const auto got = run_ops(GetParam(), a, b, ops);
  ASSERT_EQ(got.size(), 4U);
  Doubles inv(count), quot(count), root(count), root_y(count);
  for (std::size_t e = 0; e < count; ++e) {
    inv[e] = 1 / b[e];
    quot[e] = a[e] / b[e];
    root[e] = std::sqrt(roots[e]);
    root_y[e] = b[e] > 0 ? std::sqrt(b[e]) : 0;
  }
  expect_within(got[0], inv, 2, 1.0 / 4096, "reciprocal");
  expect_within(got[1], quot, 2, 1.0 / 4096, "division");
  expect_within(got[2], root, 2, 1.0 / 4096, "sqrt");
  expect_within(got[3], root_y, 2, 1.0 / 4096, "sqrt of either sign");
}

// exp and log against std::exp and std::log: e^x over the whole range that fits
// (and below 2^-f: 0), ln x over (0, 32768); ln of x <= 0 is the smallest value.
TEST_P(FxpParties, ExpAndLogAreWithinTheirBounds) {
  const std::size_t count = 100;
  Doubles xs(count), logs = spread(count, -16, 15, true, 8);
  std::mt19937 gen(9);
  std::uniform_real_distribution<double> exponent(-12, 10.3);
  for (auto& v : xs) v = grid(exponent(gen));
  const Doubles edges{0.0, -5.0, -32768.0};
  const Ops ops = [&logs, &edges](Session<F>& s, const Fxp& x, const Fxp&) -> boost::asio::awaitable<std::vector<Fxp>> {
    std::vector<Fxp> r;
    r.push_back(co_await s.exp(x));
    r.push_back(co_await s.log(s.constant(kType, logs)));
    r.push_back(co_await s.log(s.constant(kType, edges)));
    co_return r;
  };
  const auto got = run_ops(GetParam(), xs, xs, ops);
  ASSERT_EQ(got.size(), 3U);
  Doubles want_exp(count), want_log(count);
  for (std::size_t e = 0; e < count; ++e) {
    want_exp[e] = std::exp(xs[e]);
    want_log[e] = std::log(logs[e]);
  }
  // The last product's truncation alone may err by 2 units (product_bound).
  expect_within(got[0], want_exp, 3, 1.0 / 4096, "exp");
  expect_within(got[1], want_log, 4, 1.0 / 4096, "log");
  EXPECT_EQ(got[2], Doubles(3, -32768.0));
}

// Division by secret zero is defined: 1/0 = 0 and x/0 = 0; sqrt(0) = 0.
TEST_P(FxpParties, DivisionBySecretZeroGivesZero) {
  const Doubles a{5, -5, 0, kMax}, b{0, 0, 0, 0};
  const Ops ops = [](Session<F>& s, const Fxp& x, const Fxp& y) -> boost::asio::awaitable<std::vector<Fxp>> {
    std::vector<Fxp> r;
    r.push_back(co_await s.reciprocal(y));
    r.push_back(co_await s.div(x, y));
    r.push_back(co_await s.sqrt(y));
    co_return r;
  };
  for (const Truncation truncation : {Truncation::sum, Truncation::bits}) {
    const auto got = run_ops(GetParam(), a, b, ops, nullptr, truncation);
    ASSERT_EQ(got.size(), 3U);
    for (const auto& v : got) EXPECT_EQ(v, Doubles(4, 0.0)) << to_string(truncation);
  }
}

// A batch of products takes the rounds of one product (no timing: the counted
// rounds), and so does a batch of reciprocals.
TEST_P(FxpParties, BatchesTakeTheRoundsOfOne) {
  const Ops product = [](Session<F>& s, const Fxp& x, const Fxp& y) -> boost::asio::awaitable<std::vector<Fxp>> {
    std::vector<Fxp> r;
    r.push_back(co_await s.mul(x, y));
    co_return r;
  };
  const Ops inverse = [](Session<F>& s, const Fxp&, const Fxp& y) -> boost::asio::awaitable<std::vector<Fxp>> {
    std::vector<Fxp> r;
    r.push_back(co_await s.reciprocal(y));
    co_return r;
  };
  // Openings of 64 n elements or more go through kings at n >= 5 (one round more,
  // io.hpp): batches on the same side of that line compare. A reciprocal opens
  // from 1 to about 30 elements per value (truncations, comparisons, their random
  // bits), so both batches have at least 64 * 5 values.
  const Doubles few = spread(400, -4, 4, false, 4), some = spread(1000, -4, 4, false, 5);
  const Doubles many = spread(400, -4, 4, false, 6), more = spread(2000, -4, 4, false, 7);
  std::uint64_t r1 = 0, r2 = 0, r3 = 0, r4 = 0, q1 = 0, q2 = 0;
  const Doubles one(1, 1.5), two(2, -2.5);
  run_ops(GetParam(), one, one, product, &r1);
  run_ops(GetParam(), two, two, product, &r2);
  run_ops(GetParam(), many, many, product, &r3);
  run_ops(GetParam(), more, more, product, &r4);
  run_ops(GetParam(), few, few, inverse, &q1);
  run_ops(GetParam(), some, some, inverse, &q2);
  EXPECT_EQ(r1, r2);
  EXPECT_EQ(r3, r4);
  // The product and the mask at once (a dealt mask takes one round), then the
  // opening.
  EXPECT_LE(r1, 2U);
  EXPECT_EQ(q1, q2);
  std::cout << "rounds: product " << r1 << " (large batches " << r3 << "), reciprocal " << q1 << "\n";
}

// Out-of-range inputs are refused at the owner, naming value and index; a field
// too small for the products is refused naming l, f, k and the field.
TEST(Fxp, RefusesOutOfRangeInputsAndSmallFields) {
  const Doubles a{1.0, 32768.0};
  try {
    run_ops(3, a, a, [](Session<F>&, const Fxp& x, const Fxp&) -> boost::asio::awaitable<std::vector<Fxp>> {
      std::vector<Fxp> r;
      r.push_back(x);
      co_return r;
    });
    ADD_FAILURE() << "32768 accepted as a secfxp(32, 16)";
  } catch (const RangeError& e) {
    EXPECT_NE(std::string(e.what()).find("32768"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("index 1"), std::string::npos) << e.what();
  }
  try {
    run_local<Fp64>(3, Fp64{}, test::options_for(3), [](Session<Fp64>& s) -> boost::asio::awaitable<void> {
      const Doubles mine(1, 1.0);
      (void)co_await s.input_all(kType, mine);
    });
    ADD_FAILURE() << "secfxp(32, 16) accepted over Fp64";
  } catch (const ConfigError& e) {
    const std::string what = e.what();
    for (const char* part : {"secfxp(32, 16)", "k = 30", "GF(2^127 - 1)"})
      EXPECT_NE(what.find(part), std::string::npos) << part << " not in: " << what;
  }
  EXPECT_THROW((void)fxp::scaled(Doubles{-32768.00001}, kType), RangeError);
  EXPECT_EQ(fxp::scaled(Doubles{-32768, kMax}, kType), (std::vector<std::int64_t>{INT32_MIN, INT32_MAX}));
}

// Privacy of the truncation (docs/security.md, `fxp.trunc`): what a party sees
// opened, c = x y + 2^(2l-1) + r' + 2^f r'', must not depend on x y. Products of
// 0 against products near -2^(2l-2) (the extremes of secfxp(32, 16)), a batch of
// 4000 each: KS two-sample on c and on c mod 2^f, rejecting at p < 1e-9.
std::vector<double> truncation_openings(const Doubles& a, const Doubles& b, bool low_bits) {
  std::vector<double> seen;
  std::mutex m;
  run_local<F>(3, F{}, test::options_for(3), [&](Session<F>& s) -> boost::asio::awaitable<void> {
    std::vector<double> mine;
    protocols::core_of(s).set_open_observer([&mine, &s, low_bits](std::string_view tag, std::span<const F::Element> v) {
      if (tag != "fxp.trunc") return;
      for (const auto& e : v) {
        const u128 c = protocols::to_u128(s.field(), e);
        mine.push_back(low_bits ? static_cast<double>(c & 0xffff) : static_cast<double>(c));
      }
    });
    const std::span<const double> none;
    const auto x = co_await s.input(kType, 0, s.id() == 0 ? std::span<const double>(a) : none, a.size());
    const auto y = co_await s.input(kType, 0, s.id() == 0 ? std::span<const double>(b) : none, b.size());
    (void)co_await s.mul(x, y);
    if (s.id() != 1) co_return;  // party 1 holds no input
    std::lock_guard lock(m);
    seen = mine;
  }, std::chrono::seconds(120));
  return seen;
}

TEST(Fxp, TruncationOpensOnlyMaskedValues) {
  const std::size_t batch = 4000;
  const Doubles zero(batch, 0.0), low(batch, -32768.0), high(batch, kMax);
  for (const bool low_bits : {false, true}) {
    const auto a = truncation_openings(zero, zero, low_bits), b = truncation_openings(low, high, low_bits);
    ASSERT_EQ(a.size(), batch);
    ASSERT_EQ(b.size(), batch);
    EXPECT_GT(test::ks_p(a, b), 1e-9) << (low_bits ? "c mod 2^f" : "c") << " depends on the product";
  }
}

// The field a fixed-point program needs (choose_fixed_point_field) is one the
// runtime accepts: a short type fits GF(2^64 - 59) and multiplies correctly
// there; secfxp(32, 16) needs GF(2^127 - 1); 62 bits need an NTL prime.
TEST(Fxp, ChoosesAFieldThatFits) {
  EXPECT_EQ(choose_fixed_point_field({.bit_length = 32, .frac_length = 16, .sec_param = 30, .threshold = 2}).field,
            ShippedField::fp127);
  EXPECT_EQ(choose_fixed_point_field({.bit_length = 12, .frac_length = 6, .sec_param = 30, .threshold = 1}).field,
            ShippedField::fp64);
  EXPECT_EQ(choose_fixed_point_field({.bit_length = 62, .frac_length = 31, .sec_param = 30, .threshold = 1}).field,
            ShippedField::ntl);
  EXPECT_THROW((void)choose_fixed_point_field({.bit_length = 32, .frac_length = 32, .sec_param = 30, .threshold = 1}),
               ConfigError);
  const Doubles a{1.5, -3.25, 0.015625, 31.0}, b{2.0, 1.5, -8.0, -1.0};
  Doubles got;
  run_local<Fp64>(3, Fp64{}, test::options_for(3), [&](Session<Fp64>& s) -> boost::asio::awaitable<void> {
    const secfxp small(12, 6);
    const auto x = co_await s.input(small, 0, s.id() == 0 ? std::span<const double>(a) : std::span<const double>{}, 4);
    const auto y = co_await s.input(small, 0, s.id() == 0 ? std::span<const double>(b) : std::span<const double>{}, 4);
    const auto product = co_await s.output(co_await s.mul(x, y));
    if (s.id() == 0) got = product;
  });
  ASSERT_EQ(got.size(), 4U);
  for (std::size_t e = 0; e < 4; ++e) EXPECT_NEAR(got[e], a[e] * b[e], 1.0 / 64) << e;
}

INSTANTIATE_TEST_SUITE_P(Fxp, FxpParties, testing::Values(3, 5),
                         [](const auto& info) { return "n" + std::to_string(info.param); });

}  // namespace
}  // namespace meshmpc
