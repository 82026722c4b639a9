#pragma once
// Shamir secret sharing (Shamir 1979) over a prime field, vectorized: a batch of
// secrets is shared with one random polynomial per secret, and party i (0-based)
// receives the evaluations at the point x = i + 1.
//
// Thread safety: const member functions may run concurrently (the Lagrange cache
// inside is guarded by a mutex); the Prg passed to share() is the caller's and
// must not be shared between threads.
#include <meshmpc/error.hpp>
#include <meshmpc/field/fp127.hpp>
#include <meshmpc/field/fp64.hpp>
#include <meshmpc/field/prime_field.hpp>
#include <meshmpc/sharing/lagrange.hpp>
#include <meshmpc/sharing/prg.hpp>

#include <algorithm>
#include <cstddef>
#include <span>
#include <string>
#include <vector>

namespace meshmpc {

template <FiniteField F>
class Shamir {
 public:
  using Element = typename F::Element;

  // Secrets are processed in blocks of this many so that the difference table and
  // the output blocks being written stay in L1 while all n parties are served.
  static constexpr std::size_t kBlock = 256;

  // n parties with threshold t (any t shares reveal nothing, t + 1 reconstruct).
  // Keeps a copy of `field`. ConfigError if n < 1, t >= n or n >= p (the points
  // 1..n must be distinct and nonzero). The runtime additionally needs 2t < n.
  Shamir(const F& field, std::size_t n, std::size_t t) : lagrange_(checked(field, n, t), n), n_(n), t_(t) {}

  const F& field() const { return lagrange_.field(); }
  std::size_t n() const { return n_; }
  std::size_t t() const { return t_; }
  // Party i's evaluation point i + 1.
  const Element& point(std::size_t party) const { return lagrange_.point(party); }
  const Lagrange<F>& lagrange() const { return lagrange_; }

