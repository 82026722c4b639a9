#pragma once
// Session<F>: what a user program holds — one party's handle on one computation.
// A program says which secure type it makes (secint(l), secfld()) and then works
// with the values, as an MPyC program does:
//
//   auto s = co_await Session<Fp64>::start(Fp64{}, network, {});  // t = floor((n-1)/2)
//   auto x = co_await s.input(secint(32), 0, my_values, 3);  // party 0's three values
//   auto y = co_await s.mul(x, x - 1);                       // local: x - 1; one round: the product
//   auto c = co_await s.lt(y, 100);
//   auto v = co_await s.output(2 * c + y);                   // std::vector<std::int64_t>
//
// Local operations are operators of the values (secint.hpp, secfld.hpp);
// interactive ones are members here, co_awaited. Raw share vectors belong to
// protocol code: protocols::core_of(s) and protocols::next_scope(s) reach the Core
// and the labels under a handle (protocols/*.hpp take those).
//
// Every operation takes its message labels from the handle's Scope when it is
// *called*, so parties agree on labels whatever the scheduling. Work that runs
// concurrently — `co_await (s.mul(a, b) && s.mul(c, d))` is fine as it stands —
// spawned as separate tasks must use its own handle: `auto s2 = s.fork();` in
// program order, then hand s2 to the task.
//
// The members that run a protocol are declared here and defined in
// session_impl.hpp, which this header does not include: the library compiles them
// once for its shipped fields (src/runtime/instantiate_*.cpp; `extern template`
// below and in session_ntl.hpp), so a program compiles none of the protocols.
// A program over a field of its own includes <meshmpc/runtime/session_impl.hpp>.
#include <meshmpc/asio.hpp>
#include <meshmpc/field/fp127.hpp>
#include <meshmpc/field/fp64.hpp>
#include <meshmpc/runtime/core.hpp>
#include <meshmpc/runtime/secfld.hpp>
#include <meshmpc/runtime/secfxp.hpp>
#include <meshmpc/runtime/secint.hpp>

#include <boost/asio/awaitable.hpp>

#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <vector>

namespace meshmpc {

template <FiniteField F>
class Session;

namespace protocols {
// For protocol code and its tests, not programs: the Core under a session handle,
// and a fresh Scope of the handle's labels (taken in program order, as every
// operation of the handle takes one).
template <FiniteField F>
Core<F>& core_of(Session<F>& s);
template <FiniteField F>
Scope next_scope(Session<F>& s);
}  // namespace protocols

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
  // Its root scope is a child of this handle's: its rounds count in rounds() here
  // too, as any operation's (a branch, if it runs alongside this handle's work).
  template <FiniteField G>
  Awaitable<Session<G>> sub_session(G field) {
    return Session<G>::start_at(std::move(field), core_->network(), core_->options(), scope_.child());
  }

  Session(Session&&) noexcept = default;
  Session& operator=(Session&&) noexcept = default;
  Session(const Session&) = delete;  // a copy would reuse labels: use fork()
  Session& operator=(const Session&) = delete;

  // A handle for a concurrent task, with its own labels. Its rounds start at this
  // handle's when forked and count in this handle as they happen: a task forked
  // and joined counts as a branch run in parallel (the longer branch counts).
  Session fork() { return Session(core_, scope_.child()); }

  const F& field() const { return core_->field(); }
  std::size_t n() const { return core_->n(); }
  std::size_t t() const { return core_->t(); }
  std::size_t id() const { return core_->self(); }
  // The options as resolved at the start (threshold, randomness, multiplication).
  const SessionOptions& options() const { return core_->options(); }
  // The communication depth so far, in rounds: the longest chain of rounds, one
  // waiting on the other, among the work issued through this handle and its forks
  // since the session started (concurrent work counts once; Scope). And the
  // traffic of this party's links.
  std::uint64_t rounds() const { return core_->rounds(scope_); }
  net::NetworkStatistics statistics() const { return core_->network().statistics(); }

