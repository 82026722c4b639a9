// Signed integer conversions (centered range) and the byte encoding, with their
// errors, for every shipped field.
#include "reference.hpp"

#include <meshmpc/field.hpp>

#include <gtest/gtest.h>

#include <NTL/ZZ.h>

#include <climits>
#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <span>
#include <string>
#include <vector>

namespace meshmpc {
namespace {

using test::element;
using test::modulus;
using test::str;
using test::value;

constexpr const char* kPrime256 =
    "115792089237316195423570985008687907853269984665640564039457584007913129639747";

// Runs f, expects a RangeError whose message contains every one of parts.
template <class Fn>
void expect_range_error(Fn&& fn, const std::vector<std::string>& parts) {
  try {
    fn();
    ADD_FAILURE() << "no RangeError";
  } catch (const RangeError& e) {
    for (const auto& part : parts)
      EXPECT_NE(std::string(e.what()).find(part), std::string::npos)
          << "'" << e.what() << "' does not name '" << part << "'";
  }
}

TEST(Fp64, SignedConversionRoundTripsAtTheEdgesOfTheCenteredRange) {
  for (const std::uint64_t p : std::initializer_list<std::uint64_t>{3ULL, 101ULL, (1ULL << 61) - 1, 9223372036854775837ULL, Fp64Core::kDefaultPrime}) {
    const Fp64 f(p);
    SCOPED_TRACE(f.name());
    const auto half = static_cast<std::int64_t>((p - 1) / 2);
    for (const std::int64_t v : {std::int64_t{0}, std::int64_t{1}, std::int64_t{-1}, half, -half, half - 1, 1 - half}) {
      const auto e = f.from_int(v);
      EXPECT_EQ(f.to_int(e), v);
      EXPECT_EQ(value(f, e), NTL::ZZ(v) % modulus(f));
    }
    EXPECT_EQ(f.to_int(f.from_uint(p - 1)), -1);
    EXPECT_EQ(f.to_int(f.from_uint((p + 1) / 2)), -half);
    const std::int64_t over = half + 1;
    expect_range_error([&] { f.from_int(over); }, {std::to_string(over), f.name()});
    expect_range_error([&] { f.from_int(-over); }, {std::to_string(-over), f.name()});
    expect_range_error([&] { f.from_int(INT64_MIN); }, {std::to_string(INT64_MIN), f.name()});
    expect_range_error([&] { f.from_int(INT64_MAX); }, {std::to_string(INT64_MAX), f.name()});
    expect_range_error([&] { f.from_uint(p); }, {std::to_string(p), f.name()});
  }
}

TEST(Fp127, SignedConversionRoundTripsAndRefusesWhatDoesNotFit) {
  const Fp127 f;
  for (const std::int64_t v : {std::int64_t{0}, std::int64_t{1}, std::int64_t{-1}, INT64_MIN, INT64_MAX}) {
    EXPECT_EQ(f.to_int(f.from_int(v)), v);
    EXPECT_EQ(value(f, f.from_int(v)), NTL::ZZ(v) % modulus(f));
  }
  const auto half = static_cast<i128>(Fp127Core::kP >> 1);
  for (const i128 v : {half, -half, static_cast<i128>(INT64_MAX) + 1, static_cast<i128>(INT64_MIN) - 1}) {
    EXPECT_EQ(f.to_int128(f.from_int128(v)), v);
  }
  const std::string half_plus_one = str(test::zz_u128(static_cast<u128>(half) + 1));
  expect_range_error([&] { f.from_int128(half + 1); }, {half_plus_one, f.name()});
  expect_range_error([&] { f.from_int128(-half - 1); }, {"-" + half_plus_one, f.name()});
  expect_range_error([&] { f.from_uint128(Fp127Core::kP); }, {str(modulus(f)), f.name()});
  // 2^63 and -2^63 - 1 are field elements but not int64 values.
  expect_range_error([&] { f.to_int(f.from_int128(static_cast<i128>(INT64_MAX) + 1)); },
                     {"9223372036854775808", f.name()});
  expect_range_error([&] { f.to_int(f.from_int128(static_cast<i128>(INT64_MIN) - 1)); },
                     {"-9223372036854775809", f.name()});
}

TEST(NtlField, SignedConversionRoundTripsAndRefusesWhatDoesNotFit) {
  const NtlField f(kPrime256);
  const NTL::ZZ p = f.modulus();
  const NTL::ZZ half = (p - 1) / 2;
  for (const std::int64_t v : {std::int64_t{0}, std::int64_t{1}, std::int64_t{-1}, INT64_MIN, INT64_MAX}) {
    EXPECT_EQ(f.to_int(f.from_int(v)), v);
    EXPECT_EQ(f.canonical(f.from_int(v)), NTL::ZZ(v) % p);
  }
  for (const NTL::ZZ& v : {half, -half, half - 1, NTL::ZZ(0), -NTL::power2_ZZ(200)}) {
    EXPECT_EQ(f.to_zz(f.from_zz(v)), v);
    EXPECT_EQ(f.canonical(f.from_zz(v)), v % p);
  }
  expect_range_error([&] { f.from_zz(half + 1); }, {str(half + 1), f.name()});
  expect_range_error([&] { f.from_zz(-half - 1); }, {str(-half - 1), f.name()});
  expect_range_error([&] { f.from_canonical(p); }, {str(p), f.name()});
  expect_range_error([&] { f.from_canonical(NTL::ZZ(-1)); }, {"-1", f.name()});
  expect_range_error([&] { f.to_int(f.from_zz(NTL::power2_ZZ(63))); }, {"9223372036854775808", f.name()});
  expect_range_error([&] { f.to_int(f.from_zz(-NTL::power2_ZZ(63) - 1)); },
                     {"-9223372036854775809", f.name()});
  EXPECT_EQ(f.to_int(f.from_zz(-NTL::power2_ZZ(63))), INT64_MIN);
}

TEST(NtlField, SmallPrimeRefusesIntegersOutsideTheCenteredRange) {
  const NtlField f("101");
  EXPECT_EQ(f.to_int(f.from_int(50)), 50);
  EXPECT_EQ(f.to_int(f.from_int(-50)), -50);
  EXPECT_EQ(f.to_string(f.from_int(-50)), "51");
  expect_range_error([&] { f.from_int(51); }, {"integer 51 is outside the centered range [-50, 50] of GF(101)"});
  expect_range_error([&] { f.from_int(-51); }, {"-51", "GF(101)"});
  expect_range_error([&] { f.from_int(INT64_MIN); }, {std::to_string(INT64_MIN), "GF(101)"});
  expect_range_error([&] { f.from_uint(101); }, {"101", "GF(101)"});
  EXPECT_EQ(f.to_int(f.from_uint(100)), -1);
}

template <class F>
void check_encoding(const F& f, std::size_t expected_bytes, long seed) {
  SCOPED_TRACE(f.name());
  using E = typename F::Element;
  const NTL::ZZ p = modulus(f);
  const std::size_t w = f.byte_size();
  EXPECT_EQ(w, expected_bytes);
  EXPECT_EQ(f.bit_length(), static_cast<std::size_t>(NTL::NumBits(p)));

  auto values = test::edge_values(p);
  for (auto& v : test::random_values(p, 50, seed)) values.push_back(v);
  const std::vector<E> x = test::elements(f, values);
  std::vector<std::byte> bytes(x.size() * w);
  f.encode(std::span(x), std::span(bytes));
  for (std::size_t i = 0; i < x.size(); ++i) {
    // Little-endian, fixed width, the canonical value.
    NTL::ZZ v;
    NTL::ZZFromBytes(v, reinterpret_cast<const unsigned char*>(bytes.data() + i * w), static_cast<long>(w));
    EXPECT_EQ(v, values[i]);
    EXPECT_EQ(f.decode(std::span<const std::byte>(bytes).subspan(i * w, w)), x[i]);
  }
  std::vector<E> back(x.size());
  f.decode(std::span<const std::byte>(bytes), std::span(back));
  EXPECT_EQ(back, x);

  // Single element: exactly byte_size() bytes.
  std::vector<std::byte> one(w);
  f.encode(x[1], std::span(one));
  EXPECT_EQ(one[0], std::byte{1});
  std::vector<std::byte> longer(w + 1), shorter(w - 1);
  expect_range_error([&] { f.encode(x[1], std::span(longer)); }, {f.name()});
  expect_range_error([&] { f.decode(std::span<const std::byte>(longer)); },
                     {f.name(), "expected " + std::to_string(w) + " bytes, got " + std::to_string(w + 1)});
  expect_range_error([&] { f.decode(std::span<const std::byte>(shorter)); },
                     {f.name(), "got " + std::to_string(w - 1)});
  expect_range_error([&] { f.decode(std::span<const std::byte>()); }, {f.name(), "got 0"});
  // A vector's byte string must be a whole number of elements.
  std::vector<E> two(2);
  expect_range_error([&] { f.decode(std::span<const std::byte>(bytes).first(2 * w - 1), std::span(two)); },
                     {f.name()});
  expect_range_error([&] { f.encode(std::span<const E>(x).first(2), std::span(bytes).first(3 * w)); },
                     {f.name()});

  // Values >= p are refused: p itself, and all bits set.
  std::vector<std::byte> at_p(w);
  NTL::BytesFromZZ(reinterpret_cast<unsigned char*>(at_p.data()), p, static_cast<long>(w));
  expect_range_error([&] { f.decode(std::span<const std::byte>(at_p)); },
                     {f.name(), str(p), "not below the modulus"});
  std::vector<std::byte> ones(w, std::byte{0xff});
  expect_range_error([&] { f.decode(std::span<const std::byte>(ones)); }, {f.name(), "not below the modulus"});
  std::vector<E> sink(1);
  expect_range_error([&] { f.decode(std::span<const std::byte>(ones), std::span(sink)); }, {f.name()});
}

TEST(Fp64, EncodingRoundTripsAndRefusesBadLengthsAndValues) {
  check_encoding(Fp64(3), 1, 1);
  check_encoding(Fp64(101), 1, 2);
  check_encoding(Fp64(65537), 3, 3);
  check_encoding(Fp64((1ULL << 61) - 1), 8, 4);
  check_encoding(Fp64(9223372036854775837ULL), 8, 5);
  check_encoding(Fp64(), 8, 6);
}

TEST(Fp127, EncodingRoundTripsAndRefusesBadLengthsAndValues) { check_encoding(Fp127(), 16, 7); }

TEST(NtlField, EncodingRoundTripsAndRefusesBadLengthsAndValues) {
  check_encoding(NtlField(kPrime256), 32, 8);
  check_encoding(NtlField("340282366920938463463374607431768211297"), 16, 9);  // 2^128 - 159
  check_encoding(NtlField("65537"), 3, 10);
  check_encoding(NtlField("3"), 1, 11);
}

}  // namespace
}  // namespace meshmpc
