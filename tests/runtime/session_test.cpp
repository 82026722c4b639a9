// Arithmetic protocols among n = 3, 5, 7 parties over the in-memory transport,
// both multiplication protocols, every result checked against the plain
// computation of the same function.
#include "party_values.hpp"

#include <meshmpc/field/fp127.hpp>
#include <meshmpc/field/fp64.hpp>
#include <meshmpc/runtime/session_ntl.hpp>
#include <meshmpc/runtime/run_local.hpp>
#include <meshmpc/runtime/protocols/io.hpp>
#include <meshmpc/runtime/protocols/random.hpp>

#include <boost/asio/experimental/awaitable_operators.hpp>
#include <gtest/gtest.h>

#include <array>
#include <mutex>
#include <set>

namespace meshmpc {
namespace {

struct Params {
  std::size_t n;
  MulProtocol mul;
  Randomness randomness;
};

std::string name_of(const testing::TestParamInfo<Params>& info) {
  const Randomness r = info.param.randomness;
  return "n" + std::to_string(info.param.n) + "_" + to_string(info.param.mul) +
         (r == Randomness::prss ? "" : "_" + to_string(r));
}

class Arithmetic : public testing::TestWithParam<Params> {};

// Each party inputs a vector; the parties compute, for each position k,
//   s_k = sum_i x_ik,  p_k = x_0k * x_1k * x_2k,  and the inner product <x_0, x_1>,
// and open them. Checked on every party.
template <class F>
void run_arithmetic(const F& field, const Params& p) {
  constexpr std::size_t kCount = 257;  // not a multiple of any n: king rotation wraps
  const std::size_t n = p.n;
  std::vector<std::vector<std::int64_t>> inputs;
  for (std::size_t i = 0; i < n; ++i) inputs.push_back(test::party_values(i, kCount));
  std::vector<std::int64_t> sum(kCount, 0), prod(kCount, 1);
  std::int64_t dot = 0;
  for (std::size_t k = 0; k < kCount; ++k) {
    for (std::size_t i = 0; i < n; ++i) sum[k] += inputs[i][k];
    prod[k] = inputs[0][k] * inputs[1][k] * inputs[2][k];
    dot += inputs[0][k] * inputs[1][k];
  }
  std::mutex m;
  std::size_t checked = 0;
  const SessionOptions options{.threshold = (n - 1) / 2, .mul = p.mul, .randomness = p.randomness};
  run_local<F>(n, field, options, [&](Session<F>& s) -> boost::asio::awaitable<void> {
    std::vector<typename F::Element> mine;
    for (auto v : inputs[s.id()]) mine.push_back(s.field().from_int(v));
    const auto x = co_await s.input_all(secfld(), mine);
    auto total = x[0];
    for (std::size_t i = 1; i < n; ++i) total = total + x[i];
    const auto p01 = co_await s.mul(x[0], x[1]);
    const auto p012 = co_await s.mul(p01, x[2]);
    const auto ip = co_await s.inner(x[0], x[1]);
    const auto opened_sum = co_await s.output(total);
    const auto opened_prod = co_await s.output(p012);
    const auto opened_dot = co_await s.output(ip);
    std::lock_guard lock(m);
    for (std::size_t k = 0; k < kCount; ++k) {
      EXPECT_EQ(s.field().to_int(opened_sum[k]), sum[k]) << "party " << s.id() << " sum at " << k;
      EXPECT_EQ(s.field().to_int(opened_prod[k]), prod[k]) << "party " << s.id() << " product at " << k;
    }
    EXPECT_EQ(s.field().to_int(opened_dot[0]), dot);
    ++checked;
  });
  EXPECT_EQ(checked, n);
}

TEST_P(Arithmetic, MatchesPlainComputationFp64) { run_arithmetic(Fp64{}, GetParam()); }
TEST_P(Arithmetic, MatchesPlainComputationFp127) { run_arithmetic(Fp127{}, GetParam()); }
// Any prime through NTL: 2^128 - 159.
TEST_P(Arithmetic, MatchesPlainComputationNtl128) {
  run_arithmetic(NtlField("340282366920938463463374607431768211297"), GetParam());
}

INSTANTIATE_TEST_SUITE_P(Parties, Arithmetic,
                         testing::Values(Params{3, MulProtocol::grr, Randomness::prss},
                                         Params{3, MulProtocol::dn07, Randomness::prss},
                                         Params{5, MulProtocol::grr, Randomness::prss},
                                         Params{5, MulProtocol::dn07, Randomness::prss},
                                         Params{7, MulProtocol::grr, Randomness::prss},
                                         Params{7, MulProtocol::dn07, Randomness::prss},
                                         Params{3, MulProtocol::grr, Randomness::extraction},
                                         Params{5, MulProtocol::grr, Randomness::extraction},
                                         Params{3, MulProtocol::dn07, Randomness::extraction},
                                         Params{7, MulProtocol::dn07, Randomness::extraction}),
                         name_of);

TEST(Session, PrivateOutputReachesOnlyItsReceiver) {
  const Fp64 field;
  std::mutex m;
  std::vector<std::optional<std::int64_t>> seen(3);
  run_local<Fp64>(3, field, {.threshold = 1}, [&](Session<Fp64>& s) -> boost::asio::awaitable<void> {
    const std::vector v{s.field().from_int(100 + static_cast<std::int64_t>(s.id()))};
    const auto x = co_await s.input_all(secfld(), v);
    // Party 2 learns party 0's value + party 1's value; parties 0 and 1 learn nothing.
    const std::vector<std::size_t> to{2};
    const auto out = co_await s.output_to(to, x[0] + x[1]);
    std::lock_guard lock(m);
    if (out) seen[s.id()] = s.field().to_int((*out)[0]);
  });
  EXPECT_FALSE(seen[0].has_value());
  EXPECT_FALSE(seen[1].has_value());
  ASSERT_TRUE(seen[2].has_value());
  EXPECT_EQ(*seen[2], 201);
}

// x0 * x1 opened, for the parties' inputs `mine`: three rounds.
boost::asio::awaitable<std::uint64_t> product_of_inputs(Session<Fp64>& s, std::uint64_t mine) {
  const std::vector<Fp64::Element> v(1, s.field().from_uint(mine));
  const auto x = co_await s.input_all(secfld(), v);
  const auto p = co_await s.mul(x[0], x[1]);
  co_return s.field().to_uint((co_await s.output(p))[0]);
}

// A session over GF(2^61 - 1) on the links of one over GF(2^64 - 59), both
// computing at once: each in its own field (2^40 * 2^30 differs mod the two
// primes), their messages never mixed — the same steps of the two programs carry
// different labels.
TEST(Session, SubSessionComputesInItsOwnFieldOnTheSameLinks) {
  using namespace boost::asio::experimental::awaitable_operators;
  constexpr std::uint64_t kOther = (std::uint64_t{1} << 61) - 1;
  const Fp64 outer_field;
  // 2^70 mod p, by doubling 2^35 (which fits) 35 times mod p.
  const auto product_mod = [](std::uint64_t p) {
    std::uint64_t v = (std::uint64_t{1} << 35) % p;
    for (int i = 0; i < 35; ++i) v = v >= p - v ? v - (p - v) : 2 * v;
    return v;
  };
  std::mutex m;
  std::vector<std::array<std::uint64_t, 3>> seen;
  run_local<Fp64>(3, outer_field, {.threshold = 1}, [&](Session<Fp64>& s) -> boost::asio::awaitable<void> {
    const std::uint64_t mine = s.id() == 0 ? std::uint64_t{1} << 40 : std::uint64_t{1} << 30;
    auto sub = co_await s.sub_session(Fp64(kOther));
    const auto [outer, inner] = co_await (product_of_inputs(s, mine) && product_of_inputs(sub, mine));
    const auto again = co_await product_of_inputs(s, std::uint64_t{1} << 20);
    std::lock_guard lock(m);
    seen.push_back({outer, inner, again});
  });
  ASSERT_EQ(seen.size(), 3u);
  for (const auto& r : seen) {
    EXPECT_EQ(r[0], product_mod(outer_field.modulus()));
    EXPECT_EQ(r[1], product_mod(kOther));
    EXPECT_EQ(r[2], std::uint64_t{1} << 40);
  }
  EXPECT_NE(product_mod(outer_field.modulus()), product_mod(kOther));
}

// A party's rounds are all its sessions' rounds: what a sub-session takes counts
// in the session that started it (its root scope is a child of the parent's
// handle; its set-up counts no rounds), which the party's summary reports
// (cli/run.hpp). Run one after the other, the sub-session's depth adds to the
// parent's (rounds_test.cpp has it run alongside).
TEST(Session, SubSessionRoundsCountInTheSessionThatStartedIt) {
  std::mutex m;
  std::vector<std::array<std::uint64_t, 3>> seen;  // parent's added rounds, sub's rounds, parent's own after
  run_local<Fp64>(3, Fp64{}, {.threshold = 1}, [&](Session<Fp64>& s) -> boost::asio::awaitable<void> {
    const std::uint64_t before = s.rounds();
    auto sub = co_await s.sub_session(Fp64((std::uint64_t{1} << 61) - 1));
    (void)co_await product_of_inputs(sub, 3);
    const std::uint64_t with_sub = s.rounds();
    (void)co_await product_of_inputs(s, 5);
    std::lock_guard lock(m);
    seen.push_back({with_sub - before, sub.rounds(), s.rounds() - with_sub});
  });
  ASSERT_EQ(seen.size(), 3u);
  for (const auto& r : seen) {
    EXPECT_GT(r[1], 0u);
    EXPECT_EQ(r[0], r[1]);
    EXPECT_GT(r[2], 0u);
  }
}

TEST(Session, InputFromOneOwner) {
  const Fp64 field;
  std::mutex m;
  std::size_t checked = 0;
  run_local<Fp64>(5, field, {.threshold = 2}, [&](Session<Fp64>& s) -> boost::asio::awaitable<void> {
    const auto values = test::party_values(3, 10);
    std::vector<Fp64::Element> mine;
    if (s.id() == 3)
      for (auto v : values) mine.push_back(s.field().from_int(v));
    const auto x = co_await s.input(secfld(), 3, mine, 10);
    const auto opened = co_await s.output(s.field().from_int(3) * x);
    std::lock_guard lock(m);
    for (std::size_t k = 0; k < 10; ++k) EXPECT_EQ(s.field().to_int(opened[k]), 3 * values[k]);
    ++checked;
  });
  EXPECT_EQ(checked, 5u);
}

class RandomSharings : public testing::TestWithParam<Randomness> {};

TEST_P(RandomSharings, RandomBitsAreBitsAndVary) {
  const Fp64 field;
  constexpr std::size_t kCount = 400;
  std::mutex m;
  std::vector<std::vector<std::int64_t>> bits(3);
  run_local<Fp64>(3, field, {.threshold = 1, .randomness = GetParam()}, [&](Session<Fp64>& s) -> boost::asio::awaitable<void> {
    const auto b = co_await s.random_bits(secfld(), kCount);
    const auto opened = co_await s.output(b);
    std::lock_guard lock(m);
    for (auto v : opened) bits[s.id()].push_back(s.field().to_int(v));
  });
  std::size_t ones = 0;
  for (auto v : bits[0]) {
    ASSERT_TRUE(v == 0 || v == 1) << v;
    ones += static_cast<std::size_t>(v);
  }
  EXPECT_EQ(bits[0], bits[1]);
  EXPECT_EQ(bits[0], bits[2]);
  // Binomial(400, 1/2): outside [100, 300] has probability < 10^-20.
  EXPECT_GT(ones, 100u);
  EXPECT_LT(ones, 300u);
}

TEST_P(RandomSharings, RandomSharingsAreConsistentAndDistinct) {
  const Fp64 field;
  std::mutex m;
  std::vector<std::vector<Fp64::Element>> values(5);
  run_local<Fp64>(5, field, {.threshold = 2, .randomness = GetParam()}, [&](Session<Fp64>& s) -> boost::asio::awaitable<void> {
    const auto r = co_await s.random(secfld(), 64);
    const auto opened = co_await s.output(r);
    std::lock_guard lock(m);
    values[s.id()] = opened;
  });
  for (std::size_t i = 1; i < 5; ++i) EXPECT_EQ(values[i], values[0]);
  std::set<std::uint64_t> distinct;
  for (auto v : values[0]) distinct.insert(field.to_uint(v));
  EXPECT_EQ(distinct.size(), 64u);  // a repeat among 64 uniform 64-bit values: ~2^-52
}

// t = 1 random bits (random_bits_by_dealt_xor): each party knows the PRSS bits of
// its own keys, and the dealer of a bit the XOR of them; neither may equal the bit.
// On the bits it dealt, every party's XOR of its known bits must agree with the
// opened bits only about half the time (at n = 3 and n = 4), and the bits are bits.
class DealtXorBits : public testing::TestWithParam<std::size_t> {};

TEST_P(DealtXorBits, NoSinglePartyKnowsTheBits) {
  const std::size_t n = GetParam();
  constexpr std::size_t kCount = 1200;
  const Fp64 field;
  std::mutex m;
  std::vector<std::vector<std::int64_t>> opened(n);
  std::vector<std::vector<std::uint8_t>> known(n);
  run_local<Fp64>(n, field, {.threshold = 1, .randomness = Randomness::prss},
                  [&](Session<Fp64>& s) -> boost::asio::awaitable<void> {
    Scope scope(0x5eed);
    Scope copy = scope;
    const auto counter = prss_counter(copy.next_label());  // the protocol's first label
    auto& core = protocols::core_of(s);
    const auto clear = core.prss().bits(counter, kCount);
    std::vector<std::uint8_t> x(kCount, 0);
    for (const auto& key : clear)
      for (std::size_t j = 0; j < kCount; ++j) x[j] ^= key[j];
    const auto b = co_await protocols::random_bits_by_dealt_xor(core, scope, kCount);
    const auto values = co_await protocols::open(core, protocols::next_scope(s), b, s.t());
    std::lock_guard lock(m);
    for (auto v : values) opened[s.id()].push_back(s.field().to_int(v));
    known[s.id()] = x;
  });
  for (std::size_t i = 0; i < n; ++i) {
    ASSERT_EQ(opened[i], opened[0]);
    std::size_t agree = 0, dealt = 0, ones = 0;
    for (std::size_t j = 0; j < kCount; ++j) {
      ASSERT_TRUE(opened[i][j] == 0 || opened[i][j] == 1) << opened[i][j];
      ones += static_cast<std::size_t>(opened[i][j]);
      if (j % n != i) continue;
      ++dealt;
      agree += known[i][j] == opened[i][j] ? 1 : 0;
    }
    // Binomial(m, 1/2) outside [m/4, 3m/4] for m >= 300: probability < 10^-17.
    EXPECT_GT(agree, dealt / 4) << "party " << i;
    EXPECT_LT(agree, 3 * dealt / 4) << "party " << i << " knows the bits it dealt";
    EXPECT_GT(ones, kCount / 4);
    EXPECT_LT(ones, 3 * kCount / 4);
  }
}

INSTANTIATE_TEST_SUITE_P(Parties, DealtXorBits, testing::Values(3, 4));

INSTANTIATE_TEST_SUITE_P(Sources, RandomSharings, testing::Values(Randomness::prss, Randomness::extraction),
                         [](const auto& info) { return to_string(info.param); });

}  // namespace
}  // namespace meshmpc
