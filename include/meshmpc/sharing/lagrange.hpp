#pragma once
// Lagrange interpolation coefficients: for distinct points x_0..x_{k-1} and a
// point x, the lambda_j with f(x) = sum_j lambda_j f(x_j) for every polynomial f
// of degree < k. Party i's evaluation point is i + 1 throughout meshmpc.
//
// Lagrange<F> computes them for a party set and caches them per (party set in the
// given order, x): opening a batch then costs one lookup and k scalar-vector
// multiply-adds. The cache is guarded by a mutex, so one Lagrange (or Shamir) may
// be used from several threads at once.
#include <meshmpc/error.hpp>
#include <meshmpc/field/fp127.hpp>
#include <meshmpc/field/fp64.hpp>
#include <meshmpc/field/prime_field.hpp>

#include <cstddef>
#include <map>
#include <memory>
#include <mutex>
#include <span>
#include <string>
#include <utility>
#include <vector>

namespace meshmpc {

// The points 1..n as elements of `field`: in GF(p) by repeated addition of one (so
// that no integer conversion limits n); in an extension field the elements whose
// base-p digits are 1..n (from_uint), since i times one repeats after p. ConfigError
// naming n, the field and `who` if the field has fewer than n nonzero elements of
// that form (n >= p, or n >= 2^d in GF(2^d)).
template <FiniteField F>
std::vector<typename F::Element> party_points(const F& field, std::size_t n, const std::string& who) {
  std::vector<typename F::Element> points;
  points.reserve(n);
  if constexpr (ExtensionField<F>) {
    for (std::size_t i = 1; i <= n; ++i) {
      try {
        points.push_back(field.from_uint(i));
      } catch (const RangeError&) {
        throw ConfigError(who + ": n = " + std::to_string(n) + " parties need distinct nonzero points, but " +
                          field.name() + " has too few small elements (" + std::to_string(i) + " has no element)");
      }
    }
    return points;
  }
  auto x = field.zero();
  for (std::size_t i = 1; i <= n; ++i) {
    x = field.add(x, field.one());
    // i = p is the first i whose point is 0; from then on points repeat.
    if (field.is_zero(x))
      throw ConfigError(who + ": n = " + std::to_string(n) + " parties need the distinct nonzero points 1.." +
                        std::to_string(n) + ", but " + field.name() + " has only " + std::to_string(i - 1) +
                        " nonzero elements");
    points.push_back(x);
  }
  return points;
}

// lambda_j for the given distinct points, interpolating at x. RangeError if two
// points are equal. O(k^2) multiplications and one inversion.
template <FiniteField F>
std::vector<typename F::Element> lagrange_coefficients(const F& field,
                                                       std::span<const typename F::Element> points,
                                                       const typename F::Element& x) {
  using E = typename F::Element;
  const std::size_t k = points.size();
  // numerator_j = prod_{m != j} (x - x_m), from prefix and suffix products.
  std::vector<E> diff(k), numerator(k, field.one()), denominator(k, field.one());
  for (std::size_t m = 0; m < k; ++m) diff[m] = field.sub(x, points[m]);
  E prefix = field.one();
  for (std::size_t j = 0; j < k; ++j) {
    numerator[j] = prefix;
    prefix = field.mul(prefix, diff[j]);
  }
  E suffix = field.one();
  for (std::size_t j = k; j-- > 0;) {
    numerator[j] = field.mul(numerator[j], suffix);
    suffix = field.mul(suffix, diff[j]);
  }
  for (std::size_t j = 0; j < k; ++j) {
    for (std::size_t m = 0; m < k; ++m) {
      if (m == j) continue;
      const E d = field.sub(points[j], points[m]);
      if (field.is_zero(d))
        throw RangeError("Lagrange interpolation: points " + std::to_string(j) + " and " + std::to_string(m) +
                         " are equal (" + field.to_string(points[j]) + ")");
      denominator[j] = field.mul(denominator[j], d);
    }
  }
  std::vector<E> inverse(k);
  field.batch_inv(inverse, denominator);
  for (std::size_t j = 0; j < k; ++j) numerator[j] = field.mul(numerator[j], inverse[j]);
  return numerator;
}

template <FiniteField F>
class Lagrange {
 public:
  using Element = typename F::Element;
  using Coefficients = std::shared_ptr<const std::vector<Element>>;

