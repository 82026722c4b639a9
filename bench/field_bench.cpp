// Field vector operations on 4096 elements: Fp64, Fp127 and NtlField with a 128-bit
// and a 256-bit prime. items_per_second counts field elements (one multiplication,
// addition or multiply-add each).
#include <meshmpc/field.hpp>
#include <meshmpc/sharing/prg.hpp>

#include <benchmark/benchmark.h>

#include <cstddef>
#include <string_view>
#include <vector>

namespace {

using meshmpc::Fp127;
using meshmpc::Fp64;
using meshmpc::NtlField;
using meshmpc::Prg;

constexpr std::size_t kLength = 4096;
constexpr std::string_view kPrime128 = "340282366920938463463374607431768211297";  // 2^128 - 159
constexpr std::string_view kPrime256 =
    "115792089237316195423570985008687907853269984665640564039457584007913129639747";  // 2^256 - 189

template <class F>
std::vector<typename F::Element> random_vector(const F& f, std::uint64_t stream) {
  Prg::Key key{};
  key[0] = std::byte{42};
  Prg prg(key, stream);
  std::vector<typename F::Element> v(kLength);
  f.random(std::span<typename F::Element>(v), prg);
  return v;
}

template <class F>
void bm_mul(benchmark::State& state, const F& f) {
  const auto x = random_vector(f, 1);
  const auto y = random_vector(f, 2);
  std::vector<typename F::Element> out(kLength);
  for (auto _ : state) {
    f.mul(std::span(out), std::span(x), std::span(y));
    benchmark::DoNotOptimize(out.data());
    benchmark::ClobberMemory();
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * kLength));
}

template <class F>
void bm_add(benchmark::State& state, const F& f) {
  const auto x = random_vector(f, 1);
  const auto y = random_vector(f, 2);
  std::vector<typename F::Element> out(kLength);
  for (auto _ : state) {
    f.add(std::span(out), std::span(x), std::span(y));
    benchmark::DoNotOptimize(out.data());
    benchmark::ClobberMemory();
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * kLength));
}

template <class F>
void bm_axpy(benchmark::State& state, const F& f) {
  const auto x = random_vector(f, 1);
  auto out = random_vector(f, 2);
  const auto a = random_vector(f, 3)[0];
  for (auto _ : state) {
    f.axpy(std::span(out), a, std::span(x));
    benchmark::DoNotOptimize(out.data());
    benchmark::ClobberMemory();
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * kLength));
}

template <class F>
void bm_inner(benchmark::State& state, const F& f) {
  const auto x = random_vector(f, 1);
  const auto y = random_vector(f, 2);
  for (auto _ : state) {
    auto r = f.inner(std::span(x), std::span(y));
    benchmark::DoNotOptimize(r);
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * kLength));
}

const Fp64 kFp64;
const Fp127 kFp127;
const NtlField kNtl128(kPrime128);
const NtlField kNtl256(kPrime256);

}  // namespace

BENCHMARK_CAPTURE(bm_mul, fp64, kFp64);
BENCHMARK_CAPTURE(bm_mul, fp127, kFp127);
BENCHMARK_CAPTURE(bm_mul, ntl128, kNtl128);
BENCHMARK_CAPTURE(bm_mul, ntl256, kNtl256);
BENCHMARK_CAPTURE(bm_add, fp64, kFp64);
BENCHMARK_CAPTURE(bm_add, fp127, kFp127);
BENCHMARK_CAPTURE(bm_add, ntl128, kNtl128);
BENCHMARK_CAPTURE(bm_add, ntl256, kNtl256);
BENCHMARK_CAPTURE(bm_axpy, fp64, kFp64);
BENCHMARK_CAPTURE(bm_axpy, fp127, kFp127);
BENCHMARK_CAPTURE(bm_axpy, ntl128, kNtl128);
BENCHMARK_CAPTURE(bm_axpy, ntl256, kNtl256);
BENCHMARK_CAPTURE(bm_inner, fp64, kFp64);
BENCHMARK_CAPTURE(bm_inner, fp127, kFp127);
BENCHMARK_CAPTURE(bm_inner, ntl128, kNtl128);
BENCHMARK_CAPTURE(bm_inner, ntl256, kNtl256);
