// Comparisons and equality of secure integers among n = 3 and 5 parties: every
// pair of l-bit integers for l = 4..7, edge and random values for l = 32 (Fp64)
// and l = 64 (Fp127); each opened result is checked against the plain comparison.
#include "secint_test_util.hpp"

#include <meshmpc/field/fp127.hpp>
#include <meshmpc/field/fp64.hpp>
#include <meshmpc/runtime/session_ntl.hpp>
#include <meshmpc/runtime/field_choice.hpp>
#include <meshmpc/runtime/protocols/compare.hpp>

#include <gtest/gtest.h>

#include <algorithm>
#include <limits>
#include <random>

namespace meshmpc {
namespace {

using Ints = std::vector<std::int64_t>;

// Party 0 inputs a, party 1 inputs b; every party opens lt, le, gt, ge, eq, ne,
// min, max, sign(a), abs(b) (in this order) and checks them against the plain values.
template <class F>
void check_comparisons(const F& field, std::size_t n, std::size_t bits, const Ints& a, const Ints& b,
                       std::size_t k = 30, std::size_t slice = kDefaultComparisonSlice) {
  const std::size_t count = a.size();
  std::vector<Ints> want(10, Ints(count));
  for (std::size_t e = 0; e < count; ++e) {
    want[0][e] = a[e] < b[e];
    want[1][e] = a[e] <= b[e];
    want[2][e] = a[e] > b[e];
    want[3][e] = a[e] >= b[e];
    want[4][e] = a[e] == b[e];
    want[5][e] = a[e] != b[e];
    want[6][e] = std::min(a[e], b[e]);
    want[7][e] = std::max(a[e], b[e]);
    want[8][e] = (a[e] > 0) - (a[e] < 0);
    want[9][e] = b[e] < 0 ? -b[e] : b[e];  // callers keep b above the minimum
  }
  std::mutex m;
  std::size_t checked = 0;
  SessionOptions options = test::options_for(n, k);
  options.comparison_slice = slice;
  run_local<F>(n, field, options, [&](Session<F>& s) -> boost::asio::awaitable<void> {
    const auto x = co_await s.input(secint(bits), 0, s.id() == 0 ? std::span<const std::int64_t>(a) : std::span<const std::int64_t>{}, count);
    const auto y = co_await s.input(secint(bits), 1, s.id() == 1 ? std::span<const std::int64_t>(b) : std::span<const std::int64_t>{}, count);
    std::vector<SecInt<F>> results;
    results.push_back(co_await s.lt(x, y));
    results.push_back(co_await s.le(x, y));
    results.push_back(co_await s.gt(x, y));
    results.push_back(co_await s.ge(x, y));
    results.push_back(co_await s.eq(x, y));
    results.push_back(co_await s.ne(x, y));
    results.push_back(co_await s.min(x, y));
    results.push_back(co_await s.max(x, y));
    results.push_back(co_await s.sign(x));
    results.push_back(co_await s.abs(y));
    for (std::size_t r = 0; r < results.size(); ++r) {
      const auto got = co_await s.output(results[r]);
      for (std::size_t e = 0; e < count; ++e)
        if (got[e] != want[r][e]) {
          ADD_FAILURE() << "party " << s.id() << " result " << r << " for a = " << a[e] << ", b = " << b[e]
                        << ": got " << got[e] << ", want " << want[r][e];
          co_return;
        }
    }
    std::lock_guard lock(m);
    ++checked;
  }, std::chrono::seconds(120));
  EXPECT_EQ(checked, n);
}

struct Exhaustive {
  std::size_t bits;
  std::size_t n;
};

class AllPairs : public testing::TestWithParam<Exhaustive> {};

TEST_P(AllPairs, EveryComparisonMatchesThePlainOne) {
  const auto [bits, n] = GetParam();
  const std::int64_t lo = -(std::int64_t{1} << (bits - 1)), hi = (std::int64_t{1} << (bits - 1)) - 1;
  Ints a, b;
  for (std::int64_t x = lo; x <= hi; ++x)
    for (std::int64_t y = lo + 1; y <= hi; ++y) {  // abs(b) must fit: b > lo
      a.push_back(x);
      b.push_back(y);
    }
  check_comparisons(Fp64{}, n, bits, a, b);
}

INSTANTIATE_TEST_SUITE_P(Bits, AllPairs,
                         // (l = 8, 65280 pairs, took 30 s under ASan for what l = 7 already covers.)
                         testing::Values(Exhaustive{4, 3}, Exhaustive{5, 3}, Exhaustive{6, 3}, Exhaustive{7, 3},
                                         Exhaustive{4, 5}, Exhaustive{6, 5}),
                         [](const auto& info) {
                           return "l" + std::to_string(info.param.bits) + "_n" + std::to_string(info.param.n);
                         });

// A batch larger than SessionOptions::comparison_slice runs in slices, two at a
// time (in_slices): every comparison of 4-bit pairs in slices of 5 values (112
// pairs: 11 pairs of slices, then a slice of 2 on its own), at n = 3 and 5.
TEST(Slices, ComparisonsInSlicesMatchThePlainOnes) {
  Ints a, b;
  for (std::int64_t x = -8; x < 8; ++x)
    for (std::int64_t y = -7; y < 6; y += 2) {
      a.push_back(x);
      b.push_back(y);
    }
  for (const std::size_t n : {3, 5}) check_comparisons(Fp64{}, n, 4, a, b, 30, 5);
}

// less_than_thresholds: every x of l = 6 bits (shares of an integer in
// [-2^(l-1), 2^(l-1))) against several public thresholds at once — negative, zero,
// positive and at the ends, so that every x - T stays in [-2^l, 2^l) as the
// protocol requires — from one masked opening; each [x < T] against the plain one.
TEST(Thresholds, ManyThresholdsFromOneOpeningMatchThePlainComparisons) {
  const std::size_t l = 6;
  const std::vector<std::int64_t> thresholds{-32, -7, -1, 0, 1, 5, 31};
  Ints xs;
  for (std::int64_t x = -32; x < 32; ++x) xs.push_back(x);
  // Slice 0: one opening for the whole batch; 5: in slices, laid out as one call.
  for (const auto& [n, slice] : {std::pair<std::size_t, std::size_t>{3, 0}, {5, 0}, {3, 5}, {5, 5}}) {
    std::mutex m;
    std::size_t checked = 0;
    SessionOptions options = test::options_for(n);
    options.comparison_slice = slice;
    run_local<Fp64>(n, Fp64{}, options, [&](Session<Fp64>& s) -> boost::asio::awaitable<void> {
      const auto x = co_await s.input(secint(l), 0, s.id() == 0 ? std::span<const std::int64_t>(xs) : std::span<const std::int64_t>{},
                                      xs.size());
      auto& core = protocols::core_of(s);
      std::vector<std::int64_t> ts = thresholds;
      const auto below = co_await protocols::less_than_thresholds(core, protocols::next_scope(s), x.value().shares(),
                                                                  std::move(ts), l);
      const auto opened = co_await protocols::open(core, protocols::next_scope(s), below, s.t());
      for (std::size_t j = 0; j < thresholds.size(); ++j)
        for (std::size_t e = 0; e < xs.size(); ++e) {
          const auto got = s.field().to_int(opened[j * xs.size() + e]);
          if (got != (xs[e] < thresholds[j] ? 1 : 0)) {
            ADD_FAILURE() << "n = " << n << ", slice " << slice << ": [" << xs[e] << " < " << thresholds[j]
                          << "] came out " << got;
            co_return;
          }
        }
      std::lock_guard lock(m);
      ++checked;
    }, std::chrono::seconds(120));
    EXPECT_EQ(checked, n);
  }
}

// Edge values of the l-bit range against each other, then random pairs.
Ints edges(std::size_t bits) {
  const std::int64_t hi = static_cast<std::int64_t>((std::uint64_t{1} << (bits - 1)) - 1), lo = -hi - 1;
  return {lo, lo + 1, lo + 2, -2, -1, 0, 1, 2, hi - 2, hi - 1, hi};
}

void edge_and_random_pairs(std::size_t bits, Ints& a, Ints& b) {
  const Ints e = edges(bits);
  const std::int64_t lo = e.front();
  for (auto x : e)
    for (auto y : e)
      if (y != lo) {
        a.push_back(x);
        b.push_back(y);
      }
  std::mt19937_64 gen(bits);
  std::uniform_int_distribution<std::int64_t> dist(lo + 1, e.back());
  for (int i = 0; i < 300; ++i) {
    const auto x = dist(gen);
    a.push_back(x);
    b.push_back(i % 7 == 0 ? x : dist(gen));  // some equal pairs
  }
  for (int i = 0; i < 50; ++i) {  // neighbours
    const auto x = dist(gen);
    a.push_back(x);
    b.push_back(x == e.back() ? x - 1 : x + 1);
  }
}

TEST(EdgeValues, Bits32OverFp64AtThreeAndFiveParties) {
  Ints a, b;
  edge_and_random_pairs(32, a, b);
  check_comparisons(Fp64{}, 3, 32, a, b);
  check_comparisons(Fp64{}, 5, 32, a, b);
}

TEST(EdgeValues, Bits64OverFp127AtThreeAndFiveParties) {
  Ints a, b;
  edge_and_random_pairs(64, a, b);
  check_comparisons(Fp127{}, 3, 64, a, b);
  check_comparisons(Fp127{}, 5, 64, a, b);
}

// The dealt mask's t + 1 terms grow with the group: 32-bit comparisons fit Fp64
// with them up to n = 6 (t = 2); beyond, the high mask is made of k random bits
// (HighMask::bits), which fits Fp64 at any n. The choice is the smallest field that
// holds the smaller of the two, by the test the runtime applies.
TEST(FieldChoice, TheSmallestShippedFieldThatHoldsTheMask) {
  for (std::size_t n = 3; n <= 31; ++n) {
    const std::size_t t = (n - 1) / 2;
    EXPECT_EQ(protocols::mask_fits(Fp64{}, 32, 33, 30, t + 1), n <= 6) << "n = " << n;
  }
  EXPECT_EQ(choose_integer_field({.bit_length = 32, .sec_param = 30}).field, ShippedField::fp64);
  EXPECT_EQ(choose_integer_field({.bit_length = 33, .sec_param = 30}).field, ShippedField::fp64);
  EXPECT_EQ(choose_integer_field({.bit_length = 34, .sec_param = 30}).field, ShippedField::fp127);
  EXPECT_EQ(choose_integer_field({.bit_length = 32, .sec_param = 40}).field, ShippedField::fp127);
  EXPECT_EQ(choose_integer_field({.bit_length = 64, .sec_param = 30}).field, ShippedField::fp127);
  // Beyond 127 bits: an NTL prime just above the mask's bound.
  const auto big = choose_integer_field({.bit_length = 64, .sec_param = 80});
  ASSERT_EQ(big.field, ShippedField::ntl);
  const NtlField f(big.ntl_prime_decimal);
  EXPECT_TRUE(protocols::mask_fits(f, 64, 65, 80, 1));
  EXPECT_EQ(f.bit_length(), big.needed_bits + 1);
  EXPECT_THROW((void)choose_integer_field({.bit_length = 65, .sec_param = 30}), ConfigError);
  EXPECT_THROW((void)choose_integer_field({.bit_length = 32, .sec_param = 0}), ConfigError);
}

// At n = 7 and 9: edge values (the largest and smallest 32-bit integers,
// neighbours, ties) against the plain comparisons, over Fp64 (high mask of bits)
// and, at n = 7, over Fp127 (dealt high mask).
TEST(EdgeValues, Bits32AtSevenAndNineParties) {
  Ints a, b;
  edge_and_random_pairs(32, a, b);
  a.resize(120);
  b.resize(120);
  check_comparisons(Fp64{}, 7, 32, a, b);
  check_comparisons(Fp127{}, 7, 32, a, b);
  check_comparisons(Fp64{}, 9, 32, a, b);
}

TEST(Errors, OutOfRangeInputIsRefusedBeforeSending) {
  const Ints too_big = {5, std::int64_t{1} << 31};
  try {
    (void)SecInt<Fp64>::encode(Fp64{}, too_big, 32);
    FAIL() << "no error";
  } catch (const RangeError& e) {
    const std::string m = e.what();
    EXPECT_NE(m.find("value 2147483648 at index 1 is outside the 32-bit range [-2147483648, 2147483647]"),
              std::string::npos)
        << m;
  }
}

TEST(Errors, AFieldTooSmallForTheBitLengthIsNamed) {
  std::string message;
  std::mutex m;
  EXPECT_ANY_THROW(run_local<Fp64>(3, Fp64{}, test::options_for(3), [&](Session<Fp64>& s) -> boost::asio::awaitable<void> {
    const auto x = s.constant(secint(40), std::int64_t{1}, 4);
    try {
      (void)co_await s.lt(x, x);
    } catch (const ConfigError& e) {
      std::lock_guard lock(m);
      message = e.what();
      throw;
    }
  }));
  EXPECT_NE(message.find("comparison: 40-bit values with security parameter k = 30"), std::string::npos) << message;
  EXPECT_NE(message.find("more than GF(18446744073709551557)"), std::string::npos) << message;
}

}  // namespace
}  // namespace meshmpc