  // The cache is cleared when it would grow beyond this; a session uses a handful
  // of party sets, so this only bounds memory against pathological callers.
  static constexpr std::size_t kMaxCacheEntries = 4096;

  // For parties 0..n-1 (points 1..n); keeps a copy of `field`. ConfigError if n < 1
  // or n >= p.
  Lagrange(const F& field, std::size_t n) : field_(field), n_(n), points_(party_points(field, n, "Lagrange")) {
    if (n < 1) throw ConfigError("Lagrange: the number of parties n must be at least 1, got 0");
  }
  // Copies start with an empty cache (a mutex cannot be copied, and the cache is
  // only an accelerator).
  Lagrange(const Lagrange& other) : field_(other.field_), n_(other.n_), points_(other.points_) {}
  Lagrange& operator=(const Lagrange& other) {
    if (this != &other) {
      field_ = other.field_;
      n_ = other.n_;
      points_ = other.points_;
      const std::lock_guard lock(mutex_);
      cache_.clear();
    }
    return *this;
  }
  ~Lagrange() = default;

  const F& field() const { return field_; }
  std::size_t n() const { return n_; }
  // Party i's evaluation point i + 1. RangeError if i >= n.
  const Element& point(std::size_t party) const {
    if (party >= n_)
      throw RangeError("party id " + std::to_string(party) + " is out of range for n = " + std::to_string(n_));
    return points_[party];
  }

  // RangeError naming the first id that is >= n or repeats; `what` says who asks.
  void check_parties(std::span<const std::size_t> parties, const std::string& what) const {
    std::vector<bool> seen(n_, false);
    for (std::size_t j = 0; j < parties.size(); ++j) {
      const std::size_t id = parties[j];
      if (id >= n_)
        throw RangeError(what + ": party id " + std::to_string(id) + " (position " + std::to_string(j) +
                         ") is out of range for n = " + std::to_string(n_));
      if (seen[id])
        throw RangeError(what + ": party id " + std::to_string(id) + " appears twice (again at position " +
                         std::to_string(j) + ")");
      seen[id] = true;
    }
  }

  // The coefficients for interpolating at x from the shares of `parties` (in that
  // order): f(x) = sum_j (*at(parties, x))[j] * f(parties[j] + 1) for deg f < |parties|.
  // RangeError for an empty set, an out-of-range or repeated id.
  Coefficients at(std::span<const std::size_t> parties, const Element& x) const {
    if (parties.empty()) throw RangeError("Lagrange: interpolation needs at least one party");
    std::vector<std::byte> x_bytes(field_.byte_size());
    field_.encode(x, std::span<std::byte>(x_bytes));
    Key key{std::vector<std::size_t>(parties.begin(), parties.end()), std::move(x_bytes)};
    {
      const std::lock_guard lock(mutex_);
      if (const auto it = cache_.find(key); it != cache_.end()) return it->second;
    }
    check_parties(parties, "Lagrange");
    std::vector<Element> points(parties.size());
    for (std::size_t j = 0; j < parties.size(); ++j) points[j] = points_[parties[j]];
    auto coefficients = std::make_shared<const std::vector<Element>>(
        lagrange_coefficients(field_, std::span<const Element>(points), x));
    const std::lock_guard lock(mutex_);
    if (cache_.size() >= kMaxCacheEntries) cache_.clear();
    cache_.emplace(std::move(key), coefficients);
    return coefficients;
  }

  std::size_t cache_size() const {
    const std::lock_guard lock(mutex_);
    return cache_.size();
  }

 private:
  using Key = std::pair<std::vector<std::size_t>, std::vector<std::byte>>;

  F field_;
  std::size_t n_;
  std::vector<Element> points_;
  mutable std::mutex mutex_;
  mutable std::map<Key, Coefficients> cache_;
};

extern template class Lagrange<Fp64>;
extern template class Lagrange<Fp127>;

}  // namespace meshmpc
