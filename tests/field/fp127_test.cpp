// Fp127's word-level arithmetic (64-bit halves, explicit carries, one reduction per
// multiply-add) against NTL: the values where a carry between the halves, the fold of
// the bits above 2^127 or the final subtraction of p goes wrong, then many random
// pairs, then the vector operations that take the fused and the small-multiplier
// paths (axpy, scale, inner), with the output aliasing the input.
#include "reference.hpp"

#include <meshmpc/field/fp127.hpp>

#include <gtest/gtest.h>

#include <NTL/ZZ.h>

#include <cstdint>
#include <random>
#include <span>
#include <vector>

namespace meshmpc {
namespace {

using E = Fp127::Element;
using test::element;
using test::value;

constexpr u128 kP = Fp127Core::kP;
constexpr u128 kTwo64 = static_cast<u128>(1) << 64;

u128 halves(std::uint64_t hi, std::uint64_t lo) { return static_cast<u128>(hi) << 64 | lo; }

// Values whose halves sit at the carry boundaries, below p.
std::vector<u128> edge_values() {
  std::vector<u128> v = {0,
                         1,
                         2,
                         3,
                         kP - 1,
                         kP - 2,
                         kP - 3,
                         kP >> 1,
                         (kP >> 1) + 1,
                         kTwo64 - 2,
                         kTwo64 - 1,
                         kTwo64,
                         kTwo64 + 1,
                         static_cast<u128>(1) << 63,
                         (static_cast<u128>(1) << 63) - 1,
                         static_cast<u128>(1) << 126,
                         (static_cast<u128>(1) << 126) - 1,
                         (static_cast<u128>(1) << 126) + 1,
                         kP - kTwo64,      // 2^127 - 2^64 - 1
                         kP - kTwo64 + 1,  // 2^127 - 2^64
                         kP - kTwo64 + 2,
                         kP - kTwo64 - 1,
                         kP - (static_cast<u128>(1) << 63),
                         halves(0x7fffffffffffffff, 0),
                         halves(0x7ffffffffffffffe, ~0ULL),
                         halves(0x7fffffffffffffff, 0x8000000000000000),
                         halves(0x4000000000000000, ~0ULL),
                         halves(1, ~0ULL),
                         halves(0x5555555555555555, 0x5555555555555555),
                         halves(0x2aaaaaaaaaaaaaaa, 0xaaaaaaaaaaaaaaab)};
  return v;
}

// Random values below p, half of them uniform and half built from halves at the
// boundaries (0, 1, 2^63 - 1, 2^63, 2^64 - 1 or random), where carries happen.
std::vector<u128> random_values(std::size_t count, std::uint64_t seed) {
  std::mt19937_64 g(seed);
  auto word = [&g](bool high) {
    const std::uint64_t choices[] = {0, 1, 0x7fffffffffffffff, 0x8000000000000000, ~0ULL, g()};
    const std::uint64_t w = choices[g() % 6];
    return high ? w >> 1 : w;
  };
  std::vector<u128> v;
  while (v.size() < count) {
    const u128 x = v.size() % 2 == 0 ? halves(g() >> 1, g()) : halves(word(true), word(false));
    if (x < kP) v.push_back(x);
  }
  return v;
}

NTL::ZZ zz(u128 v) { return test::zz_u128(v); }

class Fp127Words : public ::testing::Test {
 protected:
  const Fp127 f{};
  const NTL::ZZ p = test::modulus(f);

