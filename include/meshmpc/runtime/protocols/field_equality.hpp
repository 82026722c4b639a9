#pragma once
// Equality of secret field elements of any finite field (MPyC's SecFld ==), where
// the elements are not small integers and the bitwise is_zero of compare.hpp does
// not apply: [x == 0] = 1 - x^(q-1) by Fermat's little theorem, q the field size.
#include <meshmpc/error.hpp>
#include <meshmpc/runtime/protocols/compare.hpp>
#include <meshmpc/runtime/protocols/mul.hpp>

#include <boost/asio/awaitable.hpp>

#include <string>
#include <vector>

namespace meshmpc::protocols {

// q - 1 for the field, if it is below 2^128: p^d - 1 for GF(p^d), p - 1 for GF(p).
// ConfigError naming the field otherwise.
template <FiniteField F>
u128 field_order_minus_one(const F& f) {
  if constexpr (ExtensionField<F>) {
    try {
      return f.order_minus_one();
    } catch (const RangeError&) {
      throw ConfigError("secure equality of field elements: " + f.name() + " has more than 2^128 elements");
    }
  } else {
    if (f.bit_length() > 128)
      throw ConfigError("secure equality of field elements: " + f.name() + " has more than 2^128 elements");
    return to_u128(f, f.neg(f.one()));
  }
}

// [x == 0] for shares of any field elements: 1 - x^(q-1). The powers x^(2^i) by
// repeated squaring, one round each (bit_width(q-1) - 1 rounds), then the product
// of those that the binary digits of q - 1 select (ceil(log2 popcount) rounds).
// GF(2^8): 7 + 3 rounds, 14 products per element.
template <FiniteField F>
boost::asio::awaitable<Shares<F>> is_zero_fermat(Core<F>& c, Scope scope, Shares<F> x) {
  const F& f = c.field();
  const u128 e = field_order_minus_one(f);
  std::vector<Shares<F>> selected;
  Shares<F> power = std::move(x);
  for (std::size_t i = 0; i < bit_width128(e); ++i) {
    if (i > 0) {
      Shares<F> copy = power;
      power = co_await mul(c, scope.child(), std::move(copy), power);
    }
    if ((e >> i) & 1U) selected.push_back(power);
  }
  auto product = co_await multiply_all(c, scope.child(), std::move(selected));
  for (auto& v : product) v = f.sub(f.one(), v);
  co_return product;
}

}  // namespace meshmpc::protocols
