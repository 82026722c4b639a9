// Every shipped field's arithmetic against NTL's ZZ arithmetic mod p, on the edge
// values (0, 1, p-1, (p-1)/2, word boundaries) and on random values.
#include "reference.hpp"

#include <meshmpc/field.hpp>

#include <gtest/gtest.h>

#include <NTL/ZZ.h>

#include <cstdint>
#include <span>
#include <vector>

namespace meshmpc {
namespace {

using test::element;
using test::modulus;
using test::value;

constexpr std::uint64_t kFp64Primes[] = {
    3, 5, 7, 101, 65537, 2013265921,  // 15 * 2^27 + 1: Tonelli-Shanks with s = 27
    4294967311,                       // 2^32 + 15
    (1ULL << 61) - 1,
    4611686018427388039ULL,   // 2^62 + 135
    9223372036854775837ULL,   // 2^63 + 29: sums carry out of 64 bits
    18446744069414584321ULL,  // 2^64 - 2^32 + 1: s = 32
    Fp64Core::kDefaultPrime,  // 2^64 - 59
};

constexpr const char* kPrime256 =
    "115792089237316195423570985008687907853269984665640564039457584007913129639747";  // 2^256 - 189
constexpr const char* kPrime128 = "340282366920938463463374607431768211297";  // 2^128 - 159

template <class F>
std::vector<NTL::ZZ> test_values(const F& f, long seed) {
  auto v = test::edge_values(modulus(f));
  for (auto& x : test::random_values(modulus(f), 40, seed)) v.push_back(x);
  return v;
}

template <class F>
void check_scalar_ops(const F& f, long seed) {
  SCOPED_TRACE(f.name());
  const NTL::ZZ p = modulus(f);
  const auto vals = test_values(f, seed);
  for (const auto& a : vals) {
    const auto ea = element(f, a);
    ASSERT_EQ(value(f, ea), a);
    EXPECT_EQ(value(f, f.neg(ea)), NTL::NegateMod(a, p)) << a;
    EXPECT_EQ(f.is_zero(ea), a == 0);
    if (a != 0) {
      EXPECT_EQ(value(f, f.inv(ea)), NTL::InvMod(a, p)) << a;
    }
    for (const auto& b : vals) {
      const auto eb = element(f, b);
      EXPECT_EQ(value(f, f.add(ea, eb)), NTL::AddMod(a, b, p)) << a << " + " << b;
      EXPECT_EQ(value(f, f.sub(ea, eb)), NTL::SubMod(a, b, p)) << a << " - " << b;
      EXPECT_EQ(value(f, f.mul(ea, eb)), NTL::MulMod(a, b, p)) << a << " * " << b;
    }
  }
  EXPECT_EQ(value(f, f.zero()), 0);
  EXPECT_EQ(value(f, f.one()), 1);
}

template <class F>
void check_pow_and_sqrt(const F& f, long seed) {
  SCOPED_TRACE(f.name());
  const NTL::ZZ p = modulus(f);
  const auto vals = test_values(f, seed);
  std::vector<std::uint64_t> exponents = {0, 1, 2, 3, 65537, ~0ULL};
  if (NTL::NumBits(p) <= 64) {
    exponents.push_back(test::u64_of(p - 1));
    exponents.push_back(test::u64_of(p - 2));
  }
  for (const auto& a : vals) {
    const auto ea = element(f, a);
    for (const std::uint64_t e : exponents)
      EXPECT_EQ(value(f, f.pow(ea, e)), NTL::PowerMod(a, test::zz_u64(e), p)) << a << "^" << e;
    const long jacobi = NTL::Jacobi(a, p);
    const auto root = f.sqrt(ea);
    if (jacobi == -1) {
      EXPECT_FALSE(root.has_value()) << a << " is not a square";
    } else {
      ASSERT_TRUE(root.has_value()) << a << " is a square";
      EXPECT_EQ(NTL::SqrMod(value(f, *root), p), a);
    }
    // Every square has a root, whichever one sqrt picks.
    const auto square = f.mul(ea, ea);
    const auto r = f.sqrt(square);
    ASSERT_TRUE(r.has_value());
    EXPECT_EQ(f.mul(*r, *r), square);
  }
}

template <class F>
void check_vector_ops(const F& f, long seed) {
  SCOPED_TRACE(f.name());
  using E = typename F::Element;
  const NTL::ZZ p = modulus(f);
  const auto xs = test_values(f, seed);
  auto ys = test::random_values(p, static_cast<long>(xs.size()), seed + 1);
  ys[0] = 0;
  ys[1] = p - 1;
  const std::vector<E> x = test::elements(f, xs);
  const std::vector<E> y = test::elements(f, ys);
  const E a = element(f, test::random_values(p, 1, seed + 2)[0]);
  const NTL::ZZ az = value(f, a);
  const std::size_t n = x.size();
  std::vector<E> out(n);

  f.add(std::span(out), std::span(x), std::span(y));
  for (std::size_t i = 0; i < n; ++i) EXPECT_EQ(value(f, out[i]), NTL::AddMod(xs[i], ys[i], p));
  f.sub(std::span(out), std::span(x), std::span(y));
  for (std::size_t i = 0; i < n; ++i) EXPECT_EQ(value(f, out[i]), NTL::SubMod(xs[i], ys[i], p));
  f.mul(std::span(out), std::span(x), std::span(y));
  for (std::size_t i = 0; i < n; ++i) EXPECT_EQ(value(f, out[i]), NTL::MulMod(xs[i], ys[i], p));
  f.neg(std::span(out), std::span(x));
  for (std::size_t i = 0; i < n; ++i) EXPECT_EQ(value(f, out[i]), NTL::NegateMod(xs[i], p));
  f.scale(std::span(out), a, std::span(x));
  for (std::size_t i = 0; i < n; ++i) EXPECT_EQ(value(f, out[i]), NTL::MulMod(az, xs[i], p));

  out = y;
  f.axpy(std::span(out), a, std::span(x));
  for (std::size_t i = 0; i < n; ++i)
    EXPECT_EQ(value(f, out[i]), NTL::AddMod(ys[i], NTL::MulMod(az, xs[i], p), p));
  // Small multipliers and their negatives (a field may take a shorter product for
  // them, as Fp127 does): 3, -3, 2^64 - 1 (or p - 1 where p is smaller), and its negative.
  const NTL::ZZ word = NTL::power2_ZZ(64) - 1;
  const NTL::ZZ three = NTL::ZZ(3) % p, small = word % p;
  for (const NTL::ZZ& m : {three, (p - three) % p, small, (p - small) % p}) {
    out = y;
    f.axpy(std::span(out), element(f, m), std::span(x));
    for (std::size_t i = 0; i < n; ++i)
      EXPECT_EQ(value(f, out[i]), NTL::AddMod(ys[i], NTL::MulMod(m, xs[i], p), p)) << "a = " << m;
  }

  NTL::ZZ dot(0);
  for (std::size_t i = 0; i < n; ++i) dot = NTL::AddMod(dot, NTL::MulMod(xs[i], ys[i], p), p);
  EXPECT_EQ(value(f, f.inner(std::span(x), std::span(y))), dot);
  EXPECT_EQ(value(f, f.inner(std::span<const E>(), std::span<const E>())), 0);

  // p - 1 squared, many times: the unreduced sum of an inner product is largest here.
  const std::vector<E> big(3000, element(f, p - 1));
  EXPECT_EQ(value(f, f.inner(std::span(big), std::span(big))), NTL::ZZ(3000) % p);

  // Outputs may alias inputs.
  std::vector<E> z = x;
  f.mul(std::span(z), std::span(z), std::span(y));
  for (std::size_t i = 0; i < n; ++i) EXPECT_EQ(value(f, z[i]), NTL::MulMod(xs[i], ys[i], p));
  z = x;
  f.add(std::span(z), std::span(z), std::span(z));
  for (std::size_t i = 0; i < n; ++i) EXPECT_EQ(value(f, z[i]), NTL::AddMod(xs[i], xs[i], p));
  z = x;
  f.scale(std::span(z), z[5], std::span(z));
  for (std::size_t i = 0; i < n; ++i) EXPECT_EQ(value(f, z[i]), NTL::MulMod(xs[5], xs[i], p));
  z = x;
  f.axpy(std::span(z), z[5], std::span(z));
  for (std::size_t i = 0; i < n; ++i)
    EXPECT_EQ(value(f, z[i]), NTL::AddMod(xs[i], NTL::MulMod(xs[5], xs[i], p), p));
}

template <class F>
void check_batch_inv(const F& f, long seed) {
  SCOPED_TRACE(f.name());
  using E = typename F::Element;
  const NTL::ZZ p = modulus(f);
  std::vector<NTL::ZZ> xs;
  for (const auto& v : test_values(f, seed))
    if (v != 0) xs.push_back(v);
  const std::vector<E> x = test::elements(f, xs);
  std::vector<E> out(x.size());
  f.batch_inv(std::span(out), std::span(x));
  for (std::size_t i = 0; i < x.size(); ++i) EXPECT_EQ(value(f, out[i]), NTL::InvMod(xs[i], p));
  std::vector<E> z = x;
  f.batch_inv(std::span(z), std::span(z));
  EXPECT_EQ(z, out);

  std::vector<E> with_zero = x;
  with_zero[3] = f.zero();
  try {
    f.batch_inv(std::span(out), std::span(with_zero));
    ADD_FAILURE() << "batch_inv accepted a zero";
  } catch (const RangeError& e) {
    EXPECT_NE(std::string(e.what()).find("element 3 is zero"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find(f.name()), std::string::npos) << e.what();
  }
  EXPECT_THROW(f.inv(f.zero()), RangeError);
}

template <class F>
void check_length_mismatch(const F& f) {
  using E = typename F::Element;
  std::vector<E> a(4), b(5), c(4);
  EXPECT_THROW(f.add(std::span(a), std::span<const E>(b), std::span<const E>(c)), RangeError);
  EXPECT_THROW(f.sub(std::span(a), std::span<const E>(c), std::span<const E>(b)), RangeError);
  EXPECT_THROW(f.mul(std::span(b), std::span<const E>(a), std::span<const E>(c)), RangeError);
  EXPECT_THROW(f.neg(std::span(a), std::span<const E>(b)), RangeError);
  EXPECT_THROW(f.scale(std::span(a), f.one(), std::span<const E>(b)), RangeError);
  EXPECT_THROW(f.axpy(std::span(a), f.one(), std::span<const E>(b)), RangeError);
  EXPECT_THROW(f.inner(std::span<const E>(a), std::span<const E>(b)), RangeError);
  EXPECT_THROW(f.batch_inv(std::span(a), std::span<const E>(b)), RangeError);
}

template <class F>
void check_all(const F& f, long seed) {
  check_scalar_ops(f, seed);
  check_pow_and_sqrt(f, seed);
  check_vector_ops(f, seed);
  check_batch_inv(f, seed);
  check_length_mismatch(f);
}

TEST(Fp64, MatchesNtlOnEdgeAndRandomValuesForManyPrimes) {
  long seed = 1;
  for (const std::uint64_t p : kFp64Primes) check_all(Fp64(p), seed++);
}

TEST(Fp64, DefaultsToTheLargestPrimeBelow2To64) {
  EXPECT_EQ(Fp64().modulus(), 18446744073709551557ULL);
  EXPECT_EQ(Fp64().name(), "GF(18446744073709551557)");
}

TEST(Fp127, MatchesNtlOnEdgeAndRandomValues) { check_all(Fp127(), 100); }

TEST(Fp127, PowTakes128BitExponents) {
  const Fp127 f;
  const NTL::ZZ p = modulus(f);
  for (const auto& a : test::random_values(p, 20, 7)) {
    for (const u128 e : {Fp127Core::kP - 2, Fp127Core::kP - 1, (static_cast<u128>(1) << 100) + 12345}) {
      EXPECT_EQ(value(f, f.pow(element(f, a), e)), NTL::PowerMod(a, test::zz_u128(e), p));
    }
  }
}

TEST(NtlField, MatchesNtlOnEdgeAndRandomValues256BitPrime) { check_all(NtlField(kPrime256), 200); }

TEST(NtlField, MatchesNtlOnEdgeAndRandomValues128BitPrime) { check_all(NtlField(kPrime128), 300); }

TEST(NtlField, MatchesNtlOnEdgeAndRandomValuesSmallPrimes) {
  long seed = 400;
  for (const long p : {3L, 101L, 65537L, 2013265921L})
    check_all(NtlField(NTL::ZZ(p)), seed++);
}

TEST(NtlField, AgreesWithFp64AndFp127OnTheSameModulus) {
  const Fp64 native64;
  const NtlField ntl64(test::zz_u64(native64.modulus()));
  const Fp127 native127;
  const NtlField ntl127(test::zz_u128(Fp127Core::kP));
  for (const auto& a : test::random_values(ntl64.modulus(), 50, 11)) {
    const auto b = NTL::MulMod(a, a + 1, ntl64.modulus());
    EXPECT_EQ(value(native64, native64.mul(element(native64, a), element(native64, b))),
              value(ntl64, ntl64.mul(element(ntl64, a), element(ntl64, b))));
  }
  for (const auto& a : test::random_values(ntl127.modulus(), 50, 12)) {
    const NTL::ZZ nonzero = a % (ntl127.modulus() - 1) + 1;
    EXPECT_EQ(value(native127, native127.inv(element(native127, nonzero))),
              value(ntl127, ntl127.inv(element(ntl127, nonzero))));
  }
}

}  // namespace
}  // namespace meshmpc