  // --- secure values from inputs, constants and randomness. The first argument
  // names the secure type to make, as MPyC's `mpc.input(secint(x), owner)`:
  // secint(l) for l-bit integers, secfld() for elements of the session's field.
  // Party `owner`'s `count` values (read at the owner only; other parties pass an
  // empty span). Integers outside the l-bit range are refused at the owner, before
  // anything is sent. One round.
  Awaitable<SecInt<F>> input(secint type, std::size_t owner, std::span<const std::int64_t> values,
                             std::size_t count);
  Awaitable<SecFld<F>> input(secfld type, std::size_t owner, CSpan values, std::size_t count);
  // Every party's values at once, the same count each: result[i] holds party i's.
  // One round.
  Awaitable<std::vector<SecInt<F>>> input_all(secint type, std::span<const std::int64_t> mine);
  Awaitable<std::vector<SecFld<F>>> input_all(secfld type, CSpan mine);
  // Public values as secure values (every party holds the value as its share).
  SecInt<F> constant(secint type, std::span<const std::int64_t> values) const {
    return SecInt<F>(SecFld<F>(core_->field_handle(), SecInt<F>::encode(field(), values, type.bits)), type.bits);
  }
  SecInt<F> constant(secint type, std::int64_t value, std::size_t count) const {
    return constant(type, std::vector<std::int64_t>(count, value));
  }
  SecFld<F> constant(secfld, CSpan values) const {
    return SecFld<F>(core_->field_handle(), Vec(values.begin(), values.end()));
  }
  // Uniformly random secret field elements, and random secret bits (0 or 1).
  Awaitable<SecFld<F>> random(secfld type, std::size_t count);
  Awaitable<SecFld<F>> random_bits(secfld type, std::size_t count);
  Awaitable<SecInt<F>> random_bits(secint type, std::size_t count);
  // A uniformly random permutation of 0..n-1 (fixed points allowed); `count`
  // independent ones at once take the rounds of one.
  Awaitable<SecInt<F>> random_permutation(secint type, std::size_t n);
  Awaitable<std::vector<SecInt<F>>> random_permutations(secint type, std::size_t n, std::size_t count);
  // A uniformly random derangement (a permutation without fixed point) of 0..n-1;
  // over secfld() in GF(2^d) the elements whose bit patterns are 0..n-1 (MPyC's
  // secret santa over SecFld).
  Awaitable<SecInt<F>> random_derangement(secint type, std::size_t n);
  Awaitable<SecFld<F>> random_derangement(secfld type, std::size_t n);

  // Every operation below refuses (ConfigError naming both fields) a value of
  // another session, e.g. of a sub_session. Local operations are the operators of
  // SecInt and SecFld (x + y, x - c, c * x); the interactive ones are here.

  // --- outputs (one round)
  // Integers in the centered representation, field elements as they are.
  Awaitable<std::vector<std::int64_t>> output(const SecInt<F>& x);
  Awaitable<Vec> output(const SecFld<F>& x);
  // To the named parties only (private outputs): they get the values, the others
  // nothing.
  Awaitable<std::optional<std::vector<std::int64_t>>> output_to(std::span<const std::size_t> receivers,
                                                                const SecInt<F>& x);
  Awaitable<std::optional<Vec>> output_to(std::span<const std::size_t> receivers, const SecFld<F>& x);

