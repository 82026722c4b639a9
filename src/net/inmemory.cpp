#include <meshmpc/net/inmemory.hpp>

#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/post.hpp>
#include <deque>
#include <functional>
#include <mutex>

#include <meshmpc/error.hpp>

#include "async_util.hpp"

namespace meshmpc::net {

namespace {

// Frames from one party to another. The only object two threads share: every
// access holds the mutex. The reader registers a waker (a post to its own
// executor) and removes it before its executor can go away.
class Pipe {
 public:
  enum class Pop { kFrame, kEmpty, kFinished };

  void push(std::vector<Frame>&& frames) {
    const std::lock_guard lock(mutex_);
    if (finished_) return;  // the writer closed this direction; like writing after shutdown
    for (Frame& frame : frames) frames_.push_back(std::move(frame));
    if (waker_) waker_();
  }
  void finish() {
    const std::lock_guard lock(mutex_);
    finished_ = true;
    if (waker_) waker_();
  }
  Pop pop(Frame& out) {
    const std::lock_guard lock(mutex_);
    if (!frames_.empty()) {
      out = std::move(frames_.front());
      frames_.pop_front();
      return Pop::kFrame;
    }
    return finished_ ? Pop::kFinished : Pop::kEmpty;
  }
  void set_waker(std::function<void()> waker) {
    const std::lock_guard lock(mutex_);
    waker_ = std::move(waker);
  }

 private:
  std::mutex mutex_;
  std::deque<Frame> frames_;
  bool finished_ = false;
  std::function<void()> waker_;
};

// A post that wakes a Notifier on its own executor, if it still exists then. The
// posted handler holds only a weak_ptr, so destroying it never runs a destructor
// that could take a pipe's mutex.
std::function<void()> waker_for(const asio::any_io_executor& executor,
                                const std::shared_ptr<detail::Notifier>& notifier) {
  return [executor, weak = std::weak_ptr<detail::Notifier>(notifier)] {
    asio::post(executor, [weak] {
      if (auto target = weak.lock()) target->notify();
    });
  };
}

class InMemoryLink final : public Link {
 public:
  InMemoryLink(const asio::any_io_executor& executor, std::size_t peer, std::string peer_name,
               std::shared_ptr<Pipe> outgoing, std::shared_ptr<Pipe> incoming)
      : peer_(peer),
        peer_name_(std::move(peer_name)),
        outgoing_(std::move(outgoing)),
        incoming_(std::move(incoming)),
        wake_(std::make_shared<detail::Notifier>(executor)) {
    incoming_->set_waker(waker_for(executor, wake_));
  }
  ~InMemoryLink() override {
    incoming_->set_waker(nullptr);
    outgoing_->finish();
  }
  InMemoryLink(const InMemoryLink&) = delete;
  InMemoryLink& operator=(const InMemoryLink&) = delete;

  std::size_t peer() const override { return peer_; }

  asio::awaitable<void> write_frames(std::vector<Frame> frames) override {
    if (closed_) throw PeerError("sending to " + peer_name_ + " failed: the link is closed");
    outgoing_->push(std::move(frames));
    co_return;
  }

  asio::awaitable<Frame> read_frame() override {
    for (;;) {
      if (closed_) throw PeerError("receiving from " + peer_name_ + " failed: the link is closed");
      Frame frame;
      switch (incoming_->pop(frame)) {
        case Pipe::Pop::kFrame:
          // The sender's shared bytes become the receiver's own payload here, on
          // the receiver's thread, as a socket's bytes would.
          own_bytes(frame);
          co_return frame;
        case Pipe::Pop::kFinished:
          throw PeerError(peer_name_ + " closed the connection");
        case Pipe::Pop::kEmpty:
          co_await wake_->wait();
          break;
      }
    }
  }

  asio::awaitable<void> finish_sending() override {
    outgoing_->finish();
    co_return;
  }

  void close() override {
    closed_ = true;
    outgoing_->finish();
    wake_->notify();
  }

