// The threshold a session runs with when the program does not say: the largest
// private one, floor((n - 1) / 2), as the CLI's default — never t = 0 (every
// share its secret) unless asked for by name. And the randomness it resolves
// `automatic` to, from t alone.
#include "party_values.hpp"

#include <meshmpc/field/fp64.hpp>
#include <meshmpc/runtime/run_local.hpp>

#include <gtest/gtest.h>

#include <chrono>
#include <mutex>

namespace meshmpc {
namespace {

namespace asio = boost::asio;
using namespace std::chrono_literals;

std::string config_error_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const ConfigError& e) {
    return e.what();
  }
  ADD_FAILURE() << "expected a ConfigError";
  return {};
}

TEST(Threshold, UnsetResolvesToTheLargestBelowHalf) {
  for (const auto& [n, t] : std::vector<std::pair<std::size_t, std::size_t>>{{1, 0}, {3, 1}, {4, 1}, {5, 2}, {7, 3}})
    EXPECT_EQ(resolve_threshold(SessionOptions{}, n), t) << "n = " << n;
  EXPECT_EQ(resolve_threshold(SessionOptions{.threshold = 1}, 7), 1u);
}

// Each party's values, the product of the first and last party's opened and
// compared with the plain product; every party reports the t it runs with (the
// options' threshold, or by default the largest below n/2).
void expect_session(std::size_t n, const SessionOptions& options) {
  constexpr std::size_t kCount = 40;
  std::vector<std::vector<std::int64_t>> in;
  for (std::size_t i = 0; i < n; ++i) in.push_back(test::party_values(i, kCount));
  std::mutex m;
  std::vector<std::size_t> ts;
  run_local<Fp64>(n, Fp64{}, options, [&](Session<Fp64>& s) -> asio::awaitable<void> {
    const auto x = co_await s.input_all(secint(32), in[s.id()]);
    const auto p = co_await s.mul(x.front(), x.back());
    const auto out = co_await s.output(p);
    std::lock_guard lock(m);
    for (std::size_t k = 0; k < kCount; ++k)
      EXPECT_EQ(out[k], in.front()[k] * in.back()[k]) << "n = " << n << " party " << s.id() << " at " << k;
    ts.push_back(s.t());
    EXPECT_EQ(s.options().threshold, std::optional<std::size_t>(s.t())) << "options hold the resolved t";
  });
  ASSERT_EQ(ts.size(), n);
  for (auto t : ts) EXPECT_EQ(t, options.threshold.value_or((n - 1) / 2)) << "n = " << n;
}

TEST(Threshold, DefaultSessionsRunWithTheLargestPrivateThreshold) {
  for (std::size_t n : {1, 3, 4, 5, 7}) expect_session(n, {});
}

// -T 1 among more parties: each GRR resharer's line goes to n - 2 parties, all but
// the last computed from its product share, the last from its own term.
TEST(Threshold, OneAmongFiveAndSevenPartiesMultipliesCorrectly) {
  for (std::size_t n : {5, 7}) expect_session(n, {.threshold = 1});
}

TEST(Threshold, ZeroAmongSeveralPartiesIsRefusedUnlessAskedFor) {
  const auto msg = config_error_of([] {
    run_local<Fp64>(3, Fp64{}, {.threshold = 0}, [](Session<Fp64>&) -> asio::awaitable<void> { co_return; }, 5s);
  });
  EXPECT_NE(msg.find("t = 0 with n = 3"), std::string::npos) << msg;
  EXPECT_NE(msg.find("every share would equal its secret"), std::string::npos) << msg;
  EXPECT_NE(msg.find("unset for t = 1"), std::string::npos) << msg;
  EXPECT_NE(msg.find("insecure_threshold_zero"), std::string::npos) << msg;
  EXPECT_NE(msg.find("-T 0"), std::string::npos) << msg;
}

