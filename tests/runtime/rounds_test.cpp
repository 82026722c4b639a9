// rounds() is the communication depth: the longest chain of rounds, one waiting on
// the other. Concurrent work counts once (its longest branch), sequential work
// adds up, and the figure is the same on every party whatever the scheduling.
// Each expected figure comes from the parts run alone in the same session; every
// opened result is checked against the plain computation.
#include "forked_tasks.hpp"
#include "party_values.hpp"
#include "secint_test_util.hpp"

#include <meshmpc/field/fp64.hpp>
#include <meshmpc/runtime/run_local.hpp>
#include <meshmpc/runtime/scope.hpp>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <gtest/gtest.h>

#include <array>
#include <memory>
#include <mutex>
#include <random>

namespace meshmpc {
namespace {

namespace asio = boost::asio;
using namespace asio::experimental::awaitable_operators;
using Ints = std::vector<std::int64_t>;

// --- the depth bookkeeping alone

TEST(Rounds, ScopeAddsSequentialChildrenAndTakesTheMaxOfConcurrentOnes) {
  Scope root(7);
  // Sequential: the second child is taken after the first has counted.
  {
    Scope a = root.child();
    a.count_rounds(2);
  }
  EXPECT_EQ(root.rounds(), 2u);
  {
    Scope b = root.child();
    EXPECT_EQ(b.rounds(), 2u);  // starts where its parent is
    b.count_rounds(3);
  }
  EXPECT_EQ(root.rounds(), 5u);
  // Concurrent: both taken before either counts.
  Scope c = root.child();
  Scope d = root.child();
  c.count_rounds(4);
  d.count_rounds(1);
  Scope d1 = d.child();  // nested: d's chain goes on under its child
  d1.count_rounds(2);
  EXPECT_EQ(c.rounds(), 9u);
  EXPECT_EQ(d.rounds(), 8u);
  EXPECT_EQ(root.rounds(), 9u);
  // A copy shares its scope's chain.
  Scope copy = d;
  copy.count_rounds(2);
  EXPECT_EQ(d.rounds(), 10u);
  EXPECT_EQ(root.rounds(), 10u);
  // count_after: d's next step waits on c's result.
  Scope e = root.child();
  Scope f = root.child();
  e.count_rounds(3);  // 13
  f.count_after(e);
  f.count_rounds(1);
  EXPECT_EQ(f.rounds(), 14u);
  EXPECT_EQ(root.rounds(), 14u);
  f.count_after(c);  // already past c: no change
  EXPECT_EQ(f.rounds(), 14u);
}

TEST(Rounds, NextLabelIsTheLabelOfTheNextChild) {
  Scope a(0x5eed), b(0x5eed);
  for (int i = 0; i < 4; ++i) {
    EXPECT_EQ(a.next_label(), b.child().label());
    EXPECT_EQ(a.child().label(), b.next_label());
  }
  EXPECT_EQ(a.rounds(), 0u);  // labels alone count nothing
}

// --- products: concurrent ones count once, sequential ones add up

struct MulParams {
  MulProtocol mul;
  Randomness randomness;
  std::uint64_t rounds_of_one;  // docs/protocols.md
};

class RoundsOfProducts : public testing::TestWithParam<MulParams> {};

TEST_P(RoundsOfProducts, ConcurrentProductsCountOnceSequentialOnesAddUp) {
  constexpr std::size_t kCount = 9;
  const auto p = GetParam();
  std::vector<Ints> inputs;
  for (std::size_t i = 0; i < 3; ++i) inputs.push_back(test::party_values(i, kCount));
  std::mutex m;
  std::vector<std::array<std::uint64_t, 4>> seen;  // one, concurrent, sequential, total
  run_local<Fp64>(3, Fp64{}, test::options_for(3, 30, p.randomness, p.mul),
                  [&](Session<Fp64>& s) -> asio::awaitable<void> {
    std::vector<Fp64::Element> mine;
    for (auto v : inputs[s.id()]) mine.push_back(s.field().from_int(v));
    const auto x = co_await s.input_all(secfld(), mine);
    std::array<std::uint64_t, 4> r{};
    auto before = s.rounds();
    const auto alone = co_await s.mul(x[0], x[1]);
    r[0] = s.rounds() - before;
    before = s.rounds();
    const auto [a, b] = co_await (s.mul(x[0], x[1]) && s.mul(x[1], x[2]));
    r[1] = s.rounds() - before;
    before = s.rounds();
    const auto c = co_await s.mul(x[0], x[1]);
    const auto d = co_await s.mul(x[1], x[2]);
    r[2] = s.rounds() - before;
    const auto [oa, ob] = co_await (s.output(a) && s.output(b));
    const auto oc = co_await s.output(c);
    const auto od = co_await s.output(d);
    const auto o1 = co_await s.output(alone);
    r[3] = s.rounds();
    std::lock_guard lock(m);
    for (std::size_t k = 0; k < kCount; ++k) {
      const std::int64_t want01 = inputs[0][k] * inputs[1][k], want12 = inputs[1][k] * inputs[2][k];
      EXPECT_EQ(s.field().to_int(oa[k]), want01);
      EXPECT_EQ(s.field().to_int(ob[k]), want12);
      EXPECT_EQ(s.field().to_int(oc[k]), want01);
      EXPECT_EQ(s.field().to_int(od[k]), want12);
      EXPECT_EQ(s.field().to_int(o1[k]), want01);
    }
    seen.push_back(r);
  });
  ASSERT_EQ(seen.size(), 3u);
  for (const auto& r : seen) {
    EXPECT_EQ(r, seen[0]) << "every party counts the same";
    EXPECT_EQ(r[0], p.rounds_of_one);
    EXPECT_EQ(r[1], r[0]) << "two concurrent products: the rounds of one";
    EXPECT_EQ(r[2], 2 * r[0]) << "two sequential products: twice those";
    // input (1), the three steps above, two concurrent openings (1), three more (3).
    EXPECT_EQ(r[3], 1 + r[0] + r[1] + r[2] + 1 + 3);
  }
}

INSTANTIATE_TEST_SUITE_P(Mul, RoundsOfProducts,
                         testing::Values(MulParams{MulProtocol::grr, Randomness::prss, 1},
                                         MulParams{MulProtocol::dn07, Randomness::prss, 2},
                                         MulParams{MulProtocol::grr, Randomness::extraction, 1},
                                         MulParams{MulProtocol::dn07, Randomness::extraction, 3}),
                         [](const auto& info) {
                           return to_string(info.param.mul) + "_" + to_string(info.param.randomness);
                         });

// --- sign runs less-than-zero and is-zero at once; abs multiplies after its test

TEST(Rounds, SignCountsTheLongerOfItsTwoTestsAndAbsItsProductAfterTheTest) {
  constexpr std::size_t kBits = 16;
  const Ints values{-5, 0, 7, -32767, 32767, 1, -1};
  const std::size_t count = values.size();
  std::mutex m;
  std::vector<std::array<std::uint64_t, 5>> seen;  // ltz, is_zero, sign, mul, abs
  run_local<Fp64>(3, Fp64{}, test::options_for(3), [&](Session<Fp64>& s) -> asio::awaitable<void> {
    const auto x = co_await s.input(secint(kBits), 0,
                                    s.id() == 0 ? std::span<const std::int64_t>(values) : std::span<const std::int64_t>{},
                                    count);
    std::array<std::uint64_t, 5> r{};
    auto before = s.rounds();
    const auto negative = co_await s.lt(x, 0);  // the less-than-zero of sign(x)
    r[0] = s.rounds() - before;
    before = s.rounds();
    const auto zero = co_await s.is_zero(x);
    r[1] = s.rounds() - before;
    before = s.rounds();
    const auto signs = co_await s.sign(x);
    r[2] = s.rounds() - before;
    before = s.rounds();
    const auto square = co_await s.mul(x, x);
    r[3] = s.rounds() - before;
    before = s.rounds();
    const auto absolute = co_await s.abs(x);
    r[4] = s.rounds() - before;
    const auto o_negative = co_await s.output(negative);
    const auto o_zero = co_await s.output(zero);
    const auto o_sign = co_await s.output(signs);
    const auto o_square = co_await s.output(square);
    const auto o_abs = co_await s.output(absolute);
    std::lock_guard lock(m);
    for (std::size_t e = 0; e < count; ++e) {
      const std::int64_t v = values[e];
      EXPECT_EQ(o_negative[e], v < 0 ? 1 : 0) << v;
      EXPECT_EQ(o_zero[e], v == 0 ? 1 : 0) << v;
      EXPECT_EQ(o_sign[e], (v > 0) - (v < 0)) << v;
      EXPECT_EQ(o_square[e], v * v) << v;
      EXPECT_EQ(o_abs[e], v < 0 ? -v : v) << v;
    }
    seen.push_back(r);
  });
  ASSERT_EQ(seen.size(), 3u);
  for (const auto& r : seen) {
    EXPECT_EQ(r, seen[0]) << "every party counts the same";
    EXPECT_GT(r[0], 0u);
    EXPECT_GT(r[1], 0u);
    EXPECT_EQ(r[2], std::max(r[0], r[1])) << "sign: the longer test, not their sum " << r[0] + r[1];
    EXPECT_EQ(r[4], r[0] + r[3]) << "abs: the product waits on the comparison";
  }
}

// --- on an emulated far link (net/link_emulation.hpp), wall time follows the rounds

TEST(Rounds, OnAnEmulatedFarLinkEachRoundCostsARoundTrip) {
  constexpr auto kRtt = std::chrono::milliseconds(40);
  constexpr std::size_t kBits = 16;
  const Ints a{-5, 0, 7, 300}, b{4, -9, 7, 2};
  std::mutex m;
  std::vector<std::pair<std::uint64_t, std::chrono::steady_clock::duration>> seen;  // rounds, wall time
  run_local<Fp64>(
      3, Fp64{}, test::options_for(3),
      [&](Session<Fp64>& s) -> asio::awaitable<void> {
        using Values = std::span<const std::int64_t>;
        const auto x = co_await s.input(secint(kBits), 0, s.id() == 0 ? Values(a) : Values{}, a.size());
        const auto y = co_await s.input(secint(kBits), 1, s.id() == 1 ? Values(b) : Values{}, b.size());
        const auto before = s.rounds();
        const auto start = std::chrono::steady_clock::now();
        const auto smaller = co_await s.lt(x, y);
        const auto product = co_await s.mul(x, y);
        const auto o_smaller = co_await s.output(smaller);
        const auto o_product = co_await s.output(product);
        const auto took = std::chrono::steady_clock::now() - start;
        std::lock_guard lock(m);
        for (std::size_t e = 0; e < a.size(); ++e) {
          EXPECT_EQ(o_smaller[e], a[e] < b[e] ? 1 : 0) << e;
          EXPECT_EQ(o_product[e], a[e] * b[e]) << e;
        }
        seen.emplace_back(s.rounds() - before, took);
      },
      std::chrono::seconds(20), {.rtt = kRtt});
  ASSERT_EQ(seen.size(), 3u);
  for (const auto& [rounds, took] : seen) {
    EXPECT_GT(rounds, 10u);
    // Each round of the chain waits for a message that left half a round trip
    // after the last; at least rounds x RTT/2 however fast the machine.
    EXPECT_GE(took, rounds * kRtt / 2) << rounds << " rounds";
  }
}

// --- sub-sessions and forks

// x0 * x1 opened, for the parties' inputs `mine`: three rounds with GRR.
template <FiniteField F>
asio::awaitable<std::uint64_t> product_of_inputs(Session<F>& s, std::uint64_t mine) {
  const std::vector<typename F::Element> v(1, s.field().from_uint(mine));
  const auto x = co_await s.input_all(secfld(), v);
  const auto p = co_await s.mul(x[0], x[1]);
  co_return s.field().to_uint((co_await s.output(p))[0]);
}

TEST(Rounds, SubSessionCountsInTheParentAsAStepOrAsABranch) {
  constexpr std::uint64_t kOther = (std::uint64_t{1} << 61) - 1;
  std::mutex m;
  std::vector<std::array<std::uint64_t, 7>> seen;
  run_local<Fp64>(3, Fp64{}, test::options_for(3), [&](Session<Fp64>& s) -> asio::awaitable<void> {
    std::array<std::uint64_t, 7> r{};
    const std::uint64_t mine = 10 + s.id();  // party 0: 10, party 1: 11
    r[0] = co_await product_of_inputs(s, mine);
    const auto start = s.rounds();  // the parent's own three rounds
    auto sub = co_await s.sub_session(Fp64(kOther));
    r[1] = co_await product_of_inputs(sub, mine);
    r[2] = sub.rounds();                // its own: its set-up counts none
    r[3] = s.rounds() - start;          // as a step: added
    // As a branch, beside a fork of the parent doing the same: counted once.
    auto f = s.fork();
    const auto before = s.rounds();
    const auto [in_fork, in_sub] = co_await (product_of_inputs(f, mine) && product_of_inputs(sub, mine));
    r[4] = s.rounds() - before;
    r[5] = in_fork;
    r[6] = in_sub;
    std::lock_guard lock(m);
    seen.push_back(r);
  });
  ASSERT_EQ(seen.size(), 3u);
  for (const auto& r : seen) {
    EXPECT_EQ(r[0], 110u);
    EXPECT_EQ(r[1], 110u);
    EXPECT_EQ(r[2], 3u);
    EXPECT_EQ(r[3], r[2]);
    EXPECT_EQ(r[4], 3u) << "a sub-session and a fork at once: the rounds of one";
    EXPECT_EQ(r[5], 110u);
    EXPECT_EQ(r[6], 110u);
  }
}

TEST(Rounds, ForkCountsInItsHandleAsItGoes) {
  std::mutex m;
  std::vector<std::array<std::uint64_t, 4>> seen;
  run_local<Fp64>(3, Fp64{}, test::options_for(3), [&](Session<Fp64>& s) -> asio::awaitable<void> {
    std::array<std::uint64_t, 4> r{};
    const std::vector v{s.field().from_int(static_cast<std::int64_t>(s.id()) + 2)};
    const auto x = co_await s.input_all(secfld(), v);  // 2, 3, 4
    auto f = s.fork();
    r[0] = f.rounds();  // starts at its handle's: the input's round
    const auto p = co_await f.mul(x[0], x[1]);
    r[1] = s.rounds();  // counted in s already, with no join
    r[2] = f.rounds();
    r[3] = static_cast<std::uint64_t>(s.field().to_int((co_await s.output(p))[0]));
    std::lock_guard lock(m);
    seen.push_back(r);
  });
  ASSERT_EQ(seen.size(), 3u);
  for (const auto& r : seen) EXPECT_EQ(r, (std::array<std::uint64_t, 4>{1, 2, 2, 6}));
}

// Forked tasks of different lengths, each sleeping a random (per party different)
// time before and between its steps: the session's depth is the longest task's,
// on every party, whatever order the tasks ran in.
asio::awaitable<void> sleep_ms(int ms) {
  asio::steady_timer timer(co_await asio::this_coro::executor, std::chrono::milliseconds(ms));
  co_await timer.async_wait(asio::use_awaitable);
}

// `products` products by y one after another, with pauses, then the opening.
asio::awaitable<void> chain(std::shared_ptr<Session<Fp64>> s, SecFld<Fp64> x, SecFld<Fp64> y, std::size_t products,
                            int pause, std::vector<std::int64_t>* out) {
  for (std::size_t k = 0; k < products; ++k) {
    co_await sleep_ms(pause);
    x = co_await s->mul(x, y);
  }
  for (auto v : co_await s->output(x)) out->push_back(s->field().to_int(v));
}

TEST(Rounds, ForkedTasksCountTheirLongestWhateverTheScheduling) {
  constexpr std::size_t kTasks = 6, kCount = 4;
  std::vector<Ints> inputs;
  for (std::size_t i = 0; i < 3; ++i) inputs.push_back(test::party_values(i, kTasks * kCount, 30));
  std::mutex m;
  std::vector<std::uint64_t> seen;
  run_local<Fp64>(3, Fp64{}, test::options_for(3), [&](Session<Fp64>& s) -> asio::awaitable<void> {
    std::vector<Fp64::Element> mine;
    for (auto v : inputs[s.id()]) mine.push_back(s.field().from_int(v));
    const auto x = co_await s.input_all(secfld(), mine);
    std::mt19937 gen(static_cast<unsigned>(5 + 11 * s.id()));
    std::uniform_int_distribution<int> delay(0, 12);
    std::vector<Ints> results(kTasks);
    const auto before = s.rounds();
    // Task k: 1 + k mod 3 products, then an opening.
    co_await test::run_forked_tasks(s, kTasks, [&](std::shared_ptr<Session<Fp64>> fork, std::size_t task) {
      const std::size_t lo = task * kCount, hi = lo + kCount;
      return chain(fork, test::slice(x[0], lo, hi), test::slice(x[1], lo, hi), 1 + task % 3, delay(gen),
                   &results[task]);
    });
    const auto depth = s.rounds() - before;
    std::lock_guard lock(m);
    for (std::size_t task = 0; task < kTasks; ++task)
      for (std::size_t k = 0; k < kCount; ++k) {
        const std::size_t q = task * kCount + k;
        std::int64_t want = inputs[0][q];
        for (std::size_t j = 0; j < 1 + task % 3; ++j) want *= inputs[1][q];
        EXPECT_EQ(results[task][k], want) << "task " << task;
      }
    seen.push_back(depth);
  });
  ASSERT_EQ(seen.size(), 3u);
  for (auto d : seen) EXPECT_EQ(d, 4u) << "the longest task: three products and an opening";
}

}  // namespace
}  // namespace meshmpc