 private:
  std::size_t peer_;
  std::string peer_name_;
  std::shared_ptr<Pipe> outgoing_;
  std::shared_ptr<Pipe> incoming_;
  std::shared_ptr<detail::Notifier> wake_;
  bool closed_ = false;
};

}  // namespace

struct InMemoryHub::State {
  explicit State(std::size_t n) : parties(n), connected(n, false), arrival_wakers(n) {
    for (std::size_t i = 0; i < n; ++i) {
      pipes.emplace_back();
      for (std::size_t j = 0; j < n; ++j) pipes.back().push_back(std::make_shared<Pipe>());
    }
  }
  std::size_t parties;
  std::vector<std::vector<std::shared_ptr<Pipe>>> pipes;  // pipes[i][j]: from i to j

  std::mutex mutex;  // guards the rest
  std::vector<bool> connected;
  std::vector<std::function<void()>> arrival_wakers;  // set while a party waits in connect()
};

namespace {

class InMemoryTransport final : public Transport {
 public:
  InMemoryTransport(std::shared_ptr<InMemoryHub::State> hub, std::size_t self)
      : hub_(std::move(hub)), self_(self) {}

  std::string name() const override { return "inmemory"; }

  asio::awaitable<Links> connect(const Roster& roster, std::size_t self,
                                 std::chrono::steady_clock::time_point deadline) override {
    using namespace asio::experimental::awaitable_operators;
    roster.validate();
    if (roster.size() != hub_->parties || self != self_) {
      throw ConfigError("in-memory transport of party " + std::to_string(self_) + " of a hub of " +
                        std::to_string(hub_->parties) + " parties was asked to connect party " +
                        std::to_string(self) + " of a roster of " + std::to_string(roster.size()));
    }
    const asio::any_io_executor executor = co_await asio::this_coro::executor;
    const auto arrival = std::make_shared<detail::Notifier>(executor);
    {
      const std::lock_guard lock(hub_->mutex);
      if (hub_->connected[self]) {
        throw ConfigError(describe(roster.party(self)) + " connected to the in-memory hub twice");
      }
      hub_->connected[self] = true;
      hub_->arrival_wakers[self] = waker_for(executor, arrival);
      for (const auto& waker : hub_->arrival_wakers) {
        if (waker) waker();
      }
    }
    struct Unregister {
      InMemoryHub::State& hub;
      std::size_t self;
      ~Unregister() {
        const std::lock_guard lock(hub.mutex);
        hub.arrival_wakers[self] = nullptr;
      }
    } unregister{*hub_, self};

    std::vector<std::size_t> missing = absent();
    while (!missing.empty() && std::chrono::steady_clock::now() < deadline) {
      co_await (arrival->wait() || detail::deadline(deadline));
      missing = absent();
    }
    if (!missing.empty()) {
      std::string names;
      for (const std::size_t j : missing) names += (names.empty() ? "" : ", ") + describe(roster.party(j));
      throw PeerError(describe(roster.party(self)) + ": never reached " + names +
                      " (they did not connect to the in-memory hub before the deadline)");
    }
    Links links(roster.size());
    for (std::size_t j = 0; j < roster.size(); ++j) {
      if (j == self) continue;
      links[j] = std::make_unique<InMemoryLink>(executor, j, describe(roster.party(j)),
                                                hub_->pipes[self][j], hub_->pipes[j][self]);
    }
    co_return links;
  }

 private:
  std::vector<std::size_t> absent() const {
    const std::lock_guard lock(hub_->mutex);
    std::vector<std::size_t> missing;
    for (std::size_t j = 0; j < hub_->parties; ++j) {
      if (!hub_->connected[j]) missing.push_back(j);
    }
    return missing;
  }

  std::shared_ptr<InMemoryHub::State> hub_;
  std::size_t self_;
};

}  // namespace

InMemoryHub::InMemoryHub(std::size_t parties) : state_(std::make_shared<State>(parties)) {
  if (parties == 0) throw ConfigError("in-memory hub: no parties");
}

std::size_t InMemoryHub::size() const { return state_->parties; }

std::unique_ptr<Transport> InMemoryHub::transport(std::size_t party) {
  if (party >= state_->parties) {
    throw RangeError("in-memory hub of " + std::to_string(state_->parties) + " parties has no party " +
                     std::to_string(party));
  }
  return std::make_unique<InMemoryTransport>(state_, party);
}

}  // namespace meshmpc::net
