// Fp64's construction: only odd primes below 2^64, checked by a deterministic
// Miller-Rabin that must agree with NTL.
#include "reference.hpp"

#include <meshmpc/field/fp64.hpp>

#include <gtest/gtest.h>

#include <NTL/ZZ.h>

#include <cstdint>
#include <initializer_list>
#include <string>

namespace meshmpc {
namespace {

TEST(Fp64, RefusesNonPrimesAndEvenModuliNamingThem) {
  for (const std::uint64_t n : {0ULL, 1ULL, 2ULL, 4ULL, 9ULL, 561ULL /* Carmichael */,
                                3215031751ULL /* strong pseudoprime to bases 2, 3, 5, 7 */,
                                4294967297ULL /* 2^32 + 1 = 641 * 6700417 */, 1ULL << 63, ~0ULL,
                                18446744073709551555ULL /* 2^64 - 61 = 3 * 5 * ... */}) {
    try {
      const Fp64 f(n);
      ADD_FAILURE() << n << " accepted as " << f.name();
    } catch (const ConfigError& e) {
      EXPECT_NE(std::string(e.what()).find(std::to_string(n)), std::string::npos) << e.what();
    }
  }
}

TEST(Fp64, AcceptsOddPrimesUpTo2To64) {
  for (const std::uint64_t p : std::initializer_list<std::uint64_t>{3ULL, 5ULL, 101ULL, (1ULL << 61) - 1, 9223372036854775837ULL,
                                18446744069414584321ULL, Fp64Core::kDefaultPrime}) {
    const Fp64 f(p);
    EXPECT_EQ(f.modulus(), p);
    EXPECT_EQ(f.name(), "GF(" + std::to_string(p) + ")");
  }
}

TEST(Fp64, PrimalityTestAgreesWithNtl) {
  // Dense around small numbers, word boundaries and the top of the range, plus
  // products of two primes near 2^32 (hard for a weak test).
  auto check = [](std::uint64_t n) {
    EXPECT_EQ(is_prime_u64(n), NTL::ProbPrime(test::zz_u64(n), 30) != 0) << n;
  };
  for (std::uint64_t n = 0; n < 3000; ++n) check(n);
  for (const std::uint64_t base : {1ULL << 32, 1ULL << 62, 1ULL << 63, 0ULL - 2000})
    for (std::uint64_t n = base - 1000; n != base + 1000 && n != 0; ++n) check(n);
  check(4294967291ULL * 4294967279ULL);  // two primes just below 2^32
  check(3825123056546413051ULL);         // strong pseudoprime to the first nine prime bases
  NTL::SetSeed(NTL::ZZ(5));
  for (int i = 0; i < 2000; ++i) check(test::u64_of(NTL::RandomBits_ZZ(64)) | 1U);
}

// The vector encoding round-trips for full-width and narrow primes, and a value
// >= p is refused with the element it was found at.
TEST(Fp64, VectorEncodingRoundTripsAndNamesTheBadElement) {
  for (const std::uint64_t p : {Fp64Core::kDefaultPrime, std::uint64_t{101}, (std::uint64_t{1} << 61) - 1}) {
    const Fp64 f(p);
    std::vector<Fp64::Element> x;
    for (std::uint64_t v : {std::uint64_t{0}, std::uint64_t{1}, p / 2, p - 1}) x.push_back(f.from_uint(v));
    std::vector<std::byte> bytes(x.size() * f.byte_size());
    f.encode(std::span<const Fp64::Element>(x), std::span<std::byte>(bytes));
    for (std::size_t i = 0; i < x.size(); ++i) {
      std::vector<std::byte> one(bytes.begin() + static_cast<std::ptrdiff_t>(i * f.byte_size()),
                                 bytes.begin() + static_cast<std::ptrdiff_t>((i + 1) * f.byte_size()));
      EXPECT_EQ(f.decode(std::span<const std::byte>(one)), x[i]) << "scalar and vector encodings agree";
    }
    std::vector<Fp64::Element> back(x.size());
    f.decode(std::span<const std::byte>(bytes), std::span<Fp64::Element>(back));
    EXPECT_EQ(back, x);
    // Element 2 := p (little-endian), which is not a field element.
    std::uint64_t bad = p;
    for (std::size_t k = 0; k < f.byte_size(); ++k)
      bytes[2 * f.byte_size() + k] = static_cast<std::byte>((bad >> (8 * k)) & 0xffU);
    try {
      f.decode(std::span<const std::byte>(bytes), std::span<Fp64::Element>(back));
      ADD_FAILURE() << "decoding p did not throw";
    } catch (const RangeError& e) {
      EXPECT_NE(std::string(e.what()).find("element 2"), std::string::npos) << e.what();
      EXPECT_NE(std::string(e.what()).find(f.name()), std::string::npos) << e.what();
    }
  }
}

// The wire form shares travel in (Montgomery residues): it round-trips for
// full-width and narrow primes over a batch long enough for the vector loops, is
// not the canonical encoding (so both ends must run the same build: the
// handshake's version), and a residue >= p is refused with the element's index.
TEST(Fp64, WireFormRoundTripsAndNamesTheBadElement) {
  for (const std::uint64_t p : {Fp64Core::kDefaultPrime, std::uint64_t{101}, (std::uint64_t{1} << 61) - 1}) {
    const Fp64 f(p);
    std::vector<Fp64::Element> x;
    for (std::uint64_t v : {std::uint64_t{0}, std::uint64_t{1}, p / 2, p - 1}) x.push_back(f.from_uint(v));
    for (std::uint64_t i = 0; i < 1000; ++i) x.push_back(f.from_uint((i * 0x9e3779b97f4a7c15ULL) % p));
    std::vector<std::byte> wire(x.size() * f.byte_size()), canonical(wire.size());
    f.to_wire(std::span<const Fp64::Element>(x), std::span<std::byte>(wire));
    f.encode(std::span<const Fp64::Element>(x), std::span<std::byte>(canonical));
    if (p != 101) {
      EXPECT_NE(wire, canonical) << "the wire carries residues, not values";
    }
    std::vector<Fp64::Element> back(x.size());
    f.from_wire(std::span<const std::byte>(wire), std::span<Fp64::Element>(back));
    EXPECT_EQ(back, x);
    const std::size_t at = 777;  // := p, which is no residue
    for (std::size_t k = 0; k < f.byte_size(); ++k)
      wire[at * f.byte_size() + k] = static_cast<std::byte>((p >> (8 * k)) & 0xffU);
    try {
      f.from_wire(std::span<const std::byte>(wire), std::span<Fp64::Element>(back));
      ADD_FAILURE() << "decoding p did not throw";
    } catch (const RangeError& e) {
      EXPECT_NE(std::string(e.what()).find("element 777"), std::string::npos) << e.what();
      EXPECT_NE(std::string(e.what()).find(f.name()), std::string::npos) << e.what();
    }
    std::vector<std::byte> short_by_one(wire.size() - 1);
    EXPECT_THROW(f.from_wire(std::span<const std::byte>(short_by_one), std::span<Fp64::Element>(back)), RangeError);
  }
}

// Where the wire form is the memory (8-byte elements), a batch is read in place:
// the view is the bytes themselves, each word checked; a bad word is named as
// from_wire names it. Narrower elements, or bytes not aligned for an element, get
// no view (the caller decodes a copy).
TEST(Fp64, WireViewReadsInPlaceAndNamesTheBadElement) {
  const Fp64 f;
  ASSERT_TRUE(f.wire_is_memory());
  std::vector<Fp64::Element> x;
  for (std::uint64_t i = 0; i < 1000; ++i) x.push_back(f.from_uint((i * 0x9e3779b97f4a7c15ULL) % f.modulus()));
  std::vector<std::byte> wire(x.size() * 8 + 1);
  f.to_wire(std::span<const Fp64::Element>(x), std::span<std::byte>(wire).first(x.size() * 8));
  const auto view = f.view_wire(std::span<const std::byte>(wire).first(x.size() * 8), x.size());
  ASSERT_TRUE(view.has_value());
  EXPECT_EQ(static_cast<const void*>(view->data()), static_cast<const void*>(wire.data()));
  EXPECT_TRUE(std::equal(view->begin(), view->end(), x.begin(), x.end()));
  EXPECT_FALSE(f.view_wire(std::span<const std::byte>(wire).subspan(1), x.size()).has_value()) << "misaligned";
  EXPECT_THROW((void)f.view_wire(std::span<const std::byte>(wire), x.size()), RangeError) << "wrong length";
  const std::uint64_t p = f.modulus();
  for (std::size_t k = 0; k < 8; ++k) wire[321 * 8 + k] = static_cast<std::byte>((p >> (8 * k)) & 0xffU);
  try {
    (void)f.view_wire(std::span<const std::byte>(wire).first(x.size() * 8), x.size());
    ADD_FAILURE() << "viewing p did not throw";
  } catch (const RangeError& e) {
    EXPECT_NE(std::string(e.what()).find("element 321 "), std::string::npos) << e.what();
  }
  const Fp64 narrow(101);
  EXPECT_FALSE(narrow.wire_is_memory());
  const std::vector<std::byte> one(8, std::byte{1});
  EXPECT_FALSE(narrow.view_wire(std::span<const std::byte>(one), 8).has_value());
}

}  // namespace
}  // namespace meshmpc
