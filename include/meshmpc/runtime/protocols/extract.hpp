#pragma once
// Random sharings by dealing and extraction (sharing/extraction.hpp): the
// randomness of sessions that run without PRSS (Randomness::extraction).
#include <meshmpc/runtime/core.hpp>

#include <boost/asio/awaitable.hpp>

#include <algorithm>
#include <span>
#include <utility>
#include <vector>

namespace meshmpc::protocols {

// What every party deals per column: a secret, uniformly random or zero, shared at
// each of `degrees` (several degrees: the same secret at each, as a double sharing).
struct Dealing {
  bool zero = false;
  std::vector<std::size_t> degrees;
};

// `count` fresh sharings per (dealing, degree), in that order. Every party deals
// ceil(count / (n - t)) columns of each dealing and applies the session's
// Extractor to what it received: the outputs of one column index are as random as
// the honest dealers' inputs (extraction.hpp), and a double sharing's degrees
// still hide one value since the same matrix is applied to each. One round; each
// party sends sum(degrees) * ceil(count / (n - t)) elements to each peer, i.e.
// about (n - 1) / (n - t) per sharing; n (n - t) multiply-adds per column and
// degree to extract.
template <FiniteField F>
boost::asio::awaitable<std::vector<Shares<F>>> extract_sharings(Core<F>& c, Scope scope, std::size_t count,
                                                                std::vector<Dealing> dealings) {
  using E = typename F::Element;
  const F& f = c.field();
  const Extractor<F>& x = c.extractor();
  const std::size_t n = c.n(), me = c.self(), b = x.columns_for(count);
  std::size_t outputs = 0;
  for (const auto& d : dealings) outputs += d.degrees.size();
  std::vector<Shares<F>> out(outputs, Shares<F>(count));
  if (count == 0) co_return out;
  const auto label = scope.next_label();
  scope.count_rounds(1);

  // dealt[j]: party j's shares of every dealt sharing, one block of b per output.
  std::vector<Shares<F>> dealt(n, Shares<F>(outputs * b));
  Shares<F> secrets(b);
  std::vector<std::span<E>> views(n);
  std::size_t k = 0;
  for (const auto& d : dealings) {
    if (d.zero)
      std::fill(secrets.begin(), secrets.end(), f.zero());
    else
      f.random(std::span<E>(secrets), c.rng());
    for (const std::size_t degree : d.degrees) {
      for (std::size_t j = 0; j < n; ++j) views[j] = std::span<E>(dealt[j]).subspan(k * b, b);
      c.shamir().share(secrets, c.rng(), views, degree);
      ++k;
    }
  }
  for (std::size_t j = 0; j < n; ++j)
    if (j != me) c.send(j, label, std::move(dealt[j]));
  std::vector<Received<F>> received(n);
  received[me] = Received<F>(std::move(dealt[me]));
  for (std::size_t j = 0; j < n; ++j)
    if (j != me) received[j] = co_await c.receive_view(j, label, outputs * b);

  std::vector<std::span<const E>> inputs(n);
  for (std::size_t q = 0; q < outputs; ++q) {
    for (std::size_t j = 0; j < n; ++j) inputs[j] = received[j].elements().subspan(q * b, b);
    x.apply(inputs, out[q]);
  }
  co_return out;
}

// Degree-t shares of `count` random values nobody knows. One round (above).
template <FiniteField F>
boost::asio::awaitable<Shares<F>> extracted_random(Core<F>& c, Scope scope, std::size_t count) {
  // Named, not a braced temporary in the co_await: GCC 12 rejects the latter.
  std::vector<Dealing> dealings{Dealing{.zero = false, .degrees = {c.t()}}};
  auto out = co_await extract_sharings(c, scope, count, std::move(dealings));
  co_return std::move(out.front());
}

// DN07 double sharings: ([r]_t, [r]_2t) of `count` random values r. One round.
template <FiniteField F>
boost::asio::awaitable<std::pair<Shares<F>, Shares<F>>> extracted_doubles(Core<F>& c, Scope scope,
                                                                          std::size_t count) {
  std::vector<Dealing> dealings{Dealing{.zero = false, .degrees = {c.t(), 2 * c.t()}}};
  auto out = co_await extract_sharings(c, scope, count, std::move(dealings));
  co_return std::pair{std::move(out[0]), std::move(out[1])};
}

}  // namespace meshmpc::protocols
