// SecInt and SecFld: MPyC-style programs over secure types.
#include "party_values.hpp"

#include <meshmpc/field/fp64.hpp>
#include <meshmpc/runtime/run_local.hpp>

#include <gtest/gtest.h>

#include <mutex>

namespace meshmpc {
namespace {

namespace asio = boost::asio;

TEST(SecInt, PolynomialOfInputsMatchesPlain) {
  const Fp64 field;
  constexpr std::size_t kCount = 50;
  std::vector<std::vector<std::int64_t>> in;
  for (std::size_t i = 0; i < 3; ++i) in.push_back(test::party_values(i, kCount, 30000));
  std::mutex m;
  std::size_t checked = 0;
  run_local<Fp64>(3, field, {.threshold = 1}, [&](Session<Fp64>& s) -> asio::awaitable<void> {
    const auto x = co_await s.input_all(secint(32), in[s.id()]);
    // (x0 * x1) + 3 * x2 - x0 + 7
    const auto p = co_await s.mul(x[0], x[1]);
    const auto r = p + 3 * x[2] - x[0] + 7;
    const auto out = co_await s.output(r);
    std::lock_guard lock(m);
    for (std::size_t k = 0; k < kCount; ++k) EXPECT_EQ(out[k], in[0][k] * in[1][k] + 3 * in[2][k] - in[0][k] + 7);
    ++checked;
  });
  EXPECT_EQ(checked, 3u);
}

TEST(SecInt, OutOfRangeInputIsRefusedBeforeSending) {
  const Fp64 field;
  std::string owner_error;
  try {
    run_local<Fp64>(
        3, field, {.threshold = 1},
        [&](Session<Fp64>& s) -> asio::awaitable<void> {
          const std::vector<std::int64_t> v{5, std::int64_t{1} << 31};
          (void)co_await s.input(secint(32), 0, v, 2);
        },
        std::chrono::seconds(2));
  } catch (const RangeError& e) {
    owner_error = e.what();
  }
  EXPECT_NE(owner_error.find("2147483648"), std::string::npos) << owner_error;
  EXPECT_NE(owner_error.find("index 1"), std::string::npos) << owner_error;
  EXPECT_NE(owner_error.find("32-bit"), std::string::npos) << owner_error;
}

TEST(SecFld, LinearCombinationAndProduct) {
  const Fp64 field;
  std::mutex m;
  std::size_t checked = 0;
  run_local<Fp64>(5, field, {.threshold = 2}, [&](Session<Fp64>& s) -> asio::awaitable<void> {
    const auto& f = s.field();
    std::vector<Fp64::Element> mine;
    if (s.id() == 4) mine = {f.from_uint(11), f.from_uint(12)};
    const auto a = co_await s.input(secfld(), 4, mine, 2);
    const auto b = co_await s.mul(a, a);
    const auto c = f.from_uint(5) * b - a + f.from_uint(1);
    const auto out = co_await s.output(c);
    std::lock_guard lock(m);
    EXPECT_EQ(f.to_uint(out[0]), 5u * 121u - 11u + 1u);
    EXPECT_EQ(f.to_uint(out[1]), 5u * 144u - 12u + 1u);
    ++checked;
  });
  EXPECT_EQ(checked, 5u);
}

}  // namespace
}  // namespace meshmpc
