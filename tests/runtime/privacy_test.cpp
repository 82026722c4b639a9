// Privacy tests (DESIGN.md principle 8, docs/security.md): every value a protocol
// opens must be simulatable from the protocol's output alone, so its distribution
// may not depend on the secret inputs. Each test runs a real protocol among n >= 3
// parties over the in-memory transport with the audit hook
// (Core::set_open_observer) recording what every party saw opened, on two input
// sets chosen to make a missing or short mask visible (x - y all very negative
// versus all very positive, zero versus non-zero, ...), and compares the opened
// values of the two runs with a two-sample test (Kolmogorov-Smirnov, or chi-square
// on a binned or categorical value), and with the distribution the protocol
// promises (uniform, uniform square, Bernoulli of a known rate). The results are
// also opened and checked against the plain computation.
//
// Statistics. The protocols' randomness comes from libsodium and fresh PRSS keys,
// which cannot be seeded, so each check rejects at p < kAlpha = 1e-9. The suite
// makes fewer than 100 checks, so a correct build fails spuriously with
// probability below 1e-7 (union bound). Batches of thousands of values give the
// power: with 6000 values per input set, KS rejects when D > about
// sqrt(-ln(kAlpha / 2) / 2) * sqrt(2 / 6000) = 0.06: a dropped mask gives D = 1,
// and a high mask cut to 3 bits (5 bits for the comparisons) was still caught;
// docs/security.md lists which mutation each test was seen to catch.
#include "two_sample.hpp"

#include <meshmpc/field/fp64.hpp>
#include <meshmpc/runtime/run_local.hpp>
#include <meshmpc/runtime/protocols/compare.hpp>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/deferred.hpp>
#include <boost/asio/experimental/parallel_group.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <map>
#include <mutex>
#include <random>
#include <set>
#include <string>
#include <string_view>
#include <vector>