  // --- products (one degree reduction each)
  Awaitable<SecInt<F>> mul(const SecInt<F>& x, const SecInt<F>& y);
  Awaitable<SecFld<F>> mul(const SecFld<F>& x, const SecFld<F>& y);
  // <x, y> as one secret value: local products summed, one degree reduction.
  Awaitable<SecInt<F>> inner(const SecInt<F>& x, const SecInt<F>& y);
  Awaitable<SecFld<F>> inner(const SecFld<F>& x, const SecFld<F>& y);
  // The sum of all entries (local) and their product (a tree of products).
  SecInt<F> sum(const SecInt<F>& x) const { return SecInt<F>(sum(x.value()), x.bit_length()); }
  SecFld<F> sum(const SecFld<F>& x) const {
    Element acc = field().zero();
    for (const auto& v : own(x, "sum")) acc = field().add(acc, v);
    return SecFld<F>(core_->field_handle(), Vec{acc});
  }
  Awaitable<SecInt<F>> product(const SecInt<F>& x);

  // --- secure integers: comparisons and the like (docs/protocols.md). Element-wise
  // on equal-length vectors; results 0/1 (or -1/0/1 for sign) of the same bit
  // length. Operands are l-bit integers; a comparison needs l + k + 2 bits of field
  // (ConfigError otherwise, before anything is sent).
  Awaitable<SecInt<F>> lt(const SecInt<F>& a, const SecInt<F>& b) requires PrimeField<F>;
  Awaitable<SecInt<F>> gt(const SecInt<F>& a, const SecInt<F>& b) requires PrimeField<F>;
  Awaitable<SecInt<F>> le(const SecInt<F>& a, const SecInt<F>& b) requires PrimeField<F>;
  Awaitable<SecInt<F>> ge(const SecInt<F>& a, const SecInt<F>& b) requires PrimeField<F>;
  Awaitable<SecInt<F>> eq(const SecInt<F>& a, const SecInt<F>& b) requires PrimeField<F>;
  Awaitable<SecInt<F>> ne(const SecInt<F>& a, const SecInt<F>& b) requires PrimeField<F>;
  // Against a public constant (itself in the l-bit range).
  Awaitable<SecInt<F>> lt(const SecInt<F>& a, std::int64_t c) requires PrimeField<F> { return lt(a, like(a, c)); }
  Awaitable<SecInt<F>> gt(const SecInt<F>& a, std::int64_t c) requires PrimeField<F> { return gt(a, like(a, c)); }
  Awaitable<SecInt<F>> le(const SecInt<F>& a, std::int64_t c) requires PrimeField<F> { return le(a, like(a, c)); }
  Awaitable<SecInt<F>> ge(const SecInt<F>& a, std::int64_t c) requires PrimeField<F> { return ge(a, like(a, c)); }
  Awaitable<SecInt<F>> eq(const SecInt<F>& a, std::int64_t c) requires PrimeField<F> { return eq(a, like(a, c)); }
  Awaitable<SecInt<F>> ne(const SecInt<F>& a, std::int64_t c) requires PrimeField<F> { return ne(a, like(a, c)); }
  Awaitable<SecInt<F>> is_zero(const SecInt<F>& x) requires PrimeField<F>;
  // -1, 0 or 1: 1 - 2 [x < 0] - [x == 0], both tests at once.
  Awaitable<SecInt<F>> sign(const SecInt<F>& x) requires PrimeField<F>;
  Awaitable<SecInt<F>> abs(const SecInt<F>& x) requires PrimeField<F>;
  // cond ? a : b for 0/1 cond.
  Awaitable<SecInt<F>> if_else(const SecInt<F>& cond, const SecInt<F>& a, const SecInt<F>& b) requires PrimeField<F>;
  Awaitable<SecInt<F>> min(const SecInt<F>& a, const SecInt<F>& b) requires PrimeField<F> { return extreme(a, b, false); }
  Awaitable<SecInt<F>> max(const SecInt<F>& a, const SecInt<F>& b) requires PrimeField<F> { return extreme(a, b, true); }
  // The index and value of the largest (smallest) entry of x; ties go to the
  // lowest index. Both results have one element.
  Awaitable<std::pair<SecInt<F>, SecInt<F>>> argmax(const SecInt<F>& x) requires PrimeField<F> { return arg(x, true); }
  Awaitable<std::pair<SecInt<F>, SecInt<F>>> argmin(const SecInt<F>& x) requires PrimeField<F> { return arg(x, false); }
  Awaitable<SecInt<F>> sort(const SecInt<F>& x, bool descending = false) requires PrimeField<F>;
  // floor(x / d) and x mod d (in [0, d)) for a public d >= 1.
  Awaitable<SecInt<F>> div(const SecInt<F>& x, std::uint64_t d) requires PrimeField<F>;
  Awaitable<SecInt<F>> mod(const SecInt<F>& x, std::uint64_t d) requires PrimeField<F>;

