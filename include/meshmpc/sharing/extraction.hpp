#pragma once
// Randomness extraction with a Vandermonde matrix (Damgard-Nielsen, "Scalable and
// unconditionally secure multiparty computation", CRYPTO 2007; Beerliova-Trubiniova
// and Hirt, "Perfectly-secure MPC with linear communication complexity", TCC 2008),
// the passive-security half: each of n parties deals a sharing of a value of its
// own, and every party applies the same public (n - t) x n matrix
//   M[i][j] = x_j^i   (x_j = party j's point j + 1; i = 0..n-t-1)
// to the n sharings it received. Sharing is linear, so the outputs are sharings of
// y = M x of the same degree. Every (n - t) x (n - t) submatrix of M is a square
// Vandermonde matrix on distinct points, hence invertible: whatever the t corrupted
// parties dealt, the n - t honest columns map the honest values onto all of
// F^(n-t), so y is uniform and independent of the adversary's view (for zero
// secrets the same holds for the random polynomials). See docs/protocols.md.
#include <meshmpc/error.hpp>
#include <meshmpc/field/fp127.hpp>
#include <meshmpc/field/fp64.hpp>
#include <meshmpc/field/prime_field.hpp>
#include <meshmpc/sharing/lagrange.hpp>

#include <algorithm>
#include <cstddef>
#include <span>
#include <string>
#include <vector>

namespace meshmpc {

template <FiniteField F>
class Extractor {
 public:
  using Element = typename F::Element;

  // Inputs are applied in blocks of this many elements so that the n - t output
  // blocks and the input block being read stay in L1 across all terms.
  static constexpr std::size_t kBlock = 512;

  // The matrix for n parties, t of whom may be corrupted. ConfigError if n < 1,
  // t >= n, or the field has fewer than n nonzero points.
  Extractor(const F& field, std::size_t n, std::size_t t) : field_(field), n_(n), t_(t) {
    if (n < 1) throw ConfigError("Extractor: the number of parties n must be at least 1, got 0");
    if (t >= n)
      throw ConfigError("Extractor: threshold t = " + std::to_string(t) + " must be below the number of parties n = " +
                        std::to_string(n));
    const auto x = party_points(field, n, "Extractor over " + field.name());
    matrix_.assign(rows() * n, field.one());
    for (std::size_t i = 1; i < rows(); ++i)
      for (std::size_t j = 0; j < n; ++j) matrix_[i * n + j] = field.mul(matrix_[(i - 1) * n + j], x[j]);
  }

  const F& field() const { return field_; }
  std::size_t n() const { return n_; }
  std::size_t t() const { return t_; }
  // Fresh sharings per dealt column: n - t.
  std::size_t rows() const { return n_ - t_; }
  const Element& entry(std::size_t row, std::size_t col) const { return matrix_[row * n_ + col]; }

  // How many columns each party deals for `count` outputs: ceil(count / (n - t)).
  std::size_t columns_for(std::size_t count) const { return (count + rows() - 1) / rows(); }

  // out[i * b + s] = sum_j M[i][j] * inputs[j][s] for i < rows(), s < b, where b is
  // the length of every input (inputs[j]: the shares dealt by party j). `out` may be
  // shorter than rows() * b: its first out.size() values are written, the rest not
  // computed. RangeError if not n inputs, lengths differ, or out is too long.
  void apply(std::span<const std::span<const Element>> inputs, std::span<Element> out) const {
    if (inputs.size() != n_)
      throw RangeError("Extractor: " + std::to_string(inputs.size()) + " inputs given for n = " + std::to_string(n_));
    const std::size_t b = inputs[0].size();
    for (std::size_t j = 1; j < n_; ++j)
      if (inputs[j].size() != b)
        throw RangeError("Extractor: input " + std::to_string(j) + " holds " + std::to_string(inputs[j].size()) +
                         " elements, input 0 holds " + std::to_string(b));
    if (out.size() > rows() * b)
      throw RangeError("Extractor: " + std::to_string(out.size()) + " outputs asked from " + std::to_string(b) +
                       " columns of " + std::to_string(rows()) + " rows");
    for (std::size_t begin = 0; begin < b; begin += kBlock) {
      const std::size_t len = std::min(kBlock, b - begin);
      for (std::size_t i = 0; i < rows(); ++i) {
        const std::size_t first = i * b + begin;
        if (first >= out.size()) break;  // later rows of this block start further on
        const std::size_t used = std::min(len, out.size() - first);
        const std::span<Element> y = out.subspan(first, used);
        field_.scale(y, entry(i, 0), inputs[0].subspan(begin, used));
        for (std::size_t j = 1; j < n_; ++j) field_.axpy(y, entry(i, j), inputs[j].subspan(begin, used));
      }
    }
  }

 private:
  F field_;
  std::size_t n_, t_;
  std::vector<Element> matrix_;  // rows() x n, row-major
};

extern template class Extractor<Fp64>;
extern template class Extractor<Fp127>;

}  // namespace meshmpc