  void expect_scalar_ops(u128 a, u128 b) const {
    const E ea{a}, eb{b};
    const NTL::ZZ za = zz(a), zb = zz(b);
    EXPECT_EQ(value(f, f.add(ea, eb)), NTL::AddMod(za, zb, p)) << za << " + " << zb;
    EXPECT_EQ(value(f, f.sub(ea, eb)), NTL::SubMod(za, zb, p)) << za << " - " << zb;
    EXPECT_EQ(value(f, f.mul(ea, eb)), NTL::MulMod(za, zb, p)) << za << " * " << zb;
  }
};

TEST_F(Fp127Words, ScalarOpsMatchNtlOnEdgeValues) {
  const auto edges = edge_values();
  for (const u128 a : edges) {
    ASSERT_LT(a, kP);
    EXPECT_EQ(value(f, f.neg(E{a})), NTL::NegateMod(zz(a), p)) << zz(a);
    for (const u128 b : edges) expect_scalar_ops(a, b);
  }
}

TEST_F(Fp127Words, ScalarOpsMatchNtlOnRandomPairs) {
  const auto xs = random_values(100000, 1);
  const auto ys = random_values(100000, 2);
  for (std::size_t i = 0; i < xs.size(); ++i) {
    expect_scalar_ops(xs[i], ys[i]);
    EXPECT_EQ(value(f, f.neg(E{xs[i]})), NTL::NegateMod(zz(xs[i]), p)) << zz(xs[i]);
    if (HasFailure()) break;  // one bad formula fails every pair: report a few, not 10^5
  }
}

// The coefficients that pick each path of axpy and scale: small (< 2^64), minus small
// (p - a < 2^64), and full-width, at the boundaries between them.
std::vector<u128> coefficients() {
  return {0,
          1,
          2,
          3,
          kP - 3,  // -3
          kP - 1,  // -1
          static_cast<u128>(1) << 63,
          kTwo64 - 1,
          kTwo64,           // the smallest full-width coefficient
          kP - kTwo64 + 1,  // -(2^64 - 1), the largest negative small one
          kP - kTwo64,      // -2^64: full width
          kP >> 1,
          halves(0x3456789abcdef012, 0xfedcba9876543210)};
}

TEST_F(Fp127Words, AxpyAndScaleMatchNtlForEveryPathAndWithAliasing) {
  // Every pair of edge values in the (x, out) positions, then random values.
  std::vector<u128> xv, yv;
  for (const u128 a : edge_values())
    for (const u128 b : edge_values()) {
      xv.push_back(a);
      yv.push_back(b);
    }
  for (const u128 v : random_values(20000, 3)) xv.push_back(v);
  for (const u128 v : random_values(20000, 4)) yv.push_back(v);
  ASSERT_EQ(xv.size(), yv.size());
  std::vector<E> x, y;
  std::vector<NTL::ZZ> xz, yz;
  for (std::size_t i = 0; i < xv.size(); ++i) {
    x.push_back({xv[i]});
    y.push_back({yv[i]});
    xz.push_back(zz(xv[i]));
    yz.push_back(zz(yv[i]));
  }
  const std::size_t n = x.size();
  for (const u128 a : coefficients()) {
    const NTL::ZZ az = zz(a);
    SCOPED_TRACE(testing::Message() << "a = " << az);
    std::vector<E> out = y;
    f.axpy(std::span(out), E{a}, std::span<const E>(x));
    for (std::size_t i = 0; i < n && !HasFailure(); ++i)
      EXPECT_EQ(value(f, out[i]), NTL::AddMod(yz[i], NTL::MulMod(az, xz[i], p), p)) << "axpy at " << i;

    out = x;  // out == x: out[i] = x[i] + a x[i]
    f.axpy(std::span(out), E{a}, std::span<const E>(out));
    for (std::size_t i = 0; i < n && !HasFailure(); ++i)
      EXPECT_EQ(value(f, out[i]), NTL::MulMod(NTL::AddMod(az, NTL::ZZ(1), p), xz[i], p)) << "aliased axpy at " << i;

    f.scale(std::span(out), E{a}, std::span<const E>(x));
    for (std::size_t i = 0; i < n && !HasFailure(); ++i)
      EXPECT_EQ(value(f, out[i]), NTL::MulMod(az, xz[i], p)) << "scale at " << i;

    out = x;
    f.scale(std::span(out), E{a}, std::span<const E>(out));
    for (std::size_t i = 0; i < n && !HasFailure(); ++i)
      EXPECT_EQ(value(f, out[i]), NTL::MulMod(az, xz[i], p)) << "aliased scale at " << i;
    if (HasFailure()) return;
  }
}

TEST_F(Fp127Words, InnerMatchesNtl) {
  const auto xv = random_values(5000, 5), yv = random_values(5000, 6);
  std::vector<E> x, y;
  NTL::ZZ dot(0);
  for (std::size_t i = 0; i < xv.size(); ++i) {
    x.push_back({xv[i]});
    y.push_back({yv[i]});
    dot = NTL::AddMod(dot, NTL::MulMod(zz(xv[i]), zz(yv[i]), p), p);
  }
  EXPECT_EQ(value(f, f.inner(std::span<const E>(x), std::span<const E>(y))), dot);
  // The running sum at p - 1 and the largest products: the fused bound's worst case.
  const std::vector<E> top(1000, E{kP - 1});
  EXPECT_EQ(value(f, f.inner(std::span<const E>(top), std::span<const E>(top))), NTL::ZZ(1000));
}

TEST_F(Fp127Words, ElementwiseVectorOpsAllowAliasing) {
  const auto xv = random_values(3000, 7), yv = random_values(3000, 8);
  std::vector<E> x, y;
  for (std::size_t i = 0; i < xv.size(); ++i) {
    x.push_back({xv[i]});
    y.push_back({yv[i]});
  }
  std::vector<E> z = x;
  f.mul(std::span(z), std::span<const E>(z), std::span<const E>(y));
  for (std::size_t i = 0; i < z.size(); ++i) EXPECT_EQ(z[i], f.mul(x[i], y[i]));
  z = y;
  f.sub(std::span(z), std::span<const E>(x), std::span<const E>(z));
  for (std::size_t i = 0; i < z.size(); ++i) EXPECT_EQ(z[i], f.sub(x[i], y[i]));
  z = x;
  f.add(std::span(z), std::span<const E>(z), std::span<const E>(z));
  for (std::size_t i = 0; i < z.size(); ++i) EXPECT_EQ(z[i], f.add(x[i], x[i]));
  z = x;
  f.neg(std::span(z), std::span<const E>(z));
  for (std::size_t i = 0; i < z.size(); ++i) EXPECT_EQ(z[i], f.neg(x[i]));
}

}  // namespace
}  // namespace meshmpc