  // Shares each secrets[s] with a fresh uniformly random polynomial f_s of the
  // given degree d (t unless given; at most n - 1) with f_s(0) = secrets[s];
  // out[i][s] = f_s(i + 1). out must hold n spans of secrets.size() each, none of
  // them overlapping `secrets` (the first shares are written before the secrets
  // are read).
  //
  // The polynomial is drawn by its values rather than its coefficients: f_s(1..d)
  // are uniform field elements from `rng` (the shares of parties 0..d-1, drawn
  // party by party per block of kBlock secrets). Since the values at the d + 1
  // distinct points 0..d determine f_s bijectively, this is the same distribution
  // as uniform coefficients. The points are consecutive integers, so the other
  // shares follow by finite differences: the difference table of f_s(0..d) costs
  // d(d+1)/2 subtractions, then each further point d additions and no
  // multiplication (Horner would cost d multiplications per share).
  void share(std::span<const Element> secrets, Prg& rng, std::span<const std::span<Element>> out,
             std::size_t degree) const {
    const F& f = field();
    check_outputs(secrets.size(), out, degree);
    const std::size_t m = secrets.size();
    const std::size_t d = degree;
    if constexpr (ExtensionField<F>) {
      share_by_horner(secrets, rng, out, d);
      return;
    }
    // table[k * kBlock + s], k = 0..d: the difference table of one block.
    std::vector<Element> table(d == 0 ? 0 : (d + 1) * kBlock);
    for (std::size_t begin = 0; begin < m; begin += kBlock) {
      const std::size_t len = std::min(kBlock, m - begin);
      const Element* secret = secrets.data() + begin;
      if (d == 0) {
        for (std::size_t i = 0; i < n_; ++i) std::copy_n(secret, len, out[i].data() + begin);
        continue;
      }
      for (std::size_t i = 0; i < d; ++i) f.random(out[i].subspan(begin, len), rng);
      // value(k) = f(k) for k = 0..d.
      auto value = [&](std::size_t k) -> const Element* { return k == 0 ? secret : out[k - 1].data() + begin; };
      auto row = [&](std::size_t k) { return table.data() + k * kBlock; };
      // Forward differences: after round j, row k holds Delta^j f(k) for k <= d - j,
      // and rows above keep Delta^(d-k) f(k) = nabla^(d-k) f(d), which is what
      // stepping forward needs. Row d is f(d) itself.
      for (std::size_t k = 0; k < d; ++k) {
        const Element *lo = value(k), *hi = value(k + 1);
        Element* w = row(k);
        for (std::size_t s = 0; s < len; ++s) w[s] = f.sub(hi[s], lo[s]);
      }
      std::copy_n(value(d), len, row(d));
      for (std::size_t j = 2; j <= d; ++j) {
        for (std::size_t k = 0; k + j <= d; ++k) {
          Element* w = row(k);
          const Element* next = row(k + 1);
          for (std::size_t s = 0; s < len; ++s) w[s] = f.sub(next[s], w[s]);
        }
      }
      // Step from point i to i + 1: nabla^j f(i + 1) = nabla^j f(i) + nabla^(j+1) f(i + 1),
      // from the constant top difference (row 0) down to the value (row d).
      for (std::size_t i = d; i < n_; ++i) {
        for (std::size_t k = 1; k <= d; ++k) {
          Element* w = row(k);
          const Element* below = row(k - 1);
          for (std::size_t s = 0; s < len; ++s) w[s] = f.add(w[s], below[s]);
        }
        std::copy_n(row(d), len, out[i].data() + begin);
      }
    }
  }
  void share(std::span<const Element> secrets, Prg& rng, std::span<const std::span<Element>> out) const {
    share(secrets, rng, out, t_);
  }
  // The shares as n vectors (result[i] for party i).
  std::vector<std::vector<Element>> share(std::span<const Element> secrets, Prg& rng, std::size_t degree) const {
    std::vector<std::vector<Element>> result(n_, std::vector<Element>(secrets.size()));
    std::vector<std::span<Element>> views(result.begin(), result.end());
    share(secrets, rng, views, degree);
    return result;
  }
  std::vector<std::vector<Element>> share(std::span<const Element> secrets, Prg& rng) const {
    return share(secrets, rng, t_);
  }

  // The value at x of the degree-`degree` polynomials through the shares:
  // shares[j] is the batch held by parties[j]. Uses the first degree + 1 parties
  // (the others are checked for range, repeats and length, not for consistency).
  // RangeError if fewer than degree + 1 parties, an id is out of range or repeats,
  // parties and shares differ in count, or the share batches differ in length.
  std::vector<Element> evaluate_at(std::span<const std::size_t> parties,
                                   std::span<const std::span<const Element>> shares, const Element& x,
                                   std::size_t degree) const {
    check_shares(parties, shares, degree);
    const auto lambda_ptr = lagrange_.at(parties.first(degree + 1), x);
    const std::vector<Element>& lambda = *lambda_ptr;
    const F& f = field();
    const std::size_t m = shares[0].size();
    std::vector<Element> out(m);
    // One block of the output at a time, so that it stays in cache across the
    // degree + 1 passes.
    for (std::size_t begin = 0; begin < m; begin += kBlock) {
      const std::size_t len = std::min(kBlock, m - begin);
      Element* y = out.data() + begin;
      const Element* s0 = shares[0].data() + begin;
      for (std::size_t s = 0; s < len; ++s) y[s] = f.mul(lambda[0], s0[s]);
      for (std::size_t j = 1; j <= degree; ++j) {
        const Element l = lambda[j];
        const Element* sj = shares[j].data() + begin;
        for (std::size_t s = 0; s < len; ++s) y[s] = f.add(y[s], f.mul(l, sj[s]));
      }
    }
    return out;
  }
  std::vector<Element> evaluate_at(std::span<const std::size_t> parties,
                                   std::span<const std::span<const Element>> shares, const Element& x) const {
    return evaluate_at(parties, shares, x, t_);
  }

