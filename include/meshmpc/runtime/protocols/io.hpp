#pragma once
// Getting values into and out of secret-shared form.
#include <meshmpc/runtime/core.hpp>

#include <boost/asio/awaitable.hpp>

#include <algorithm>
#include <optional>
#include <span>
#include <vector>

namespace meshmpc::protocols {

// The parties whose shares an opening uses: `count` parties starting at a place
// derived from the label, so that the work of sending rotates over the parties.
inline std::vector<std::size_t> rotating_parties(std::size_t n, std::size_t count, Scope::Label label) {
  std::vector<std::size_t> ids(count);
  const std::size_t start = static_cast<std::size_t>(label % n);
  for (std::size_t j = 0; j < count; ++j) ids[j] = (start + j) % n;
  return ids;
}

// Deals a degree-t sharing of `values` from this party: sends every other party
// its shares under `label` and returns this party's own. One message to each of
// the n-1 others; the caller counts the round and receives what others deal.
template <FiniteField F>
Shares<F> deal_and_send(Core<F>& c, Scope::Label label, std::span<const typename F::Element> values) {
  auto shares = c.shamir().share(values, c.rng());
  for (std::size_t j = 0; j < c.n(); ++j)
    if (j != c.self()) c.send(j, label, std::move(shares[j]));
  return std::move(shares[c.self()]);
}

// The owner deals a degree-t sharing of its values and sends each party its
// shares. One round; the owner sends count elements to each of the n-1 others.
// `values` is read only at the owner; every party passes the same count.
template <FiniteField F>
boost::asio::awaitable<Shares<F>> input(Core<F>& c, Scope scope, std::size_t owner,
                                        Shares<F> values, std::size_t count) {
  const auto label = scope.next_label();
  scope.count_rounds(1);
  if (owner >= c.n())
    throw RangeError("input: owner " + std::to_string(owner) + " is not a party (n = " + std::to_string(c.n()) + ")");
  if (c.self() != owner) co_return co_await c.receive(owner, label, count);
  if (values.size() != count)
    throw RangeError("input: party " + std::to_string(owner) + " gave " + std::to_string(values.size()) +
                     " values where the session expects " + std::to_string(count));
  co_return deal_and_send(c, label, std::span<const typename F::Element>(values));
}

// Every party inputs `count` values at once; result[i] are the shares of party
// i's values. One round.
template <FiniteField F>
boost::asio::awaitable<std::vector<Shares<F>>> input_all(Core<F>& c, Scope scope,
                                                         Shares<F> mine, std::size_t count) {
  const auto label = scope.next_label();
  scope.count_rounds(1);
  if (mine.size() != count)
    throw RangeError("input_all: party " + std::to_string(c.self()) + " gave " + std::to_string(mine.size()) +
                     " values where the session expects " + std::to_string(count));
  std::vector<Shares<F>> result(c.n());
  result[c.self()] = deal_and_send(c, label, std::span<const typename F::Element>(mine));
  for (std::size_t j = 0; j < c.n(); ++j)
    if (j != c.self()) result[j] = co_await c.receive(j, label, count);
  co_return result;
}

// The second half of an opening: the senders' shares (this party's own among
// them if it is one) interpolated at 0.
template <FiniteField F>
boost::asio::awaitable<Shares<F>> gather_and_reconstruct(Core<F>& c, Scope::Label label,
                                                         std::vector<std::size_t> senders,
                                                         std::shared_ptr<const Shares<F>> own, std::size_t degree) {
  std::vector<Received<F>> got(senders.size());
  std::vector<std::span<const typename F::Element>> views;
  for (std::size_t k = 0; k < senders.size(); ++k) {
    if (senders[k] != c.self()) got[k] = co_await c.receive_view(senders[k], label, own->size());
    views.emplace_back(senders[k] == c.self() ? std::span<const typename F::Element>(*own) : got[k].elements());
  }
  co_return c.shamir().reconstruct(senders, views, degree);
}

// Protocol functions are coroutines: they take their inputs by value, so that an
// awaitable stays valid however long it is kept before it is awaited.

// Whether an opening goes through kings (open_by_kings) rather than all to all:
// for large batches among five or more parties, where the all-to-all opening's
// n(n-1) messages and n reconstructions per element cost more than a second
// round (docs/protocols.md, "Openings", has the measurement).
inline bool opens_by_kings(std::size_t n, std::size_t count) { return n >= 5 && count >= 64 * n; }

// Opens through kings: element e's king is the party (label + e) mod n; it and
// the `degree` parties after it hold the shares that fix the value; those
// parties send the king their shares, the king reconstructs and sends the value to
// everyone. Two rounds; per element, degree + n - 1 messages in total and one
// reconstruction (about 2 elements sent per party, not n - 1). `king_tag`, if set,
// reports what a king reconstructs to the audit hook (DN07's masked products).
template <FiniteField F>
boost::asio::awaitable<Shares<F>> open_by_kings(Core<F>& c, Scope scope, Shares<F> x, std::size_t degree,
                                                const char* king_tag = nullptr) {
  using E = typename F::Element;
  const std::size_t n = c.n(), me = c.self(), m = x.size();
  const auto to_king = scope.next_label();
  const auto from_king = scope.next_label();
  scope.count_rounds(2);
  const std::size_t start = static_cast<std::size_t>(to_king % n);
  auto first = [&](std::size_t k) { return (k + n - start) % n; };  // king k's elements: first, first + n, ...
  auto count_of = [&](std::size_t k) { return first(k) < m ? (m - first(k) + n - 1) / n : 0; };
  auto feeds = [&](std::size_t j, std::size_t k) { return (j + n - k) % n >= 1 && (j + n - k) % n <= degree; };
  auto elements_of = [&](std::size_t k) {
    Shares<F> v;
    v.reserve(count_of(k));
    for (std::size_t e = first(k); e < m; e += n) v.push_back(x[e]);
    return v;
  };
  for (std::size_t k = 0; k < n; ++k)
    if (k != me && count_of(k) > 0 && feeds(me, k)) c.send(k, to_king, elements_of(k));
  Shares<F> out(m);
  if (const std::size_t mine = count_of(me); mine > 0) {
    std::vector<std::size_t> ids{me};
    std::vector<Received<F>> got;
    got.emplace_back(elements_of(me));
    for (std::size_t s = 1; s <= degree; ++s) {
      ids.push_back((me + s) % n);
      got.push_back(co_await c.receive_view(ids.back(), to_king, mine));
    }
    std::vector<std::span<const E>> views;
    for (const auto& g : got) views.push_back(g.elements());
    const auto values = std::make_shared<const Shares<F>>(c.shamir().reconstruct(ids, views, degree));
    if (king_tag) c.observe_open(king_tag, *values);
    for (std::size_t j = 0; j < n; ++j)
      if (j != me) c.send(j, from_king, values);
    for (std::size_t q = 0, e = first(me); e < m; ++q, e += n) out[e] = (*values)[q];
  }
  for (std::size_t k = 0; k < n; ++k) {
    if (k == me || count_of(k) == 0) continue;
    const auto values = co_await c.receive_view(k, from_king, count_of(k));
    for (std::size_t q = 0, e = first(k); e < m; ++q, e += n) out[e] = values[q];
  }
  co_return out;
}

// Opens a degree-`degree` sharing to every party: degree+1 parties (rotating)
// send their shares to all others — one round — or, for large batches among many
// parties, through kings (opens_by_kings; two rounds, far fewer messages).
// `tag` names the step for the audit hook (Core::set_open_observer): a string
// literal, as it outlives the coroutine.
template <FiniteField F>
boost::asio::awaitable<Shares<F>> open(Core<F>& c, Scope scope, Shares<F> x, std::size_t degree,
                                       const char* tag = "open") {
  if (opens_by_kings(c.n(), x.size())) {
    auto opened = co_await open_by_kings(c, scope, std::move(x), degree);
    c.observe_open(tag, opened);
    co_return opened;
  }
  const auto label = scope.next_label();
  scope.count_rounds(1);
  const auto senders = rotating_parties(c.n(), degree + 1, label);
  const bool sending = std::find(senders.begin(), senders.end(), c.self()) != senders.end();
  // One vector for every peer's message and the reconstruction (Core::send).
  const auto own = std::make_shared<const Shares<F>>(std::move(x));
  if (sending)
    for (std::size_t j = 0; j < c.n(); ++j)
      if (j != c.self()) c.send(j, label, own);
  auto opened = co_await gather_and_reconstruct(c, label, senders, own, degree);
  c.observe_open(tag, opened);
  co_return opened;
}

// Opens a degree-t sharing to the named receivers only (private outputs): t+1
// parties send their shares to each receiver. Receivers get the values, others
// an empty optional.
template <FiniteField F>
boost::asio::awaitable<std::optional<Shares<F>>> open_to(Core<F>& c, Scope scope,
                                                         std::vector<std::size_t> receivers, Shares<F> x) {
  const auto label = scope.next_label();
  scope.count_rounds(1);
  for (auto r : receivers)
    if (r >= c.n()) throw RangeError("open_to: receiver " + std::to_string(r) + " is not a party (n = " + std::to_string(c.n()) + ")");
  const auto senders = rotating_parties(c.n(), c.t() + 1, label);
  const bool sending = std::find(senders.begin(), senders.end(), c.self()) != senders.end();
  const auto own = std::make_shared<const Shares<F>>(std::move(x));
  if (sending)
    for (auto r : receivers)
      if (r != c.self()) c.send(r, label, own);
  if (std::find(receivers.begin(), receivers.end(), c.self()) == receivers.end()) co_return std::nullopt;
  auto opened = co_await gather_and_reconstruct(c, label, senders, own, c.t());
  c.observe_open("open_to", opened);
  co_return opened;
}

}  // namespace meshmpc::protocols
