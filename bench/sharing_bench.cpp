// Throughput of the sharing layer over Fp64 on batches of 65536 secrets:
// Shamir share, share + reconstruct (from t + 1 parties), and PRSS random and
// zero sharings, for n = 3, 5, 7 with t = (n - 1) / 2. Items are secrets (or PRSS
// elements), so items_per_second is elements per second.
#include <meshmpc/field/fp64.hpp>
#include <meshmpc/sharing/prg.hpp>
#include <meshmpc/sharing/prss.hpp>
#include <meshmpc/sharing/shamir.hpp>

#include <benchmark/benchmark.h>

#include <map>
#include <numeric>
#include <span>
#include <vector>

namespace meshmpc {
namespace {

constexpr std::size_t kBatch = 65536;

std::vector<Fp64::Element> random_batch(const Fp64& f) {
  Prg rng;
  std::vector<Fp64::Element> v(kBatch);
  f.random(std::span<Fp64::Element>(v), rng);
  return v;
}

void BM_ShamirShare(benchmark::State& state) {
  const Fp64 f;
  const auto n = static_cast<std::size_t>(state.range(0));
  const Shamir<Fp64> shamir(f, n, (n - 1) / 2);
  const auto secrets = random_batch(f);
  std::vector<std::vector<Fp64::Element>> buffers(n, std::vector<Fp64::Element>(kBatch));
  const std::vector<std::span<Fp64::Element>> out(buffers.begin(), buffers.end());
  Prg rng;
  for (auto _ : state) {
    shamir.share(secrets, rng, out);
    benchmark::DoNotOptimize(buffers.back().data());
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * kBatch));
}
BENCHMARK(BM_ShamirShare)->Arg(3)->Arg(5)->Arg(7)->Unit(benchmark::kMicrosecond);

void BM_ShamirShareReconstruct(benchmark::State& state) {
  const Fp64 f;
  const auto n = static_cast<std::size_t>(state.range(0));
  const std::size_t t = (n - 1) / 2;
  const Shamir<Fp64> shamir(f, n, t);
  const auto secrets = random_batch(f);
  std::vector<std::vector<Fp64::Element>> buffers(n, std::vector<Fp64::Element>(kBatch));
  const std::vector<std::span<Fp64::Element>> out(buffers.begin(), buffers.end());
  std::vector<std::size_t> ids(t + 1);
  std::iota(ids.begin(), ids.end(), 0);
  const std::vector<std::span<const Fp64::Element>> views(buffers.begin(), buffers.begin() + static_cast<std::ptrdiff_t>(t + 1));
  Prg rng;
  for (auto _ : state) {
    shamir.share(secrets, rng, out);
    const auto opened = shamir.reconstruct(ids, views);
    benchmark::DoNotOptimize(opened.data());
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * kBatch));
}
BENCHMARK(BM_ShamirShareReconstruct)->Arg(3)->Arg(5)->Arg(7)->Unit(benchmark::kMicrosecond);

void BM_ShamirReconstruct(benchmark::State& state) {
  const Fp64 f;
  const auto n = static_cast<std::size_t>(state.range(0));
  const std::size_t t = (n - 1) / 2;
  const Shamir<Fp64> shamir(f, n, t);
  Prg rng;
  const auto shares = shamir.share(random_batch(f), rng);
  std::vector<std::size_t> ids(t + 1);
  std::iota(ids.begin(), ids.end(), 0);
  const std::vector<std::span<const Fp64::Element>> views(shares.begin(), shares.begin() + static_cast<std::ptrdiff_t>(t + 1));
  for (auto _ : state) {
    const auto opened = shamir.reconstruct(ids, views);
    benchmark::DoNotOptimize(opened.data());
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * kBatch));
}
BENCHMARK(BM_ShamirReconstruct)->Arg(3)->Arg(5)->Arg(7)->Unit(benchmark::kMicrosecond);

// Party 0's PRSS object (it holds C(n-1, t) keys).
Prss<Fp64> party_zero(const Fp64& f, std::size_t n) {
  const std::size_t t = (n - 1) / 2;
  std::map<Subset, Prg::Key> keys;
  for (const auto& role : prss_key_roles(n, t, 0)) keys[role.subset] = Prg::random_key();
  return Prss<Fp64>(f, n, t, 0, std::move(keys));
}

void BM_PrssRandomShares(benchmark::State& state) {
  const Fp64 f;
  const auto prss = party_zero(f, static_cast<std::size_t>(state.range(0)));
  std::vector<Fp64::Element> out(kBatch);
  std::uint64_t counter = 0;
  for (auto _ : state) {
    prss.random_shares(counter++, out);
    benchmark::DoNotOptimize(out.data());
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * kBatch));
}
BENCHMARK(BM_PrssRandomShares)->Arg(3)->Arg(5)->Arg(7)->Unit(benchmark::kMicrosecond);

void BM_PrssZeroShares(benchmark::State& state) {
  const Fp64 f;
  const auto prss = party_zero(f, static_cast<std::size_t>(state.range(0)));
  std::vector<Fp64::Element> out(kBatch);
  std::uint64_t counter = 0;
  for (auto _ : state) {
    prss.zero_shares(counter++, out);
    benchmark::DoNotOptimize(out.data());
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * kBatch));
}
BENCHMARK(BM_PrssZeroShares)->Arg(3)->Arg(5)->Arg(7)->Unit(benchmark::kMicrosecond);

// One random sharing at a time (a scalar secure operation): the cost is the PRF
// set-up per key, not the batch.
void BM_PrssRandomShareScalar(benchmark::State& state) {
  const Fp64 f;
  const auto prss = party_zero(f, static_cast<std::size_t>(state.range(0)));
  std::vector<Fp64::Element> out(1);
  std::uint64_t counter = 0;
  for (auto _ : state) {
    prss.random_shares(counter++, out);
    benchmark::DoNotOptimize(out.data());
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()));
}
BENCHMARK(BM_PrssRandomShareScalar)->Arg(3)->Arg(5)->Arg(7);

}  // namespace
}  // namespace meshmpc
