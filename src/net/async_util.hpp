#pragma once
// Small coroutine helpers shared by the net sources (not installed).
#include <boost/asio/as_tuple.hpp>
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
#include <memory>
#include <string>

#include <meshmpc/asio.hpp>

namespace meshmpc::net::detail {

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

// sleep_until for the slower side of a race (`wake || deadline(t)`), which nearly
// always loses: its cancellation ends it quietly, where an exception would only be
// thrown, unwound and dropped by the race (microseconds per wait).
inline asio::awaitable<void> deadline(std::chrono::steady_clock::time_point when) {
  asio::steady_timer timer(co_await asio::this_coro::executor, when);
  co_await timer.async_wait(asio::as_tuple(asio::use_awaitable));
}

// "2.5 s", "0.05 s".
inline std::string format_seconds(std::chrono::steady_clock::duration duration) {
  char text[32];
  std::snprintf(text, sizeof text, "%.3g s", std::chrono::duration<double>(duration).count());
  return text;
}

// Coroutines that can all be cancelled at once; each task catches its own errors.
// The tasks often keep alive the object that holds the group (a shared state), so
// the last task to end may destroy the group before asio runs that task's
// completion handler (co_spawn destroys the task's frame first). What the
// handlers touch is therefore owned by the handlers themselves: each holds the
// group's Shared, which outlives the group as long as a handler is pending.
class TaskGroup {
 public:
  TaskGroup(const asio::any_io_executor& executor, std::shared_ptr<Notifier> on_task_end)
      : executor_(executor), shared_(std::make_shared<Shared>(std::move(on_task_end))) {}

  void spawn(asio::awaitable<void> task) {
    asio::cancellation_signal& signal = shared_->signals.emplace_back();
    ++shared_->live;
    asio::co_spawn(executor_, std::move(task),
                   asio::bind_cancellation_slot(signal.slot(), [shared = shared_](std::exception_ptr) {
                     --shared->live;
                     shared->on_task_end->notify();
                   }));
  }
  void cancel_all() {
    for (asio::cancellation_signal& signal : shared_->signals) signal.emit(asio::cancellation_type::terminal);
  }
  std::size_t live() const { return shared_->live; }

 private:
  struct Shared {
    explicit Shared(std::shared_ptr<Notifier> notifier) : on_task_end(std::move(notifier)) {}
    std::shared_ptr<Notifier> on_task_end;
    // Stable addresses: each task's cancellation slot points into its signal,
    // which must last as long as the task (so as long as its handler).
    std::list<asio::cancellation_signal> signals;
    std::size_t live = 0;
  };
  asio::any_io_executor executor_;
  std::shared_ptr<Shared> shared_;
};

}  // namespace meshmpc::net::detail
