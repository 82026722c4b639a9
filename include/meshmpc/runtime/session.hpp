#pragma once
// Session<F>: what a user program holds — one party's handle on one computation.
// It reads like an MPyC program:
//
//   auto s = co_await Session<Fp64>::start(Fp64{}, network, {});  // t = floor((n-1)/2)
//   auto x = co_await s.input(0, my_values, 3);   // party 0's three values
//   auto y = co_await s.mul(x, x);
//   auto v = co_await s.open(y);
//
// Every operation takes its message labels from the handle's Scope when it is
// *called*, so parties agree on labels whatever the scheduling. Work that runs
// concurrently — `co_await (s.mul(a, b) && s.mul(c, d))` is fine as it stands —
// spawned as separate tasks must use its own handle: `auto s2 = s.fork();` in
// program order, then hand s2 to the task.
#include <meshmpc/runtime/core.hpp>
#include <meshmpc/runtime/protocols/compare.hpp>
#include <meshmpc/runtime/protocols/divide.hpp>
#include <meshmpc/runtime/protocols/field_equality.hpp>
#include <meshmpc/runtime/protocols/io.hpp>
#include <meshmpc/runtime/protocols/mul.hpp>
#include <meshmpc/runtime/protocols/permute.hpp>
#include <meshmpc/runtime/protocols/random.hpp>
#include <meshmpc/runtime/protocols/select.hpp>
#include <meshmpc/runtime/protocols/sort.hpp>
#include <meshmpc/runtime/protocols/setup.hpp>
#include <meshmpc/runtime/secfld.hpp>
#include <meshmpc/runtime/secint.hpp>

#include <boost/asio/awaitable.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>

#include <memory>
#include <optional>
#include <span>
#include <vector>

namespace meshmpc {

// Programs are written with Asio's coroutines: asio::awaitable<void> per party.
namespace asio = boost::asio;

template <FiniteField F>
class Session {
 public:
  using Element = typename F::Element;
  using Vec = Shares<F>;
  using CSpan = std::span<const Element>;
  template <class T>
  using Awaitable = boost::asio::awaitable<T>;

  // Sets the session up over the network: checks that all parties agree on n, t,
  // the field and the options, then distributes PRSS and pairwise keys (fresh per
  // session, from libsodium's RNG). Root label 0 on every party.
  static Awaitable<Session> start(F field, net::Network& network, SessionOptions options) {
    return start_at(std::move(field), network, options, Scope(0));
  }

  // A session over another field on the same links and parties, with the same
  // options — as MPyC programs mix secure types in one run (secret santa over
  // integers, then a prime field). Its labels descend from this handle's, so its
  // messages never mix with this session's; its setup gives it its own keys.
  // Its rounds are its own (rounds() here does not include them).
  template <FiniteField G>
  Awaitable<Session<G>> sub_session(G field) {
    return Session<G>::start_at(std::move(field), core_->network(), core_->options(), scope_.child());
  }

  Session(Session&&) noexcept = default;
  Session& operator=(Session&&) noexcept = default;
  Session(const Session&) = delete;  // a copy would reuse labels: use fork()
  Session& operator=(const Session&) = delete;

  // A handle for a concurrent task, with its own labels.
  Session fork() { return Session(core_, scope_.child()); }

  const F& field() const { return core_->field(); }
  std::size_t n() const { return core_->n(); }
  std::size_t t() const { return core_->t(); }
  std::size_t id() const { return core_->self(); }
  Core<F>& core() { return *core_; }
  // Rounds of communication so far, and the traffic of this party's links.
  std::uint64_t rounds() const { return core_->rounds(); }
  net::NetworkStatistics statistics() const { return core_->network().statistics(); }

