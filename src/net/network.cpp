#include "meshmpc/net/network.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/steady_timer.hpp>
#include <algorithm>
#include <optional>
#include <string>
#include <unordered_map>
#include <utility>

#include "async_util.hpp"
#include "meshmpc/error.hpp"
#include "meshmpc/net/peer_text.hpp"

namespace meshmpc::net {

namespace detail {

// One receive() waiting for its message.
struct Waiter {
  explicit Waiter(const asio::any_io_executor& executor) : wake(executor) {}
  Notifier wake;
  std::optional<Payload> payload;
  std::exception_ptr error;
};

struct PeerState {
  PeerState() = default;
  PeerState(PeerState&&) = default;
  ~PeerState() { wipe_secrets(outbox); }  // key material never queued must not linger either

  std::string name;  // "party 2 (carol)"
  std::unique_ptr<Link> link;
  std::unique_ptr<Notifier> writer_wake;
  std::vector<Frame> outbox;
  std::unordered_map<Label, Payload> arrived;
  std::size_t arrived_bytes = 0;  // the payload bytes in `arrived`
  std::unordered_map<Label, Waiter*> waiting;
  std::exception_ptr failure;  // set once the peer can send nothing more
  // When the peer got into trouble (shutdown waits for it only failure_grace):
  // its link failed or it aborted; a receive from it timed out (cleared when a
  // later receive from it succeeds, as it then is merely slow).
  std::optional<std::chrono::steady_clock::time_point> failed_at;
  std::optional<std::chrono::steady_clock::time_point> timed_out_at;
  bool reader_done = true;
  bool writer_done = true;
  PeerStatistics statistics;
};

struct NetworkState {
  NetworkState(asio::any_io_executor executor_in, const Roster& roster, std::size_t self_in,
               NetworkOptions options_in)
      : executor(std::move(executor_in)),
        self(self_in),
        self_name(describe(roster.party(self_in))),
        options(options_in),
        peers(roster.size()),
        progress(executor) {}

  asio::any_io_executor executor;
  std::size_t self;
  std::string self_name;
  NetworkOptions options;
  std::vector<PeerState> peers;  // never resized: coroutines hold references
  Notifier progress;             // a reader or writer ended, or a peer got into trouble
  std::optional<std::chrono::steady_clock::time_point> aborted_at;  // abort() was called
  bool finishing = false;
  bool closed = false;

  PeerState& peer_state(std::size_t peer) {
    if (peer >= peers.size()) {
      throw RangeError(self_name + ": no party " + std::to_string(peer) + ", the session has " +
                       std::to_string(peers.size()) + " parties");
    }
    return peers[peer];
  }

  // A second frame with a label that is still unclaimed is a protocol error: labels
  // are unique per program point, so the sender's program differs from ours. So
  // is a peer running further ahead than the unclaimed caps allow (NetworkOptions):
  // otherwise it could fill our memory with frames for labels nobody waits for.
  void deliver(std::size_t from, Frame frame) {
    PeerState& peer = peers[from];
    if (frame.label == kAbortLabel) {
      // The peer's own words, so sanitised: they must not forge our log lines.
      const std::string reason = sanitize_peer_text(frame.payload);
      peer.failed_at = std::chrono::steady_clock::now();
      fail(from, std::make_exception_ptr(PeerError(peer.name + " stopped: " + reason)), false);
      return;
    }
    if (auto waiter = peer.waiting.find(frame.label); waiter != peer.waiting.end()) {
      waiter->second->payload = std::move(frame.payload);
      waiter->second->wake.notify();
      peer.waiting.erase(waiter);
      return;
    }
    if (peer.arrived.contains(frame.label)) {
      throw ProtocolError(peer.name + " sent label " + std::to_string(frame.label) +
                          " twice before " + self_name + " received it");
    }
    if (from != self) check_unclaimed_caps(peer, frame.payload.size());
    peer.arrived_bytes += frame.payload.size();
    peer.arrived.emplace(frame.label, std::move(frame.payload));
  }