  // --- secure fixed-point numbers (secfxp(l, f): l-bit integers round(x 2^f)
  // underneath; protocols/fxp.hpp, docs/programs.md). Every call checks first that
  // products of 2l bits and their k-bit masks fit the field (ConfigError naming l,
  // f, k and the field: GF(2^127 - 1) for l = 32). Values outside the range are
  // refused at the owner (RangeError naming value and index). One round each.
  Awaitable<SecFxp<F>> input(secfxp type, std::size_t owner, std::span<const double> values, std::size_t count)
    requires PrimeField<F>;
  Awaitable<std::vector<SecFxp<F>>> input_all(secfxp type, std::span<const double> mine) requires PrimeField<F>;
  SecFxp<F> constant(secfxp type, std::span<const double> values) const requires PrimeField<F>;
  SecFxp<F> constant(secfxp type, double value, std::size_t count) const requires PrimeField<F> {
    return constant(type, std::vector<double>(count, value));
  }
  Awaitable<std::vector<double>> output(const SecFxp<F>& x);
  SecFxp<F> sum(const SecFxp<F>& x) const { return SecFxp<F>(sum(x.integer()), x.frac_length()); }
  // x y, x c and <x, y> with one truncation (probabilistic: within 2^-f of the
  // exact value, unbiased); a product's mask is drawn alongside it, so a batch of
  // any size takes two rounds. c: any public double (x times an integer is local).
  Awaitable<SecFxp<F>> mul(const SecFxp<F>& x, const SecFxp<F>& y) requires PrimeField<F>;
  Awaitable<SecFxp<F>> mul(const SecFxp<F>& x, double c) requires PrimeField<F>;
  Awaitable<SecFxp<F>> inner(const SecFxp<F>& x, const SecFxp<F>& y) requires PrimeField<F>;
  // x / d for a public d != 0 (a product by 1/d), and for a secret y (x times the
  // reciprocal). 1/y, x/y for secret y = 0 give 0. sqrt(x): 0 for x <= 0.
  Awaitable<SecFxp<F>> div(const SecFxp<F>& x, double d) requires PrimeField<F>;
  Awaitable<SecFxp<F>> div(const SecFxp<F>& x, const SecFxp<F>& y) requires PrimeField<F>;
  Awaitable<SecFxp<F>> reciprocal(const SecFxp<F>& x) requires PrimeField<F>;
  Awaitable<SecFxp<F>> sqrt(const SecFxp<F>& x) requires PrimeField<F>;
  // e^x (0 below 2^-f; x below (l - f - 1) ln 2), ln x (the smallest value for
  // x <= 0); relative error about 2^-13 (docs/programs.md).
  Awaitable<SecFxp<F>> exp(const SecFxp<F>& x) requires PrimeField<F>;
  Awaitable<SecFxp<F>> log(const SecFxp<F>& x) requires PrimeField<F>;
  // The integer protocols on the integers underneath: results 0/1 (sign -1/0/1)
  // as secure integers of l bits; min, max, abs, sort as fixed point.
  Awaitable<SecInt<F>> lt(const SecFxp<F>& a, const SecFxp<F>& b) requires PrimeField<F> { return lt(a.integer(), b.integer()); }
  Awaitable<SecInt<F>> le(const SecFxp<F>& a, const SecFxp<F>& b) requires PrimeField<F> { return le(a.integer(), b.integer()); }
  Awaitable<SecInt<F>> gt(const SecFxp<F>& a, const SecFxp<F>& b) requires PrimeField<F> { return gt(a.integer(), b.integer()); }
  Awaitable<SecInt<F>> ge(const SecFxp<F>& a, const SecFxp<F>& b) requires PrimeField<F> { return ge(a.integer(), b.integer()); }
  Awaitable<SecInt<F>> eq(const SecFxp<F>& a, const SecFxp<F>& b) requires PrimeField<F> { return eq(a.integer(), b.integer()); }
  Awaitable<SecInt<F>> ne(const SecFxp<F>& a, const SecFxp<F>& b) requires PrimeField<F> { return ne(a.integer(), b.integer()); }
  Awaitable<SecInt<F>> sign(const SecFxp<F>& x) requires PrimeField<F> { return sign(x.integer()); }
  Awaitable<SecFxp<F>> abs(const SecFxp<F>& x) requires PrimeField<F>;
  Awaitable<SecFxp<F>> min(const SecFxp<F>& a, const SecFxp<F>& b) requires PrimeField<F>;
  Awaitable<SecFxp<F>> max(const SecFxp<F>& a, const SecFxp<F>& b) requires PrimeField<F>;
  Awaitable<SecFxp<F>> if_else(const SecInt<F>& cond, const SecFxp<F>& a, const SecFxp<F>& b) requires PrimeField<F>;
  Awaitable<SecFxp<F>> sort(const SecFxp<F>& x, bool descending = false) requires PrimeField<F>;
  Awaitable<std::pair<SecInt<F>, SecFxp<F>>> argmax(const SecFxp<F>& x) requires PrimeField<F>;
  Awaitable<std::pair<SecInt<F>, SecFxp<F>>> argmin(const SecFxp<F>& x) requires PrimeField<F>;
  // From and to secure integers: x 2^f (local; the result must fit l bits), and
  // floor(x) exactly (an l-bit integer: div by 2^f).
  SecFxp<F> to_fxp(const SecInt<F>& x, secfxp type = secfxp()) const requires PrimeField<F>;
  Awaitable<SecInt<F>> floor(const SecFxp<F>& x) requires PrimeField<F>;

