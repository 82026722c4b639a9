#pragma once
// Deterministic per-party test inputs, so that every party and the plain
// computation in the test agree on them without communicating.
#include <cstdint>
#include <random>
#include <vector>

namespace meshmpc::test {

inline std::vector<std::int64_t> party_values(std::size_t party, std::size_t count, std::int64_t bound = 1000) {
  std::mt19937_64 gen(1234 + party);
  std::uniform_int_distribution<std::int64_t> dist(-bound, bound);
  std::vector<std::int64_t> v(count);
  for (auto& x : v) x = dist(gen);
  return v;
}

}  // namespace meshmpc::test