  // --- input and output (one round each)
  Awaitable<Vec> input(std::size_t owner, CSpan values, std::size_t count) {
    return protocols::input(*core_, scope_.child(), owner, Vec(values.begin(), values.end()), count);
  }
  Awaitable<std::vector<Vec>> input_all(CSpan mine) {
    return protocols::input_all(*core_, scope_.child(), Vec(mine.begin(), mine.end()), mine.size());
  }
  Awaitable<Vec> open(CSpan x) { return protocols::open(*core_, scope_.child(), Vec(x.begin(), x.end()), t()); }
  Awaitable<std::optional<Vec>> open_to(std::span<const std::size_t> receivers, CSpan x) {
    return protocols::open_to(*core_, scope_.child(), std::vector<std::size_t>(receivers.begin(), receivers.end()),
                              Vec(x.begin(), x.end()));
  }

  // --- local operations (no communication)
  Vec add(CSpan x, CSpan y) const { return apply([&](auto out) { field().add(out, x, y); }, x.size()); }
  Vec sub(CSpan x, CSpan y) const { return apply([&](auto out) { field().sub(out, x, y); }, x.size()); }
  Vec neg(CSpan x) const { return apply([&](auto out) { field().neg(out, x); }, x.size()); }
  Vec scale(Element a, CSpan x) const { return apply([&](auto out) { field().scale(out, a, x); }, x.size()); }
  // x + c for public c: every party adds c to its share (f(0) + c = (f + c)(0)).
  Vec add_public(CSpan x, CSpan c) const { return add(x, c); }

  // --- products (one degree reduction each)
  Awaitable<Vec> mul(CSpan x, CSpan y) {
    return protocols::mul(*core_, scope_.child(), Vec(x.begin(), x.end()), Vec(y.begin(), y.end()));
  }
  Awaitable<Vec> inner(CSpan x, CSpan y) {
    return protocols::inner(*core_, scope_.child(), Vec(x.begin(), x.end()), Vec(y.begin(), y.end()));
  }

  // --- randomness
  Awaitable<Vec> random(std::size_t count) { return protocols::random(*core_, scope_.child(), count); }
  Awaitable<Vec> random_bits(std::size_t count) {
    return protocols::random_bits(*core_, scope_.child(), count);
  }

  // --- secure types
  // Party `owner`'s values as secret field elements (values read at the owner only).
  Awaitable<SecFld<F>> input_fld(std::size_t owner, CSpan values, std::size_t count) {
    return wrap_fld(input(owner, values, count));
  }
  // Party `owner`'s l-bit integers; the range is checked at the owner before sending.
  Awaitable<SecInt<F>> input_int(std::size_t owner, std::span<const std::int64_t> values, std::size_t count,
                                 std::size_t bits = 32) {
    const auto encoded = id() == owner ? SecInt<F>::encode(field(), values, bits) : Vec{};
    return wrap_int(input_fld(owner, encoded, count), bits);
  }
  // Every party's l-bit integers: result[i] holds party i's.
  Awaitable<std::vector<SecInt<F>>> input_int_all(std::span<const std::int64_t> mine, std::size_t bits = 32) {
    return wrap_ints(input_all(SecInt<F>::encode(field(), mine, bits)), bits);
  }
  // Secure values of this session from this party's shares (e.g. one element of
  // another value, repeated).
  SecFld<F> from_shares(Vec shares) const { return SecFld<F>(core_->field_handle(), std::move(shares)); }

  // Every operation below that takes secure values refuses (ConfigError naming
  // both fields) a value of another session, e.g. of a sub_session.
  Awaitable<SecFld<F>> mul(const SecFld<F>& x, const SecFld<F>& y) {
    return wrap_fld(mul(own(x, "mul"), own(y, "mul")));
  }
  Awaitable<SecInt<F>> mul(const SecInt<F>& x, const SecInt<F>& y) {
    return wrap_int(mul(x.value(), y.value()), x.bit_length());
  }
  Awaitable<Vec> output(const SecFld<F>& x) { return open(own(x, "output")); }
  // Opens field elements to the named parties only; the others get nothing.
  Awaitable<std::optional<Vec>> output_to(std::span<const std::size_t> receivers, const SecFld<F>& x) {
    return open_to(receivers, own(x, "output_to"));
  }
  // Opens integers in the centered representation.
  Awaitable<std::vector<std::int64_t>> output(const SecInt<F>& x) { return to_ints(open(own(x, "output"))); }
  // Opens integers to the named parties only (private outputs): they get the values.
  Awaitable<std::optional<std::vector<std::int64_t>>> output_to(std::span<const std::size_t> receivers,
                                                                const SecInt<F>& x) {
    return to_ints_at(core_, open_to(receivers, own(x, "output_to")));
  }

