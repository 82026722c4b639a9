#pragma once
// The deadlines of a Network's waiting receives, kept by one timer (not installed).
//
// A timer per receive, raced against the message, cost every message a pair of
// coroutines, a cancellation and one or two timerfd system calls — a measurable
// share of a round on loopback. This timer is armed at the earliest deadline of a
// waiting receive and left alone as later ones come (every receive waits the same
// receive_timeout, so a new deadline is never the earliest): when it fires, the
// receives past their deadline are woken as timed out and it is armed again at
// the earliest deadline left. When no receive waits any more it is disarmed, but
// only once the work in hand is through (a posted check), so that the receive of
// the next round finds it still armed; a disarmed timer keeps no io_context
// running after the network's work is done.
#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>

#include <meshmpc/asio.hpp>

namespace meshmpc::net::detail {

struct NetworkState;

class ReceiveWatchdog {
 public:
  using Clock = std::chrono::steady_clock;

  explicit ReceiveWatchdog(const asio::any_io_executor& executor) : timer_(executor) {}

  // A receive starts waiting until `deadline` / stops waiting (whatever woke it).
  void watch(const std::shared_ptr<NetworkState>& state, Clock::time_point deadline);
  void unwatch(const std::shared_ptr<NetworkState>& state);
  // The network closed: no deadline is kept any more.
  void stop();

 private:
  void arm(const std::shared_ptr<NetworkState>& state, Clock::time_point when);
  void disarm();
  // The timer fired: wakes the receives past their deadline, arms for the rest.
  static void expire(const std::shared_ptr<NetworkState>& state);

  asio::steady_timer timer_;
  std::optional<Clock::time_point> armed_at_;
  std::uint64_t generation_ = 0;  // a handler of an earlier arming does nothing
  std::size_t waiting_ = 0;
  bool idle_check_posted_ = false;
};

}  // namespace meshmpc::net::detail