  void check_unclaimed_caps(PeerState& peer, std::size_t adding) {
    std::string over;
    if (peer.arrived.size() + 1 > options.max_unclaimed_frames) {
      over = std::to_string(peer.arrived.size() + 1) + " frames that " + self_name +
             " has not asked for yet, over the cap of " + std::to_string(options.max_unclaimed_frames) +
             " (NetworkOptions::max_unclaimed_frames)";
    } else if (peer.arrived_bytes + adding > options.max_unclaimed_bytes) {
      over = std::to_string(peer.arrived_bytes + adding) + " bytes in frames that " + self_name +
             " has not asked for yet, over the cap of " + std::to_string(options.max_unclaimed_bytes) +
             " bytes (NetworkOptions::max_unclaimed_bytes)";
    } else {
      return;
    }
    // What it sent to get here is the attack, not data anyone will ask for.
    peer.arrived.clear();
    peer.arrived_bytes = 0;
    throw ProtocolError(peer.name + " sent " + over);
  }

  // The peer can send nothing more: fail its pending receives now, future ones
  // when they look. A broken link (not a clean end of stream) is closed as well.
  void fail(std::size_t from, std::exception_ptr error, bool close_link) {
    PeerState& peer = peers[from];
    if (!peer.failure) peer.failure = error;
    if (close_link && !peer.failed_at) peer.failed_at = std::chrono::steady_clock::now();
    for (auto& [label, waiter] : peer.waiting) {
      waiter->error = peer.failure;
      waiter->wake.notify();
    }
    peer.waiting.clear();
    if (close_link && peer.link) {
      peer.link->close();
      peer.writer_wake->notify();
    }
    progress.notify();  // shutdown() may now wait less for this peer
  }