  // --- secure integers: comparisons and the like (docs/protocols.md). Element-wise
  // on equal-length vectors; results 0/1 (or -1/0/1 for sign) of the same bit
  // length. Operands are l-bit integers; a comparison needs l + k + 2 bits of field
  // (ConfigError otherwise, before anything is sent).
  // Public values as a secure integer (every party holds the value as its share).
  SecInt<F> constant(std::span<const std::int64_t> values, std::size_t bits = 32) const {
    return SecInt<F>(SecFld<F>(core_->field_handle(), SecInt<F>::encode(field(), values, bits)), bits);
  }
  SecInt<F> constant(std::int64_t value, std::size_t count, std::size_t bits = 32) const {
    return constant(std::vector<std::int64_t>(count, value), bits);
  }
  Awaitable<SecInt<F>> lt(const SecInt<F>& a, const SecInt<F>& b) { return ltz(a - b); }
  Awaitable<SecInt<F>> gt(const SecInt<F>& a, const SecInt<F>& b) { return ltz(b - a); }
  Awaitable<SecInt<F>> le(const SecInt<F>& a, const SecInt<F>& b) { return not_of(ltz(b - a)); }
  Awaitable<SecInt<F>> ge(const SecInt<F>& a, const SecInt<F>& b) { return not_of(ltz(a - b)); }
  Awaitable<SecInt<F>> eq(const SecInt<F>& a, const SecInt<F>& b) { return is_zero(a - b); }
  Awaitable<SecInt<F>> ne(const SecInt<F>& a, const SecInt<F>& b) { return not_of(is_zero(a - b)); }
  // Against a public constant (itself in the l-bit range).
  Awaitable<SecInt<F>> lt(const SecInt<F>& a, std::int64_t c) { return lt(a, like(a, c)); }
  Awaitable<SecInt<F>> gt(const SecInt<F>& a, std::int64_t c) { return gt(a, like(a, c)); }
  Awaitable<SecInt<F>> le(const SecInt<F>& a, std::int64_t c) { return le(a, like(a, c)); }
  Awaitable<SecInt<F>> ge(const SecInt<F>& a, std::int64_t c) { return ge(a, like(a, c)); }
  Awaitable<SecInt<F>> eq(const SecInt<F>& a, std::int64_t c) { return eq(a, like(a, c)); }
  Awaitable<SecInt<F>> ne(const SecInt<F>& a, std::int64_t c) { return ne(a, like(a, c)); }
  Awaitable<SecInt<F>> is_zero(const SecInt<F>& x) {
    return as_int(core_, protocols::is_zero(*core_, scope_.child(), own(x, "is_zero"), x.bit_length()), x.bit_length());
  }
  // -1, 0 or 1: 1 - 2 [x < 0] - [x == 0], both tests at once.
  Awaitable<SecInt<F>> sign(const SecInt<F>& x) {
    own(x, "sign");
    auto negative = ltz(x);
    auto zero = is_zero(x);
    return sign_of(std::move(negative), std::move(zero));
  }
  Awaitable<SecInt<F>> abs(const SecInt<F>& x) {
    own(x, "abs");
    auto negative = ltz(x);
    return abs_of(fork(), x, std::move(negative));
  }
  // cond ? a : b for 0/1 cond.
  Awaitable<SecInt<F>> if_else(const SecInt<F>& cond, const SecInt<F>& a, const SecInt<F>& b) {
    return as_int(core_, protocols::if_else(*core_, scope_.child(), own(cond, "if_else"), own(a, "if_else"),
                                            own(b, "if_else")),
                  a.bit_length());
  }
  Awaitable<SecInt<F>> min(const SecInt<F>& a, const SecInt<F>& b) { return extreme(a, b, false); }
  Awaitable<SecInt<F>> max(const SecInt<F>& a, const SecInt<F>& b) { return extreme(a, b, true); }
  // The index and value of the largest (smallest) entry of x; ties go to the
  // lowest index. Both results have one element.
  Awaitable<std::pair<SecInt<F>, SecInt<F>>> argmax(const SecInt<F>& x) { return arg(x, true); }
  Awaitable<std::pair<SecInt<F>, SecInt<F>>> argmin(const SecInt<F>& x) { return arg(x, false); }
  // The sum of all entries (local) and their product.
  SecInt<F> sum(const SecInt<F>& x) const {
    Element acc = field().zero();
    for (const auto& v : own(x, "sum")) acc = field().add(acc, v);
    return SecInt<F>(SecFld<F>(core_->field_handle(), Vec{acc}), x.bit_length());
  }
  Awaitable<SecInt<F>> product(const SecInt<F>& x) {
    std::vector<Vec> factors;
    for (const auto& v : own(x, "product")) factors.push_back(Vec{v});
    if (factors.empty()) factors.push_back(Vec{field().one()});
    return as_int(core_, protocols::multiply_all(*core_, scope_.child(), std::move(factors)), x.bit_length());
  }
  Awaitable<SecInt<F>> sort(const SecInt<F>& x, bool descending = false) {
    return as_int(core_, protocols::sort(*core_, scope_.child(), own(x, "sort"), x.bit_length(), descending),
                  x.bit_length());
  }
  // floor(x / d) and x mod d (in [0, d)) for a public d >= 1.
  Awaitable<SecInt<F>> div(const SecInt<F>& x, std::uint64_t d) {
    return as_int(core_, protocols::div_public(*core_, scope_.child(), own(x, "div"), x.bit_length(), d),
                  x.bit_length());
  }
  Awaitable<SecInt<F>> mod(const SecInt<F>& x, std::uint64_t d) {
    return as_int(core_, protocols::mod_public(*core_, scope_.child(), own(x, "mod"), x.bit_length(), d),
                  x.bit_length());
  }

