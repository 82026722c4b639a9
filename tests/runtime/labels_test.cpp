// Deterministic labels: concurrent branches and spawned tasks, with random delays
// that differ per party, must still match messages up (DESIGN principle 3).
#include "forked_tasks.hpp"
#include "party_values.hpp"

#include <meshmpc/field/fp64.hpp>
#include <meshmpc/runtime/run_local.hpp>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <gtest/gtest.h>

#include <mutex>
#include <random>

namespace meshmpc {
namespace {

namespace asio = boost::asio;
using namespace asio::experimental::awaitable_operators;

asio::awaitable<void> sleep_ms(int ms) {
  asio::steady_timer timer(co_await asio::this_coro::executor, std::chrono::milliseconds(ms));
  co_await timer.async_wait(asio::use_awaitable);
}

TEST(Labels, ConcurrentBranchesAgree) {
  const Fp64 field;
  std::mutex m;
  std::size_t checked = 0;
  run_local<Fp64>(3, field, {.threshold = 1}, [&](Session<Fp64>& s) -> asio::awaitable<void> {
    const std::vector v{s.field().from_int(static_cast<std::int64_t>(s.id()) + 2)};
    const auto x = co_await s.input_all(secfld(), v);  // 2, 3, 4
    auto [a, b] = co_await (s.mul(x[0], x[1]) && s.mul(x[1], x[2]));
    auto [oa, ob] = co_await (s.output(a) && s.output(b));
    std::lock_guard lock(m);
    EXPECT_EQ(s.field().to_int(oa[0]), 6);
    EXPECT_EQ(s.field().to_int(ob[0]), 12);
    ++checked;
  });
  EXPECT_EQ(checked, 3u);
}

// One spawned task: two products and an opening, with pauses. Parameters by
// value: a coroutine must not refer to a lambda's captures.
asio::awaitable<void> task_body(std::shared_ptr<Session<Fp64>> s, SecFld<Fp64> a, SecFld<Fp64> b, SecFld<Fp64> c,
                                int d1, int d2, std::vector<std::int64_t>* out) {
  co_await sleep_ms(d1);
  const auto ab = co_await s->mul(a, b);
  co_await sleep_ms(d2);
  const auto abc = co_await s->mul(ab, c);
  const auto opened = co_await s->output(abc);
  for (auto v : opened) out->push_back(s->field().to_int(v));
}

// Every party spawns kTasks tasks, each on its own fork of the session, each
// sleeping a random (per party different) time before and between its steps, so
// the order in which tasks reach the network differs from party to party.
class SpawnedTasks : public testing::TestWithParam<MulProtocol> {};

TEST_P(SpawnedTasks, AgreeWhateverTheScheduling) {
  constexpr std::size_t kTasks = 12, kCount = 5;
  const std::size_t n = 5;
  const Fp64 field;
  std::vector<std::vector<std::int64_t>> inputs;
  for (std::size_t i = 0; i < n; ++i) inputs.push_back(test::party_values(i, kTasks * kCount));
  std::mutex m;
  std::size_t checked = 0;
  const SessionOptions options{.threshold = 2, .mul = GetParam()};
  run_local<Fp64>(n, field, options, [&](Session<Fp64>& s) -> asio::awaitable<void> {
    std::vector<Fp64::Element> mine;
    for (auto v : inputs[s.id()]) mine.push_back(s.field().from_int(v));
    const auto x = co_await s.input_all(secfld(), mine);
    std::mt19937 gen(static_cast<unsigned>(99 + 7 * s.id()));
    std::uniform_int_distribution<int> delay(0, 15);
    std::vector<std::vector<std::int64_t>> results(kTasks);
    co_await test::run_forked_tasks(s, kTasks, [&](std::shared_ptr<Session<Fp64>> sub, std::size_t task) {
      const int d1 = delay(gen), d2 = delay(gen);
      const std::size_t lo = task * kCount, hi = lo + kCount;
      return task_body(sub, test::slice(x[0], lo, hi), test::slice(x[1], lo, hi), test::slice(x[2], lo, hi), d1, d2,
                       &results[task]);
    });
    std::lock_guard lock(m);
    for (std::size_t task = 0; task < kTasks; ++task)
      for (std::size_t k = 0; k < kCount; ++k) {
        const std::size_t q = task * kCount + k;
        EXPECT_EQ(results[task][k], inputs[0][q] * inputs[1][q] * inputs[2][q]) << "task " << task;
      }
    ++checked;
  });
  EXPECT_EQ(checked, n);
}

INSTANTIATE_TEST_SUITE_P(Mul, SpawnedTasks, testing::Values(MulProtocol::grr, MulProtocol::dn07),
                         [](const auto& info) { return to_string(info.param); });

}  // namespace
}  // namespace meshmpc
