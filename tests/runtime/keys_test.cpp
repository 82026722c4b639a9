// Key hygiene of the session set-up: pairwise subkeys per use agree across each
// pair and differ by use and by pair; received key payloads are wiped.
#include "party_values.hpp"

#include <meshmpc/field/fp64.hpp>
#include <meshmpc/runtime/run_local.hpp>
#include <meshmpc/runtime/protocols/setup.hpp>

#include <gtest/gtest.h>

#include <map>
#include <mutex>
#include <tuple>

namespace meshmpc {
namespace {

namespace asio = boost::asio;

TEST(Keys, ReceivedKeyPayloadsAreWipedWhateverTheirSize) {
  net::Payload good(Prg::kKeyBytes);
  for (std::size_t i = 0; i < good.size(); ++i) good[i] = static_cast<std::byte>(i + 1);
  const net::Payload copy = good;
  Prg::Key key{};
  protocols::detail::read_key(good, 1, key);
  EXPECT_TRUE(std::equal(key.begin(), key.end(), copy.begin()));
  EXPECT_EQ(good, net::Payload(Prg::kKeyBytes, std::byte{0}));

  net::Payload short_one(Prg::kKeyBytes - 1, std::byte{0x77});
  try {
    protocols::detail::read_key(short_one, 4, key);
    ADD_FAILURE() << "a 31-byte key was accepted";
  } catch (const ProtocolError& e) {
    EXPECT_NE(std::string(e.what()).find("party 4 sent a key of 31 bytes, expected 32"), std::string::npos)
        << e.what();
  }
  EXPECT_EQ(short_one, net::Payload(Prg::kKeyBytes - 1, std::byte{0}));
}

// At n = 4 every party holds one subkey per use and peer; the two ends of a pair
// must hold the same subkeys (GRR and dealt bits compute the same streams at
// both ends), and no subkey may serve two uses or two pairs. Products checked
// against the plain ones, so the subkeys are the ones the protocols use.
TEST(Keys, PairSubkeysAgreeAcrossEachPairAndDifferByUseAndPair) {
  constexpr std::size_t kN = 4;
  constexpr std::size_t kCount = 20;
  std::vector<std::vector<std::int64_t>> in;
  for (std::size_t i = 0; i < kN; ++i) in.push_back(test::party_values(i, kCount));
  std::mutex m;
  std::map<std::tuple<std::size_t, std::size_t, std::size_t>, Prg::Key> held;  // (self, peer, use)
  std::size_t checked = 0;
  run_local<Fp64>(kN, Fp64{}, SessionOptions{}, [&](Session<Fp64>& s) -> asio::awaitable<void> {
    const auto x = co_await s.input_all(secint(32), in[s.id()]);
    const auto out = co_await s.output(co_await s.mul(x[1], x[3]));
    const auto bits = co_await s.output(co_await s.random_bits(secint(32), 64));
    std::lock_guard lock(m);
    for (std::size_t k = 0; k < kCount; ++k) EXPECT_EQ(out[k], in[1][k] * in[3][k]);
    // t = 1 at n = 4: the bits come by dealt XOR, from the "rbit-xor" subkeys.
    std::size_t ones = 0;
    for (auto b : bits) {
      EXPECT_TRUE(b == 0 || b == 1) << b;
      ones += static_cast<std::size_t>(b == 1);
    }
    EXPECT_GT(ones, 8u);  // Binomial(64, 1/2) <= 8 or >= 56: probability < 10^-8
    EXPECT_LT(ones, 56u);
    for (std::size_t j = 0; j < kN; ++j) {
      if (j == s.id()) continue;
      for (std::size_t u = 0; u < kPairKeyUses; ++u)
        held[{s.id(), j, u}] = protocols::core_of(s).pair_key(j, static_cast<PairKeyUse>(u));
    }
    ++checked;
  });
  ASSERT_EQ(checked, kN);
  ASSERT_EQ(held.size(), kN * (kN - 1) * kPairKeyUses);
  for (const auto& [where, key] : held) {
    const auto [i, j, u] = where;
    EXPECT_EQ(held.at({j, i, u}), key) << "pair " << i << "," << j << " use " << u;
    EXPECT_NE(key, Prg::Key{});
    for (const auto& [other_where, other] : held) {
      const auto [a, b, v] = other_where;
      const bool same_pair = (a == i && b == j) || (a == j && b == i);
      if (same_pair && v == u) continue;
      EXPECT_NE(key, other) << "(" << i << "," << j << "," << u << ") vs (" << a << "," << b << "," << v << ")";
    }
  }
}

}  // namespace
}  // namespace meshmpc
