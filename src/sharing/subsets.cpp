#include <meshmpc/sharing/subsets.hpp>

#include <meshmpc/error.hpp>
#include <meshmpc/field/int128.hpp>

#include <algorithm>
#include <limits>

namespace meshmpc {

std::size_t binomial(std::size_t n, std::size_t k) {
  if (k > n) return 0;
  k = std::min(k, n - k);
  // c = C(n - k + i, i) after step i; each step's division is exact.
  std::size_t c = 1;
  for (std::size_t i = 1; i <= k; ++i) {
    // The product needs up to 128 bits even when the result fits 64.
    const u128 next = static_cast<u128>(c) * (n - k + i) / i;
    if (next > std::numeric_limits<std::size_t>::max())
      throw ConfigError("binomial coefficient C(" + std::to_string(n) + ", " + std::to_string(k) +
                        ") does not fit 64 bits");
    c = static_cast<std::size_t>(next);
  }
  return c;
}

std::vector<Subset> prss_subsets(std::size_t n, std::size_t t) {
  if (n < 1) throw ConfigError("PRSS: the number of parties n must be at least 1, got 0");
  if (t >= n)
    throw ConfigError("PRSS: threshold t = " + std::to_string(t) + " must be below the number of parties n = " +
                      std::to_string(n));
  const std::size_t count = binomial(n, t);
  if (count > kMaxPrssSubsets)
    throw ConfigError("PRSS with n = " + std::to_string(n) + ", t = " + std::to_string(t) + " needs C(n,t) = " +
                      std::to_string(count) + " keys, more than the limit " + std::to_string(kMaxPrssSubsets));
  const std::size_t k = n - t;
  std::vector<Subset> out;
  out.reserve(count);
  Subset a(k);
  for (std::size_t i = 0; i < k; ++i) a[i] = i;
  for (;;) {
    out.push_back(a);
    // Next combination in lexicographic order: bump the rightmost entry that can grow.
    std::size_t i = k;
    while (i > 0 && a[i - 1] == n - k + (i - 1)) --i;
    if (i == 0) break;
    ++a[i - 1];
    for (std::size_t j = i; j < k; ++j) a[j] = a[j - 1] + 1;
  }
  return out;
}

std::vector<PrssKeyRole> prss_key_roles(std::size_t n, std::size_t t, std::size_t self) {
  auto subsets = prss_subsets(n, t);
  if (self >= n)
    throw RangeError("PRSS: party id " + std::to_string(self) + " is out of range for n = " + std::to_string(n));
  std::vector<PrssKeyRole> roles;
  for (auto& a : subsets) {
    if (std::binary_search(a.begin(), a.end(), self)) {
      const std::size_t dealer = a.front();
      roles.push_back({std::move(a), dealer});
    }
  }
  return roles;
}

std::string to_string(const Subset& subset) {
  std::string s = "{";
  for (std::size_t i = 0; i < subset.size(); ++i) {
    if (i != 0) s += ',';
    s += std::to_string(subset[i]);
  }
  return s + "}";
}

}  // namespace meshmpc