  // --- secure field elements of any field (MPyC's SecFld: GF(p), GF(2^d))
  // Uniformly random secret elements, and random secret bits (0 or 1).
  Awaitable<SecFld<F>> random_fld(std::size_t count) { return wrap_fld(random(count)); }
  Awaitable<SecFld<F>> random_bits_fld(std::size_t count) { return wrap_fld(random_bits(count)); }
  // <x, y> as one secret element: local products summed, one degree reduction.
  Awaitable<SecFld<F>> inner(const SecFld<F>& x, const SecFld<F>& y) {
    return wrap_fld(inner(own(x, "inner"), own(y, "inner")));
  }
  // [x == 0], [x == y] as secret 0/1 elements, by Fermat (field_equality.hpp): any
  // field up to 2^128 elements; for small integers SecInt's eq is much cheaper.
  Awaitable<SecFld<F>> is_zero(const SecFld<F>& x) {
    return wrap_fld(protocols::is_zero_fermat(*core_, scope_.child(), own(x, "is_zero")));
  }
  Awaitable<SecFld<F>> eq(const SecFld<F>& x, const SecFld<F>& y) { return is_zero(x - y); }
  // Whether each x is zero, made public and nothing else (MPyC's is_zero_public):
  // two rounds, wrong with probability at most 2^-k (docs/protocols.md).
  Awaitable<std::vector<bool>> is_zero_public(const SecFld<F>& x) {
    return protocols::is_zero_public(*core_, scope_.child(), own(x, "is_zero_public"));
  }
  // x in a uniformly random secret order.
  Awaitable<SecFld<F>> shuffle(const SecFld<F>& x) {
    return wrap_fld(protocols::shuffle(*core_, scope_.child(), own(x, "shuffle")));
  }
  // A uniformly random derangement of 0..n-1 as field elements (in GF(2^d) the
  // elements whose bit patterns are 0..n-1): MPyC's secret santa over SecFld.
  Awaitable<SecFld<F>> random_derangement_fld(std::size_t n) {
    return wrap_fld(protocols::random_derangement(*core_, scope_.child(), n));
  }

