// NtlField's construction, and its use of NTL's thread-local modulus: fields with
// different moduli side by side, in several threads, around a caller's own modulus.
#include "reference.hpp"

#include <meshmpc/field/ntl_field.hpp>
#include <meshmpc/sharing/prg.hpp>

#include <gtest/gtest.h>

#include <NTL/ZZ.h>
#include <NTL/ZZ_p.h>

#include <atomic>
#include <optional>
#include <span>
#include <string>
#include <thread>
#include <vector>

namespace meshmpc {
namespace {

using test::str;

constexpr const char* kPrime256 =
    "115792089237316195423570985008687907853269984665640564039457584007913129639747";  // 2^256 - 189
constexpr const char* kPrime128 = "340282366920938463463374607431768211297";  // 2^128 - 159

TEST(NtlField, RefusesNonPrimesNamingTheModulus) {
  const NTL::ZZ p256 = NtlField(kPrime256).modulus();
  for (const NTL::ZZ& n : {NTL::ZZ(0), NTL::ZZ(1), NTL::ZZ(2), NTL::ZZ(-7), NTL::ZZ(561), NTL::ZZ(1) << 64,
                           (NTL::ZZ(1) << 256) - 1, p256 * 3, p256 * p256}) {
    try {
      const NtlField f(n);
      ADD_FAILURE() << n << " accepted as " << f.name();
    } catch (const ConfigError& e) {
      EXPECT_NE(std::string(e.what()).find(str(n)), std::string::npos) << e.what();
    }
  }
}

TEST(NtlField, RefusesModulusTextThatIsNotDecimal) {
  for (const char* text : {"", "12a", "-7", " 101", "101 ", "0x65", "1e9"}) {
    try {
      const NtlField f{std::string_view(text)};
      ADD_FAILURE() << "'" << text << "' accepted as " << f.name();
    } catch (const ConfigError& e) {
      EXPECT_NE(std::string(e.what()).find("'" + std::string(text) + "'"), std::string::npos) << e.what();
    }
  }
  EXPECT_THROW(NtlField("100"), ConfigError);
}

TEST(NtlField, DecimalAndIntegerConstructorsAgree) {
  const NtlField a(kPrime256);
  const NtlField b((NTL::ZZ(1) << 256) - 189);
  EXPECT_EQ(a.modulus(), b.modulus());
  EXPECT_EQ(a.name(), std::string("GF(") + kPrime256 + ")");
  EXPECT_EQ(a.bit_length(), 256U);
  EXPECT_EQ(a.byte_size(), 32U);
  const NtlField small("65537");
  EXPECT_EQ(small.modulus(), 65537);
  EXPECT_EQ(small.bit_length(), 17U);
  EXPECT_EQ(small.byte_size(), 3U);
}

// Every kind of operation, on one field, checked against plain ZZ arithmetic.
void exercise(const NtlField& f, long seed) {
  const NTL::ZZ p = f.modulus();
  const auto xs = test::random_values(p, 16, seed);
  const auto ys = test::random_values(p, 16, seed + 1);
  const auto x = test::elements(f, xs);
  const auto y = test::elements(f, ys);
  std::vector<NtlField::Element> out(x.size());
  f.mul(std::span(out), std::span(x), std::span(y));
  NTL::ZZ dot(0);
  for (std::size_t i = 0; i < x.size(); ++i) {
    ASSERT_EQ(f.canonical(out[i]), NTL::MulMod(xs[i], ys[i], p));
    ASSERT_EQ(f.canonical(f.add(x[i], y[i])), NTL::AddMod(xs[i], ys[i], p));
    dot = NTL::AddMod(dot, NTL::MulMod(xs[i], ys[i], p), p);
  }
  ASSERT_EQ(f.canonical(f.inner(std::span(x), std::span(y))), dot);
  ASSERT_EQ(f.canonical(f.inv(x[0])), NTL::InvMod(xs[0], p));
  const auto square = f.mul(x[1], x[1]);
  const auto root = f.sqrt(square);
  ASSERT_TRUE(root.has_value());
  ASSERT_EQ(f.mul(*root, *root), square);
  ASSERT_EQ(f.canonical(f.pow(x[2], std::uint64_t{12345})), NTL::PowerMod(xs[2], 12345, p));
  ASSERT_EQ(f.to_int(f.from_int(-5)), -5);
  Prg prg(Prg::Key{}, static_cast<std::uint64_t>(seed));
  ASSERT_LT(f.canonical(f.random(prg)), p);
}

TEST(NtlField, RestoresTheCallersModulus) {
  const NtlField f(kPrime256);
  const NTL::ZZ mine(1000003);
  NTL::ZZ_p::init(mine);
  const NTL::ZZ_p u = NTL::to_ZZ_p(1000);
  exercise(f, 1);
  EXPECT_EQ(NTL::ZZ_p::modulus(), mine);
  EXPECT_EQ(NTL::rep(u * u), 1000000 % 1000003);
  {
    const auto guard = f.enter();
    EXPECT_EQ(NTL::ZZ_p::modulus(), f.modulus());
    EXPECT_EQ(f.canonical(f.mul(f.from_int(-1), f.from_int(-1))), 1);
  }
  EXPECT_EQ(NTL::ZZ_p::modulus(), mine);
  // Errors restore it too.
  EXPECT_THROW(f.inv(f.zero()), RangeError);
  std::vector<NtlField::Element> v = {f.one(), f.zero()};
  EXPECT_THROW(f.batch_inv(std::span(v), std::span(v)), RangeError);
  EXPECT_EQ(NTL::ZZ_p::modulus(), mine);
}

TEST(NtlField, WorksInAThreadWithNoModulusAndLeavesNoneBehind) {
  const NtlField f(kPrime128);
  std::atomic<bool> none_before{false}, none_after{false};
  std::thread t([&] {
    none_before = NTL::ZZ_pInfo == nullptr;
    exercise(f, 2);
    none_after = NTL::ZZ_pInfo == nullptr;
  });
  t.join();
  EXPECT_TRUE(none_before);
  EXPECT_TRUE(none_after);
}

TEST(NtlField, CopiesOutliveTheOriginal) {
  std::optional<NtlField> original(std::in_place, kPrime256);
  const NtlField copy = *original;
  const auto x = original->from_int(-3);
  original.reset();
  exercise(copy, 3);
  EXPECT_EQ(copy.to_int(copy.mul(x, x)), 9);
}

TEST(NtlField, TwoModuliUsedConcurrentlyFromFourThreadsGiveCorrectResults) {
  const NtlField big(kPrime256);
  const NtlField mid(kPrime128);
  const NtlField small("1000003");
  std::atomic<long> wrong{0};
  std::vector<std::thread> threads;
  for (long t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      // Odd threads hold a modulus of their own, as a user's NTL code might.
      if (t % 2 == 1) NTL::ZZ_p::init(small.modulus());
      NTL::SetSeed(NTL::ZZ(100 + t));
      for (int round = 0; round < 300; ++round) {
        const NtlField& f = (round + t) % 2 == 0 ? big : mid;
        const NTL::ZZ& p = f.modulus();
        const NTL::ZZ a = NTL::RandomBnd(p);
        const NTL::ZZ b = NTL::RandomBnd(p);
        if (f.canonical(f.mul(f.from_canonical(a), f.from_canonical(b))) != NTL::MulMod(a, b, p)) ++wrong;
        std::vector<NtlField::Element> x = {f.from_canonical(a), f.from_canonical(b), f.from_canonical(b)};
        std::vector<NtlField::Element> y = {f.from_canonical(b), f.from_canonical(a), f.from_canonical(a)};
        f.mul(std::span(x), std::span(x), std::span(y));
        for (const auto& e : x)
          if (f.canonical(e) != NTL::MulMod(a, b, p)) ++wrong;
        if (t % 2 == 1 && NTL::ZZ_p::modulus() != small.modulus()) ++wrong;
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(wrong.load(), 0);
}

}  // namespace
}  // namespace meshmpc