  // --- secure field elements of any field (MPyC's SecFld: GF(p), GF(2^d))
  // [x == 0], [x == y] as secret 0/1 elements, by Fermat (field_equality.hpp): any
  // field up to 2^128 elements; for small integers SecInt's eq is much cheaper.
  Awaitable<SecFld<F>> is_zero(const SecFld<F>& x);
  Awaitable<SecFld<F>> eq(const SecFld<F>& x, const SecFld<F>& y) { return is_zero(x - y); }
  // Whether each x is zero, made public and nothing else (MPyC's is_zero_public):
  // two rounds, wrong with probability at most 2^-k (docs/protocols.md).
  Awaitable<std::vector<bool>> is_zero_public(const SecFld<F>& x);

  // --- x in a uniformly random secret order
  Awaitable<SecInt<F>> shuffle(const SecInt<F>& x);
  Awaitable<SecFld<F>> shuffle(const SecFld<F>& x);

 private:
  template <FiniteField>
  friend class Session;
  template <FiniteField G>
  friend Core<G>& protocols::core_of(Session<G>& s);
  template <FiniteField G>
  friend Scope protocols::next_scope(Session<G>& s);

  static Awaitable<Session> start_at(F field, net::Network& network, SessionOptions options, Scope root);

  Session(std::shared_ptr<Core<F>> core, Scope scope) : core_(std::move(core)), scope_(scope) {}

