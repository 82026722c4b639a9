#pragma once
// Small coroutine helpers shared by the net sources (not installed).
#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/cancellation_signal.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/experimental/channel.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <chrono>
#include <cstdio>
#include <list>
#include <string>

namespace meshmpc::net::detail {

namespace asio = boost::asio;

// A wake-up call for one waiting coroutine: notify() before wait() is kept, and
// several notify() calls before a wait() count once (the waiter re-checks state).
class Notifier {
 public:
  explicit Notifier(const asio::any_io_executor& executor) : channel_(executor, 1) {}
  void notify() { channel_.try_send(boost::system::error_code{}); }
  asio::awaitable<void> wait() { co_await channel_.async_receive(asio::use_awaitable); }

 private:
  asio::experimental::channel<void(boost::system::error_code)> channel_;
};

inline asio::awaitable<void> sleep_until(std::chrono::steady_clock::time_point when) {
  asio::steady_timer timer(co_await asio::this_coro::executor, when);
  co_await timer.async_wait(asio::use_awaitable);
}

// "2.5 s", "0.05 s".
inline std::string format_seconds(std::chrono::steady_clock::duration duration) {
  char text[32];
  std::snprintf(text, sizeof text, "%.3g s", std::chrono::duration<double>(duration).count());
  return text;
}

// Coroutines that can all be cancelled at once; each task catches its own errors.
// Lives as long as its tasks (keep it in state the tasks share).
class TaskGroup {
 public:
  TaskGroup(const asio::any_io_executor& executor, Notifier& on_task_end)
      : executor_(executor), on_task_end_(on_task_end) {}

  void spawn(asio::awaitable<void> task) {
    asio::cancellation_signal& signal = signals_.emplace_back();
    ++live_;
    asio::co_spawn(executor_, std::move(task),
                   asio::bind_cancellation_slot(signal.slot(), [this](std::exception_ptr) {
                     --live_;
                     on_task_end_.notify();
                   }));
  }
  void cancel_all() {
    for (asio::cancellation_signal& signal : signals_) signal.emit(asio::cancellation_type::terminal);
  }
  std::size_t live() const { return live_; }

 private:
  asio::any_io_executor executor_;
  Notifier& on_task_end_;
  std::list<asio::cancellation_signal> signals_;  // stable addresses: slots point into them
  std::size_t live_ = 0;
};

}  // namespace meshmpc::net::detail
