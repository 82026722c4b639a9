#include "receive_watchdog.hpp"

#include <boost/asio/post.hpp>

#include "network_state.hpp"

namespace meshmpc::net::detail {

void ReceiveWatchdog::watch(const std::shared_ptr<NetworkState>& state, Clock::time_point deadline) {
  ++waiting_;
  if (!armed_at_ || deadline < *armed_at_) arm(state, deadline);
}

void ReceiveWatchdog::unwatch(const std::shared_ptr<NetworkState>& state) {
  --waiting_;
  if (waiting_ > 0 || !armed_at_ || idle_check_posted_) return;
  idle_check_posted_ = true;
  asio::post(state->executor, [weak = std::weak_ptr<NetworkState>(state)] {
    const auto state = weak.lock();
    if (!state) return;
    ReceiveWatchdog& self = state->watchdog;
    self.idle_check_posted_ = false;
    if (self.waiting_ == 0) self.disarm();
  });
}

void ReceiveWatchdog::stop() { disarm(); }

void ReceiveWatchdog::arm(const std::shared_ptr<NetworkState>& state, Clock::time_point when) {
  armed_at_ = when;
  const std::uint64_t generation = ++generation_;
  timer_.expires_at(when);  // cancels the wait of an earlier arming
  timer_.async_wait([weak = std::weak_ptr<NetworkState>(state), generation](const boost::system::error_code& ec) {
    const auto state = weak.lock();
    if (ec || !state || state->watchdog.generation_ != generation) return;
    expire(state);
  });
}

void ReceiveWatchdog::disarm() {
  if (!armed_at_) return;
  armed_at_.reset();
  ++generation_;
  timer_.cancel();
}

void ReceiveWatchdog::expire(const std::shared_ptr<NetworkState>& state) {
  ReceiveWatchdog& self = state->watchdog;
  self.armed_at_.reset();
  const Clock::time_point now = Clock::now();
  std::optional<Clock::time_point> next;
  for (PeerState& peer : state->peers) {
    for (auto& [label, waiter] : peer.waiting) {
      if (waiter->timed_out) continue;
      if (waiter->deadline <= now) {
        waiter->timed_out = true;
        waiter->wake.notify();
      } else if (!next || waiter->deadline < *next) {
        next = waiter->deadline;
      }
    }
  }
  if (next) self.arm(state, *next);
}

}  // namespace meshmpc::net::detail