  // --- random permutations
  // x in a uniformly random secret order.
  Awaitable<SecInt<F>> shuffle(const SecInt<F>& x) {
    return as_int(core_, protocols::shuffle(*core_, scope_.child(), own(x, "shuffle")), x.bit_length());
  }
  // A uniformly random permutation (derangement: no fixed point) of 0..n-1.
  Awaitable<SecInt<F>> random_permutation(std::size_t n, std::size_t bits = 32) {
    return as_int(core_, protocols::random_permutation(*core_, scope_.child(), n), bits);
  }
  // `count` independent ones at once (the rounds of one).
  Awaitable<std::vector<SecInt<F>>> random_permutations(std::size_t n, std::size_t count, std::size_t bits = 32) {
    return as_ints(core_, protocols::random_permutations(*core_, scope_.child(), n, count), bits);
  }
  Awaitable<SecInt<F>> random_derangement(std::size_t n, std::size_t bits = 32) {
    return as_int(core_, protocols::random_derangement(*core_, scope_.child(), n), bits);
  }

 private:
  template <FiniteField>
  friend class Session;

  static Awaitable<Session> start_at(F field, net::Network& network, SessionOptions options, Scope root) {
    auto core = std::make_shared<Core<F>>(std::move(field), network, options);
    Session s(core, root);
    co_await protocols::setup(*core, s.scope_.child());
    co_return s;
  }

  // These adapt an awaitable whose labels were already taken (eagerly, by the
  // call that made it): they take none themselves.
  // They hold the Core, not this handle, which the caller may move meanwhile.
  Awaitable<SecFld<F>> wrap_fld(Awaitable<Vec> shares) { return wrap_fld(core_, std::move(shares)); }
  static Awaitable<SecFld<F>> wrap_fld(std::shared_ptr<Core<F>> core, Awaitable<Vec> shares) {
    co_return SecFld<F>(core->field_handle(), co_await std::move(shares));
  }
  static Awaitable<SecInt<F>> wrap_int(Awaitable<SecFld<F>> v, std::size_t bits) {
    co_return SecInt<F>(co_await std::move(v), bits);
  }
  Awaitable<std::vector<SecInt<F>>> wrap_ints(Awaitable<std::vector<Vec>> all, std::size_t bits) {
    return wrap_ints(core_, std::move(all), bits);
  }
  static Awaitable<std::vector<SecInt<F>>> wrap_ints(std::shared_ptr<Core<F>> core, Awaitable<std::vector<Vec>> all,
                                                     std::size_t bits) {
    std::vector<SecInt<F>> out;
    for (auto& v : co_await std::move(all)) out.emplace_back(SecFld<F>(core->field_handle(), std::move(v)), bits);
    co_return out;
  }
  Awaitable<std::vector<std::int64_t>> to_ints(Awaitable<Vec> opened) { return to_ints(core_, std::move(opened)); }
  static Awaitable<std::vector<std::int64_t>> to_ints(std::shared_ptr<Core<F>> core, Awaitable<Vec> opened) {
    const auto v = co_await std::move(opened);
    std::vector<std::int64_t> out(v.size());
    for (std::size_t i = 0; i < v.size(); ++i) out[i] = core->field().to_int(v[i]);
    co_return out;
  }

  Session(std::shared_ptr<Core<F>> core, Scope scope) : core_(std::move(core)), scope_(scope) {}