TEST(Threshold, TwoPartiesHaveNoPrivateThresholdAndAreToldSo) {
  const auto msg = config_error_of([] {
    run_local<Fp64>(2, Fp64{}, SessionOptions{}, [](Session<Fp64>&) -> asio::awaitable<void> { co_return; }, 5s);
  });
  EXPECT_NE(msg.find("t = 0 with n = 2"), std::string::npos) << msg;
  EXPECT_NE(msg.find("2 parties cannot have an honest majority"), std::string::npos) << msg;
  EXPECT_NE(msg.find("insecure_threshold_zero"), std::string::npos) << msg;
}

TEST(Threshold, HalfOrMoreIsStillRefused) {
  const auto msg = config_error_of([] { (void)resolve_threshold({.threshold = 2, .insecure_threshold_zero = true}, 4); });
  EXPECT_NE(msg.find("needs 2t < n"), std::string::npos) << msg;
  EXPECT_NE(msg.find("largest allowed t is 1"), std::string::npos) << msg;
}

TEST(Threshold, ZeroAskedForByNameRunsAndComputesCorrectly) {
  constexpr std::size_t kCount = 30;
  std::vector<std::vector<std::int64_t>> in;
  for (std::size_t i = 0; i < 3; ++i) in.push_back(test::party_values(i, kCount));
  std::mutex m;
  std::size_t checked = 0;
  const SessionOptions options{.threshold = 0, .insecure_threshold_zero = true};
  run_local<Fp64>(3, Fp64{}, options, [&](Session<Fp64>& s) -> asio::awaitable<void> {
    EXPECT_EQ(s.t(), 0u);
    const auto x = co_await s.input_all(secint(32), in[s.id()]);
    const auto p = co_await s.mul(x[0], x[1]);
    const auto out = co_await s.output(p + x[2]);
    std::lock_guard lock(m);
    for (std::size_t k = 0; k < kCount; ++k) EXPECT_EQ(out[k], in[0][k] * in[1][k] + in[2][k]);
    ++checked;
  });
  EXPECT_EQ(checked, 3u);
}

TEST(SessionRandomness, AutomaticIsPrssUpToThresholdOneAndExtractionBeyond) {
  const auto asking = [](Randomness r) {
    SessionOptions o;
    o.randomness = r;
    return o;
  };
  for (std::size_t t = 0; t <= 15; ++t) {
    EXPECT_EQ(resolve_randomness({}, t), t <= 1 ? Randomness::prss : Randomness::extraction) << "t = " << t;
    EXPECT_EQ(resolve_randomness(asking(Randomness::prss), t), Randomness::prss);
    EXPECT_EQ(resolve_randomness(asking(Randomness::extraction), t), Randomness::extraction);
  }
  EXPECT_EQ(randomness_from_string(to_string(Randomness::automatic)), Randomness::automatic);
  const auto msg = config_error_of([] { (void)randomness_from_string("dice"); });
  EXPECT_NE(msg.find("'dice'"), std::string::npos) << msg;
}

// Set-up hands out PRSS keys only when the session resolved to PRSS: at n = 3
// (t = 1) by default, not at n = 5 (t = 2), where a product still comes out right.
TEST(SessionRandomness, PrssKeysExistExactlyWhenResolvedToPrss) {
  for (const std::size_t n : {3, 5}) {
    std::mutex m;
    std::size_t checked = 0;
    run_local<Fp64>(n, Fp64{}, SessionOptions{}, [&](Session<Fp64>& s) -> asio::awaitable<void> {
      const bool prss = n == 3;
      EXPECT_EQ(protocols::core_of(s).randomness(), prss ? Randomness::prss : Randomness::extraction);
      EXPECT_EQ(protocols::core_of(s).has_prss(), prss);
      const std::vector<std::int64_t> mine{static_cast<std::int64_t>(s.id()) + 2};
      const auto x = co_await s.input_all(secint(32), mine);
      const auto out = co_await s.output(co_await s.mul(x[0], x[n - 1]));
      std::lock_guard lock(m);
      EXPECT_EQ(out, std::vector<std::int64_t>{2 * static_cast<std::int64_t>(n + 1)});
      ++checked;
    });
    EXPECT_EQ(checked, n);
  }
}

}  // namespace
}  // namespace meshmpc
