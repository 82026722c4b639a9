// TaskGroup (src/net/async_util.hpp, not installed). Its tasks keep alive the
// object that holds the group, as connect_mesh's tasks keep its state: a task
// that outlives the owner's last reference destroys the group when it ends, and
// its completion handler runs after that. Under ASan these tests fail with a
// heap-use-after-free when the handler touches the group (or the notifier the
// group was given) instead of state the handler owns.
#include <gtest/gtest.h>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/io_context.hpp>
#include <chrono>
#include <memory>

#include <meshmpc/net/deadline.hpp>

#include "async_util.hpp"

namespace meshmpc::net::detail {
namespace {

using namespace std::chrono_literals;

// Holds a TaskGroup and is owned by its tasks, as MeshState is. `gone` tells the
// test that it was destroyed: a weak_ptr would keep make_shared's block allocated
// and hide a use after free from ASan.
struct Holder {
  Holder(const asio::any_io_executor& executor, bool& gone_flag)
      : progress(std::make_shared<Notifier>(executor)), tasks(executor, progress), gone(gone_flag) {}
  ~Holder() { gone = true; }
  Holder(const Holder&) = delete;
  Holder& operator=(const Holder&) = delete;

  std::shared_ptr<Notifier> progress;
  TaskGroup tasks;
  bool& gone;
};

// Keeps `holder` alive until the timer fires or the task is cancelled.
asio::awaitable<void> hold([[maybe_unused]] std::shared_ptr<Holder> holder, std::chrono::milliseconds delay) {
  asio::steady_timer timer(co_await asio::this_coro::executor, delay);
  co_await timer.async_wait(asio::as_tuple(asio::use_awaitable));  // cancelled: ends quietly
}

// True when `notifier` was notified (a notification is kept until waited for).
bool was_notified(asio::io_context& context, const std::shared_ptr<Notifier>& notifier) {
  bool notified = false;
  asio::co_spawn(context, until_deadline(notifier->wait(), std::chrono::steady_clock::now() + 1s),
                 [&](std::exception_ptr, bool finished) { notified = finished; });
  context.restart();
  context.run();
  return notified;
}

TEST(TaskGroup, CountsLiveTasksAndNotifiesAsEachEnds) {
  asio::io_context context;
  bool gone = false;
  const auto holder = std::make_shared<Holder>(context.get_executor(), gone);
  holder->tasks.spawn(hold(holder, 1ms));
  holder->tasks.spawn(hold(holder, 5ms));
  EXPECT_EQ(holder->tasks.live(), 2u);
  context.run();
  EXPECT_EQ(holder->tasks.live(), 0u);
  EXPECT_TRUE(was_notified(context, holder->progress));
}

TEST(TaskGroup, LastTaskMayEndAfterItsOwnerLetGo) {
  asio::io_context context;
  std::shared_ptr<Notifier> progress;
  bool gone = false;
  {
    const auto holder = std::make_shared<Holder>(context.get_executor(), gone);
    progress = holder->progress;
    holder->tasks.spawn(hold(holder, 10ms));
  }  // the owner's reference is gone: only the task keeps the holder alive
  EXPECT_FALSE(gone);
  context.run();  // the task ends, frees the holder, then its handler runs
  EXPECT_TRUE(gone);
  EXPECT_TRUE(was_notified(context, progress));
}

TEST(TaskGroup, CancelledTaskMayOutliveTheDrain) {
  // connect_mesh cancels its tasks, waits a bounded time for them and returns:
  // a task still unwinding then ends after the owner's last reference is gone.
  asio::io_context context;
  bool gone = false;
  {
    const auto holder = std::make_shared<Holder>(context.get_executor(), gone);
    for (int i = 0; i < 3; ++i) holder->tasks.spawn(hold(holder, 1h));
    context.poll();  // the tasks start and wait
    holder->tasks.cancel_all();
  }
  EXPECT_FALSE(gone);
  context.run();
  EXPECT_TRUE(gone);
}

}  // namespace
}  // namespace meshmpc::net::detail
