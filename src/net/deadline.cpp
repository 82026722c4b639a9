#include <meshmpc/net/deadline.hpp>

#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

namespace meshmpc::net {

namespace detail {

asio::awaitable<bool> capture_failure(asio::awaitable<void> work, std::exception_ptr& failure) {
  try {
    co_await std::move(work);
  } catch (...) {
    failure = std::current_exception();
  }
  co_return true;
}

}  // namespace detail

asio::awaitable<bool> until_deadline(asio::awaitable<void> work, std::chrono::steady_clock::time_point deadline) {
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
