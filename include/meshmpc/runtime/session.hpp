#pragma once
// Session<F>: what a user program holds — one party's handle on one computation.
// It reads like an MPyC program:
//
//   auto s = co_await Session<Fp64>::start(Fp64{}, network, {.threshold = 1});
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
#include <meshmpc/runtime/protocols/io.hpp>
#include <meshmpc/runtime/protocols/mul.hpp>
#include <meshmpc/runtime/protocols/random.hpp>
#include <meshmpc/runtime/protocols/setup.hpp>
#include <meshmpc/runtime/secfld.hpp>
#include <meshmpc/runtime/secint.hpp>

#include <boost/asio/awaitable.hpp>

#include <memory>
#include <optional>
#include <span>
#include <vector>

namespace meshmpc {

// Programs are written with Asio's coroutines: asio::awaitable<void> per party.
namespace asio = boost::asio;

template <PrimeField F>
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
    auto core = std::make_shared<Core<F>>(std::move(field), network, options);
    Session s(core, Scope(0));
    co_await protocols::setup(*core, s.scope_.child());
    co_return s;
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
  Awaitable<SecFld<F>> mul(const SecFld<F>& x, const SecFld<F>& y) { return wrap_fld(mul(x.view(), y.view())); }
  Awaitable<SecInt<F>> mul(const SecInt<F>& x, const SecInt<F>& y) {
    return wrap_int(mul(x.value(), y.value()), x.bit_length());
  }
  Awaitable<Vec> output(const SecFld<F>& x) { return open(x.view()); }
  // Opens integers in the centered representation.
  Awaitable<std::vector<std::int64_t>> output(const SecInt<F>& x) { return to_ints(open(x.view())); }

 private:
  // These adapt an awaitable whose labels were already taken (eagerly, by the
  // call that made it): they take none themselves.
  // They hold the Core, not this handle, which the caller may move meanwhile.
  Awaitable<SecFld<F>> wrap_fld(Awaitable<Vec> shares) { return wrap_fld(core_, std::move(shares)); }
  static Awaitable<SecFld<F>> wrap_fld(std::shared_ptr<Core<F>> core, Awaitable<Vec> shares) {
    co_return SecFld<F>(core->field(), co_await std::move(shares));
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
    for (auto& v : co_await std::move(all)) out.emplace_back(SecFld<F>(core->field(), std::move(v)), bits);
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

  template <class Op>
  Vec apply(Op op, std::size_t size) const {
    Vec out(size);
    op(std::span<Element>(out));
    return out;
  }

  std::shared_ptr<Core<F>> core_;
  Scope scope_;
};

}  // namespace meshmpc