  // These adapt an awaitable whose labels were already taken (eagerly, by the
  // call that made it): they take none themselves. They hold the Core, not this
  // handle, which the caller may move meanwhile.
  static Awaitable<SecFld<F>> as_fld(std::shared_ptr<Core<F>> core, Awaitable<Vec> shares);
  static Awaitable<SecInt<F>> as_int(std::shared_ptr<Core<F>> core, Awaitable<Vec> shares, std::size_t bits);
  static Awaitable<std::vector<SecInt<F>>> as_ints(std::shared_ptr<Core<F>> core, Awaitable<std::vector<Vec>> all,
                                                   std::size_t bits);
  static Awaitable<std::vector<SecFld<F>>> as_flds(std::shared_ptr<Core<F>> core, Awaitable<std::vector<Vec>> all);
  static Awaitable<std::vector<std::int64_t>> to_ints(std::shared_ptr<Core<F>> core, Awaitable<Vec> opened);
  static Awaitable<std::optional<std::vector<std::int64_t>>> to_ints_at(std::shared_ptr<Core<F>> core,
                                                                        Awaitable<std::optional<Vec>> opened);
  static Awaitable<SecInt<F>> not_of(Awaitable<SecInt<F>> bit);
  static Awaitable<SecInt<F>> sign_of(Awaitable<SecInt<F>> negative, Awaitable<SecInt<F>> zero);
  // `compare`: the scope `negative` runs under (its product counts after it).
  static Awaitable<SecInt<F>> abs_of(Session s, SecInt<F> x, Awaitable<SecInt<F>> negative, Scope compare)
    requires PrimeField<F>;
  static Awaitable<SecFxp<F>> as_fxp(Awaitable<SecInt<F>> x, std::size_t frac);
  static Awaitable<std::vector<double>> to_doubles(Awaitable<std::vector<std::int64_t>> x, std::size_t frac);
  static Awaitable<std::pair<SecInt<F>, SecFxp<F>>> arg_fxp(Awaitable<std::pair<SecInt<F>, SecInt<F>>> r,
                                                           std::size_t frac);
  void check_fxp(secfxp type) const requires PrimeField<F>;
  static Awaitable<std::pair<SecInt<F>, SecInt<F>>> arg_of(std::shared_ptr<Core<F>> core,
                                                           Awaitable<std::pair<Vec, Vec>> result, std::size_t bits);

  // [x < 0] for the difference x of two l-bit integers (so x has l + 1 bits).
  Awaitable<SecInt<F>> ltz(const SecInt<F>& x) requires PrimeField<F>;
  Awaitable<SecInt<F>> extreme(const SecInt<F>& a, const SecInt<F>& b, bool want_max) requires PrimeField<F>;
  Awaitable<std::pair<SecInt<F>, SecInt<F>>> arg(const SecInt<F>& x, bool want_max) requires PrimeField<F>;
  SecInt<F> like(const SecInt<F>& a, std::int64_t c) const {
    return constant(secint(a.bit_length()), c, a.size());
  }

  // The shares of a value of this session; ConfigError naming both fields for a
  // value of another session (its shares would be read in the wrong field).
  const Vec& own(const SecFld<F>& x, const char* op) const {
    if (x.field_handle() != core_->field_handle()) refuse_foreign(x, op);
    return x.shares();
  }
  const Vec& own(const SecInt<F>& x, const char* op) const { return own(x.value(), op); }
  [[noreturn]] void refuse_foreign(const SecFld<F>& x, const char* op) const;

  std::shared_ptr<Core<F>> core_;
  Scope scope_;
};

// Compiled once into the library (src/runtime/instantiate_*.cpp): a program that
// includes only this header compiles none of the protocols behind these members.
extern template class Session<Fp64>;
extern template class Session<Fp127>;

namespace protocols {
template <FiniteField F>
Core<F>& core_of(Session<F>& s) {
  return *s.core_;
}
template <FiniteField F>
Scope next_scope(Session<F>& s) {
  return s.scope_.child();
}
}  // namespace protocols

}  // namespace meshmpc