  // Until when shutdown() waits for `peer`, having started at `started`.
  std::chrono::steady_clock::time_point shutdown_deadline(const PeerState& peer,
                                                          std::chrono::steady_clock::time_point started) const {
    auto deadline = started + options.receive_timeout;
    for (const auto& trouble : {peer.failed_at, peer.timed_out_at, aborted_at}) {
      if (trouble) deadline = std::min(deadline, std::max(*trouble, started) + options.failure_grace);
    }
    return deadline;
  }
};

namespace {

asio::awaitable<void> read_loop(std::shared_ptr<NetworkState> state, std::size_t from) {
  PeerState& peer = state->peers[from];
  bool clean_end = false;
  std::exception_ptr error;
  try {
    for (;;) {
      Frame frame = co_await peer.link->read_frame();
      peer.statistics.received.frames += 1;
      peer.statistics.received.payload_bytes += frame.payload.size();
      state->deliver(from, std::move(frame));
    }
  } catch (const PeerError&) {
    error = std::current_exception();
    clean_end = true;  // includes "closed the connection"; a reset is closed below anyway
  } catch (...) {
    error = std::current_exception();
  }
  if (!state->closed) state->fail(from, error, !clean_end);
  peer.reader_done = true;
  state->progress.notify();
}

asio::awaitable<void> write_loop(std::shared_ptr<NetworkState> state, std::size_t to) {
  PeerState& peer = state->peers[to];
  try {
    while (!state->closed && !(peer.failure && peer.outbox.empty())) {
      if (peer.outbox.empty()) {
        if (state->finishing) {
          co_await peer.link->finish_sending();
          break;
        }
        co_await peer.writer_wake->wait();
        continue;
      }
      std::vector<Frame> batch = std::exchange(peer.outbox, {});
      TrafficCounters counted;
      for (const Frame& frame : batch) {
        counted.frames += 1;
        counted.payload_bytes += frame.payload.size();
      }
      co_await peer.link->write_frames(std::move(batch));
      peer.statistics.sent += counted;
    }
  } catch (...) {
    if (!state->closed) state->fail(to, std::current_exception(), true);
  }
  wipe_secrets(peer.outbox);
  peer.outbox.clear();
  peer.writer_done = true;
  state->progress.notify();
}

}  // namespace

}  // namespace detail

Network::Network(asio::any_io_executor executor, const Roster& roster, std::size_t self, Links links,
                 NetworkOptions options) {
  roster.validate();
  if (self >= roster.size()) {
    throw ConfigError("network: self id " + std::to_string(self) + " is not in a roster of " +
                      std::to_string(roster.size()) + " parties");
  }
  if (links.size() != roster.size()) {
    throw ConfigError("network of " + describe(roster.party(self)) + ": " + std::to_string(links.size()) +
                      " links for a roster of " + std::to_string(roster.size()) + " parties");
  }
  state_ = std::make_shared<detail::NetworkState>(executor, roster, self, options);
  for (std::size_t j = 0; j < roster.size(); ++j) {
    detail::PeerState& peer = state_->peers[j];
    peer.name = describe(roster.party(j));
    if (j == self) {
      if (links[j]) throw ConfigError("network of " + peer.name + ": a link to itself");
      continue;
    }
    if (!links[j] || links[j]->peer() != j) {
      throw ConfigError("network of " + state_->self_name + ": no link to " + peer.name);
    }
    peer.link = std::move(links[j]);
    peer.writer_wake = std::make_unique<detail::Notifier>(executor);
  }
  for (std::size_t j = 0; j < roster.size(); ++j) {
    if (j == self) continue;
    state_->peers[j].reader_done = false;
    state_->peers[j].writer_done = false;
    asio::co_spawn(executor, detail::read_loop(state_, j), asio::detached);
    asio::co_spawn(executor, detail::write_loop(state_, j), asio::detached);
  }
}

Network::Network(Network&&) noexcept = default;

Network& Network::operator=(Network&& other) noexcept {
  if (this != &other) {
    close();
    state_ = std::move(other.state_);
  }
  return *this;
}

Network::~Network() { close(); }

std::size_t Network::self() const { return state_->self; }
std::size_t Network::size() const { return state_->peers.size(); }
const NetworkOptions& Network::options() const { return state_->options; }

void Network::send(std::size_t peer, Label label, Payload payload) { enqueue(peer, Frame{label, std::move(payload), false}); }

void Network::send_secret(std::size_t peer, Label label, Payload payload) {
  enqueue(peer, Frame{label, std::move(payload), true});
}

void Network::enqueue(std::size_t peer, Frame frame) {
  detail::NetworkState& state = *state_;
  const Label label = frame.label;
  detail::PeerState& to = state.peer_state(peer);
  if (state.closed) {
    throw PeerError(state.self_name + ": cannot send to " + to.name + " (label " +
                    std::to_string(label) + "): the network is closed");
  }
  if (peer == state.self) {
    state.deliver(peer, std::move(frame));
    return;
  }
  if (to.failure || to.writer_done) {
    if (frame.secret) wipe(frame.payload);
    return;
  }
  to.outbox.push_back(std::move(frame));
  if (to.outbox.size() == 1) to.writer_wake->notify();
}

asio::awaitable<Payload> Network::receive(std::size_t peer, Label label) {
  using namespace asio::experimental::awaitable_operators;
  const std::shared_ptr<detail::NetworkState> state = state_;  // outlives a moved-from handle
  detail::PeerState& from = state->peer_state(peer);
  if (auto found = from.arrived.find(label); found != from.arrived.end()) {
    Payload payload = std::move(found->second);
    from.arrived.erase(found);
    from.arrived_bytes -= payload.size();
    from.timed_out_at.reset();
    co_return payload;
  }
  if (from.failure) std::rethrow_exception(from.failure);
  if (state->closed) {
    throw PeerError(state->self_name + ": the network is closed (receiving label " +
                    std::to_string(label) + " from " + from.name + ")");
  }
  detail::Waiter waiter(state->executor);
  if (!from.waiting.emplace(label, &waiter).second) {
    throw ProtocolError(state->self_name + ": two receives wait at once for label " +
                        std::to_string(label) + " from " + from.name);
  }
  // Whatever ends this coroutine (message, failure, timeout, cancellation), the
  // waiter leaves the table before it is destroyed.
  struct Unregister {
    detail::PeerState& from;
    Label label;
    detail::Waiter* waiter;
    ~Unregister() {
      if (auto it = from.waiting.find(label); it != from.waiting.end() && it->second == waiter) {
        from.waiting.erase(it);
      }
    }
  } unregister{from, label, &waiter};

  asio::steady_timer timer(state->executor, state->options.receive_timeout);
  co_await (waiter.wake.wait() || timer.async_wait(asio::use_awaitable));
  if (waiter.payload) {
    from.timed_out_at.reset();
    co_return std::move(*waiter.payload);
  }
  if (waiter.error) std::rethrow_exception(waiter.error);
  if (!from.timed_out_at) from.timed_out_at = std::chrono::steady_clock::now();
  throw PeerError(state->self_name + ": timed out after " +
                  detail::format_seconds(state->options.receive_timeout) + " waiting for " +
                  from.name + " label " + std::to_string(label));
}

asio::awaitable<void> Network::shutdown() {
  using namespace asio::experimental::awaitable_operators;
  const std::shared_ptr<detail::NetworkState> state = state_;
  if (state->closed) co_return;
  state->finishing = true;
  for (detail::PeerState& peer : state->peers) {
    if (peer.writer_wake) peer.writer_wake->notify();
  }
  // Each peer has its own deadline (shutdown_deadline), recomputed whenever a
  // reader or writer ends or a peer gets into trouble: a silent or failed peer
  // costs failure_grace here, not a second receive timeout.
  const auto started = std::chrono::steady_clock::now();
  while (!state->closed) {
    const auto now = std::chrono::steady_clock::now();
    std::optional<std::chrono::steady_clock::time_point> next;
    for (const detail::PeerState& peer : state->peers) {
      if (peer.reader_done && peer.writer_done) continue;
      const auto deadline = state->shutdown_deadline(peer, started);
      if (deadline > now && (!next || deadline < *next)) next = deadline;
    }
    if (!next) break;
    co_await (state->progress.wait() || detail::sleep_until(*next));
  }
  close();
}

asio::awaitable<void> Network::abort(std::string reason) {
  const std::shared_ptr<detail::NetworkState> state = state_;
  if (state->closed) co_return;
  state->aborted_at = std::chrono::steady_clock::now();
  reason = truncate_text(std::move(reason));  // the peers show no more than this
  const auto bytes = std::as_bytes(std::span(reason));
  for (std::size_t j = 0; j < state->peers.size(); ++j)
    if (j != state->self) send(j, kAbortLabel, Payload(bytes.begin(), bytes.end()));
  co_await shutdown();
}

void Network::close() {
  if (!state_ || state_->closed) return;
  detail::NetworkState& state = *state_;
  state.closed = true;
  for (std::size_t j = 0; j < state.peers.size(); ++j) {
    detail::PeerState& peer = state.peers[j];
    for (auto& [label, waiter] : peer.waiting) {
      waiter->error = std::make_exception_ptr(
          PeerError(state.self_name + ": the network was closed while waiting for " + peer.name +
                    " label " + std::to_string(label)));
      waiter->wake.notify();
    }
    peer.waiting.clear();
    if (peer.link) {
      peer.link->close();
      peer.writer_wake->notify();
    }
  }
  state.progress.notify();
}

NetworkStatistics Network::statistics() const {
  NetworkStatistics statistics;
  for (const detail::PeerState& peer : state_->peers) statistics.peers.push_back(peer.statistics);
  return statistics;
}

}  // namespace meshmpc::net
