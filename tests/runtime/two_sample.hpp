#pragma once
// Statistical tests for the privacy tests (privacy_test.cpp). Each returns a
// p-value: the probability, when the null hypothesis holds (same distribution,
// or the stated one), of a statistic at least as extreme as the one seen. A test
// that rejects when p < alpha therefore fails spuriously with probability <= alpha
// (asymptotically; the samples here are thousands strong).
#include <boost/math/distributions/kolmogorov_smirnov.hpp>
#include <boost/math/special_functions/gamma.hpp>

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <vector>

namespace meshmpc::test {

// Upper tail of the chi-square distribution with `dof` degrees of freedom
// (Boost.Math's regularized upper incomplete gamma Q(dof/2, x/2)).
inline double chi_square_p(double statistic, std::size_t dof) {
  if (dof == 0) return 1.0;
  return statistic <= 0 ? 1.0 : boost::math::gamma_q(static_cast<double>(dof) / 2.0, statistic / 2.0);
}

// Pearson's goodness of fit of `counts` to the probabilities `probs` (same
// length, summing to 1). A count in a bin of probability 0 gives p = 0.
inline double chi_square_fit_p(const std::vector<std::size_t>& counts, const std::vector<double>& probs) {
  double total = 0;
  for (auto k : counts) total += static_cast<double>(k);
  double statistic = 0;
  std::size_t bins = 0;
  for (std::size_t i = 0; i < counts.size(); ++i) {
    const double expected = total * probs[i];
    if (expected == 0) {
      if (counts[i] != 0) return 0.0;
      continue;
    }
    const double diff = static_cast<double>(counts[i]) - expected;
    statistic += diff * diff / expected;
    ++bins;
  }
  return chi_square_p(statistic, bins == 0 ? 0 : bins - 1);
}

// Homogeneity of two samples' counts over the same bins (Pearson on the 2 x B
// contingency table; bins empty in both samples are left out).
inline double chi_square_homogeneity_p(const std::vector<std::size_t>& a, const std::vector<std::size_t>& b) {
  double na = 0, nb = 0;
  for (auto k : a) na += static_cast<double>(k);
  for (auto k : b) nb += static_cast<double>(k);
  if (na == 0 || nb == 0) return 1.0;
  double statistic = 0;
  std::size_t bins = 0;
  for (std::size_t i = 0; i < a.size(); ++i) {
    const double both = static_cast<double>(a[i] + b[i]);
    if (both == 0) continue;
    ++bins;
    const double ea = both * na / (na + nb), eb = both * nb / (na + nb);
    statistic += (a[i] - ea) * (a[i] - ea) / ea + (b[i] - eb) * (b[i] - eb) / eb;
  }
  return chi_square_p(statistic, bins == 0 ? 0 : bins - 1);
}

// Q_KS(lambda) = 2 sum_{j>=1} (-1)^(j-1) exp(-2 j^2 lambda^2), the tail of the
// Kolmogorov distribution: Boost.Math's Kolmogorov-Smirnov distribution of
// sqrt(n) D_n in the limit, read at n = 1.
inline double kolmogorov_q(double lambda) {
  if (lambda <= 0) return 1.0;
  return std::clamp(boost::math::cdf(boost::math::complement(
                        boost::math::kolmogorov_smirnov_distribution<double>(1.0), lambda)),
                    0.0, 1.0);
}

// The two-sample Kolmogorov-Smirnov statistic D = sup |F_a - F_b| (ties handled:
// both empirical functions step past a shared value together).
inline double ks_statistic(std::vector<double> a, std::vector<double> b) {
  std::sort(a.begin(), a.end());
  std::sort(b.begin(), b.end());
  const double na = static_cast<double>(a.size()), nb = static_cast<double>(b.size());
  std::size_t i = 0, j = 0;
  double d = 0;
  while (i < a.size() && j < b.size()) {
    const double v = std::min(a[i], b[j]);
    while (i < a.size() && a[i] == v) ++i;
    while (j < b.size() && b[j] == v) ++j;
    d = std::max(d, std::fabs(static_cast<double>(i) / na - static_cast<double>(j) / nb));
  }
  return d;
}

// p-value of the two-sample KS test: the asymptotic Kolmogorov distribution with
// Stephens' correction (Numerical Recipes' kstwo). Conservative for discrete
// distributions (ties only make D smaller).
inline double ks_p(const std::vector<double>& a, const std::vector<double>& b) {
  if (a.empty() || b.empty()) return 1.0;
  const double na = static_cast<double>(a.size()), nb = static_cast<double>(b.size());
  const double ne = std::sqrt(na * nb / (na + nb));
  return kolmogorov_q((ne + 0.12 + 0.11 / ne) * ks_statistic(a, b));
}

}  // namespace meshmpc::test
