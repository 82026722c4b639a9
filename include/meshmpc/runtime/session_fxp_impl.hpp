#pragma once
// The members of Session<F> for secure fixed-point numbers (SecFxp), compiled
// with the rest of session_impl.hpp, which includes this header.
#include <meshmpc/runtime/protocols/compare.hpp>
#include <meshmpc/runtime/protocols/divide.hpp>
#include <meshmpc/runtime/protocols/fxp.hpp>
#include <meshmpc/runtime/protocols/fxp_exp_log.hpp>
#include <meshmpc/runtime/protocols/fxp_functions.hpp>
#include <meshmpc/runtime/protocols/io.hpp>
#include <meshmpc/runtime/session.hpp>

#include <algorithm>
#include <cmath>

namespace meshmpc {

template <FiniteField F>
void Session<F>::check_fxp(secfxp type) const
  requires PrimeField<F>
{
  fxp::check_type(type);
  protocols::check_fxp_fits(*core_, type.bits, type.frac);
}

template <FiniteField F>
auto Session<F>::input(secfxp type, std::size_t owner, std::span<const double> values, std::size_t count)
    -> Awaitable<SecFxp<F>>
  requires PrimeField<F>
{
  check_fxp(type);
  const auto scaled = id() == owner ? fxp::scaled(values, type) : std::vector<std::int64_t>{};
  return as_fxp(input(secint(type.bits), owner, scaled, count), type.frac);
}

template <FiniteField F>
auto Session<F>::input_all(secfxp type, std::span<const double> mine) -> Awaitable<std::vector<SecFxp<F>>>
  requires PrimeField<F>
{
  check_fxp(type);
  // Adapted here: input_all's labels are taken now, by the call.
  auto ints = input_all(secint(type.bits), fxp::scaled(mine, type));
  return [](Awaitable<std::vector<SecInt<F>>> all, std::size_t frac) -> Awaitable<std::vector<SecFxp<F>>> {
    std::vector<SecFxp<F>> out;
    for (auto& x : co_await std::move(all)) out.emplace_back(std::move(x), frac);
    co_return out;
  }(std::move(ints), type.frac);
}

template <FiniteField F>
SecFxp<F> Session<F>::constant(secfxp type, std::span<const double> values) const
  requires PrimeField<F>
{
  check_fxp(type);
  return SecFxp<F>(constant(secint(type.bits), fxp::scaled(values, type)), type.frac);
}

template <FiniteField F>
auto Session<F>::output(const SecFxp<F>& x) -> Awaitable<std::vector<double>> {
  return to_doubles(output(x.integer()), x.frac_length());
}

template <FiniteField F>
auto Session<F>::mul(const SecFxp<F>& x, const SecFxp<F>& y) -> Awaitable<SecFxp<F>>
  requires PrimeField<F>
{
  (void)(x + y);  // same session, same type (ConfigError / RangeError)
  return as_fxp(as_int(core_,
                       protocols::mul_shift(*core_, scope_.child(), own(x.value(), "mul"), own(y.value(), "mul"),
                                            x.bit_length(), x.frac_length()),
                       x.bit_length()),
                x.frac_length());
}

template <FiniteField F>
auto Session<F>::mul(const SecFxp<F>& x, double c) -> Awaitable<SecFxp<F>>
  requires PrimeField<F>
{
  const std::size_t l = x.bit_length();
  if (!std::isfinite(c)) throw RangeError("Session::mul: the public factor " + std::to_string(c) + " is not finite");
  // c 2^s rounded, with s as large as keeps it below 2^(l-1): the product stays
  // below 2^(2l-2) and c's rounding error far below the truncation's. An integer
  // c needs no truncation (s = 0).
  int exponent = 0;
  (void)std::frexp(c, &exponent);  // |c| in [2^(e-1), 2^e)
  const bool integral = c == std::nearbyint(c) && std::fabs(c) < std::ldexp(1.0, static_cast<int>(l));
  const int s = integral ? 0 : std::clamp(static_cast<int>(l) - 1 - exponent, 1, static_cast<int>(std::min<std::size_t>(2 * l - 2, 62)));
  const auto scaled = static_cast<std::int64_t>(std::nearbyint(std::ldexp(c, s)));
  Vec product = (scaled * x.integer()).value().shares();
  return as_fxp(as_int(core_, protocols::shift_right(*core_, scope_.child(), std::move(product), l, s), l),
                x.frac_length());
}

template <FiniteField F>
auto Session<F>::inner(const SecFxp<F>& x, const SecFxp<F>& y) -> Awaitable<SecFxp<F>>
  requires PrimeField<F>
{
  (void)(x + y);
  return as_fxp(as_int(core_,
                       protocols::inner_shift(*core_, scope_.child(), own(x.value(), "inner"),
                                              own(y.value(), "inner"), x.bit_length(), x.frac_length()),
                       x.bit_length()),
                x.frac_length());
}

template <FiniteField F>
auto Session<F>::div(const SecFxp<F>& x, double d) -> Awaitable<SecFxp<F>>
  requires PrimeField<F>
{
  if (d == 0 || !std::isfinite(d)) throw RangeError("Session::div: division by the public value " + std::to_string(d));
  return mul(x, 1.0 / d);
}

template <FiniteField F>
auto Session<F>::div(const SecFxp<F>& x, const SecFxp<F>& y) -> Awaitable<SecFxp<F>>
  requires PrimeField<F>
{
  (void)(x + y);
  return as_fxp(as_int(core_,
                       protocols::divide(*core_, scope_.child(), own(x.value(), "div"), own(y.value(), "div"),
                                         x.bit_length(), x.frac_length()),
                       x.bit_length()),
                x.frac_length());
}

template <FiniteField F>
auto Session<F>::reciprocal(const SecFxp<F>& x) -> Awaitable<SecFxp<F>>
  requires PrimeField<F>
{
  return as_fxp(as_int(core_,
                       protocols::reciprocal(*core_, scope_.child(), own(x.value(), "reciprocal"), x.bit_length(),
                                             x.frac_length()),
                       x.bit_length()),
                x.frac_length());
}

template <FiniteField F>
auto Session<F>::sqrt(const SecFxp<F>& x) -> Awaitable<SecFxp<F>>
  requires PrimeField<F>
{
  return as_fxp(as_int(core_,
                       protocols::square_root(*core_, scope_.child(), own(x.value(), "sqrt"), x.bit_length(),
                                              x.frac_length()),
                       x.bit_length()),
                x.frac_length());
}

template <FiniteField F>
auto Session<F>::exp(const SecFxp<F>& x) -> Awaitable<SecFxp<F>>
  requires PrimeField<F>
{
  return as_fxp(as_int(core_,
                       protocols::exponential(*core_, scope_.child(), own(x.value(), "exp"), x.bit_length(),
                                              x.frac_length()),
                       x.bit_length()),
                x.frac_length());
}

template <FiniteField F>
auto Session<F>::log(const SecFxp<F>& x) -> Awaitable<SecFxp<F>>
  requires PrimeField<F>
{
  return as_fxp(as_int(core_,
                       protocols::logarithm(*core_, scope_.child(), own(x.value(), "log"), x.bit_length(),
                                            x.frac_length()),
                       x.bit_length()),
                x.frac_length());
}

template <FiniteField F>
auto Session<F>::abs(const SecFxp<F>& x) -> Awaitable<SecFxp<F>>
  requires PrimeField<F>
{
  return as_fxp(abs(x.integer()), x.frac_length());
}

template <FiniteField F>
auto Session<F>::min(const SecFxp<F>& a, const SecFxp<F>& b) -> Awaitable<SecFxp<F>>
  requires PrimeField<F>
{
  (void)(a + b);
  return as_fxp(min(a.integer(), b.integer()), a.frac_length());
}

template <FiniteField F>
auto Session<F>::max(const SecFxp<F>& a, const SecFxp<F>& b) -> Awaitable<SecFxp<F>>
  requires PrimeField<F>
{
  (void)(a + b);
  return as_fxp(max(a.integer(), b.integer()), a.frac_length());
}

template <FiniteField F>
auto Session<F>::if_else(const SecInt<F>& cond, const SecFxp<F>& a, const SecFxp<F>& b) -> Awaitable<SecFxp<F>>
  requires PrimeField<F>
{
  (void)(a + b);
  return as_fxp(if_else(cond, a.integer(), b.integer()), a.frac_length());
}

template <FiniteField F>
auto Session<F>::sort(const SecFxp<F>& x, bool descending) -> Awaitable<SecFxp<F>>
  requires PrimeField<F>
{
  return as_fxp(sort(x.integer(), descending), x.frac_length());
}

template <FiniteField F>
auto Session<F>::argmax(const SecFxp<F>& x) -> Awaitable<std::pair<SecInt<F>, SecFxp<F>>>
  requires PrimeField<F>
{
  return arg_fxp(argmax(x.integer()), x.frac_length());
}

template <FiniteField F>
auto Session<F>::argmin(const SecFxp<F>& x) -> Awaitable<std::pair<SecInt<F>, SecFxp<F>>>
  requires PrimeField<F>
{
  return arg_fxp(argmin(x.integer()), x.frac_length());
}

template <FiniteField F>
SecFxp<F> Session<F>::to_fxp(const SecInt<F>& x, secfxp type) const
  requires PrimeField<F>
{
  check_fxp(type);
  const SecInt<F> scaled(field().pow(field().from_uint(2), type.frac) * x.value(), type.bits);
  return SecFxp<F>(scaled, type.frac);
}

template <FiniteField F>
auto Session<F>::floor(const SecFxp<F>& x) -> Awaitable<SecInt<F>>
  requires PrimeField<F>
{
  if (x.frac_length() == 0) return [](SecInt<F> v) -> Awaitable<SecInt<F>> { co_return v; }(x.integer());
  return div(x.integer(), std::uint64_t{1} << x.frac_length());
}

// --- adapters (they take no labels: the awaitable they wrap already did)

template <FiniteField F>
auto Session<F>::as_fxp(Awaitable<SecInt<F>> x, std::size_t frac) -> Awaitable<SecFxp<F>> {
  co_return SecFxp<F>(co_await std::move(x), frac);
}

template <FiniteField F>
auto Session<F>::to_doubles(Awaitable<std::vector<std::int64_t>> x, std::size_t frac)
    -> Awaitable<std::vector<double>> {
  const auto ints = co_await std::move(x);
  co_return fxp::unscaled(ints, frac);
}

template <FiniteField F>
auto Session<F>::arg_fxp(Awaitable<std::pair<SecInt<F>, SecInt<F>>> r, std::size_t frac)
    -> Awaitable<std::pair<SecInt<F>, SecFxp<F>>> {
  auto [index, value] = co_await std::move(r);
  co_return std::pair<SecInt<F>, SecFxp<F>>(std::move(index), SecFxp<F>(std::move(value), frac));
}

}  // namespace meshmpc
