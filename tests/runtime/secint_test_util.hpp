#pragma once
// Helpers for the secure-integer tests: run a program among n in-process parties
// over Fp64/Fp127 and collect what party 0 opened.
#include <meshmpc/runtime/run_local.hpp>

#include <cstdint>
#include <mutex>
#include <vector>

namespace meshmpc::test {

inline SessionOptions options_for(std::size_t n, std::size_t k = 30, Randomness randomness = Randomness::prss,
                                  MulProtocol mul = MulProtocol::grr) {
  return {.threshold = (n - 1) / 2, .mul = mul, .randomness = randomness, .sec_param = k};
}

// Party 0's opened vectors (every party checks that it opened the same ones).
struct Opened {
  std::mutex m;
  std::vector<std::vector<std::int64_t>> party0;
  std::vector<std::vector<std::vector<std::int64_t>>> all;
};

}  // namespace meshmpc::test
