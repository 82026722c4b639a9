// Secure field elements beyond integers (MPyC's SecFld): GF(2^8) and GF(3^5) among
// n = 3 and 5 parties, with and without PRSS — products, inner products, equality by Fermat,
// random elements and bits, random derangements — each opened result checked
// against the plain field computation; and equality by Fermat in a prime field.
#include <meshmpc/field/fp64.hpp>
#include <meshmpc/field/ntl_gf2e.hpp>
#include <meshmpc/field/ntl_zzpe.hpp>
#include <meshmpc/runtime/session_impl.hpp>  // Session over NtlZZpE, a field the library does not ship compiled
#include <meshmpc/runtime/session_ntl.hpp>
#include <meshmpc/runtime/run_local.hpp>

#include <gtest/gtest.h>

#include <mutex>
#include <numeric>
#include <random>
#include <set>
#include <string>

namespace meshmpc {
namespace {

using G = NtlGF2E;
using Elements = std::vector<G::Element>;

struct Params {
  std::size_t n;
  Randomness randomness;
};

std::string name_of(const testing::TestParamInfo<Params>& info) {
  const Randomness r = info.param.randomness;
  return "n" + std::to_string(info.param.n) + (r == Randomness::prss ? "" : "_" + to_string(r));
}

class SecFldBinary : public testing::TestWithParam<Params> {
 protected:
  // Runs `body` at every party over GF(2^8); checks that every party got to the end.
  template <class Body>
  void run(Body body) {
    const auto [n, randomness] = GetParam();
    std::mutex m;
    std::size_t done = 0;
    run_local<G>(n, field_, SessionOptions{.threshold = (n - 1) / 2, .randomness = randomness},
                 [&](Session<G>& s) -> boost::asio::awaitable<void> {
                   co_await body(s);
                   std::lock_guard lock(m);
                   ++done;
                 }, std::chrono::seconds(120));
    EXPECT_EQ(done, n);
  }

  Elements elements(const std::vector<std::uint64_t>& bits) const {
    Elements out;
    for (auto b : bits) out.push_back(field_.from_uint(b));
    return out;
  }
  std::vector<std::uint64_t> bits_of(const Elements& e) const {
    std::vector<std::uint64_t> out;
    for (const auto& x : e) out.push_back(field_.to_uint(x));
    return out;
  }

