#pragma once
// Party subsets for PRSS (Cramer-Damgard-Ishai, TCC 2005): the subsets A of
// {0..n-1} with |A| = n - t, each with one key held by exactly its members.
//
// A Subset is a sorted vector of party ids (ascending, no repeats). Subsets are
// enumerated in lexicographic order of these vectors, which is also the order of
// std::map<Subset, ...>; every party computes the same list from (n, t) alone.
#include <cstddef>
#include <string>
#include <vector>

namespace meshmpc {

using Subset = std::vector<std::size_t>;

// Beyond this many subsets PRSS costs more than interaction (C(n,t) PRF calls per
// random element), so prss_subsets refuses rather than allocating without bound.
inline constexpr std::size_t kMaxPrssSubsets = std::size_t{1} << 16;

// C(n, k); ConfigError if it does not fit 64 bits.
std::size_t binomial(std::size_t n, std::size_t k);

// All subsets of {0..n-1} of size n - t, lexicographic. ConfigError unless
// 1 <= n, t < n and C(n, t) <= kMaxPrssSubsets.
std::vector<Subset> prss_subsets(std::size_t n, std::size_t t);

// One key party `self` takes part in: the subset and the member who draws the
// key and sends it to the others (the lowest id in the subset, as MPyC does).
struct PrssKeyRole {
  Subset subset;
  std::size_t dealer = 0;
  friend bool operator==(const PrssKeyRole&, const PrssKeyRole&) = default;
};

// The subsets that contain `self`, in prss_subsets order, with their dealers.
// RangeError if self >= n.
std::vector<PrssKeyRole> prss_key_roles(std::size_t n, std::size_t t, std::size_t self);

// "{0,2,3}"
std::string to_string(const Subset& subset);

}  // namespace meshmpc
