// Secure values belong to the session that made them: values of a session and of
// its sub_session never mix silently, and a value kept after its session ended
// still reads a live field (run under ASan: no use after free).
#include "party_values.hpp"

#include <meshmpc/field/fp64.hpp>
#include <meshmpc/runtime/run_local.hpp>
#include <meshmpc/sharing/shamir.hpp>

#include <gtest/gtest.h>

#include <mutex>
#include <optional>

namespace meshmpc {
namespace {

namespace asio = boost::asio;

// 2^61 - 1: a prime of the same C++ type (Fp64) as the default 2^64 - 59.
constexpr std::uint64_t kOtherPrime = (std::uint64_t{1} << 61) - 1;

template <class Op>
std::string config_error_of(Op op) {
  try {
    op();
  } catch (const ConfigError& e) {
    return e.what();
  }
  ADD_FAILURE() << "expected a ConfigError";
  return {};
}

void expect_names_both(const std::string& msg, const std::string& a, const std::string& b) {
  EXPECT_NE(msg.find(a), std::string::npos) << msg;
  EXPECT_NE(msg.find(b), std::string::npos) << msg;
}

TEST(SecureValues, MixingASessionAndASubSessionOverAnotherPrimeIsRefused) {
  constexpr std::size_t kCount = 8;
  std::vector<std::vector<std::int64_t>> in;
  for (std::size_t i = 0; i < 3; ++i) in.push_back(test::party_values(i, kCount));
  std::mutex m;
  std::size_t checked = 0;
  run_local<Fp64>(3, Fp64{}, SessionOptions{}, [&](Session<Fp64>& s) -> asio::awaitable<void> {
    auto sub = co_await s.sub_session(Fp64(kOtherPrime));
    const std::string outer_name = s.field().name(), inner_name = sub.field().name();
    EXPECT_NE(outer_name, inner_name);
    const auto x = co_await s.input_all(secint(32), in[s.id()]);
    const auto y = co_await sub.input_all(secint(32), in[s.id()]);
    // Local operators, on secure integers and on the field values beneath.
    expect_names_both(config_error_of([&] { (void)(x[0] + y[1]); }), outer_name, inner_name);
    expect_names_both(config_error_of([&] { (void)(y[0] - x[1]); }), outer_name, inner_name);
    expect_names_both(config_error_of([&] { (void)(x[0].value() + y[1].value()); }), outer_name, inner_name);
    expect_names_both(config_error_of([&] { (void)SecInt<Fp64>::concat({x[0], y[1]}); }), outer_name, inner_name);
    // Session operations refuse another session's value before taking a label, so
    // both sessions go on in step afterwards.
    expect_names_both(config_error_of([&] { (void)s.mul(x[0], y[1]); }), outer_name, inner_name);
    expect_names_both(config_error_of([&] { (void)sub.output(x[0]); }), outer_name, inner_name);
    expect_names_both(config_error_of([&] { (void)s.lt(x[0], y[1]); }), outer_name, inner_name);
    // Each session still computes correctly in its own field.
    const auto p = co_await s.output(co_await s.mul(x[0], x[1]));
    const auto q = co_await sub.output(co_await sub.mul(y[1], y[2]));
    std::lock_guard lock(m);
    for (std::size_t k = 0; k < kCount; ++k) {
      EXPECT_EQ(p[k], in[0][k] * in[1][k]);
      EXPECT_EQ(q[k], in[1][k] * in[2][k]);
    }
    ++checked;
  });
  EXPECT_EQ(checked, 3u);
}

TEST(SecureValues, ASubSessionOverTheSameFieldIsStillAnotherSession) {
  std::mutex m;
  std::size_t checked = 0;
  run_local<Fp64>(3, Fp64{}, SessionOptions{}, [&](Session<Fp64>& s) -> asio::awaitable<void> {
    auto sub = co_await s.sub_session(Fp64{});
    const std::vector<std::int64_t> mine{static_cast<std::int64_t>(s.id()) + 2};
    const auto x = co_await s.input_all(secint(32), mine);
    const auto y = co_await sub.input_all(secint(32), mine);
    const auto msg = config_error_of([&] { (void)(x[0] + y[0]); });
    EXPECT_NE(msg.find("different sessions"), std::string::npos) << msg;
    EXPECT_NE(msg.find("the same field, but another session"), std::string::npos) << msg;
    const auto both = co_await s.output(x[0] + x[1]);
    std::lock_guard lock(m);
    EXPECT_EQ(both, std::vector<std::int64_t>{5});
    ++checked;
  });
  EXPECT_EQ(checked, 3u);
}

// Values kept by each party after run_local has ended every session (its Core
// and Network gone): the field is still alive, local operations still work, and
// t + 1 parties' kept shares reconstruct the plain results.
TEST(SecureValues, AValueKeptAfterItsSessionEndedIsStillSafeToRead) {
  constexpr std::size_t kN = 3;
  constexpr std::size_t kCount = 16;
  std::vector<std::vector<std::int64_t>> in;
  for (std::size_t i = 0; i < kN; ++i) in.push_back(test::party_values(i, kCount));
  std::mutex m;
  std::vector<std::optional<SecInt<Fp64>>> kept(kN);
  std::vector<std::optional<SecFld<Fp64>>> kept_sub(kN);
  run_local<Fp64>(kN, Fp64{}, SessionOptions{}, [&](Session<Fp64>& s) -> asio::awaitable<void> {
    auto sub = co_await s.sub_session(Fp64(kOtherPrime));
    const auto x = co_await s.input_all(secint(32), in[s.id()]);
    const auto product = co_await s.mul(x[0], x[1]);
    const std::vector<Fp64::Element> seven(1, sub.field().from_uint(7));
    const auto y = co_await sub.input(secfld(), 0, seven, 1);
    std::lock_guard lock(m);
    kept[s.id()] = product;
    kept_sub[s.id()] = y;
  });
  const Fp64 plain;
  const Fp64 other(kOtherPrime);
  const Shamir<Fp64> shamir(plain, kN, 1), shamir_other(other, kN, 1);
  std::vector<std::vector<Fp64::Element>> shares, shares_sub;
  for (std::size_t i = 0; i < kN; ++i) {
    ASSERT_TRUE(kept[i] && kept_sub[i]);
    EXPECT_EQ(kept[i]->value().field().name(), plain.name());
    EXPECT_EQ(kept_sub[i]->field().name(), other.name());
    // A local operation on a kept value reads its field.
    const SecInt<Fp64> doubled = *kept[i] + *kept[i];
    shares.push_back(doubled.value().shares());
    shares_sub.push_back(kept_sub[i]->shares());
  }
  const std::vector<std::size_t> ids{0, 2};
  const std::vector<std::span<const Fp64::Element>> views{shares[0], shares[2]}, views_sub{shares_sub[0], shares_sub[2]};
  const auto opened = shamir.reconstruct(ids, views);
  const auto opened_sub = shamir_other.reconstruct(ids, views_sub);
  for (std::size_t k = 0; k < kCount; ++k) EXPECT_EQ(plain.to_int(opened[k]), 2 * in[0][k] * in[1][k]);
  EXPECT_EQ(other.to_uint(opened_sub[0]), 7u);
}

}  // namespace
}  // namespace meshmpc
