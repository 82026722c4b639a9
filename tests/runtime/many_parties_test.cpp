// The protocols at n = 9, 11 and 15 with each source of randomness (PRSS,
// extraction, and whichever `automatic` picks): products by both degree
// reductions, random sharings, random bits, comparisons, equality and sorting of
// secure integers, every opened result checked against the plain computation.
// Labelled `secint`, not `multiparty`: PRSS at n = 15 is 3432 keys per party, too
// slow under TSan; the same code paths run under TSan at n <= 7 (session_test).
#include "party_values.hpp"
#include "secint_test_util.hpp"

#include <meshmpc/field/fp64.hpp>
#include <meshmpc/sharing/shamir.hpp>

#include <gtest/gtest.h>

#include <algorithm>
#include <numeric>
#include <set>

namespace meshmpc {
namespace {

using F = Fp64;
using E = F::Element;
using Ints = std::vector<std::int64_t>;

struct Params {
  std::size_t n;
  Randomness randomness;
  MulProtocol mul;
};

std::string name_of(const testing::TestParamInfo<Params>& info) {
  return "n" + std::to_string(info.param.n) + "_" + to_string(info.param.randomness) + "_" +
         to_string(info.param.mul);
}

class ManyParties : public testing::TestWithParam<Params> {
 protected:
  // l = 8 and k = 20 keep the comparison mask within Fp64 at n = 15.
  static constexpr std::size_t kBits = 8, kSecParam = 20;

  SessionOptions options() const {
    const auto& p = GetParam();
    return test::options_for(p.n, kSecParam, p.randomness, p.mul);
  }