  // The secrets (the value at 0) from shares of degree t, or of the given degree
  // (2t for products of two sharings, which needs 2t + 1 parties).
  std::vector<Element> reconstruct(std::span<const std::size_t> parties,
                                   std::span<const std::span<const Element>> shares, std::size_t degree) const {
    return evaluate_at(parties, shares, field().zero(), degree);
  }
  std::vector<Element> reconstruct(std::span<const std::size_t> parties,
                                   std::span<const std::span<const Element>> shares) const {
    return evaluate_at(parties, shares, field().zero(), t_);
  }

 private:
  // In an extension field the points 1..n are not consecutive (party_points), so
  // finite differences do not apply: uniform coefficients c_1..c_d, each share by
  // Horner's rule (d multiplications).
  void share_by_horner(std::span<const Element> secrets, Prg& rng, std::span<const std::span<Element>> out,
                       std::size_t d) const {
    const F& f = field();
    [[maybe_unused]] const auto guard = f.enter();
    std::vector<Element> coefficients(d);
    for (std::size_t s = 0; s < secrets.size(); ++s) {
      f.random(std::span<Element>(coefficients), rng);
      for (std::size_t i = 0; i < n_; ++i) {
        const Element& x = point(i);
        Element y = f.zero();
        for (std::size_t k = d; k-- > 0;) y = f.mul(f.add(y, coefficients[k]), x);
        out[i][s] = f.add(y, secrets[s]);
      }
    }
  }

  // RangeError unless degree < n and out holds n spans of `secrets` elements each.
  void check_outputs(std::size_t secrets, std::span<const std::span<Element>> out, std::size_t degree) const {
    if (degree >= n_)
      throw RangeError("Shamir share: degree " + std::to_string(degree) + " must be below n = " + std::to_string(n_));
    if (out.size() != n_)
      throw RangeError("Shamir share: " + std::to_string(out.size()) + " output spans given for n = " +
                       std::to_string(n_) + " parties");
    for (std::size_t i = 0; i < n_; ++i)
      if (out[i].size() != secrets)
        throw RangeError("Shamir share: output span of party " + std::to_string(i) + " holds " +
                         std::to_string(out[i].size()) + " elements, expected " + std::to_string(secrets));
  }

  static const F& checked(const F& field, std::size_t n, std::size_t t) {
    if (n < 1) throw ConfigError("Shamir: the number of parties n must be at least 1, got 0");
    if (t >= n)
      throw ConfigError("Shamir: threshold t = " + std::to_string(t) + " must be below the number of parties n = " +
                        std::to_string(n));
    party_points(field, n, "Shamir over " + field.name());
    return field;
  }

  void check_shares(std::span<const std::size_t> parties, std::span<const std::span<const Element>> shares,
                    std::size_t degree) const {
    if (degree >= n_)
      throw RangeError("Shamir reconstruct: degree " + std::to_string(degree) + " must be below n = " +
                       std::to_string(n_));
    if (parties.size() != shares.size())
      throw RangeError("Shamir reconstruct: " + std::to_string(parties.size()) + " party ids but " +
                       std::to_string(shares.size()) + " share batches");
    if (parties.size() < degree + 1)
      throw RangeError("Shamir reconstruct: " + std::to_string(parties.size()) + " shares given, a degree-" +
                       std::to_string(degree) + " sharing needs at least " + std::to_string(degree + 1));
    lagrange_.check_parties(parties, "Shamir reconstruct");
    for (std::size_t j = 1; j < shares.size(); ++j)
      if (shares[j].size() != shares[0].size())
        throw RangeError("Shamir reconstruct: the shares of party " + std::to_string(parties[j]) + " hold " +
                         std::to_string(shares[j].size()) + " elements, those of party " +
                         std::to_string(parties[0]) + " hold " + std::to_string(shares[0].size()));
  }

  Lagrange<F> lagrange_;
  std::size_t n_;
  std::size_t t_;
};

extern template class Shamir<Fp64>;
extern template class Shamir<Fp127>;

}  // namespace meshmpc
