#pragma once
// Remainder and quotient of secret l-bit integers by a public positive d, with
// floor semantics (as Python's % and //: the remainder is in [0, d)).
// a = x + K d >= 0 is masked as c = a + r + d R, r uniform in [0, d) from shared
// bits (rejection sampling when d is not a power of two: only "retry" is revealed)
// and R a random integer hiding floor((a + r) / d) statistically; then
//   a mod d = c' - r + d [c' < r],  c' = c mod d,
// with the bitwise comparison of compare.hpp, and x div d = (x - x mod d) / d.
#include <meshmpc/runtime/protocols/compare.hpp>

#include <boost/asio/awaitable.hpp>

#include <bit>
#include <vector>

namespace meshmpc::protocols {

// Shared bits of count integers uniform in [0, d), d >= 2: bits[i][e] is bit i.
template <PrimeField F>
boost::asio::awaitable<std::vector<Shares<F>>> random_below(Core<F>& c, Scope scope, std::uint64_t d,
                                                            std::size_t count) {
  const std::size_t m = static_cast<std::size_t>(std::bit_width(d - 1));
  std::vector<Shares<F>> out(m, Shares<F>(count));
  std::vector<std::size_t> todo(count);
  for (std::size_t e = 0; e < count; ++e) todo[e] = e;
  const bool power_of_two = std::has_single_bit(d);
  for (int attempt = 0; !todo.empty(); ++attempt) {
    if (attempt == 200) throw ProtocolError("random integers below " + std::to_string(d) + ": 200 rejections");
    const std::size_t k = todo.size();
    auto all = co_await random_bits(c, scope.child(), (m + 1) * k);
    auto bits = split_bits<F>(all, m + 1, k);
    Shares<F> flip = std::move(bits.back());
    bits.pop_back();
    std::vector<bool> accept(k, true);
    if (!power_of_two) {
      // r < d  <=>  not (d - 1 < r): open that bit, retry where it is 0.
      const auto above = co_await public_less_than_bits(c, scope.child(), std::vector<std::uint64_t>(k, d - 1),
                                                        bits, std::move(flip));
      const auto opened = co_await open(c, scope.child(), above, c.t(), "random_below.reject");
      for (std::size_t q = 0; q < k; ++q) accept[q] = c.field().is_zero(opened[q]);
    }
    std::vector<std::size_t> retry;
    for (std::size_t q = 0; q < k; ++q) {
      if (!accept[q]) {
        retry.push_back(todo[q]);
        continue;
      }
      for (std::size_t i = 0; i < m; ++i) out[i][todo[q]] = bits[i][q];
    }
    todo = std::move(retry);
  }
  co_return out;
}

// x mod d for shares of l-bit integers x (in [-2^(l-1), 2^(l-1))), public d >= 1.
template <PrimeField F>
boost::asio::awaitable<Shares<F>> mod_public(Core<F>& c, Scope scope, Shares<F> x, std::size_t l, std::uint64_t d) {
  using E = typename F::Element;
  const F& f = c.field();
  const std::size_t count = x.size();
  if (d == 0) throw RangeError("division by zero");
  if (l < 1 || l > 62) throw ConfigError("division: bit length " + std::to_string(l) + " is outside 1..62");
  if (d == 1 || count == 0) co_return Shares<F>(count, f.zero());
  const std::size_t k = c.options().sec_param;
  // a = x + K d in [0, 2^l + d); q = floor((a + r) / d) < 2^l / d + 2.
  const u128 half = u128{1} << (l - 1);
  const u128 shift = (half + d - 1) / d * d;
  const u128 q_max = ((u128{1} << l) + 2 * static_cast<u128>(d)) / d;
  // R hides q with statistical distance below q_max / 2^high_bits <= 2^(1-k), the
  // same as a comparison's (compare.hpp).
  const std::size_t high_bits = k - 1 + bit_width128(q_max);
  const std::size_t terms = random_ints_terms(c);
  const std::size_t d_bits = static_cast<std::size_t>(std::bit_width(d));
  const std::size_t top = d_bits + high_bits + static_cast<std::size_t>(std::bit_width(terms)) + 1;
  const bool fits = top < 127 && high_bits <= 63 &&
                    below_modulus(f, (u128{1} << l) + 2 * static_cast<u128>(d) +
                                         static_cast<u128>(d) * terms * (u128{1} << high_bits));
  if (!fits)
    throw ConfigError("division by " + std::to_string(d) + ": " + std::to_string(l) +
                      "-bit values with security parameter k = " + std::to_string(k) + " need a field of about " +
                      std::to_string(top) + " bits, more than " + f.name() +
                      " has: use a larger field, a smaller bit length or a smaller k");
  Shares<F> a(count);
  const E shift_e = f.from_uint(static_cast<std::uint64_t>(shift));
  for (std::size_t e = 0; e < count; ++e) a[e] = f.add(x[e], shift_e);
  auto bits = co_await random_below(c, scope.child(), d, count);
  const std::size_t m = bits.size();
  Shares<F> r(count, f.zero());
  for (std::size_t i = m; i-- > 0;)
    for (std::size_t e = 0; e < count; ++e) r[e] = f.add(f.add(r[e], r[e]), bits[i][e]);
  const auto high = co_await random_ints(c, scope.child(), high_bits, count);
  Shares<F> masked(count);
  f.add(std::span<E>(masked), std::span<const E>(a), std::span<const E>(r));
  f.axpy(std::span<E>(masked), f.from_uint(d), std::span<const E>(high));
  const auto opened = co_await open(c, scope.child(), std::move(masked), c.t(), "mod.masked");
  std::vector<std::uint64_t> low(count);
  for (std::size_t e = 0; e < count; ++e) low[e] = static_cast<std::uint64_t>(to_u128(f, opened[e]) % d);
  const auto flip = co_await random_bits(c, scope.child(), count);
  const auto below = co_await public_less_than_bits(c, scope.child(), low, std::move(bits), flip);
  Shares<F> out(count);
  const E d_e = f.from_uint(d);
  for (std::size_t e = 0; e < count; ++e)
    out[e] = f.add(f.sub(f.from_uint(low[e]), r[e]), f.mul(d_e, below[e]));
  co_return out;
}

// floor(x / d): (x - x mod d) / d, exact in the field.
template <PrimeField F>
boost::asio::awaitable<Shares<F>> div_public(Core<F>& c, Scope scope, Shares<F> x, std::size_t l, std::uint64_t d) {
  using E = typename F::Element;
  const F& f = c.field();
  const auto rem = co_await mod_public(c, scope.child(), x, l, d);
  const E inv_d = f.inv(f.from_uint(d));
  Shares<F> out(x.size());
  for (std::size_t e = 0; e < x.size(); ++e) out[e] = f.mul(f.sub(x[e], rem[e]), inv_d);
  co_return out;
}

}  // namespace meshmpc::protocols
