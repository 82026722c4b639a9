#pragma once
// Deadlines for network waits, composed as in Asio's timeout.cpp example: the
// work raced against a steady_timer with the awaitable operator ||. The work is
// wrapped so that its exception ends the race at once (|| alone waits for one
// branch to *succeed*, so a failing branch would wait for the timer).
#include <boost/asio/awaitable.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <chrono>
#include <exception>
#include <optional>

namespace meshmpc::net {

namespace asio = boost::asio;

namespace detail {

template <typename T>
asio::awaitable<std::optional<T>> capture_failure(asio::awaitable<T> work, std::exception_ptr& failure) {
  try {
    co_return co_await std::move(work);
  } catch (...) {
    failure = std::current_exception();
  }
  co_return std::nullopt;
}

inline asio::awaitable<bool> capture_failure(asio::awaitable<void> work, std::exception_ptr& failure) {
  try {
    co_await std::move(work);
  } catch (...) {
    failure = std::current_exception();
  }
  co_return true;
}

}  // namespace detail

// The result of `work`, or its exception, or nullopt when the deadline came first
// (the work is then cancelled).
template <typename T>
asio::awaitable<std::optional<T>> until_deadline(asio::awaitable<T> work,
                                                 std::chrono::steady_clock::time_point deadline) {
  using namespace asio::experimental::awaitable_operators;
  std::exception_ptr failure;
  asio::steady_timer timer(co_await asio::this_coro::executor, deadline);
  auto outcome = co_await (detail::capture_failure(std::move(work), failure) ||
                           timer.async_wait(asio::use_awaitable));
  if (outcome.index() == 1) co_return std::nullopt;
  if (failure) std::rethrow_exception(failure);
  co_return std::move(std::get<0>(outcome));
}

// True when `work` finished (or rethrows its exception), false when the deadline came first.
inline asio::awaitable<bool> until_deadline(asio::awaitable<void> work,
                                            std::chrono::steady_clock::time_point deadline) {
  using namespace asio::experimental::awaitable_operators;
  std::exception_ptr failure;
  asio::steady_timer timer(co_await asio::this_coro::executor, deadline);
  auto outcome = co_await (detail::capture_failure(std::move(work), failure) ||
                           timer.async_wait(asio::use_awaitable));
  if (outcome.index() == 1) co_return false;
  if (failure) std::rethrow_exception(failure);
  co_return true;
}

}  // namespace meshmpc::net
