#include <meshmpc/runtime/protocols/sort.hpp>

#include <algorithm>

namespace meshmpc::protocols {

std::vector<std::vector<Comparator>> odd_even_merge_layers(std::size_t n) {
  std::vector<std::vector<Comparator>> layers;
  std::size_t padded = 1;
  while (padded < n) padded <<= 1;
  // The iterative form of Batcher's network: for each merge size p and distance k.
  for (std::size_t p = 1; p < padded; p <<= 1) {
    for (std::size_t k = p; k >= 1; k >>= 1) {
      std::vector<Comparator> layer;
      for (std::size_t j = k % p; j + k < padded; j += 2 * k) {
        for (std::size_t i = 0; i < std::min(k, padded - j - k); ++i) {
          const std::size_t a = i + j, b = i + j + k;
          if (a / (2 * p) == b / (2 * p) && b < n) layer.emplace_back(a, b);
        }
      }
      if (!layer.empty()) layers.push_back(std::move(layer));
    }
  }
  return layers;
}

}  // namespace meshmpc::protocols