  // Runs `body` at every party and checks that each got to the end, and that the
  // session resolved the randomness as asked (automatic: by the rule on n and t).
  template <class Body>
  void run(Body body) {
    const auto& p = GetParam();
    const SessionOptions o = options();
    const Randomness want = resolve_randomness(o, (p.n - 1) / 2);
    ASSERT_NE(want, Randomness::automatic);
    std::mutex m;
    std::size_t done = 0;
    run_local<F>(p.n, F{}, o, [&](Session<F>& s) -> boost::asio::awaitable<void> {
      EXPECT_EQ(protocols::core_of(s).randomness(), want);
      EXPECT_EQ(protocols::core_of(s).has_prss(), want == Randomness::prss);
      co_await body(s);
      std::lock_guard lock(m);
      ++done;
    }, std::chrono::seconds(120));
    EXPECT_EQ(done, p.n);
  }
};

class ManyPartiesArithmetic : public ManyParties {};

TEST_P(ManyPartiesArithmetic, ProductsRandomSharingsAndBitsMatchThePlainComputation) {
  const std::size_t n = GetParam().n, t = (n - 1) / 2;
  constexpr std::size_t kCount = 37;  // not a multiple of n or n - t: kings and columns wrap
  std::vector<Ints> in;
  for (std::size_t i = 0; i < n; ++i) in.push_back(test::party_values(i, kCount));
  std::mutex m;
  std::vector<std::vector<E>> random_shares(n);
  Ints bits;
  run([&](Session<F>& s) -> boost::asio::awaitable<void> {
    const F& f = s.field();
    std::vector<E> mine;
    for (auto v : in[s.id()]) mine.push_back(f.from_int(v));
    const auto x = co_await s.input_all(secfld(), mine);
    const auto p01 = co_await s.mul(x[0], x[1]);
    const auto p = co_await s.mul(p01, x[n - 1]);
    const auto opened = co_await s.output(p);
    for (std::size_t k = 0; k < kCount; ++k)
      EXPECT_EQ(f.to_int(opened[k]), in[0][k] * in[1][k] * in[n - 1][k]) << "party " << s.id() << " at " << k;
    const auto r = co_await s.random(secfld(), kCount);
    const auto b = co_await s.output(co_await s.random_bits(secfld(), 64));
    std::lock_guard lock(m);
    random_shares[s.id()] = r.shares();
    if (s.id() == 0)
      for (auto v : b) bits.push_back(f.to_int(v));
  });
  // The random sharings: one degree-t polynomial each (any t + 1 shares predict
  // the rest), and values that differ.
  const F f;
  const Shamir<F> shamir(f, n, t);
  std::vector<std::size_t> first(t + 1);
  std::iota(first.begin(), first.end(), 0);
  std::vector<std::span<const E>> views;
  for (auto id : first) views.emplace_back(random_shares[id]);
  for (std::size_t k = t + 1; k < n; ++k)
    EXPECT_EQ(shamir.evaluate_at(first, views, shamir.point(k)), random_shares[k]) << "party " << k << "'s shares";
  std::set<std::uint64_t> values;
  for (auto v : shamir.reconstruct(first, views)) values.insert(f.to_uint(v));
  EXPECT_EQ(values.size(), kCount);  // a repeat among 37 uniform 64-bit values: ~2^-54
  ASSERT_EQ(bits.size(), 64u);
  for (auto v : bits) EXPECT_TRUE(v == 0 || v == 1) << v;
  const auto ones = std::count(bits.begin(), bits.end(), 1);
  EXPECT_GT(ones, 0);  // all equal: probability 2^-63
  EXPECT_LT(ones, 64);
}

class ManyPartiesIntegers : public ManyParties {};

TEST_P(ManyPartiesIntegers, ComparisonsEqualityAndSortMatchThePlainComputation) {
  const std::size_t n = GetParam().n;
  // The edges of 8-bit integers, equal pairs, neighbours.
  const Ints a = {-128, 127, 0, -1, 5, 5, -128, 127, 100, -77, 3};
  const Ints b = {127, -128, 0, 0, 5, 6, -128, 126, -100, -76, 3};
  const std::size_t count = a.size();
  run([&](Session<F>& s) -> boost::asio::awaitable<void> {
    const std::size_t last = n - 1;  // b from another party than a
    const auto x = co_await s.input(secint(kBits), 0,
                                    s.id() == 0 ? std::span<const std::int64_t>(a) : std::span<const std::int64_t>{},
                                    count);
    const auto y = co_await s.input(secint(kBits), last,
                                    s.id() == last ? std::span<const std::int64_t>(b) : std::span<const std::int64_t>{},
                                    count);
    const auto lt = co_await s.output(co_await s.lt(x, y));
    const auto ge = co_await s.output(co_await s.ge(x, y));
    const auto eq = co_await s.output(co_await s.eq(x, y));
    const auto sorted = co_await s.output(co_await s.sort(x));
    for (std::size_t e = 0; e < count; ++e) {
      EXPECT_EQ(lt[e], a[e] < b[e]) << "party " << s.id() << ": " << a[e] << " < " << b[e];
      EXPECT_EQ(ge[e], a[e] >= b[e]) << "party " << s.id() << ": " << a[e] << " >= " << b[e];
      EXPECT_EQ(eq[e], a[e] == b[e]) << "party " << s.id() << ": " << a[e] << " == " << b[e];
    }
    Ints want = a;
    std::sort(want.begin(), want.end());
    EXPECT_EQ(sorted, want) << "party " << s.id();
  });
}

// Every n, randomness and degree reduction; `skip_slow` leaves out PRSS with DN07
// at n = 15 (20 s of comparisons in a debug build; ManyPartiesArithmetic covers that pair).
std::vector<Params> sessions(bool skip_slow) {
  std::vector<Params> out;
  for (std::size_t n : {9, 11, 15})
    for (auto r : {Randomness::prss, Randomness::extraction, Randomness::automatic})
      for (auto mul : {MulProtocol::grr, MulProtocol::dn07})
        if (!(skip_slow && n == 15 && r == Randomness::prss && mul == MulProtocol::dn07)) out.push_back({n, r, mul});
  return out;
}

INSTANTIATE_TEST_SUITE_P(Sessions, ManyPartiesArithmetic, testing::ValuesIn(sessions(false)), name_of);
INSTANTIATE_TEST_SUITE_P(Sessions, ManyPartiesIntegers, testing::ValuesIn(sessions(true)), name_of);

}  // namespace
}  // namespace meshmpc