namespace meshmpc {
namespace {

using F = Fp64;
using E = F::Element;
using Ints = std::vector<std::int64_t>;

constexpr double kAlpha = 1e-9;

// What one party learned by openings: tag -> the opened vectors of that step,
// concatenated in the order this party saw them.
using View = std::map<std::string, std::vector<E>, std::less<>>;

// Runs `program` at each of n parties with the audit hook recording every
// opening; returns every party's view.
std::vector<View> run_recorded(std::size_t n, const F& field, SessionOptions options, PartyProgram<F> program) {
  std::vector<View> views(n);
  std::mutex m;
  std::size_t finished = 0;
  run_local<F>(
      n, field, options,
      [&](Session<F>& s) -> boost::asio::awaitable<void> {
        View& mine = views[s.id()];  // one slot per party thread: no lock needed
        protocols::core_of(s).set_open_observer([&mine](std::string_view tag, std::span<const E> values) {
          auto& out = mine[std::string(tag)];
          out.insert(out.end(), values.begin(), values.end());
        });
        co_await program(s);
        std::lock_guard lock(m);
        ++finished;
      },
      std::chrono::seconds(120));
  EXPECT_EQ(finished, n);
  return views;
}

SessionOptions options_for(std::size_t n, Randomness randomness = Randomness::prss,
                           MulProtocol mul = MulProtocol::grr) {
  return {.threshold = (n - 1) / 2, .mul = mul, .randomness = randomness, .sec_param = 30};
}

std::set<std::string> tags_of(const View& v) {
  std::set<std::string> out;
  for (const auto& [tag, values] : v) out.insert(tag);
  return out;
}

// Every opening must be one the test accounts for: a new, unreviewed opening in a
// protocol fails here until docs/security.md and this file cover it.
void expect_tags(const std::vector<View>& views, const std::set<std::string>& allowed) {
  for (std::size_t p = 0; p < views.size(); ++p)
    for (const auto& tag : tags_of(views[p]))
      EXPECT_TRUE(allowed.count(tag)) << "party " << p << " saw an opening tagged '" << tag
                                      << "' that this test does not account for";
}

// Openings to all parties: every party must have seen the same values. As
// multisets: openings that run at the same time (a large comparison's slices,
// two at a time) may complete in another order at each party.
void expect_same_for_all(const std::vector<View>& views, const std::string& tag) {
  const auto sorted = [](std::vector<E> v) {
    static const F f;
    std::sort(v.begin(), v.end(), [](const E& x, const E& y) { return protocols::to_u128(f, x) < protocols::to_u128(f, y); });
    return v;
  };
  for (std::size_t p = 1; p < views.size(); ++p) {
    const auto a = views[0].find(tag), b = views[p].find(tag);
    ASSERT_TRUE(a != views[0].end() && b != views[p].end()) << "tag " << tag << " missing at party 0 or " << p;
    EXPECT_TRUE(sorted(a->second) == sorted(b->second)) << "party " << p << " saw other '" << tag << "' values than party 0";
  }
}

const std::vector<E>& seen(const View& v, const std::string& tag) {
  static const std::vector<E> none;
  const auto it = v.find(tag);
  return it == v.end() ? none : it->second;
}

u128 value_of(const F& f, const E& e) { return protocols::to_u128(f, e); }

// Opened values as doubles (exact below 2^53; beyond, the rounding is far below
// what a KS statistic resolves).
std::vector<double> as_doubles(const F& f, const std::vector<E>& v) {
  std::vector<double> out;
  out.reserve(v.size());
  for (const auto& e : v) out.push_back(static_cast<double>(value_of(f, e)));
  return out;
}

// Counts of v * bins / p: uniform elements of F (or of F*, or squares, which are
// spread evenly over [1, p) up to O(sqrt(p) log p)) fill the bins evenly.
std::vector<std::size_t> field_bins(const F& f, const std::vector<E>& v, std::size_t bins) {
  std::vector<std::size_t> counts(bins, 0);
  const u128 p = f.modulus();
  for (const auto& e : v) ++counts[static_cast<std::size_t>(value_of(f, e) * bins / p)];
  return counts;
}

std::vector<E> nonzero(const F& f, const std::vector<E>& v) {
  std::vector<E> out;
  for (const auto& e : v)
    if (!f.is_zero(e)) out.push_back(e);
  return out;
}

// The values opened by "x * rho" steps (bits_lt.product, is_zero_public and the
// rejection tests) must be zero with a probability that only depends on the
// output, and otherwise uniform in F*: rho must not be missing.
void expect_uniform_nonzero(const F& f, const std::vector<E>& v, const std::string& what) {
  const auto nz = nonzero(f, v);
  ASSERT_GE(nz.size(), 500U) << what << ": too few non-zero values to test";
  constexpr std::size_t kBins = 16;
  EXPECT_GT(test::chi_square_fit_p(field_bins(f, nz, kBins), std::vector<double>(kBins, 1.0 / kBins)), kAlpha)
      << what << ": the non-zero opened values are not uniform in F*";
}

// Count of zeros and non-zeros.
std::vector<std::size_t> zero_counts(const F& f, const std::vector<E>& v) {
  std::size_t z = 0;
  for (const auto& e : v) z += f.is_zero(e);
  return {z, v.size() - z};
}

// A masked opening c = a + r' + 2^l r'' (compare.hpp): c and c mod 2^l must not
// depend on a. KS on c catches a missing or short r'' (the high part shows a);
// KS on c mod 2^l catches a missing r' (the low part then is a mod 2^l).
void expect_masked_alike(const F& f, const std::vector<E>& a, const std::vector<E>& b, std::size_t l,
                         const std::string& what) {
  ASSERT_FALSE(a.empty()) << what << ": nothing opened";
  ASSERT_FALSE(b.empty()) << what << ": nothing opened";
  EXPECT_GT(test::ks_p(as_doubles(f, a), as_doubles(f, b)), kAlpha)
      << what << ": the masked value's distribution depends on the input";
  auto low = [&](const std::vector<E>& v) {
    std::vector<double> out;
    for (const auto& e : v) out.push_back(static_cast<double>(value_of(f, e) & ((u128{1} << l) - 1)));
    return out;
  };
  EXPECT_GT(test::ks_p(low(a), low(b)), kAlpha) << what << ": the masked value's low " << l
                                                << " bits depend on the input";
}

// The DGK zero test of [c' < r] (public_less_than_bits): opened is prod(e_i) * rho,
// zero with probability exactly 1/2 whatever the inputs (the random sign flips
// which case has a zero factor), otherwise uniform in F*.
void expect_dgk_alike(const F& f, const std::vector<E>& a, const std::vector<E>& b) {
  ASSERT_FALSE(a.empty());
  ASSERT_FALSE(b.empty());
  EXPECT_GT(test::chi_square_homogeneity_p(zero_counts(f, a), zero_counts(f, b)), kAlpha)
      << "bits_lt.product: how often it is zero depends on the input";
  for (const auto* v : {&a, &b})
    EXPECT_GT(test::chi_square_fit_p(zero_counts(f, *v), {0.5, 0.5}), kAlpha)
        << "bits_lt.product: zero with a probability other than 1/2";
  expect_uniform_nonzero(f, a, "bits_lt.product");
  expect_uniform_nonzero(f, b, "bits_lt.product");
}

// ---------------------------------------------------------------- comparisons

constexpr std::size_t kBits = 16;  // the mask's statistics do not depend on l; small l is cheap
constexpr std::size_t kBatch = 6000;
constexpr std::int64_t kMin = -(std::int64_t{1} << (kBits - 1)), kMax = (std::int64_t{1} << (kBits - 1)) - 1;

enum class CompareOp { lt, sign, eq };

// Party 0 inputs x, party 1 inputs y (kBits-bit); every party computes op and
// opens the result, checked against the plain one. Returns the views.
std::vector<View> run_comparison(CompareOp op, std::int64_t x, std::int64_t y, std::size_t k = 30) {
  const F field;
  const Ints xs(kBatch, x), ys(kBatch, y);
  const std::int64_t want = op == CompareOp::lt ? x < y : op == CompareOp::eq ? x == y : (x > y) - (x < y);
  SessionOptions options = options_for(3);
  options.sec_param = k;
  return run_recorded(3, field, options, [&](Session<F>& s) -> boost::asio::awaitable<void> {
    const auto a = co_await s.input(secint(kBits), 0,
                                    s.id() == 0 ? std::span<const std::int64_t>(xs) : std::span<const std::int64_t>{},
                                    kBatch);
    const auto b = co_await s.input(secint(kBits), 1,
                                    s.id() == 1 ? std::span<const std::int64_t>(ys) : std::span<const std::int64_t>{},
                                    kBatch);
    // (No co_await inside ?: — GCC miscompiles that in coroutines.)
    std::vector<std::int64_t> got;
    if (op == CompareOp::lt)
      got = co_await s.output(co_await s.lt(a, b));
    else if (op == CompareOp::eq)
      got = co_await s.output(co_await s.eq(a, b));
    else
      got = co_await s.output(co_await s.sign(a - b));
    EXPECT_EQ(std::count(got.begin(), got.end(), want), static_cast<std::ptrdiff_t>(kBatch))
        << "party " << s.id() << ": wrong result for x = " << x << ", y = " << y;
  });
}

// a < b: x = a - b is -(2^l - 1) in one run, 2^l - 1 in the other, so that
// a + 2^l differs by almost 2^(l+1): without the mask's high part r'' the opened
// c = a + 2^l + r' + 2^l r'' would separate the runs at once.
TEST(Privacy, LessThanOpensOnlyMaskedValuesAndRandomZeroTests) {
  const F f;
  const auto lo = run_comparison(CompareOp::lt, kMin, kMax);
  const auto hi = run_comparison(CompareOp::lt, kMax, kMin);
  for (const auto* views : {&lo, &hi}) {
    expect_tags(*views, {"ltz.masked", "bits_lt.product", "open"});
    expect_same_for_all(*views, "ltz.masked");
    expect_same_for_all(*views, "bits_lt.product");
  }
  EXPECT_EQ(seen(lo[0], "ltz.masked").size(), kBatch);
  expect_masked_alike(f, seen(lo[0], "ltz.masked"), seen(hi[0], "ltz.masked"), kBits, "ltz.masked");
  expect_dgk_alike(f, seen(lo[0], "bits_lt.product"), seen(hi[0], "bits_lt.product"));
}

// The same with the high mask r'' made of k random bits (HighMask::bits, what a
// group too large for t + 1 dealt terms gets): k = 47 at l = 16 in Fp64 leaves no
// room for the two dealt terms of n = 3, so the runtime takes the bits.
TEST(Privacy, LessThanWithAHighMaskOfRandomBitsOpensOnlyMaskedValues) {
  const F f;
  constexpr std::size_t k = 47;
  ASSERT_FALSE(protocols::mask_fits(f, kBits, kBits + 1, k, 2)) << "the dealt mask would be used";
  ASSERT_TRUE(protocols::mask_fits(f, kBits, kBits + 1, k, 1));
  const auto lo = run_comparison(CompareOp::lt, kMin, kMax, k);
  const auto hi = run_comparison(CompareOp::lt, kMax, kMin, k);
  EXPECT_EQ(seen(lo[0], "ltz.masked").size(), kBatch);
  expect_masked_alike(f, seen(lo[0], "ltz.masked"), seen(hi[0], "ltz.masked"), kBits, "ltz.masked (bits)");
  expect_dgk_alike(f, seen(lo[0], "bits_lt.product"), seen(hi[0], "bits_lt.product"));
}

// sign runs less-than and the equality test concurrently on the same x: both
// masked openings, for x most negative and most positive.
TEST(Privacy, SignOpensOnlyMaskedValuesAndRandomZeroTests) {
  const F f;
  const auto neg = run_comparison(CompareOp::sign, kMin, kMax);  // sign(a - b) with a - b = -(2^l - 1)
  const auto pos = run_comparison(CompareOp::sign, kMax, kMin);
  for (const auto* views : {&neg, &pos}) {
    expect_tags(*views, {"ltz.masked", "is_zero.masked", "bits_lt.product", "open"});
    for (const auto* tag : {"ltz.masked", "is_zero.masked", "bits_lt.product"}) expect_same_for_all(*views, tag);
  }
  expect_masked_alike(f, seen(neg[0], "ltz.masked"), seen(pos[0], "ltz.masked"), kBits, "ltz.masked (sign)");
  expect_masked_alike(f, seen(neg[0], "is_zero.masked"), seen(pos[0], "is_zero.masked"), kBits,
                      "is_zero.masked (sign)");
  expect_dgk_alike(f, seen(neg[0], "bits_lt.product"), seen(pos[0], "bits_lt.product"));
}

// a == b: x = a - b is 0 in one run (c mod 2^l then equals r' exactly, which is
// what the protocol uses) and 2^l - 1 in the other.
TEST(Privacy, EqualityOpensOnlyMaskedValues) {
  const F f;
  const auto equal = run_comparison(CompareOp::eq, kMax, kMax);
  const auto apart = run_comparison(CompareOp::eq, kMax, kMin);
  for (const auto* views : {&equal, &apart}) {
    expect_tags(*views, {"is_zero.masked", "open"});
    expect_same_for_all(*views, "is_zero.masked");
  }
  EXPECT_EQ(seen(equal[0], "is_zero.masked").size(), kBatch);
  expect_masked_alike(f, seen(equal[0], "is_zero.masked"), seen(apart[0], "is_zero.masked"), kBits,
                      "is_zero.masked");
}

// ---------------------------------------------------------------- is_zero_public

// x * rho is opened: zero exactly where x is (the output), else uniform in F*
// whatever x is. x = 1 against x uniform, with zeros at the same places.
TEST(Privacy, IsZeroPublicOpensZeroOrUniform) {
  const F f;
  constexpr std::size_t kCount = 20000;
  auto run = [&](bool small) {
    std::mt19937_64 gen(small ? 1 : 2);
    std::vector<E> xs(kCount);
    std::vector<bool> want(kCount);
    for (std::size_t e = 0; e < kCount; ++e) {
      want[e] = e % 4 == 0;
      xs[e] = want[e] ? f.zero() : small ? f.one() : f.from_uint(1 + gen() % (f.modulus() - 1));
    }
    return std::pair{want, run_recorded(3, f, options_for(3), [&](Session<F>& s) -> boost::asio::awaitable<void> {
                       const auto x = co_await s.input(secfld(), 0, s.id() == 0 ? std::span<const E>(xs) : std::span<const E>{},
                                                           kCount);
                       const auto got = co_await s.is_zero_public(x);
                       EXPECT_TRUE(got == want) << "party " << s.id() << ": is_zero_public is wrong";
                     })};
  };
  const auto [want, small] = run(true);
  const auto large = run(false).second;
  for (const auto* views : {&small, &large}) {
    expect_tags(*views, {"is_zero_public"});
    expect_same_for_all(*views, "is_zero_public");
  }
  const auto& a = seen(small[0], "is_zero_public");
  const auto& b = seen(large[0], "is_zero_public");
  ASSERT_EQ(a.size(), kCount);  // one rho per element in a 64-bit field (k = 30)
  ASSERT_EQ(b.size(), kCount);
  for (std::size_t e = 0; e < kCount; ++e) {
    // the zeros are the output itself, which the simulator is given
    ASSERT_EQ(f.is_zero(a[e]), want[e]) << "element " << e;
    ASSERT_EQ(f.is_zero(b[e]), want[e]) << "element " << e;
  }
  EXPECT_GT(test::ks_p(as_doubles(f, nonzero(f, a)), as_doubles(f, nonzero(f, b))), kAlpha)
      << "is_zero_public: x * rho depends on x";
  expect_uniform_nonzero(f, a, "is_zero_public (x = 1)");
  expect_uniform_nonzero(f, b, "is_zero_public (x uniform)");
}

// ---------------------------------------------------------------- random bits by squares

struct SquaresCase {
  std::size_t n;
  // The square is opened at degree 2t, re-randomized by a zero sharing from PRSS
  // or from extraction.
  Randomness randomness;
};

class PrivacySquares : public testing::TestWithParam<SquaresCase> {};

// r^2 for uniform r != 0 is opened: it must be a uniform non-zero square,
// independent of the bit b = (r / sqrt(r^2) + 1) / 2 it yields (the secret).
TEST_P(PrivacySquares, RandomBitsOpenUniformSquaresIndependentOfTheBits) {
  const auto [n, randomness] = GetParam();
  const F f;
  constexpr std::size_t kCount = 12000;
  std::vector<E> bits;
  std::mutex m;
  const auto views = run_recorded(n, f, options_for(n, randomness), [&](Session<F>& s) -> boost::asio::awaitable<void> {
    const auto b = co_await s.random_bits(secfld(), kCount);
    const auto opened = co_await s.output(b);
    for (const auto& v : opened) EXPECT_TRUE(f.is_zero(v) || v == f.one()) << "party " << s.id() << ": not a bit";
    std::lock_guard lock(m);
    if (s.id() == 0) bits = opened;
  });
  expect_tags(views, {"random_bits.square", "open"});
  expect_same_for_all(views, "random_bits.square");
  const auto& squares = seen(views[0], "random_bits.square");
  ASSERT_EQ(squares.size(), kCount);  // a zero square (probability 1/p) would be retried
  std::vector<E> with0, with1;
  for (std::size_t q = 0; q < kCount; ++q) {
    ASSERT_FALSE(f.is_zero(squares[q]));
    ASSERT_TRUE(f.sqrt(squares[q]).has_value()) << "opened value " << q << " is not a square";
    (f.is_zero(bits[q]) ? with0 : with1).push_back(squares[q]);
  }
  EXPECT_GT(test::chi_square_fit_p({with0.size(), with1.size()}, {0.5, 0.5}), kAlpha) << "the bits are not fair";
  constexpr std::size_t kBins = 32;
  EXPECT_GT(test::chi_square_fit_p(field_bins(f, squares, kBins), std::vector<double>(kBins, 1.0 / kBins)), kAlpha)
      << "the opened squares are not uniform";
  EXPECT_GT(test::ks_p(as_doubles(f, with0), as_doubles(f, with1)), kAlpha)
      << "the opened square depends on the bit it gives";
}

// Fp64 with n = 3 and PRSS makes bits by a dealt XOR (nothing opened): the square
// trick runs at t >= 2 (n = 5) or with extraction (every n).
INSTANTIATE_TEST_SUITE_P(Sessions, PrivacySquares,
                         testing::Values(SquaresCase{5, Randomness::prss}, SquaresCase{3, Randomness::extraction},
                                         SquaresCase{5, Randomness::extraction},
                                         SquaresCase{9, Randomness::extraction}),
                         [](const testing::TestParamInfo<SquaresCase>& info) {
                           const Randomness r = info.param.randomness;
                           return "n" + std::to_string(info.param.n) + (r == Randomness::prss ? "" : "_" + to_string(r));
                         });

// ---------------------------------------------------------------- division

// x div 7 (mod_public with d = 7): r uniform in [0, 7) by rejection (opens
// "r >= 7?" bits and DGK zero tests), then c = a + r + 7 R is opened. x most
// negative against most positive.
TEST(Privacy, DivisionOpensOnlyMaskedValuesAndRejectionBits) {
  const F f;
  constexpr std::uint64_t kDivisor = 7;
  constexpr std::size_t kCount = 4000;
  auto run = [&](std::int64_t x) {
    const Ints xs(kCount, x);
    const std::int64_t want = x >= 0 ? x / 7 : -((-x + 6) / 7);  // floor
    return run_recorded(3, f, options_for(3), [&](Session<F>& s) -> boost::asio::awaitable<void> {
      const auto a = co_await s.input(secint(kBits), 0,
                                      s.id() == 0 ? std::span<const std::int64_t>(xs) : std::span<const std::int64_t>{},
                                      kCount);
      const auto got = co_await s.output(co_await s.div(a, kDivisor));
      EXPECT_EQ(std::count(got.begin(), got.end(), want), static_cast<std::ptrdiff_t>(kCount))
          << "party " << s.id() << ": wrong quotient of " << x;
    });
  };
  const auto lo = run(kMin), hi = run(kMax);
  for (const auto* views : {&lo, &hi}) {
    expect_tags(*views, {"random_below.reject", "bits_lt.product", "mod.masked", "open"});
    for (const auto* tag : {"random_below.reject", "bits_lt.product", "mod.masked"}) expect_same_for_all(*views, tag);
  }
  const auto& ca = seen(lo[0], "mod.masked");
  const auto& cb = seen(hi[0], "mod.masked");
  ASSERT_EQ(ca.size(), kCount);
  EXPECT_GT(test::ks_p(as_doubles(f, ca), as_doubles(f, cb)), kAlpha) << "mod.masked: c depends on x";
  auto residues = [&](const std::vector<E>& v) {
    std::vector<std::size_t> counts(kDivisor, 0);
    for (const auto& e : v) ++counts[static_cast<std::size_t>(value_of(f, e) % kDivisor)];
    return counts;
  };
  // c mod d = (a + r) mod d is uniform only if r is.
  EXPECT_GT(test::chi_square_homogeneity_p(residues(ca), residues(cb)), kAlpha) << "mod.masked: c mod d depends on x";
  for (const auto* v : {&ca, &cb})
    EXPECT_GT(test::chi_square_fit_p(residues(*v), std::vector<double>(kDivisor, 1.0 / kDivisor)), kAlpha)
        << "mod.masked: c mod d is not uniform";
  // The rejection bit [r >= 7] for r from 3 random bits: 1 with probability 1/8,
  // in every attempt, whatever x.
  for (const auto* views : {&lo, &hi}) {
    const auto& rejections = seen((*views)[0], "random_below.reject");
    ASSERT_GE(rejections.size(), kCount);
    std::size_t ones = 0;
    for (const auto& e : rejections) {
      ASSERT_TRUE(f.is_zero(e) || e == f.one()) << "random_below.reject opened a non-bit";
      ones += e == f.one();
    }
    EXPECT_GT(test::chi_square_fit_p({rejections.size() - ones, ones}, {7.0 / 8, 1.0 / 8}), kAlpha)
        << "random_below.reject: rejections at a rate other than 1/8";
  }
  expect_dgk_alike(f, seen(lo[0], "bits_lt.product"), seen(hi[0], "bits_lt.product"));
}

// ---------------------------------------------------------------- field equality by Fermat

class PrivacyFieldEquality : public testing::TestWithParam<MulProtocol> {};

// [x == 0] = 1 - x^(q-1) is only products. With GRR nothing at all is opened;
// with DN07 each king opens d + r for a uniform r: uniform in F whether x is zero
// (all d zero) or not. A 16-bit prime keeps the ~27 products per element cheap.
TEST_P(PrivacyFieldEquality, OpensOnlyUniformKingValues) {
  const MulProtocol mul = GetParam();
  const F f(65521);
  constexpr std::size_t kCount = 3000;
  auto run = [&](bool zeros) {
    std::vector<E> xs(kCount);
    for (std::size_t e = 0; e < kCount; ++e) xs[e] = zeros ? f.zero() : f.from_uint(1 + e % 65520);
    return run_recorded(3, f, options_for(3, Randomness::prss, mul), [&](Session<F>& s) -> boost::asio::awaitable<void> {
      const auto x = co_await s.input(secfld(), 0, s.id() == 0 ? std::span<const E>(xs) : std::span<const E>{}, kCount);
      const auto got = co_await s.output(co_await s.is_zero(x));
      EXPECT_EQ(std::count(got.begin(), got.end(), zeros ? f.one() : f.zero()), static_cast<std::ptrdiff_t>(kCount))
          << "party " << s.id() << ": wrong equality";
    });
  };
  const auto zero = run(true), other = run(false);
  if (mul == MulProtocol::grr) {
    expect_tags(zero, {"open"});
    expect_tags(other, {"open"});
    return;
  }
  expect_tags(zero, {"mul.dn07.king", "open"});
  expect_tags(other, {"mul.dn07.king", "open"});
  // Each party is king of a third of each batch: test every party's own view.
  for (std::size_t p = 0; p < 3; ++p) {
    const auto& a = seen(zero[p], "mul.dn07.king");
    const auto& b = seen(other[p], "mul.dn07.king");
    ASSERT_GT(a.size(), 10000U);
    EXPECT_GT(test::ks_p(as_doubles(f, a), as_doubles(f, b)), kAlpha)
        << "party " << p << ": the king's opened d + r depends on x";
    constexpr std::size_t kBins = 32;
    for (const auto* v : {&a, &b})
      EXPECT_GT(test::chi_square_fit_p(field_bins(f, *v, kBins), std::vector<double>(kBins, 1.0 / kBins)), kAlpha)
          << "party " << p << ": the king's opened d + r is not uniform";
  }
}

INSTANTIATE_TEST_SUITE_P(Mul, PrivacyFieldEquality, testing::Values(MulProtocol::grr, MulProtocol::dn07),
                         [](const testing::TestParamInfo<MulProtocol>& info) { return to_string(info.param); });

// ---------------------------------------------------------------- permutations

// A random permutation of 3: the unit vector of length 3 comes from 2 bits (4
// places), and whether its one landed at place 3 is revealed by is_zero_public:
// the opened tail * rho is zero (accept) with probability 3/4, uniform in F*
// otherwise, and a rejection tells nothing about the permutation finally drawn.
TEST(Privacy, RandomPermutationsRevealOnlyRejections) {
  const F f;
  constexpr std::size_t kCount = 3000, kN = 3;
  std::vector<Ints> perms;
  const auto views = run_recorded(3, f, options_for(3), [&](Session<F>& s) -> boost::asio::awaitable<void> {
    const auto ps = co_await s.random_permutations(secint(8), kN, kCount);
    const auto all = SecInt<F>::concat(ps);  // one opening for the whole batch
    const auto opened = co_await s.output(all);
    if (s.id() != 0) co_return;
    for (std::size_t q = 0; q < kCount; ++q) {
      Ints p;
      for (std::size_t i = 0; i < kN; ++i) p.push_back(opened[q * kN + i]);
      perms.push_back(std::move(p));
    }
  });
  expect_tags(views, {"unit_vector.reject", "open"});
  expect_same_for_all(views, "unit_vector.reject");
  ASSERT_EQ(perms.size(), kCount);
  std::map<Ints, std::size_t> counts;
  for (const auto& p : perms) {
    Ints sorted = p;
    std::sort(sorted.begin(), sorted.end());
    ASSERT_EQ(sorted, (Ints{0, 1, 2})) << "not a permutation";
    ++counts[p];
  }
  std::vector<std::size_t> per_perm;
  for (const auto& [p, k] : counts) per_perm.push_back(k);
  ASSERT_EQ(per_perm.size(), 6U) << "some permutation of 3 never came up in " << kCount;
  EXPECT_GT(test::chi_square_fit_p(per_perm, std::vector<double>(6, 1.0 / 6)), kAlpha) << "permutations not uniform";

  const auto& opened = seen(views[0], "unit_vector.reject");
  ASSERT_GE(opened.size(), kCount);
  EXPECT_GT(test::chi_square_fit_p(zero_counts(f, opened), {0.75, 0.25}), kAlpha)
      << "unit_vector.reject: accepted at a rate other than 3/4";
  expect_uniform_nonzero(f, opened, "unit_vector.reject");
  // The first attempt checks every permutation's length-3 vector, in order; that
  // vector decides p[0]. Rejected-first or not must be independent of p[0].
  std::vector<std::size_t> first_ok(3, 0), first_rejected(3, 0);
  for (std::size_t q = 0; q < kCount; ++q)
    ++(f.is_zero(opened[q]) ? first_ok : first_rejected)[static_cast<std::size_t>(perms[q][0])];
  EXPECT_GT(test::chi_square_homogeneity_p(first_ok, first_rejected), kAlpha)
      << "unit_vector.reject: a rejection says something about the permutation drawn";
}

boost::asio::awaitable<Ints> derangement_of_three(Session<F> s) {
  const auto d = co_await s.random_derangement(secint(8), 3);
  co_return co_await s.output(d);
}

// Random derangements of 3 (as the secret santa example), many concurrently:
// each try opens prod(p_i - i) * rho, zero when the permutation has a fixed point
// (4 of the 6 permutations), otherwise uniform in F*.
TEST(Privacy, RandomDerangementsRevealOnlyFixedPointTests) {
  const F f;
  constexpr std::size_t kCount = 400;
  std::vector<Ints> results;
  const auto views = run_recorded(3, f, options_for(3), [&](Session<F>& s) -> boost::asio::awaitable<void> {
    namespace asio = boost::asio;
    const auto ex = co_await asio::this_coro::executor;
    using Op = decltype(asio::co_spawn(ex, derangement_of_three(s.fork()), asio::deferred));
    std::vector<Op> ops;
    for (std::size_t i = 0; i < kCount; ++i) ops.push_back(asio::co_spawn(ex, derangement_of_three(s.fork()), asio::deferred));
    auto [order, errors, got] = co_await asio::experimental::make_parallel_group(std::move(ops))
                                     .async_wait(asio::experimental::wait_for_all(), asio::use_awaitable);
    for (const auto& e : errors)
      if (e) std::rethrow_exception(e);
    if (s.id() == 0) results = std::move(got);
  });
  expect_tags(views, {"unit_vector.reject", "derangement.reject", "open"});
  ASSERT_EQ(results.size(), kCount);
  std::size_t first = 0;
  for (const auto& d : results) {
    ASSERT_TRUE(d == (Ints{1, 2, 0}) || d == (Ints{2, 0, 1})) << "not a derangement of 3";
    first += d == (Ints{1, 2, 0});
  }
  EXPECT_GT(test::chi_square_fit_p({first, kCount - first}, {0.5, 0.5}), kAlpha) << "derangements not uniform";
  // Concurrent tasks interleave differently at each party: test each party's view.
  for (std::size_t p = 0; p < views.size(); ++p) {
    const auto& opened = seen(views[p], "derangement.reject");
    ASSERT_GE(opened.size(), 4 * kCount);  // tries come 4 at a time
    EXPECT_GT(test::chi_square_fit_p(zero_counts(f, opened), {4.0 / 6, 2.0 / 6}), kAlpha)
        << "derangement.reject: fixed points at a rate other than 2/3";
    expect_uniform_nonzero(f, opened, "derangement.reject");
  }
}

// ---------------------------------------------------------------- the statistics themselves

// The tests above are only as good as these: same-distribution samples must pass,
// shifted ones fail (fixed seeds: deterministic).
TEST(PrivacyStatistics, TwoSampleTestsSeparateOnlyDifferentDistributions) {
  std::mt19937_64 gen(7);
  std::uniform_real_distribution<double> u(0, 1);
  std::vector<double> a(6000), b(6000), shifted(6000);
  for (auto& v : a) v = u(gen);
  for (auto& v : b) v = u(gen);
  for (auto& v : shifted) v = u(gen) + 1.0 / 8;  // a mask 3 bits too short
  EXPECT_GT(test::ks_p(a, b), 1e-3);
  EXPECT_LT(test::ks_p(a, shifted), kAlpha);
  EXPECT_NEAR(test::chi_square_p(3.841, 1), 0.05, 1e-3);
  EXPECT_NEAR(test::chi_square_p(124.342, 100), 0.05, 1e-3);
  EXPECT_GT(test::chi_square_homogeneity_p({500, 500}, {510, 490}), 0.1);
  EXPECT_LT(test::chi_square_homogeneity_p({500, 500}, {700, 300}), kAlpha);
  EXPECT_GT(test::chi_square_fit_p({250, 750}, {0.25, 0.75}), 0.1);
  EXPECT_LT(test::chi_square_fit_p({500, 500}, {0.25, 0.75}), kAlpha);
}

}  // namespace
}  // namespace meshmpc
