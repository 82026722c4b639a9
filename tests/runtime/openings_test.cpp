// Openings of large batches among five or more parties go through kings
// (protocols::open_by_kings): every party must get every value, for sharings of
// degree t and 2t, for batch sizes that do not divide evenly among the kings.
#include <meshmpc/field/fp64.hpp>
#include <meshmpc/runtime/run_local.hpp>
#include <meshmpc/runtime/protocols/io.hpp>

#include <gtest/gtest.h>

#include <mutex>

namespace meshmpc {
namespace {

class Kings : public testing::TestWithParam<std::size_t> {};

TEST_P(Kings, EveryPartyOpensEveryValueOfDegreeTAndTwoT) {
  const std::size_t n = GetParam(), t = (n - 1) / 2;
  const std::size_t count = 64 * n + 3;
  ASSERT_TRUE(protocols::opens_by_kings(n, count));
  std::vector<std::int64_t> x(count), y(count);
  for (std::size_t e = 0; e < count; ++e) {
    x[e] = static_cast<std::int64_t>(e * 7919 % 100003) - 50000;
    y[e] = static_cast<std::int64_t>(e * 104729 % 1009) - 500;
  }
  const Fp64 field;
  std::mutex m;
  std::size_t checked = 0;
  run_local<Fp64>(n, field, SessionOptions{}, [&](Session<Fp64>& s) -> boost::asio::awaitable<void> {
    const auto& f = s.field();
    Shares<Fp64> xv(count), yv(count);
    for (std::size_t e = 0; e < count; ++e) {
      xv[e] = f.from_int(x[e]);
      yv[e] = f.from_int(y[e]);
    }
    auto& core = protocols::core_of(s);
    const auto xs = co_await protocols::input(core, protocols::next_scope(s), 0, xv, count);
    const auto ys = co_await protocols::input(core, protocols::next_scope(s), 1, yv, count);
    // Degree t: the inputs themselves.
    const auto opened = co_await protocols::open(core, Scope(0x0be0), xs, t);
    // Degree 2t: the local products, before any reduction.
    Shares<Fp64> products(count);
    f.mul(std::span<Fp64::Element>(products), std::span<const Fp64::Element>(xs), std::span<const Fp64::Element>(ys));
    const auto opened2 = co_await protocols::open(core, Scope(0x0be1), products, 2 * t);
    std::lock_guard lock(m);
    std::size_t wrong = 0;
    for (std::size_t e = 0; e < count; ++e)
      wrong += (f.to_int(opened[e]) != x[e]) + (f.to_int(opened2[e]) != x[e] * y[e]);
    EXPECT_EQ(wrong, 0u) << "party " << s.id();
    ++checked;
  });
  EXPECT_EQ(checked, n);
}

INSTANTIATE_TEST_SUITE_P(Parties, Kings, testing::Values(5, 7, 9),
                         [](const auto& info) { return "n" + std::to_string(info.param); });

}  // namespace
}  // namespace meshmpc
