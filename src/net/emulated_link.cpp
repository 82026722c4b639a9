#include <meshmpc/net/link_emulation.hpp>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <algorithm>
#include <deque>
#include <exception>
#include <utility>
#include <vector>

namespace meshmpc::net {

using Clock = std::chrono::steady_clock;

Clock::time_point EmulatedUplink::arrival(std::size_t bytes) {
  const auto now = Clock::now();
  auto sent = std::max(now, free_at_);
  if (emulation_.rate_bits_per_second > 0) {
    const double seconds = static_cast<double>(bytes) * 8 / emulation_.rate_bits_per_second;
    sent += std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(seconds));
  }
  free_at_ = sent;
  return sent + emulation_.rtt / 2;
}

namespace {

// Frames on their way: they reach the link underneath at `due`.
struct InFlight {
  Clock::time_point due;
  std::vector<Frame> frames;
};

// Shared by the link and its pump, which may outlive it by one wake-up.
struct EmulatedState {
  EmulatedState(std::unique_ptr<Link> link, const asio::any_io_executor& executor)
      : inner(std::move(link)), wake(executor), drained(executor) {}

  std::unique_ptr<Link> inner;
  asio::steady_timer wake;     // the pump waits on it for the next due time
  asio::steady_timer drained;  // finish_sending waits on it for the pump to end
  std::deque<InFlight> queue;
  bool pumping = false;
  bool closed = false;
  std::exception_ptr failure;  // of the link underneath; reported at the next write

  void drop_queue() {
    for (InFlight& f : queue) wipe_secrets(f.frames);
    queue.clear();
  }
};

// The frames that are due now, in order, as one batch.
std::vector<Frame> take_due(EmulatedState& s) {
  std::vector<Frame> batch;
  const auto now = Clock::now();
  while (!s.queue.empty() && s.queue.front().due <= now) {
    auto& frames = s.queue.front().frames;
    std::move(frames.begin(), frames.end(), std::back_inserter(batch));
    s.queue.pop_front();
  }
  return batch;
}

// Hands the queued frames to the link underneath as they fall due; ends when the
// queue is empty (the next write starts it again), the link closes or fails.
asio::awaitable<void> pump(std::shared_ptr<EmulatedState> s) {
  while (!s->closed && !s->queue.empty()) {
    s->wake.expires_at(s->queue.front().due);
    (void)co_await s->wake.async_wait(asio::as_tuple(asio::use_awaitable));
    if (s->closed) break;
    std::vector<Frame> batch = take_due(*s);
    if (batch.empty()) continue;
    try {
      co_await s->inner->write_frames(std::move(batch));
    } catch (...) {
      s->failure = std::current_exception();
      s->inner->close();  // so that reads fail too and the Network hears of it
      break;
    }
  }
  if (s->closed || s->failure) s->drop_queue();
  s->pumping = false;
  s->drained.cancel();
}

class EmulatedLink final : public Link {
 public:
  EmulatedLink(std::unique_ptr<Link> link, asio::any_io_executor executor, std::shared_ptr<EmulatedUplink> uplink)
      : executor_(std::move(executor)),
        uplink_(std::move(uplink)),
        state_(std::make_shared<EmulatedState>(std::move(link), executor_)) {}
  ~EmulatedLink() override { close(); }

  std::size_t peer() const override { return state_->inner->peer(); }
  LinkRoute route() const override { return state_->inner->route(); }

  asio::awaitable<void> write_frames(std::vector<Frame> frames) override {
    if (state_->failure) std::rethrow_exception(state_->failure);
    if (state_->closed) {  // the link underneath names the peer and the cause
      co_await state_->inner->write_frames(std::move(frames));
      co_return;
    }
    std::size_t bytes = 0;
    for (const Frame& f : frames) bytes += kFrameHeaderSize + f.bytes().size();
    state_->queue.push_back({uplink_->arrival(bytes), std::move(frames)});
    if (!state_->pumping) {
      state_->pumping = true;
      asio::co_spawn(executor_, pump(state_), asio::detached);
    }
  }

  asio::awaitable<Frame> read_frame() override { co_return co_await state_->inner->read_frame(); }

  // After every queued frame has gone out: the end must not overtake the data.
  asio::awaitable<void> finish_sending() override {
    while (state_->pumping) {
      state_->drained.expires_at(Clock::time_point::max());
      (void)co_await state_->drained.async_wait(asio::as_tuple(asio::use_awaitable));
    }
    if (state_->failure) std::rethrow_exception(state_->failure);
    co_await state_->inner->finish_sending();
  }

  void close() override {
    stop();
    state_->inner->close();
  }
  void abandon() override {
    stop();
    state_->inner->abandon();
  }

 private:
  void stop() {
    state_->closed = true;
    state_->drop_queue();
    state_->wake.cancel();
  }

  asio::any_io_executor executor_;
  std::shared_ptr<EmulatedUplink> uplink_;
  std::shared_ptr<EmulatedState> state_;
};

}  // namespace

std::unique_ptr<Link> emulate_link(std::unique_ptr<Link> link, asio::any_io_executor executor,
                                   std::shared_ptr<EmulatedUplink> uplink) {
  return std::make_unique<EmulatedLink>(std::move(link), std::move(executor), std::move(uplink));
}

}  // namespace meshmpc::net
