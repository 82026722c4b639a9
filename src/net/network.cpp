#include <meshmpc/net/network.hpp>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/steady_timer.hpp>
#include <optional>
#include <span>
#include <string>
#include <utility>

#include <meshmpc/error.hpp>
#include <meshmpc/net/peer_text.hpp>

#include "network_state.hpp"

// The Network's public face; network_state.hpp lists where the rest lives.
namespace meshmpc::net {

Network::Network(asio::any_io_executor executor, const Roster& roster, std::size_t self, Links links,
                 NetworkOptions options)
    : Network(std::move(executor), roster, self, std::move(links), options, nullptr) {}

Network::Network(asio::any_io_executor executor, const Roster& roster, std::size_t self, Links links,
                 NetworkOptions options, std::shared_ptr<Relinker> relinker) {
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
    peer.statistics.route = links[j]->route();
    peer.link = state_->adopt(std::move(links[j]));
    peer.writer_wake = std::make_unique<detail::Notifier>(executor);
    if (relinker) peer.relink_wake = std::make_unique<detail::Notifier>(executor);
  }
  state_->relinker = std::move(relinker);
  for (std::size_t j = 0; j < roster.size(); ++j) {
    if (j == self) continue;
    state_->peers[j].reader_done = false;
    state_->peers[j].writer_done = false;
    if (state_->relinker) {
      asio::co_spawn(executor, detail::link_session(state_, j), asio::detached);
    } else {
      asio::co_spawn(executor, detail::read_loop(state_, j), asio::detached);
      asio::co_spawn(executor, detail::write_loop(state_, j), asio::detached);
    }
  }
  if (state_->relinker) {
    // The transport lives on; it must not keep the network alive.
    std::weak_ptr<detail::NetworkState> weak = state_;
    state_->relinker->start([weak](std::unique_ptr<Link> link) {
      if (const auto state = weak.lock()) {
        state->offer(std::move(link));
      } else if (link) {
        link->close();
      }
    });
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

void Network::send_shared(std::size_t peer, Label label, SharedBytes bytes) {
  Frame frame{label, Payload{}};
  frame.shared = std::move(bytes);
  enqueue(peer, std::move(frame));
}

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
  waiter.deadline = std::chrono::steady_clock::now() + state->options.receive_timeout;
  state->watchdog.watch(state, waiter.deadline);
  // Whatever ends this coroutine (message, failure, timeout, cancellation), the
  // waiter leaves the table and the watchdog before it is destroyed.
  struct Unregister {
    const std::shared_ptr<detail::NetworkState>& state;
    detail::PeerState& from;
    Label label;
    detail::Waiter* waiter;
    ~Unregister() {
      if (auto it = from.waiting.find(label); it != from.waiting.end() && it->second == waiter) {
        from.waiting.erase(it);
      }
      state->watchdog.unwatch(state);
    }
  } unregister{state, from, label, &waiter};
  co_await waiter.wake.wait();
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
    co_await (state->progress.wait() || detail::deadline(*next));
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
    if (peer.offered) peer.offered->close();
    if (peer.relink_wake) peer.relink_wake->notify();
  }
  if (state.relinker) state.relinker->stop();
  state.watchdog.stop();
  state.progress.notify();
}

NetworkStatistics Network::statistics() const {
  NetworkStatistics statistics;
  for (const detail::PeerState& peer : state_->peers) statistics.peers.push_back(peer.statistics);
  return statistics;
}

}  // namespace meshmpc::net
