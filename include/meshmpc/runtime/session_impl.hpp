#pragma once
// The members of Session<F> that run protocols. The library compiles them for its
// shipped fields (src/runtime/instantiate_*.cpp); include this header only in a
// program whose Session runs over a field of its own (or to instantiate one).
#include <meshmpc/runtime/protocols/compare.hpp>
#include <meshmpc/runtime/protocols/divide.hpp>
#include <meshmpc/runtime/protocols/field_equality.hpp>
#include <meshmpc/runtime/protocols/io.hpp>
#include <meshmpc/runtime/protocols/mul.hpp>
#include <meshmpc/runtime/protocols/permute.hpp>
#include <meshmpc/runtime/protocols/random.hpp>
#include <meshmpc/runtime/protocols/select.hpp>
#include <meshmpc/runtime/protocols/setup.hpp>
#include <meshmpc/runtime/protocols/sort.hpp>
#include <meshmpc/runtime/session.hpp>

#include <boost/asio/experimental/awaitable_operators.hpp>

#include <string>

namespace meshmpc {

template <FiniteField F>
auto Session<F>::start_at(F field, net::Network& network, SessionOptions options, Scope root)
    -> Awaitable<Session> {
  auto core = std::make_shared<Core<F>>(std::move(field), network, options, root);
  Session s(core, root);
  co_await protocols::setup(*core, s.scope_.child());
  co_return s;
}

// --- inputs and randomness

template <FiniteField F>
auto Session<F>::input(secint type, std::size_t owner, std::span<const std::int64_t> values, std::size_t count)
    -> Awaitable<SecInt<F>> {
  auto encoded = id() == owner ? SecInt<F>::encode(field(), values, type.bits) : Vec{};
  return as_int(core_, protocols::input(*core_, scope_.child(), owner, std::move(encoded), count), type.bits);
}

template <FiniteField F>
auto Session<F>::input(secfld, std::size_t owner, CSpan values, std::size_t count) -> Awaitable<SecFld<F>> {
  return as_fld(core_, protocols::input(*core_, scope_.child(), owner, Vec(values.begin(), values.end()), count));
}

template <FiniteField F>
auto Session<F>::input_all(secint type, std::span<const std::int64_t> mine) -> Awaitable<std::vector<SecInt<F>>> {
  return as_ints(core_,
                 protocols::input_all(*core_, scope_.child(), SecInt<F>::encode(field(), mine, type.bits), mine.size()),
                 type.bits);
}

template <FiniteField F>
auto Session<F>::input_all(secfld, CSpan mine) -> Awaitable<std::vector<SecFld<F>>> {
  return as_flds(core_, protocols::input_all(*core_, scope_.child(), Vec(mine.begin(), mine.end()), mine.size()));
}

template <FiniteField F>
auto Session<F>::random(secfld, std::size_t count) -> Awaitable<SecFld<F>> {
  return as_fld(core_, protocols::random(*core_, scope_.child(), count));
}

template <FiniteField F>
auto Session<F>::random_bits(secfld, std::size_t count) -> Awaitable<SecFld<F>> {
  return as_fld(core_, protocols::random_bits(*core_, scope_.child(), count));
}

template <FiniteField F>
auto Session<F>::random_bits(secint type, std::size_t count) -> Awaitable<SecInt<F>> {
  return as_int(core_, protocols::random_bits(*core_, scope_.child(), count), type.bits);
}

template <FiniteField F>
auto Session<F>::random_permutation(secint type, std::size_t n) -> Awaitable<SecInt<F>> {
  return as_int(core_, protocols::random_permutation(*core_, scope_.child(), n), type.bits);
}

template <FiniteField F>
auto Session<F>::random_permutations(secint type, std::size_t n, std::size_t count)
    -> Awaitable<std::vector<SecInt<F>>> {
  return as_ints(core_, protocols::random_permutations(*core_, scope_.child(), n, count), type.bits);
}

template <FiniteField F>
auto Session<F>::random_derangement(secint type, std::size_t n) -> Awaitable<SecInt<F>> {
  return as_int(core_, protocols::random_derangement(*core_, scope_.child(), n), type.bits);
}

template <FiniteField F>
auto Session<F>::random_derangement(secfld, std::size_t n) -> Awaitable<SecFld<F>> {
  return as_fld(core_, protocols::random_derangement(*core_, scope_.child(), n));
}

// --- outputs and products

template <FiniteField F>
auto Session<F>::output(const SecInt<F>& x) -> Awaitable<std::vector<std::int64_t>> {
  return to_ints(core_, output(x.value()));
}

template <FiniteField F>
auto Session<F>::output(const SecFld<F>& x) -> Awaitable<Vec> {
  return protocols::open(*core_, scope_.child(), own(x, "output"), t());
}

template <FiniteField F>
auto Session<F>::output_to(std::span<const std::size_t> receivers, const SecInt<F>& x)
    -> Awaitable<std::optional<std::vector<std::int64_t>>> {
  return to_ints_at(core_, output_to(receivers, x.value()));
}

template <FiniteField F>
auto Session<F>::output_to(std::span<const std::size_t> receivers, const SecFld<F>& x)
    -> Awaitable<std::optional<Vec>> {
  return protocols::open_to(*core_, scope_.child(), std::vector<std::size_t>(receivers.begin(), receivers.end()),
                            own(x, "output_to"));
}

template <FiniteField F>
auto Session<F>::mul(const SecInt<F>& x, const SecInt<F>& y) -> Awaitable<SecInt<F>> {
  return as_int(core_, protocols::mul(*core_, scope_.child(), own(x, "mul"), own(y, "mul")), x.bit_length());
}

template <FiniteField F>
auto Session<F>::mul(const SecFld<F>& x, const SecFld<F>& y) -> Awaitable<SecFld<F>> {
  return as_fld(core_, protocols::mul(*core_, scope_.child(), own(x, "mul"), own(y, "mul")));
}

template <FiniteField F>
auto Session<F>::inner(const SecInt<F>& x, const SecInt<F>& y) -> Awaitable<SecInt<F>> {
  return as_int(core_, protocols::inner(*core_, scope_.child(), own(x, "inner"), own(y, "inner")), x.bit_length());
}

template <FiniteField F>
auto Session<F>::inner(const SecFld<F>& x, const SecFld<F>& y) -> Awaitable<SecFld<F>> {
  return as_fld(core_, protocols::inner(*core_, scope_.child(), own(x, "inner"), own(y, "inner")));
}

// --- secure integers

template <FiniteField F>
auto Session<F>::lt(const SecInt<F>& a, const SecInt<F>& b) -> Awaitable<SecInt<F>>
  requires PrimeField<F>
{
  return ltz(a - b);
}
template <FiniteField F>
auto Session<F>::gt(const SecInt<F>& a, const SecInt<F>& b) -> Awaitable<SecInt<F>>
  requires PrimeField<F>
{
  return ltz(b - a);
}
template <FiniteField F>
auto Session<F>::le(const SecInt<F>& a, const SecInt<F>& b) -> Awaitable<SecInt<F>>
  requires PrimeField<F>
{
  return not_of(ltz(b - a));
}
template <FiniteField F>
auto Session<F>::ge(const SecInt<F>& a, const SecInt<F>& b) -> Awaitable<SecInt<F>>
  requires PrimeField<F>
{
  return not_of(ltz(a - b));
}
template <FiniteField F>
auto Session<F>::eq(const SecInt<F>& a, const SecInt<F>& b) -> Awaitable<SecInt<F>>
  requires PrimeField<F>
{
  return is_zero(a - b);
}
template <FiniteField F>
auto Session<F>::ne(const SecInt<F>& a, const SecInt<F>& b) -> Awaitable<SecInt<F>>
  requires PrimeField<F>
{
  return not_of(is_zero(a - b));
}

template <FiniteField F>
auto Session<F>::is_zero(const SecInt<F>& x) -> Awaitable<SecInt<F>>
  requires PrimeField<F>
{
  return as_int(core_, protocols::is_zero(*core_, scope_.child(), own(x, "is_zero"), x.bit_length()), x.bit_length());
}

template <FiniteField F>
auto Session<F>::sign(const SecInt<F>& x) -> Awaitable<SecInt<F>>
  requires PrimeField<F>
{
  own(x, "sign");
  auto negative = ltz(x);
  auto zero = is_zero(x);
  return sign_of(std::move(negative), std::move(zero));
}

template <FiniteField F>
auto Session<F>::abs(const SecInt<F>& x) -> Awaitable<SecInt<F>>
  requires PrimeField<F>
{
  own(x, "abs");
  // ltz(x) with its scope kept: the fork is taken before the comparison runs, yet
  // its product waits on it (the labels are those ltz(x) takes).
  Scope compare = scope_.child();
  auto negative = as_int(core_, protocols::less_than_zero(*core_, compare, own(x, "compare"), x.bit_length()),
                         x.bit_length());
  return abs_of(fork(), x, std::move(negative), compare);
}

template <FiniteField F>
auto Session<F>::if_else(const SecInt<F>& cond, const SecInt<F>& a, const SecInt<F>& b) -> Awaitable<SecInt<F>>
  requires PrimeField<F>
{
  return as_int(core_,
                protocols::if_else(*core_, scope_.child(), own(cond, "if_else"), own(a, "if_else"), own(b, "if_else")),
                a.bit_length());
}

template <FiniteField F>
auto Session<F>::product(const SecInt<F>& x) -> Awaitable<SecInt<F>> {
  std::vector<Vec> factors;
  for (const auto& v : own(x, "product")) factors.push_back(Vec{v});
  if (factors.empty()) factors.push_back(Vec{field().one()});
  return as_int(core_, protocols::multiply_all(*core_, scope_.child(), std::move(factors)), x.bit_length());
}

template <FiniteField F>
auto Session<F>::sort(const SecInt<F>& x, bool descending) -> Awaitable<SecInt<F>>
  requires PrimeField<F>
{
  return as_int(core_, protocols::sort(*core_, scope_.child(), own(x, "sort"), x.bit_length(), descending),
                x.bit_length());
}

template <FiniteField F>
auto Session<F>::div(const SecInt<F>& x, std::uint64_t d) -> Awaitable<SecInt<F>>
  requires PrimeField<F>
{
  return as_int(core_, protocols::div_public(*core_, scope_.child(), own(x, "div"), x.bit_length(), d),
                x.bit_length());
}

template <FiniteField F>
auto Session<F>::mod(const SecInt<F>& x, std::uint64_t d) -> Awaitable<SecInt<F>>
  requires PrimeField<F>
{
  return as_int(core_, protocols::mod_public(*core_, scope_.child(), own(x, "mod"), x.bit_length(), d),
                x.bit_length());
}

template <FiniteField F>
auto Session<F>::ltz(const SecInt<F>& x) -> Awaitable<SecInt<F>>
  requires PrimeField<F>
{
  return as_int(core_, protocols::less_than_zero(*core_, scope_.child(), own(x, "compare"), x.bit_length()),
                x.bit_length());
}

template <FiniteField F>
auto Session<F>::extreme(const SecInt<F>& a, const SecInt<F>& b, bool want_max) -> Awaitable<SecInt<F>>
  requires PrimeField<F>
{
  const char* op = want_max ? "max" : "min";
  return as_int(core_,
                protocols::min_or_max(*core_, scope_.child(), own(a, op), own(b, op), a.bit_length(), want_max),
                a.bit_length());
}

template <FiniteField F>
auto Session<F>::arg(const SecInt<F>& x, bool want_max) -> Awaitable<std::pair<SecInt<F>, SecInt<F>>>
  requires PrimeField<F>
{
  return arg_of(core_,
                protocols::arg_extreme(*core_, scope_.child(), own(x, want_max ? "argmax" : "argmin"), x.bit_length(),
                                       want_max),
                x.bit_length());
}

// --- secure field elements

template <FiniteField F>
auto Session<F>::is_zero(const SecFld<F>& x) -> Awaitable<SecFld<F>> {
  return as_fld(core_, protocols::is_zero_fermat(*core_, scope_.child(), own(x, "is_zero")));
}

template <FiniteField F>
auto Session<F>::is_zero_public(const SecFld<F>& x) -> Awaitable<std::vector<bool>> {
  return protocols::is_zero_public(*core_, scope_.child(), own(x, "is_zero_public"));
}

template <FiniteField F>
auto Session<F>::shuffle(const SecFld<F>& x) -> Awaitable<SecFld<F>> {
  return as_fld(core_, protocols::shuffle(*core_, scope_.child(), own(x, "shuffle")));
}

// --- random permutations

template <FiniteField F>
auto Session<F>::shuffle(const SecInt<F>& x) -> Awaitable<SecInt<F>> {
  return as_int(core_, protocols::shuffle(*core_, scope_.child(), own(x, "shuffle")), x.bit_length());
}

// --- adapters (they take no labels: the awaitable they wrap already did)

template <FiniteField F>
auto Session<F>::as_fld(std::shared_ptr<Core<F>> core, Awaitable<Vec> shares) -> Awaitable<SecFld<F>> {
  co_return SecFld<F>(core->field_handle(), co_await std::move(shares));
}

template <FiniteField F>
auto Session<F>::as_int(std::shared_ptr<Core<F>> core, Awaitable<Vec> shares, std::size_t bits)
    -> Awaitable<SecInt<F>> {
  co_return SecInt<F>(SecFld<F>(core->field_handle(), co_await std::move(shares)), bits);
}

template <FiniteField F>
auto Session<F>::as_ints(std::shared_ptr<Core<F>> core, Awaitable<std::vector<Vec>> all, std::size_t bits)
    -> Awaitable<std::vector<SecInt<F>>> {
  std::vector<SecInt<F>> out;
  for (auto& v : co_await std::move(all)) out.emplace_back(SecFld<F>(core->field_handle(), std::move(v)), bits);
  co_return out;
}

template <FiniteField F>
auto Session<F>::as_flds(std::shared_ptr<Core<F>> core, Awaitable<std::vector<Vec>> all)
    -> Awaitable<std::vector<SecFld<F>>> {
  std::vector<SecFld<F>> out;
  for (auto& v : co_await std::move(all)) out.emplace_back(core->field_handle(), std::move(v));
  co_return out;
}

namespace detail {
// Opened elements as integers in the centered representation.
template <FiniteField F>
std::vector<std::int64_t> ints_of(const F& field, const Shares<F>& opened) {
  std::vector<std::int64_t> out(opened.size());
  for (std::size_t i = 0; i < opened.size(); ++i) out[i] = field.to_int(opened[i]);
  return out;
}
}  // namespace detail

template <FiniteField F>
auto Session<F>::to_ints(std::shared_ptr<Core<F>> core, Awaitable<Vec> opened)
    -> Awaitable<std::vector<std::int64_t>> {
  co_return detail::ints_of(core->field(), co_await std::move(opened));
}

template <FiniteField F>
auto Session<F>::to_ints_at(std::shared_ptr<Core<F>> core, Awaitable<std::optional<Vec>> opened)
    -> Awaitable<std::optional<std::vector<std::int64_t>>> {
  const auto v = co_await std::move(opened);
  if (!v) co_return std::nullopt;
  co_return detail::ints_of(core->field(), *v);
}

template <FiniteField F>
auto Session<F>::not_of(Awaitable<SecInt<F>> bit) -> Awaitable<SecInt<F>> {
  const SecInt<F> b = co_await std::move(bit);
  co_return -b + 1;
}

template <FiniteField F>
auto Session<F>::sign_of(Awaitable<SecInt<F>> negative, Awaitable<SecInt<F>> zero) -> Awaitable<SecInt<F>> {
  using namespace boost::asio::experimental::awaitable_operators;
  auto [neg, z] = co_await (std::move(negative) && std::move(zero));
  co_return -(2 * neg) - z + 1;
}

template <FiniteField F>
auto Session<F>::abs_of(Session s, SecInt<F> x, Awaitable<SecInt<F>> negative, Scope compare)
    -> Awaitable<SecInt<F>>
  requires PrimeField<F>
{
  const SecInt<F> neg = co_await std::move(negative);
  s.scope_.count_after(compare);
  co_return co_await s.if_else(neg, -x, x);
}

template <FiniteField F>
auto Session<F>::arg_of(std::shared_ptr<Core<F>> core, Awaitable<std::pair<Vec, Vec>> result, std::size_t bits)
    -> Awaitable<std::pair<SecInt<F>, SecInt<F>>> {
  auto [index, value] = co_await std::move(result);
  co_return std::pair{SecInt<F>(SecFld<F>(core->field_handle(), std::move(index)), bits),
                      SecInt<F>(SecFld<F>(core->field_handle(), std::move(value)), bits)};
}

template <FiniteField F>
void Session<F>::refuse_foreign(const SecFld<F>& x, const char* op) const {
  const std::string mine = field().name(), theirs = x.field().name();
  throw ConfigError(std::string("Session::") + op + " of party " + std::to_string(id()) +
                    ": the value belongs to another session (over " + theirs + ") than this one (over " + mine + ")" +
                    (mine == theirs ? ", whose shares come from other keys" : ""));
}

}  // namespace meshmpc

#include <meshmpc/runtime/session_fxp_impl.hpp>  // SecFxp members
