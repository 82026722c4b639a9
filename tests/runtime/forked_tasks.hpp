#pragma once
// Tasks spawned each on its own fork of a session, joined: for the tests of what
// concurrent work does to labels and rounds.
#include <meshmpc/runtime/session.hpp>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <cstddef>
#include <exception>
#include <memory>

namespace meshmpc::test {

// Entries [lo, hi) of a secure vector, as a value of the same session (local).
template <FiniteField F>
SecFld<F> slice(const SecFld<F>& v, std::size_t lo, std::size_t hi) {
  const auto begin = v.shares().begin();
  return SecFld<F>(v.field_handle(),
                   Shares<F>(begin + static_cast<std::ptrdiff_t>(lo), begin + static_cast<std::ptrdiff_t>(hi)));
}

// Forks `s` once per task in program order, spawns make(fork, task) for each, and
// waits for all of them; rethrows the first failure.
template <FiniteField F, class MakeTask>
boost::asio::awaitable<void> run_forked_tasks(Session<F>& s, std::size_t tasks, MakeTask make) {
  namespace asio = boost::asio;
  auto ex = co_await asio::this_coro::executor;
  std::exception_ptr failure;
  std::size_t running = tasks;
  asio::steady_timer all_done(ex, asio::steady_timer::time_point::max());
  for (std::size_t task = 0; task < tasks; ++task) {
    auto fork = std::make_shared<Session<F>>(s.fork());
    asio::co_spawn(ex, make(fork, task), [&](std::exception_ptr e) {
      if (e && !failure) failure = e;
      if (--running == 0) all_done.cancel();
    });
  }
  boost::system::error_code ec;
  if (tasks > 0) co_await all_done.async_wait(asio::redirect_error(asio::use_awaitable, ec));
  if (failure) std::rethrow_exception(failure);
}

}  // namespace meshmpc::test
