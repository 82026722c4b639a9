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
//
// The members that run a protocol are declared here and defined in
// session_impl.hpp, which this header does not include: the library compiles them
// once for its shipped fields (src/runtime/instantiate_*.cpp; `extern template`
// below and in session_ntl.hpp), so a program compiles none of the protocols.
// A program over a field of its own includes <meshmpc/runtime/session_impl.hpp>.
#include <meshmpc/field/fp127.hpp>
#include <meshmpc/field/fp64.hpp>
#include <meshmpc/runtime/core.hpp>
#include <meshmpc/runtime/secfld.hpp>
#include <meshmpc/runtime/secint.hpp>

#include <boost/asio/awaitable.hpp>

#include <functional>
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
  Core<F>& core() { return *core_; }
  // The communication depth so far, in rounds: the longest chain of rounds, one
  // waiting on the other, among the work issued through this handle and its forks
  // since the session started (concurrent work counts once; Scope). And the
  // traffic of this party's links.
  std::uint64_t rounds() const { return core_->rounds(scope_); }
  net::NetworkStatistics statistics() const { return core_->network().statistics(); }

  // --- input and output (one round each)
  Awaitable<Vec> input(std::size_t owner, CSpan values, std::size_t count);
  Awaitable<std::vector<Vec>> input_all(CSpan mine);
  Awaitable<Vec> open(CSpan x);
  Awaitable<std::optional<Vec>> open_to(std::span<const std::size_t> receivers, CSpan x);

  // --- local operations (no communication)
  Vec add(CSpan x, CSpan y) const { return apply([&](auto out) { field().add(out, x, y); }, x.size()); }
  Vec sub(CSpan x, CSpan y) const { return apply([&](auto out) { field().sub(out, x, y); }, x.size()); }
  Vec neg(CSpan x) const { return apply([&](auto out) { field().neg(out, x); }, x.size()); }
  Vec scale(Element a, CSpan x) const { return apply([&](auto out) { field().scale(out, a, x); }, x.size()); }
  // x + c for public c: every party adds c to its share (f(0) + c = (f + c)(0)).
  Vec add_public(CSpan x, CSpan c) const { return add(x, c); }

  // --- products (one degree reduction each)
  Awaitable<Vec> mul(CSpan x, CSpan y);
  Awaitable<Vec> inner(CSpan x, CSpan y);

  // --- randomness
  Awaitable<Vec> random(std::size_t count);
  Awaitable<Vec> random_bits(std::size_t count);

  // --- secure types
  // Party `owner`'s values as secret field elements (values read at the owner only).
  Awaitable<SecFld<F>> input_fld(std::size_t owner, CSpan values, std::size_t count);
  // Party `owner`'s l-bit integers; the range is checked at the owner before sending.
  Awaitable<SecInt<F>> input_int(std::size_t owner, std::span<const std::int64_t> values, std::size_t count,
                                 std::size_t bits = 32);
  // Every party's l-bit integers: result[i] holds party i's.
  Awaitable<std::vector<SecInt<F>>> input_int_all(std::span<const std::int64_t> mine, std::size_t bits = 32);
  // Secure values of this session from this party's shares (e.g. one element of
  // another value, repeated).
  SecFld<F> from_shares(Vec shares) const { return SecFld<F>(core_->field_handle(), std::move(shares)); }

  // Every operation below that takes secure values refuses (ConfigError naming
  // both fields) a value of another session, e.g. of a sub_session.
  Awaitable<SecFld<F>> mul(const SecFld<F>& x, const SecFld<F>& y);
  Awaitable<SecInt<F>> mul(const SecInt<F>& x, const SecInt<F>& y);
  Awaitable<Vec> output(const SecFld<F>& x);
  // Opens field elements to the named parties only; the others get nothing.
  Awaitable<std::optional<Vec>> output_to(std::span<const std::size_t> receivers, const SecFld<F>& x);
  // Opens integers in the centered representation.
  Awaitable<std::vector<std::int64_t>> output(const SecInt<F>& x);
  // Opens integers to the named parties only (private outputs): they get the values.
  Awaitable<std::optional<std::vector<std::int64_t>>> output_to(std::span<const std::size_t> receivers,
                                                                const SecInt<F>& x);

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
  // The sum of all entries (local) and their product.
  SecInt<F> sum(const SecInt<F>& x) const {
    Element acc = field().zero();
    for (const auto& v : own(x, "sum")) acc = field().add(acc, v);
    return SecInt<F>(SecFld<F>(core_->field_handle(), Vec{acc}), x.bit_length());
  }
  Awaitable<SecInt<F>> product(const SecInt<F>& x);
  Awaitable<SecInt<F>> sort(const SecInt<F>& x, bool descending = false) requires PrimeField<F>;
  // floor(x / d) and x mod d (in [0, d)) for a public d >= 1.
  Awaitable<SecInt<F>> div(const SecInt<F>& x, std::uint64_t d) requires PrimeField<F>;
  Awaitable<SecInt<F>> mod(const SecInt<F>& x, std::uint64_t d) requires PrimeField<F>;

  // --- secure field elements of any field (MPyC's SecFld: GF(p), GF(2^d))
  // Uniformly random secret elements, and random secret bits (0 or 1).
  Awaitable<SecFld<F>> random_fld(std::size_t count);
  Awaitable<SecFld<F>> random_bits_fld(std::size_t count);
  // <x, y> as one secret element: local products summed, one degree reduction.
  Awaitable<SecFld<F>> inner(const SecFld<F>& x, const SecFld<F>& y);
  // [x == 0], [x == y] as secret 0/1 elements, by Fermat (field_equality.hpp): any
  // field up to 2^128 elements; for small integers SecInt's eq is much cheaper.
  Awaitable<SecFld<F>> is_zero(const SecFld<F>& x);
  Awaitable<SecFld<F>> eq(const SecFld<F>& x, const SecFld<F>& y) { return is_zero(x - y); }
  // Whether each x is zero, made public and nothing else (MPyC's is_zero_public):
  // two rounds, wrong with probability at most 2^-k (docs/protocols.md).
  Awaitable<std::vector<bool>> is_zero_public(const SecFld<F>& x);
  // x in a uniformly random secret order.
  Awaitable<SecFld<F>> shuffle(const SecFld<F>& x);
  // A uniformly random derangement of 0..n-1 as field elements (in GF(2^d) the
  // elements whose bit patterns are 0..n-1): MPyC's secret santa over SecFld.
  Awaitable<SecFld<F>> random_derangement_fld(std::size_t n);

  // --- random permutations
  // x in a uniformly random secret order.
  Awaitable<SecInt<F>> shuffle(const SecInt<F>& x);
  // A uniformly random permutation of 0..n-1 (fixed points allowed).
  Awaitable<SecInt<F>> random_permutation(std::size_t n, std::size_t bits = 32);
  // `count` independent ones at once (the rounds of one).
  Awaitable<std::vector<SecInt<F>>> random_permutations(std::size_t n, std::size_t count, std::size_t bits = 32);
  // A uniformly random derangement (no fixed point) of 0..n-1.
  Awaitable<SecInt<F>> random_derangement(std::size_t n, std::size_t bits = 32);

 private:
  template <FiniteField>
  friend class Session;

  static Awaitable<Session> start_at(F field, net::Network& network, SessionOptions options, Scope root);

  Session(std::shared_ptr<Core<F>> core, Scope scope) : core_(std::move(core)), scope_(scope) {}

  // These adapt an awaitable whose labels were already taken (eagerly, by the
  // call that made it): they take none themselves. They hold the Core, not this
  // handle, which the caller may move meanwhile.
  static Awaitable<SecFld<F>> as_fld(std::shared_ptr<Core<F>> core, Awaitable<Vec> shares);
  static Awaitable<SecInt<F>> as_int(std::shared_ptr<Core<F>> core, Awaitable<Vec> shares, std::size_t bits);
  static Awaitable<std::vector<SecInt<F>>> as_ints(std::shared_ptr<Core<F>> core, Awaitable<std::vector<Vec>> all,
                                                   std::size_t bits);
  static Awaitable<std::vector<std::int64_t>> to_ints(std::shared_ptr<Core<F>> core, Awaitable<Vec> opened);
  static Awaitable<std::optional<std::vector<std::int64_t>>> to_ints_at(std::shared_ptr<Core<F>> core,
                                                                        Awaitable<std::optional<Vec>> opened);
  static Awaitable<SecInt<F>> not_of(Awaitable<SecInt<F>> bit);
  static Awaitable<SecInt<F>> sign_of(Awaitable<SecInt<F>> negative, Awaitable<SecInt<F>> zero);
  // `compare`: the scope `negative` runs under (its product counts after it).
  static Awaitable<SecInt<F>> abs_of(Session s, SecInt<F> x, Awaitable<SecInt<F>> negative, Scope compare)
    requires PrimeField<F>;
  static Awaitable<std::pair<SecInt<F>, SecInt<F>>> arg_of(std::shared_ptr<Core<F>> core,
                                                           Awaitable<std::pair<Vec, Vec>> result, std::size_t bits);

  // [x < 0] for the difference x of two l-bit integers (so x has l + 1 bits).
  Awaitable<SecInt<F>> ltz(const SecInt<F>& x) requires PrimeField<F>;
  Awaitable<SecInt<F>> extreme(const SecInt<F>& a, const SecInt<F>& b, bool want_max) requires PrimeField<F>;
  Awaitable<std::pair<SecInt<F>, SecInt<F>>> arg(const SecInt<F>& x, bool want_max) requires PrimeField<F>;
  SecInt<F> like(const SecInt<F>& a, std::int64_t c) const { return constant(c, a.size(), a.bit_length()); }

  // The shares of a value of this session; ConfigError naming both fields for a
  // value of another session (its shares would be read in the wrong field).
  const Vec& own(const SecFld<F>& x, const char* op) const {
    if (x.field_handle() != core_->field_handle()) refuse_foreign(x, op);
    return x.shares();
  }
  const Vec& own(const SecInt<F>& x, const char* op) const { return own(x.value(), op); }
  [[noreturn]] void refuse_foreign(const SecFld<F>& x, const char* op) const;

  template <class Op>
  Vec apply(Op op, std::size_t size) const {
    Vec out(size);
    op(std::span<Element>(out));
    return out;
  }

  std::shared_ptr<Core<F>> core_;
  Scope scope_;
};

// Compiled once into the library (src/runtime/instantiate_*.cpp): a program that
// includes only this header compiles none of the protocols behind these members.
extern template class Session<Fp64>;
extern template class Session<Fp127>;

}  // namespace meshmpc