  const G field_{8};
};

TEST_P(SecFldBinary, ProductsSumsAndInnerProductsMatchThePlainField) {
  std::vector<std::uint64_t> xs(16), ys(16);
  std::mt19937_64 gen(8);
  for (auto& v : xs) v = gen() & 0xff;
  for (auto& v : ys) v = gen() & 0xff;
  xs[0] = 0;
  ys[1] = 1;
  const Elements x = elements(xs), y = elements(ys);
  Elements products, sums;
  G::Element dot = field_.zero();
  for (std::size_t i = 0; i < x.size(); ++i) {
    products.push_back(field_.mul(x[i], y[i]));
    sums.push_back(field_.add(x[i], y[i]));
    dot = field_.add(dot, products.back());
  }
  run([&](Session<G>& s) -> boost::asio::awaitable<void> {
    const Elements none;
    const auto a = co_await s.input(secfld(), 0, s.id() == 0 ? x : none, x.size());
    const auto b = co_await s.input(secfld(), 1, s.id() == 1 ? y : none, y.size());
    const auto ab = co_await s.mul(a, b);
    const auto inner = co_await s.inner(a, b);
    EXPECT_EQ(co_await s.output(ab), products);
    EXPECT_EQ(co_await s.output(a + b), sums);
    const auto opened_dot = co_await s.output(inner);
    EXPECT_EQ(opened_dot, Elements(1, dot));
  });
}

TEST_P(SecFldBinary, EqualityByFermatOverAllOfGF256) {
  // x runs over all 256 elements; y equals x at every third place.
  std::vector<std::uint64_t> xs(256), ys(256);
  std::iota(xs.begin(), xs.end(), 0);
  for (std::size_t i = 0; i < 256; ++i) ys[i] = i % 3 == 0 ? xs[i] : (xs[i] * 7 + 1) & 0xff;
  std::vector<std::uint64_t> expected(256);
  for (std::size_t i = 0; i < 256; ++i) expected[i] = xs[i] == ys[i] ? 1 : 0;
  const Elements x = elements(xs), y = elements(ys);
  run([&](Session<G>& s) -> boost::asio::awaitable<void> {
    const Elements none;
    const auto a = co_await s.input(secfld(), 0, s.id() == 0 ? x : none, x.size());
    const auto b = co_await s.input(secfld(), 2, s.id() == 2 ? y : none, y.size());
    const auto equal = co_await s.eq(a, b);
    EXPECT_EQ(bits_of(co_await s.output(equal)), expected);
    const auto zero = co_await s.is_zero(a);
    const auto z = bits_of(co_await s.output(zero));
    EXPECT_EQ(z[0], 1U);
    EXPECT_EQ(std::accumulate(z.begin(), z.end(), std::uint64_t{0}), 1U);
  });
}

TEST_P(SecFldBinary, RandomBitsAreBitsAndRandomElementsVary) {
  run([&](Session<G>& s) -> boost::asio::awaitable<void> {
    const auto bits = bits_of(co_await s.output(co_await s.random_bits(secfld(), 400)));
    std::size_t ones = 0;
    for (auto b : bits) {
      EXPECT_LE(b, 1U);
      ones += b;
    }
    // 400 fair bits: fewer than 120 or more than 280 ones has probability < 10^-15.
    EXPECT_GT(ones, 120U);
    EXPECT_LT(ones, 280U);
    // 6000 uniform draws miss one of the 256 elements with probability < 2 * 10^-8.
    const auto values = bits_of(co_await s.output(co_await s.random(secfld(), 6000)));
    EXPECT_EQ(std::set<std::uint64_t>(values.begin(), values.end()).size(), 256U);
  });
}

TEST_P(SecFldBinary, PublicZeroTestsAreRightDespiteTheSmallField) {
  // With one random rho a nonzero x passes as zero with probability 1/256: about 8
  // of these 2000 would. With rho repeated (q^r >= 2^k) none should (2000 * 2^-35).
  std::vector<std::uint64_t> xs(2000);
  for (std::size_t i = 0; i < xs.size(); ++i) xs[i] = i % 10 == 0 ? 0 : 1 + i % 255;
  const Elements x = elements(xs);
  run([&](Session<G>& s) -> boost::asio::awaitable<void> {
    const Elements none;
    const auto a = co_await s.input(secfld(), 0, s.id() == 0 ? x : none, x.size());
    const auto zero = co_await s.is_zero_public(a);
    std::size_t wrong = 0;
    for (std::size_t i = 0; i < xs.size(); ++i) wrong += zero[i] != (xs[i] == 0) ? 1 : 0;
    EXPECT_EQ(wrong, 0U);
  });
}

TEST_P(SecFldBinary, RandomDerangementsHaveNoFixedPoint) {
  for (std::size_t size = 2; size <= 7; ++size) {
    run([&](Session<G>& s) -> boost::asio::awaitable<void> {
      const auto p = bits_of(co_await s.output(co_await s.random_derangement(secfld(), size)));
      EXPECT_EQ(p.size(), size);
      if (p.size() != size) co_return;
      EXPECT_EQ(std::set<std::uint64_t>(p.begin(), p.end()).size(), size);
      for (std::size_t i = 0; i < size; ++i) {
        EXPECT_LT(p[i], size);
        EXPECT_NE(p[i], i) << "fixed point at " << i;
      }
    });
  }
}

INSTANTIATE_TEST_SUITE_P(Parties, SecFldBinary,
                         testing::Values(Params{3, Randomness::prss}, Params{5, Randomness::prss},
                                         Params{3, Randomness::extraction}, Params{5, Randomness::extraction}),
                         name_of);

// GF(3^5): odd characteristic, where random bits need products (XOR of PRSS or
// dealt bits) and equality takes x^242.
class SecFldOdd : public testing::TestWithParam<Params> {
 protected:
  using H = NtlZZpE;
  template <class Body>
  void run(Body body) {
    const auto [n, randomness] = GetParam();
    std::mutex m;
    std::size_t done = 0;
    run_local<H>(n, field_, SessionOptions{.threshold = (n - 1) / 2, .randomness = randomness},
                 [&](Session<H>& s) -> boost::asio::awaitable<void> {
                   co_await body(s);
                   std::lock_guard lock(m);
                   ++done;
                 }, std::chrono::seconds(120));
    EXPECT_EQ(done, n);
  }
  std::vector<std::uint64_t> digits_of(const std::vector<H::Element>& e) const {
    std::vector<std::uint64_t> out;
    for (const auto& x : e) out.push_back(field_.to_uint(x));
    return out;
  }
  const H field_{3, 5};
};

TEST_P(SecFldOdd, ProductsEqualityBitsAndDerangements) {
  std::vector<H::Element> x, y, products;
  std::vector<std::uint64_t> equal;
  for (std::uint64_t v = 0; v < 81; ++v) {  // digits 0000 to 2222: a quarter of the field
    const std::uint64_t w = v % 4 == 0 ? v : (v * 5 + 7) % 243;
    x.push_back(field_.from_uint(v));
    y.push_back(field_.from_uint(w));
    products.push_back(field_.mul(x.back(), y.back()));
    equal.push_back(v == w ? 1 : 0);
  }
  run([&](Session<H>& s) -> boost::asio::awaitable<void> {
    const std::vector<H::Element> none;
    const auto a = co_await s.input(secfld(), 0, s.id() == 0 ? x : none, x.size());
    const auto b = co_await s.input(secfld(), 1, s.id() == 1 ? y : none, y.size());
    EXPECT_EQ(co_await s.output(co_await s.mul(a, b)), products);
    EXPECT_EQ(digits_of(co_await s.output(co_await s.eq(a, b))), equal);
    const auto bits = digits_of(co_await s.output(co_await s.random_bits(secfld(), 300)));
    std::size_t ones = 0;
    for (auto v : bits) {
      EXPECT_LE(v, 1U);
      ones += v;
    }
    EXPECT_GT(ones, 75U);  // 300 fair bits: outside 75..225 with probability < 10^-17
    EXPECT_LT(ones, 225U);
    for (std::size_t size = 2; size <= 5; ++size) {
      const auto p = digits_of(co_await s.output(co_await s.random_derangement(secfld(), size)));
      EXPECT_EQ(std::set<std::uint64_t>(p.begin(), p.end()).size(), size);
      for (std::size_t i = 0; i < p.size(); ++i) {
        EXPECT_LT(p[i], size);
        EXPECT_NE(p[i], i);
      }
    }
  });
}

INSTANTIATE_TEST_SUITE_P(Parties, SecFldOdd, testing::Values(Params{3, Randomness::prss}, Params{5, Randomness::prss},
                                         Params{3, Randomness::extraction}),
                         name_of);

// In GF(p) too: [x == y] by Fermat on arbitrary elements (64 rounds in Fp64).
TEST(SecFldPrime, EqualityByFermatInFp64) {
  const Fp64 f;
  const std::vector<Fp64::Element> x{f.zero(), f.one(), f.from_int(-1), f.from_uint(12345), f.from_uint(7)};
  const std::vector<Fp64::Element> y{f.zero(), f.from_int(-1), f.from_int(-1), f.from_uint(12346), f.from_uint(7)};
  const std::vector<Fp64::Element> expected{f.one(), f.zero(), f.one(), f.zero(), f.one()};
  std::mutex m;
  std::size_t done = 0;
  run_local<Fp64>(3, f, SessionOptions{.threshold = 1}, [&](Session<Fp64>& s) -> boost::asio::awaitable<void> {
    const std::vector<Fp64::Element> none;
    const auto a = co_await s.input(secfld(), 0, s.id() == 0 ? x : none, x.size());
    const auto b = co_await s.input(secfld(), 1, s.id() == 1 ? y : none, y.size());
    EXPECT_EQ(co_await s.output(co_await s.eq(a, b)), expected);
    std::lock_guard lock(m);
    ++done;
  });
  EXPECT_EQ(done, 3U);
}

}  // namespace
}  // namespace meshmpc
