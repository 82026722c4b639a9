#pragma once
// Test support: every shipped field seen through NTL::ZZ, so that its arithmetic can
// be checked against NTL's (an independent implementation), and the edge values
// where carries and reductions go wrong.
#include <meshmpc/field.hpp>

#include <NTL/ZZ.h>

#include <cstdint>
#include <sstream>
#include <string>
#include <vector>

namespace meshmpc::test {

inline NTL::ZZ zz_u64(std::uint64_t v) {
  NTL::ZZ z;
  NTL::conv(z, static_cast<unsigned long>(v));
  return z;
}

inline NTL::ZZ zz_u128(u128 v) {
  return (zz_u64(static_cast<std::uint64_t>(v >> 64)) << 64) + zz_u64(static_cast<std::uint64_t>(v));
}

inline std::uint64_t u64_of(const NTL::ZZ& v) { return NTL::conv<unsigned long>(v); }

inline u128 u128_of(const NTL::ZZ& v) {
  return static_cast<u128>(u64_of(v >> 64)) << 64 | u64_of(NTL::trunc_ZZ(v, 64));
}

inline std::string str(const NTL::ZZ& v) {
  std::ostringstream s;
  s << v;
  return s.str();
}

// modulus(f), value(f, a) in [0, p), element(f, v) for v in [0, p).
inline NTL::ZZ modulus(const Fp64& f) { return zz_u64(f.modulus()); }
inline NTL::ZZ value(const Fp64& f, Fp64::Element a) { return zz_u64(f.to_uint(a)); }
inline Fp64::Element element(const Fp64& f, const NTL::ZZ& v) { return f.from_uint(u64_of(v)); }

inline NTL::ZZ modulus(const Fp127&) { return zz_u128(Fp127Core::kP); }
inline NTL::ZZ value(const Fp127&, Fp127::Element a) { return zz_u128(a.v); }
inline Fp127::Element element(const Fp127& f, const NTL::ZZ& v) { return f.from_uint128(u128_of(v)); }

inline NTL::ZZ modulus(const NtlField& f) { return f.modulus(); }
inline NTL::ZZ value(const NtlField& f, const NtlField::Element& a) { return f.canonical(a); }
inline NtlField::Element element(const NtlField& f, const NTL::ZZ& v) { return f.from_canonical(v); }

// 0, 1, 2, p-1, p-2, (p-1)/2, (p+1)/2 and 2^k-1, 2^k, 2^k+1 around word boundaries,
// all below p, without repeats.
inline std::vector<NTL::ZZ> edge_values(const NTL::ZZ& p) {
  std::vector<NTL::ZZ> v;
  auto put = [&](const NTL::ZZ& x) {
    if (x < 0 || x >= p) return;
    for (const auto& y : v)
      if (y == x) return;
    v.push_back(x);
  };
  for (long k : {0L, 1L, 2L, 3L}) put(NTL::ZZ(k));
  put(p - 1);
  put(p - 2);
  put((p - 1) / 2);
  put((p + 1) / 2);
  put((p - 1) / 2 - 1);
  for (long k : {31L, 32L, 33L, 62L, 63L, 64L, 65L, 126L, 127L, 128L, 129L, 192L, 255L}) {
    const NTL::ZZ two_k = NTL::power2_ZZ(k);
    put(two_k - 1);
    put(two_k);
    put(two_k + 1);
    put(p - two_k);
  }
  return v;
}

// count values uniform in [0, p) from NTL's own generator with a fixed seed.
inline std::vector<NTL::ZZ> random_values(const NTL::ZZ& p, long count, long seed) {
  NTL::SetSeed(NTL::ZZ(seed));
  std::vector<NTL::ZZ> v;
  for (long i = 0; i < count; ++i) v.push_back(NTL::RandomBnd(p));
  return v;
}

template <class F>
std::vector<typename F::Element> elements(const F& f, const std::vector<NTL::ZZ>& values) {
  std::vector<typename F::Element> out;
  for (const auto& x : values) out.push_back(element(f, x));
  return out;
}

}  // namespace meshmpc::test
