#pragma once
// Deadlines for network waits, composed as in Asio's timeout.cpp example: the
// work raced against a steady_timer with the awaitable operator ||. The race is
// out of line (src/net/deadline.cpp), so that this header, which the handshake
// and the transports include, keeps Asio's experimental:: operators out of the
// headers a program includes.
#include <boost/asio/awaitable.hpp>
#include <chrono>
#include <exception>
#include <optional>
#include <utility>

#include <meshmpc/asio.hpp>

namespace meshmpc::net {

namespace detail {

// `work` wrapped so that its exception ends a race at once (|| alone waits for
// one branch to *succeed*, so a failing branch would wait for the timer): the
// exception is stored in `failure`, and the wrapper returns true either way.
asio::awaitable<bool> capture_failure(asio::awaitable<void> work, std::exception_ptr& failure);

template <typename T>
asio::awaitable<void> store_result(asio::awaitable<T> work, std::optional<T>& result) {
  result.emplace(co_await std::move(work));
}

}  // namespace detail

// True when `work` finished (or rethrows its exception), false when the deadline
// came first (the work is then cancelled).
asio::awaitable<bool> until_deadline(asio::awaitable<void> work, std::chrono::steady_clock::time_point deadline);

// The result of `work`, or its exception, or nullopt when the deadline came first
// (the work is then cancelled).
template <typename T>
asio::awaitable<std::optional<T>> until_deadline(asio::awaitable<T> work,
                                                 std::chrono::steady_clock::time_point deadline) {
  std::optional<T> result;
  if (!co_await until_deadline(detail::store_result(std::move(work), result), deadline)) co_return std::nullopt;
  co_return std::move(result);
}

}  // namespace meshmpc::net
