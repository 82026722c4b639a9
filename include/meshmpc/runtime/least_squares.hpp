#pragma once
// Least squares with a few features, optionally ridge-regularized (the shape of
// MPyC's ridge regression demo): y ~ b0 + b1 x1 + ... + bd xd over the rows of d
// secret feature columns and a secret target, every row staying secret.
//
// The columns and y are centered first (their means in one truncation), so the
// intercept is not penalized and the normal equations are better conditioned:
// (D^T D + ridge I) b = D^T dy for the slopes, b0 = mean(y) - sum_i b_i mean(x_i).
// The d x d system is symmetric positive definite (for ridge > 0, or independent
// features), so Gaussian elimination needs no pivoting; each elimination step
// divides by its pivot with Session::div (relative error about 2^-12, where a
// reciprocal in fixed point would lose the small values' digits), one batch per
// step; back substitution divides once per slope. About d + (d - 1) divisions in
// sequence: some 300 rounds for d = 3.
//
// The Gram sums must fit the type: sum((x_i - mean)^2) below 2^(l-f-1) (32768 for
// secfxp(32, 16)); scale the features beforehand if they do not. Errors are in
// docs/programs.md.
#include <meshmpc/runtime/secfxp.hpp>
#include <meshmpc/runtime/session.hpp>

#include <boost/asio/awaitable.hpp>

#include <string>
#include <vector>

namespace meshmpc::statistics {

namespace detail {
template <FiniteField F>
using System = std::vector<std::vector<SecFxp<F>>>;  // row i: A_i0 .. A_i(d-1), r_i

// The augmented system [A | r] of the centered data: A = D^T D + ridge I,
// r = D^T dy. The symmetric half is not computed twice.
template <FiniteField F>
boost::asio::awaitable<System<F>> normal_equations(Session<F>& s, const std::vector<SecFxp<F>>& dev,
                                                   const SecFxp<F>& dy, double ridge) {
  const std::size_t d = dev.size();
  System<F> a(d);
  for (std::size_t i = 0; i < d; ++i) {
    for (std::size_t j = 0; j < d; ++j) {
      if (j < i) {
        a[i].push_back(a[j][i]);
        continue;
      }
      SecFxp<F> g = co_await s.inner(dev[i], dev[j]);
      a[i].push_back(i == j ? g + ridge : g);
    }
    a[i].push_back(co_await s.inner(dev[i], dy));
  }
  co_return a;
}

// Gaussian elimination: rows below k lose their column k, all in one division and
// one product per step; then back substitution, b_k = (r_k - sum_{j>k} A_kj b_j) / A_kk.
template <FiniteField F>
boost::asio::awaitable<std::vector<SecFxp<F>>> solve(Session<F>& s, System<F> a) {
  const std::size_t d = a.size();
  for (std::size_t k = 0; k + 1 < d; ++k) {
    std::vector<SecFxp<F>> below, lhs, rhs;
    for (std::size_t i = k + 1; i < d; ++i) below.push_back(a[i][k]);
    const SecFxp<F> factors = co_await s.div(SecFxp<F>::concat(below), a[k][k].repeated(below.size()));
    for (std::size_t i = k + 1; i < d; ++i)
      for (std::size_t j = k + 1; j <= d; ++j) {
        lhs.push_back(factors.at(i - k - 1));
        rhs.push_back(a[k][j]);
      }
    const SecFxp<F> products = co_await s.mul(SecFxp<F>::concat(lhs), SecFxp<F>::concat(rhs));
    std::size_t q = 0;
    for (std::size_t i = k + 1; i < d; ++i)
      for (std::size_t j = k + 1; j <= d; ++j) a[i][j] = a[i][j] - products.at(q++);
  }
  std::vector<SecFxp<F>> b(d, a[0][0]);
  for (std::size_t k = d; k-- > 0;) {
    SecFxp<F> rest = a[k][d];
    if (k + 1 < d) {
      std::vector<SecFxp<F>> known(b.begin() + static_cast<std::ptrdiff_t>(k + 1), b.end());
      std::vector<SecFxp<F>> coef(a[k].begin() + static_cast<std::ptrdiff_t>(k + 1), a[k].begin() + static_cast<std::ptrdiff_t>(d));
      rest = rest - co_await s.inner(SecFxp<F>::concat(coef), SecFxp<F>::concat(known));
    }
    b[k] = co_await s.div(rest, a[k][k]);
  }
  co_return b;
}
}  // namespace detail

// The intercept and the d slopes (d + 1 entries: b0, b1, ..., bd).
template <FiniteField F>
boost::asio::awaitable<SecFxp<F>> least_squares(Session<F>& s, std::vector<SecFxp<F>> columns, SecFxp<F> y,
                                                double ridge = 0) {
  const std::size_t d = columns.size(), rows = y.size();
  if (d == 0) throw RangeError("least squares needs at least one feature column");
  if (rows < d + 1)
    throw RangeError("least squares of " + std::to_string(d) + " features needs at least " + std::to_string(d + 1) +
                     " rows, got " + std::to_string(rows));
  for (std::size_t i = 0; i < d; ++i)
    if (columns[i].size() != rows)
      throw RangeError("least squares: feature column " + std::to_string(i) + " has " +
                       std::to_string(columns[i].size()) + " rows, the target " + std::to_string(rows));
  if (!(ridge >= 0)) throw RangeError("least squares: a negative ridge " + std::to_string(ridge));

  // Means of every column and of y at once; the deviations are local.
  std::vector<SecFxp<F>> sums;
  for (const auto& x : columns) sums.push_back(s.sum(x));
  sums.push_back(s.sum(y));
  const SecFxp<F> means = co_await s.div(SecFxp<F>::concat(sums), static_cast<double>(rows));
  std::vector<SecFxp<F>> dev, mean_x;
  for (std::size_t i = 0; i < d; ++i) {
    dev.push_back(columns[i] - means.at(i).repeated(rows));
    mean_x.push_back(means.at(i));
  }
  const SecFxp<F> dy = y - means.at(d).repeated(rows);
  auto system = co_await detail::normal_equations(s, dev, dy, ridge);
  const std::vector<SecFxp<F>> slope = co_await detail::solve(s, std::move(system));
  // b0 = mean(y) - <b, mean(x)>.
  SecFxp<F> intercept = means.at(d) - co_await s.inner(SecFxp<F>::concat(slope), SecFxp<F>::concat(mean_x));
  std::vector<SecFxp<F>> out{intercept};
  out.insert(out.end(), slope.begin(), slope.end());
  co_return SecFxp<F>::concat(out);
}

}  // namespace meshmpc::statistics
