// Several threads opening through one Shamir object share its Lagrange cache
// (guarded by a mutex); run under TSan with the multiparty label.
#include <meshmpc/sharing/shamir.hpp>

#include "test_support.hpp"

#include <gtest/gtest.h>

#include <thread>
#include <vector>

namespace meshmpc {
namespace {

TEST(ShamirConcurrency, ThreadsReconstructThroughOneSharedCache) {
  const Fp64 f;
  const Shamir<Fp64> shamir(f, 7, 3);
  Prg rng(test::fixed_key(1), 0);
  std::vector<Fp64::Element> secrets(64);
  f.random(std::span<Fp64::Element>(secrets), rng);
  const auto shares = shamir.share(secrets, rng);
  const auto sets = test::subsets_of_size(7, 4);
  std::vector<int> failures(4, 0);
  std::vector<std::thread> threads;
  for (std::size_t k = 0; k < failures.size(); ++k) {
    threads.emplace_back([&, k] {
      for (int round = 0; round < 3; ++round)
        for (std::size_t s = k; s < sets.size() + k; ++s) {
          const auto& ids = sets[s % sets.size()];
          if (shamir.reconstruct(ids, test::views_of(shares, ids)) != secrets) ++failures[k];
        }
    });
  }
  for (auto& th : threads) th.join();
  for (const int failed : failures) EXPECT_EQ(failed, 0);
  EXPECT_EQ(shamir.lagrange().cache_size(), sets.size());
}

}  // namespace
}  // namespace meshmpc
