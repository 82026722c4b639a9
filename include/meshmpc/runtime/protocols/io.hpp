#pragma once
// Getting values into and out of secret-shared form.
#include <meshmpc/runtime/core.hpp>

#include <boost/asio/awaitable.hpp>

#include <algorithm>
#include <optional>
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

// The owner deals a degree-t sharing of its values and sends each party its
// shares. One round; the owner sends count elements to each of the n-1 others.
// `values` is read only at the owner; every party passes the same count.
template <FiniteField F>
boost::asio::awaitable<Shares<F>> input(Core<F>& c, Scope scope, std::size_t owner,
                                        Shares<F> values, std::size_t count) {
  const auto label = scope.next_label();
  c.count_rounds(1);
  if (owner >= c.n())
    throw RangeError("input: owner " + std::to_string(owner) + " is not a party (n = " + std::to_string(c.n()) + ")");
  if (c.self() != owner) co_return co_await c.receive(owner, label, count);
  if (values.size() != count)
    throw RangeError("input: party " + std::to_string(owner) + " gave " + std::to_string(values.size()) +
                     " values where the session expects " + std::to_string(count));
  auto shares = c.shamir().share(values, c.rng());
  for (std::size_t j = 0; j < c.n(); ++j)
    if (j != owner) c.send(j, label, shares[j]);
  co_return std::move(shares[owner]);
}

// Every party inputs `count` values at once; result[i] are the shares of party
// i's values. One round.
template <FiniteField F>
boost::asio::awaitable<std::vector<Shares<F>>> input_all(Core<F>& c, Scope scope,
                                                         Shares<F> mine, std::size_t count) {
  const auto label = scope.next_label();
  c.count_rounds(1);
  if (mine.size() != count)
    throw RangeError("input_all: party " + std::to_string(c.self()) + " gave " + std::to_string(mine.size()) +
                     " values where the session expects " + std::to_string(count));
  auto shares = c.shamir().share(mine, c.rng());
  for (std::size_t j = 0; j < c.n(); ++j)
    if (j != c.self()) c.send(j, label, shares[j]);
  std::vector<Shares<F>> result(c.n());
  result[c.self()] = std::move(shares[c.self()]);
  for (std::size_t j = 0; j < c.n(); ++j)
    if (j != c.self()) result[j] = co_await c.receive(j, label, count);
  co_return result;
}

// The second half of an opening: the senders' shares (this party's own among
// them if it is one) interpolated at 0.
template <FiniteField F>
boost::asio::awaitable<Shares<F>> gather_and_reconstruct(Core<F>& c, Scope::Label label,
                                                         std::vector<std::size_t> senders, Shares<F> own,
                                                         std::size_t degree) {
  std::vector<Shares<F>> got(senders.size());
  std::vector<std::span<const typename F::Element>> views;
  for (std::size_t k = 0; k < senders.size(); ++k) {
    if (senders[k] != c.self()) got[k] = co_await c.receive(senders[k], label, own.size());
    views.emplace_back(senders[k] == c.self() ? std::span<const typename F::Element>(own)
                                              : std::span<const typename F::Element>(got[k]));
  }
  co_return c.shamir().reconstruct(senders, views, degree);
}

// Protocol functions are coroutines: they take their inputs by value, so that an
// awaitable stays valid however long it is kept before it is awaited.

// Opens a degree-`degree` sharing to every party: degree+1 parties (rotating)
// send their shares to all others. One round; a sending party sends n-1 messages.
// `tag` names the step for the audit hook (Core::set_open_observer): a string
// literal, as it outlives the coroutine.
template <FiniteField F>
boost::asio::awaitable<Shares<F>> open(Core<F>& c, Scope scope, Shares<F> x, std::size_t degree,
                                       const char* tag = "open") {
  const auto label = scope.next_label();
  c.count_rounds(1);
  const auto senders = rotating_parties(c.n(), degree + 1, label);
  const bool sending = std::find(senders.begin(), senders.end(), c.self()) != senders.end();
  if (sending)
    for (std::size_t j = 0; j < c.n(); ++j)
      if (j != c.self()) c.send(j, label, x);
  auto opened = co_await gather_and_reconstruct(c, label, senders, std::move(x), degree);
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
  c.count_rounds(1);
  for (auto r : receivers)
    if (r >= c.n()) throw RangeError("open_to: receiver " + std::to_string(r) + " is not a party (n = " + std::to_string(c.n()) + ")");
  const auto senders = rotating_parties(c.n(), c.t() + 1, label);
  const bool sending = std::find(senders.begin(), senders.end(), c.self()) != senders.end();
  if (sending)
    for (auto r : receivers)
      if (r != c.self()) c.send(r, label, x);
  if (std::find(receivers.begin(), receivers.end(), c.self()) == receivers.end()) co_return std::nullopt;
  auto opened = co_await gather_and_reconstruct(c, label, senders, std::move(x), c.t());
  c.observe_open("open_to", opened);
  co_return opened;
}

}  // namespace meshmpc::protocols