  static Awaitable<SecInt<F>> as_int(std::shared_ptr<Core<F>> core, Awaitable<Vec> shares, std::size_t bits) {
    co_return SecInt<F>(SecFld<F>(core->field_handle(), co_await std::move(shares)), bits);
  }
  static Awaitable<std::vector<SecInt<F>>> as_ints(std::shared_ptr<Core<F>> core, Awaitable<std::vector<Vec>> all,
                                                   std::size_t bits) {
    std::vector<SecInt<F>> out;
    for (auto& v : co_await std::move(all)) out.emplace_back(SecFld<F>(core->field_handle(), std::move(v)), bits);
    co_return out;
  }
  static Awaitable<std::optional<std::vector<std::int64_t>>> to_ints_at(std::shared_ptr<Core<F>> core,
                                                                        Awaitable<std::optional<Vec>> opened) {
    const auto v = co_await std::move(opened);
    if (!v) co_return std::nullopt;
    std::vector<std::int64_t> out(v->size());
    for (std::size_t i = 0; i < v->size(); ++i) out[i] = core->field().to_int((*v)[i]);
    co_return out;
  }
  // [x < 0] for the difference x of two l-bit integers (so x has l + 1 bits).
  Awaitable<SecInt<F>> ltz(const SecInt<F>& x) {
    return as_int(core_, protocols::less_than_zero(*core_, scope_.child(), own(x, "compare"), x.bit_length()),
                  x.bit_length());
  }
  SecInt<F> like(const SecInt<F>& a, std::int64_t c) const { return constant(c, a.size(), a.bit_length()); }
  static Awaitable<SecInt<F>> not_of(Awaitable<SecInt<F>> bit) {
    const SecInt<F> b = co_await std::move(bit);
    co_return -b + 1;
  }
  static Awaitable<SecInt<F>> sign_of(Awaitable<SecInt<F>> negative, Awaitable<SecInt<F>> zero) {
    using namespace boost::asio::experimental::awaitable_operators;
    auto [neg, z] = co_await (std::move(negative) && std::move(zero));
    co_return -(2 * neg) - z + 1;
  }
  static Awaitable<SecInt<F>> abs_of(Session s, SecInt<F> x, Awaitable<SecInt<F>> negative) {
    const SecInt<F> neg = co_await std::move(negative);
    co_return co_await s.if_else(neg, -x, x);
  }
  Awaitable<SecInt<F>> extreme(const SecInt<F>& a, const SecInt<F>& b, bool want_max) {
    return as_int(core_,
                  protocols::min_or_max(*core_, scope_.child(), own(a, want_max ? "max" : "min"),
                                        own(b, want_max ? "max" : "min"),
                                        a.bit_length(), want_max),
                  a.bit_length());
  }
  Awaitable<std::pair<SecInt<F>, SecInt<F>>> arg(const SecInt<F>& x, bool want_max) {
    return arg_of(core_, protocols::arg_extreme(*core_, scope_.child(), own(x, want_max ? "argmax" : "argmin"), x.bit_length(), want_max),
                  x.bit_length());
  }
  static Awaitable<std::pair<SecInt<F>, SecInt<F>>> arg_of(std::shared_ptr<Core<F>> core,
                                                           Awaitable<std::pair<Vec, Vec>> result, std::size_t bits) {
    auto [index, value] = co_await std::move(result);
    co_return std::pair{SecInt<F>(SecFld<F>(core->field_handle(), std::move(index)), bits),
                        SecInt<F>(SecFld<F>(core->field_handle(), std::move(value)), bits)};
  }

  // The shares of a value of this session; ConfigError naming both fields for a
  // value of another session (its shares would be read in the wrong field).
  const Vec& own(const SecFld<F>& x, const char* op) const {
    if (x.field_handle() != core_->field_handle()) {
      const std::string mine = field().name(), theirs = x.field().name();
      throw ConfigError(std::string("Session::") + op + " of party " + std::to_string(id()) +
                        ": the value belongs to another session (over " + theirs + ") than this one (over " + mine +
                        ")" + (mine == theirs ? ", whose shares come from other keys" : ""));
    }
    return x.shares();
  }
  const Vec& own(const SecInt<F>& x, const char* op) const { return own(x.value(), op); }

  template <class Op>
  Vec apply(Op op, std::size_t size) const {
    Vec out(size);
    op(std::span<Element>(out));
    return out;
  }

  std::shared_ptr<Core<F>> core_;
  Scope scope_;
};

// Compiled once into the library (src/runtime/instantiate_*.cpp), so a program does
// not compile the members it does not call inline. (Members defined in the class
// are still compiled where used: moving them out is what makes a program's build
// short — issue 16.)
extern template class Session<Fp64>;
extern template class Session<Fp127>;

}  // namespace meshmpc
