#include <meshmpc/sharing/prss.hpp>
#include <meshmpc/sharing/shamir.hpp>

#include "test_support.hpp"

#include <gtest/gtest.h>

#include <map>
#include <numeric>
#include <vector>

namespace meshmpc {
namespace {

using namespace test;  // test_support.hpp

// All n parties of one PRSS set-up, each with its own object and only its keys.
template <class F>
struct Parties {
  std::map<Subset, Prg::Key> all_keys;
  std::vector<Prss<F>> prss;

  Parties(const F& field, std::size_t n, std::size_t t) {
    for (const auto& a : prss_subsets(n, t)) all_keys[a] = Prg::random_key();
    prss.reserve(n);
    for (std::size_t i = 0; i < n; ++i) {
      std::map<Subset, Prg::Key> mine;
      for (const auto& role : prss_key_roles(n, t, i)) mine[role.subset] = all_keys.at(role.subset);
      prss.emplace_back(field, n, t, i, std::move(mine));
    }
  }
};

template <class F>
class PrssTyped : public ::testing::Test {
 protected:
  F field;
};
TYPED_TEST_SUITE(PrssTyped, SharingFields);

// Runs fill(prss, out) for every party and returns the share table.
template <class F, class Fill>
std::vector<std::vector<typename F::Element>> shares_of(Parties<F>& parties, std::size_t m, Fill fill) {
  std::vector<std::vector<typename F::Element>> out(parties.prss.size(), std::vector<typename F::Element>(m));
  for (std::size_t i = 0; i < parties.prss.size(); ++i) fill(parties.prss[i], std::span(out[i]));
  return out;
}

TYPED_TEST(PrssTyped, RandomSharesAreConsistentDegreeTSharingsOfTheSumOfPrfOutputs) {
  using E = typename TypeParam::Element;
  const auto& f = this->field;
  for (std::size_t n = 1; n <= 7; ++n) {
    for (std::size_t t = 0; 2 * t < n; ++t) {
      Parties<TypeParam> parties(f, n, t);
      const Shamir<TypeParam> shamir(f, n, t);
      const std::size_t m = 5;
      const auto shares = shares_of(parties, m, [](auto& p, auto out) { p.random_shares(17, out); });
      std::vector<std::size_t> first(t + 1);
      std::iota(first.begin(), first.end(), 0);
      const auto r = shamir.reconstruct(first, views_of(shares, first));
      for (const auto& ids : subsets_of_size(n, t + 1))
        ASSERT_EQ(shamir.reconstruct(ids, views_of(shares, ids)), r) << "n=" << n << " t=" << t;
      // r = sum_A PRF(K_A,rnd, 17), with the subkey and nonce documented in prss.hpp.
      std::vector<E> expected(m, f.zero());
      for (const auto& [subset, key] : parties.all_keys) {
        Prg prf(Prss<TypeParam>::kind_key(key, Prss<TypeParam>::Kind::kRandom), 17);
        for (auto& e : expected) e = f.add(e, f.random(prf));
      }
      EXPECT_EQ(r, expected) << "n=" << n << " t=" << t;
    }
  }
}

TYPED_TEST(PrssTyped, ZeroSharesOpenToZeroFromEveryTwoTPlusOneParties) {
  const auto& f = this->field;
  for (std::size_t n = 1; n <= 7; ++n) {
    for (std::size_t t = 0; 2 * t < n; ++t) {
      Parties<TypeParam> parties(f, n, t);
      const Shamir<TypeParam> shamir(f, n, t);
      const std::size_t m = 300;  // more than one block
      const auto shares = shares_of(parties, m, [](auto& p, auto out) { p.zero_shares(3, out); });
      const std::vector<typename TypeParam::Element> zeros(m, f.zero());
      for (const auto& ids : subsets_of_size(n, 2 * t + 1))
        ASSERT_EQ(shamir.reconstruct(ids, views_of(shares, ids), 2 * t), zeros) << "n=" << n << " t=" << t;
      if (t >= 1) {
        for (const auto& s : shares) EXPECT_NE(s, zeros) << "n=" << n << " t=" << t;
        // Of degree exactly 2t: read as degree 2t - 1 from 2t parties it is not zero.
        std::vector<std::size_t> ids(2 * t);
        std::iota(ids.begin(), ids.end(), 0);
        EXPECT_NE(shamir.reconstruct(ids, views_of(shares, ids), 2 * t - 1), zeros);
      }
    }
  }
}

TYPED_TEST(PrssTyped, BoundedIntegersStayBelowTheirBound) {
  const auto& f = this->field;
  const std::size_t bits = 16;
  for (std::size_t n = 1; n <= 7; ++n) {
    for (std::size_t t = 0; 2 * t < n; ++t) {
      Parties<TypeParam> parties(f, n, t);
      const Shamir<TypeParam> shamir(f, n, t);
      const std::size_t m = 64;
      const auto shares = shares_of(parties, m, [&](auto& p, auto out) { p.random_int_shares(5, bits, out); });
      std::vector<std::size_t> ids(t + 1);
      std::iota(ids.begin(), ids.end(), n - t - 1);
      const auto r = shamir.reconstruct(ids, views_of(shares, ids));
      const std::int64_t bound = static_cast<std::int64_t>(binomial(n, t)) << bits;
      std::int64_t largest = 0;
      for (std::size_t s = 0; s < m; ++s) {
        const std::int64_t v = f.to_int(r[s]);
        ASSERT_GE(v, 0);
        ASSERT_LT(v, bound);
        largest = std::max(largest, v);
        // Known answer: the sum of the PRF words masked to 16 bits.
        std::int64_t expected = 0;
        for (const auto& [subset, key] : parties.all_keys) {
          Prg prf(Prss<TypeParam>::kind_key(key, Prss<TypeParam>::Kind::kInteger), 5);
          for (std::size_t skip = 0; skip < s; ++skip) prf.next_word();
          expected += static_cast<std::int64_t>(prf.next_word() & 0xffffU);
        }
        ASSERT_EQ(v, expected);
      }
      // A sum of C(n,t) >= 2 uniform 16-bit values exceeds 2^16 in some of 64 draws.
      if (binomial(n, t) >= 2) {
        EXPECT_GE(largest, std::int64_t{1} << bits);
      }
    }
  }
}

TYPED_TEST(PrssTyped, DoubleRandomSharesHideTheSameValueAtDegreesTAndTwoT) {
  const auto& f = this->field;
  for (std::size_t n = 3; n <= 7; ++n) {
    const std::size_t t = (n - 1) / 2;
    Parties<TypeParam> parties(f, n, t);
    const Shamir<TypeParam> shamir(f, n, t);
    const std::size_t m = 40;
    std::vector<std::vector<typename TypeParam::Element>> rt(n, std::vector<typename TypeParam::Element>(m)), r2t = rt;
    for (std::size_t i = 0; i < n; ++i) parties.prss[i].double_random_shares(9, rt[i], r2t[i]);
    std::vector<std::size_t> ids(2 * t + 1);
    std::iota(ids.begin(), ids.end(), 0);
    const auto r = shamir.reconstruct(ids, views_of(r2t, ids), 2 * t);
    ids.resize(t + 1);
    EXPECT_EQ(shamir.reconstruct(ids, views_of(rt, ids)), r);
    EXPECT_NE(rt, r2t);
    // Own streams: not the value random_shares(9) gives.
    const auto plain = shares_of(parties, m, [](auto& p, auto out) { p.random_shares(9, out); });
    EXPECT_NE(shamir.reconstruct(ids, views_of(plain, ids)), r);
  }
}

TYPED_TEST(PrssTyped, DifferentCountersAndMethodsGiveDifferentValues) {
  const auto& f = this->field;
  Parties<TypeParam> parties(f, 5, 2);
  const Shamir<TypeParam> shamir(f, 5, 2);
  const std::vector<std::size_t> ids{0, 1, 2};
  auto open_random = [&](std::uint64_t c) {
    const auto s = shares_of(parties, 8, [c](auto& p, auto out) { p.random_shares(c, out); });
    return shamir.reconstruct(ids, views_of(s, ids));
  };
  const auto r0 = open_random(0), r1 = open_random(1), r2 = open_random(~std::uint64_t{0});
  EXPECT_NE(r0, r1);
  EXPECT_NE(r0, r2);
  EXPECT_NE(r1, r2);
  EXPECT_EQ(open_random(1), r1);  // deterministic
  // The zero sharing of counter 0 uses other streams than the random sharing of 0.
  const auto z = shares_of(parties, 8, [](auto& p, auto out) { p.zero_shares(0, out); });
  const auto s0 = shares_of(parties, 8, [](auto& p, auto out) { p.random_shares(0, out); });
  for (std::size_t i = 0; i < 5; ++i) EXPECT_NE(z[i], s0[i]);
}

TEST(Prss, IntegersWiderThanAWordInFp127) {
  const Fp127 f;
  const std::size_t n = 5, t = 2, bits = 100;
  Parties<Fp127> parties(f, n, t);
  const Shamir<Fp127> shamir(f, n, t);
  const auto shares = shares_of(parties, 32, [&](auto& p, auto out) { p.random_int_shares(1, bits, out); });
  const std::vector<std::size_t> ids{1, 3, 4};
  const auto r = shamir.reconstruct(ids, views_of(shares, ids));
  const i128 bound = static_cast<i128>(binomial(n, t)) << bits;
  bool above_64_bits = false;
  for (std::size_t s = 0; s < r.size(); ++s) {
    const i128 v = f.to_int128(r[s]);
    EXPECT_GE(v, 0);
    EXPECT_LT(v, bound);
    above_64_bits = above_64_bits || (v >> 64) != 0;
    // Known answer: two words per output, lowest limb first, top limb masked to 36 bits.
    i128 expected = 0;
    for (const auto& [subset, key] : parties.all_keys) {
      Prg prf(Prss<Fp127>::kind_key(key, Prss<Fp127>::Kind::kInteger), 1);
      for (std::size_t skip = 0; skip < 2 * s; ++skip) prf.next_word();
      const std::uint64_t lo = prf.next_word();
      const std::uint64_t hi = prf.next_word() & ((std::uint64_t{1} << 36) - 1);
      expected += static_cast<i128>((static_cast<u128>(hi) << 64) | lo);
    }
    EXPECT_TRUE(v == expected) << "element " << s;
  }
  EXPECT_TRUE(above_64_bits);
}

TEST(Prss, RefusesIntegerWidthsThatCouldWrap) {
  const Fp64 f;
  Parties<Fp64> parties(f, 3, 1);  // C(3,1) = 3 takes 2 bits
  std::vector<Fp64::Element> out(4);
  EXPECT_NO_THROW(parties.prss[0].random_int_shares(0, 61, out));
  expect_error<RangeError>([&] { parties.prss[0].random_int_shares(0, 62, out); }, {"62-bit", "C(3,1)", "bits <= 61"});
  expect_error<RangeError>([&] { parties.prss[0].random_int_shares(0, 0, out); }, {"0-bit"});
}

TEST(Prss, RefusesMissingAndForeignKeys) {
  const Fp64 f;
  std::map<Subset, Prg::Key> keys;
  for (const auto& role : prss_key_roles(5, 2, 1)) keys[role.subset] = Prg::random_key();
  auto missing = keys;
  missing.erase(Subset{1, 2, 4});
  expect_error<ConfigError>([&] { Prss<Fp64>(f, 5, 2, 1, missing); }, {"party 1", "{1,2,4}", "dealt by party 1"});
  auto foreign = keys;
  foreign[Subset{0, 2, 3}] = Prg::random_key();
  expect_error<ConfigError>([&] { Prss<Fp64>(f, 5, 2, 1, foreign); }, {"party 1", "{0,2,3}"});
  auto wrong_size = keys;
  wrong_size[Subset{1, 2}] = Prg::random_key();
  expect_error<ConfigError>([&] { Prss<Fp64>(f, 5, 2, 1, wrong_size); }, {"{1,2}"});
  EXPECT_NO_THROW(Prss<Fp64>(f, 5, 2, 1, keys));
}

TEST(Prss, RefusesBadParameters) {
  const Fp64 f;
  expect_error<ConfigError>([&] { Prss<Fp64>(f, 3, 3, 0, {}); }, {"t = 3", "n = 3"});
  expect_error<RangeError>([&] { Prss<Fp64>(f, 3, 1, 3, {}); }, {"party id 3", "n = 3"});
  expect_error<ConfigError>([&] { Prss<Fp64>(Fp64(5), 5, 2, 0, {}); }, {"n = 5", "GF(5)"});
}

TEST(Prss, RefusesDoubleSharingsOfDifferentLengths) {
  const Fp64 f;
  Parties<Fp64> parties(f, 3, 1);
  std::vector<Fp64::Element> out(2), other(3);
  expect_error<RangeError>([&] { parties.prss[0].double_random_shares(0, out, other); }, {"2", "3"});
}

// Every kind of draw reads its own subkey: no two kinds share a keystream for the
// same counter, and a subkey is never the subset key itself.
TEST(Prss, KindsHaveDistinctSubkeys) {
  using P = Prss<Fp64>;
  const Prg::Key master = Prg::random_key();
  std::vector<Prg::Key> seen{master};
  for (std::size_t k = 0; k < P::kKinds; ++k) {
    const Prg::Key sub = P::kind_key(master, static_cast<P::Kind>(k));
    for (const auto& other : seen) EXPECT_NE(sub, other) << "kind " << k;
    seen.push_back(sub);
    EXPECT_EQ(P::kind_key(master, static_cast<P::Kind>(k)), sub) << "deterministic, kind " << k;
  }
}

// bit_shares_cyclic is bit_shares with one key's vector picked per element, at
// every party (n = 3 and n = 5, t = 2: keys a party lacks give zeros in both).
TEST(Prss, CyclicBitSharesPickOneKeyPerElement) {
  const Fp64 f;
  for (const auto& [n, t] : {std::pair<std::size_t, std::size_t>{3, 1}, {5, 2}}) {
    Parties<Fp64> parties(f, n, t);
    const std::size_t count = 200, keys = prss_subsets(n, t).size();
    std::vector<std::size_t> cycle;
    for (std::size_t j = 0; j < n; ++j) cycle.push_back((3 * j + 1) % keys);
    for (std::size_t i = 0; i < n; ++i) {
      const auto all = parties.prss[i].bit_shares(9, count);
      const auto picked = parties.prss[i].bit_shares_cyclic(9, count, cycle);
      ASSERT_EQ(picked.size(), count);
      for (std::size_t j = 0; j < count; ++j) EXPECT_EQ(picked[j], all[cycle[j % n]][j]) << "party " << i << ", bit " << j;
    }
  }
  EXPECT_THROW((void)Parties<Fp64>(f, 3, 1).prss[0].bit_shares_cyclic(1, 4, {}), RangeError);
}

TEST(Prss, PackedXorOfBitsIsTheXorOfEveryKeysBits) {
  const Fp64 f;
  Parties<Fp64> parties(f, 5, 2);
  for (const std::size_t count : {std::size_t{1}, std::size_t{64}, std::size_t{130}, std::size_t{1000}})
    for (std::size_t i = 0; i < 5; ++i) {
      const auto bits = parties.prss[i].bits(11, count);
      const auto packed = parties.prss[i].xor_of_bits(11, count);
      ASSERT_EQ(packed.size(), (count + 63) / 64);
      for (std::size_t j = 0; j < count; ++j) {
        std::uint8_t x = 0;
        for (const auto& key : bits) x ^= key[j];
        EXPECT_EQ((packed[j / 64] >> (j % 64)) & 1U, x) << "party " << i << ", bit " << j << " of " << count;
      }
      // Nothing beyond the count.
      if (count % 64 != 0) {
        EXPECT_EQ(packed.back() >> (count % 64), 0U) << count;
      }
    }
}

TEST(Prss, MovedObjectKeepsWorking) {
  const Fp64 f;
  Parties<Fp64> parties(f, 3, 1);
  std::vector<Fp64::Element> before(6), after(6);
  parties.prss[2].random_shares(4, before);
  Prss<Fp64> moved = std::move(parties.prss[2]);
  moved.random_shares(4, after);
  EXPECT_EQ(before, after);
  EXPECT_EQ(moved.subsets(), (std::vector<Subset>{{0, 2}, {1, 2}}));
}

}  // namespace
}  // namespace meshmpc
