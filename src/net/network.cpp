#include "meshmpc/net/network.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/steady_timer.hpp>
#include <algorithm>
#include <deque>
#include <optional>
#include <span>
#include <variant>
#include <string>
#include <unordered_map>
#include <utility>

#include "async_util.hpp"
#include "meshmpc/error.hpp"
#include "meshmpc/net/deadline.hpp"
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

// Data frames written to a relinkable link in one write, kept until the peer
// acknowledges them all: frames[first_data..] are data frames numbered from
// `first` (frames[0] may be the ack that went out with them).
struct SentBatch {
  std::uint64_t first = 0;
  std::size_t first_data = 0;
  std::vector<Frame> frames;
  std::size_t bytes = 0;  // payload bytes of the data frames

  std::uint64_t end() const { return first + (frames.size() - first_data); }
  // The frames the peer has not acknowledged, `acked` being its count.
  std::span<const Frame> unacked(std::uint64_t acked) const {
    const std::size_t skip = acked > first ? static_cast<std::size_t>(std::min(acked, end()) - first) : 0;
    return std::span<const Frame>(frames).subspan(first_data + skip);
  }
};

struct PeerState {
  PeerState() = default;
  PeerState(PeerState&&) = default;
  ~PeerState() {  // key material never queued, or kept for a resend, must not linger either
    wipe_secrets(outbox);
    for (SentBatch& batch : resend) wipe_secrets(batch.frames);
  }

  std::string name;  // "party 2 (carol)"
  std::shared_ptr<Link> link;  // shared: a replaced link lives until its reader and writer let go
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

  // Relinking (only with a Relinker): the logical link's numbering and resend buffer.
  std::unique_ptr<Notifier> relink_wake;  // a link was offered, or close()
  std::unique_ptr<Link> offered;          // a new link from the peer, not yet in use
  std::uint64_t received = 0;             // data frames received whole
  std::uint64_t ack_sent = 0;             // `received` as of the last ack sent
  std::size_t bytes_since_ack = 0;
  std::uint64_t sent = 0;                 // data frames handed to a link
  std::uint64_t acked = 0;                // the peer's count
  std::deque<SentBatch> resend;           // sent, not yet acknowledged in full
  std::size_t resend_bytes = 0;
  bool counted = true;  // the peer's count arrived on the current link (the first link starts at 0)
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
  std::shared_ptr<Relinker> relinker;  // null: a broken link fails its peer

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

  // Relinking: an ack frame carrying how many data frames came from `peer`.
  Frame ack_frame(PeerState& peer) {
    peer.ack_sent = peer.received;
    peer.bytes_since_ack = 0;
    Payload count(kAckPayloadSize);
    for (std::size_t i = 0; i < kAckPayloadSize; ++i) count[i] = static_cast<std::byte>(peer.received >> (8 * i));
    return Frame{kAckLabel, std::move(count), false};
  }

  // Whether the peer's resend buffer has grown enough that an ack must go out
  // even with nothing else to send.
  static bool ack_due(const PeerState& peer) {
    return peer.received - peer.ack_sent >= kAckEveryFrames || peer.bytes_since_ack >= kAckEveryBytes;
  }

  void take_ack(std::size_t from, const Payload& payload) {
    PeerState& peer = peers[from];
    if (payload.size() != kAckPayloadSize) {
      throw ProtocolError(peer.name + " sent an acknowledgement of " + std::to_string(payload.size()) +
                          " bytes, not " + std::to_string(kAckPayloadSize));
    }
    std::uint64_t count = 0;
    for (std::size_t i = 0; i < kAckPayloadSize; ++i) {
      count |= static_cast<std::uint64_t>(std::to_integer<std::uint8_t>(payload[i])) << (8 * i);
    }
    if (count < peer.acked || count > peer.sent) {
      throw ProtocolError(peer.name + " acknowledged " + std::to_string(count) + " frames, but " + self_name +
                          " has sent it " + std::to_string(peer.sent) + " and it acknowledged " +
                          std::to_string(peer.acked) + " before");
    }
    peer.acked = count;
    if (!peer.counted || !peer.resend.empty()) peer.writer_wake->notify();  // resend, or trim
    peer.counted = true;
  }

  // Drops what the peer has acknowledged from its resend buffer (wiping key
  // material); throws ProtocolError when what is left is over the cap.
  void trim_resend(PeerState& peer) {
    while (!peer.resend.empty() && peer.resend.front().end() <= peer.acked) {
      wipe_secrets(peer.resend.front().frames);
      peer.resend_bytes -= peer.resend.front().bytes;
      peer.resend.pop_front();
    }
    if (peer.resend_bytes > options.max_resend_bytes) {
      throw ProtocolError(peer.name + " has not acknowledged " + std::to_string(peer.resend_bytes) + " bytes that " +
                          self_name + " sent it, over the cap of " + std::to_string(options.max_resend_bytes) +
                          " bytes (NetworkOptions::max_resend_bytes)");
    }
  }

  // A new link from the peer (the transport accepted it): it replaces the old
  // one, even if that still looks fine (half-open TCP).
  void offer(std::unique_ptr<Link> link) {
    const std::size_t from = link ? link->peer() : peers.size();
    if (from >= peers.size() || from == self || closed || peers[from].failure || !peers[from].relink_wake) {
      if (link) link->close();
      return;
    }
    PeerState& peer = peers[from];
    if (peer.offered) peer.offered->abandon();
    peer.offered = std::move(link);
    peer.relink_wake->notify();
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


// ---- Relinking (docs/net.md): one session coroutine per peer runs a reader and
// a writer on the current link; when the link breaks underneath (LinkError) it
// gets a new one through the Relinker and starts them again on it.

// How a reader or writer on one link ended. Nothing set: it was cut short (the
// link was replaced, or the network closed).
struct LinkEnd {
  bool broken = false;  // a LinkError: worth a new link
  std::exception_ptr error;
};

// Waits until cancelled (a reader or writer whose work on this link is done, while
// the other side still runs).
asio::awaitable<void> park() {
  asio::steady_timer forever(co_await asio::this_coro::executor, std::chrono::hours(24 * 365));
  co_await forever.async_wait(asio::use_awaitable);
}

asio::awaitable<LinkEnd> read_side(std::shared_ptr<NetworkState> state, std::size_t from, std::shared_ptr<Link> link) {
  PeerState& peer = state->peers[from];
  std::exception_ptr error;
  bool broken = false;
  bool clean_end = false;
  try {
    for (;;) {
      Frame frame = co_await link->read_frame();
      if (frame.label == kAckLabel) {
        state->take_ack(from, frame.payload);
        continue;
      }
      if (!peer.counted) {
        throw ProtocolError(peer.name + " sent data on a new link before saying how much it had received");
      }
      ++peer.received;  // a frame cut short by a reset never gets here: it is resent whole
      peer.bytes_since_ack += frame.payload.size();
      peer.statistics.received.frames += 1;
      peer.statistics.received.payload_bytes += frame.payload.size();
      state->deliver(from, std::move(frame));
      if (NetworkState::ack_due(peer)) peer.writer_wake->notify();
    }
  } catch (const LinkError&) {
    error = std::current_exception();
    broken = true;
  } catch (const PeerError&) {
    error = std::current_exception();
    clean_end = true;  // the peer finished sending (or died cleanly): as without relinking
  } catch (...) {
    error = std::current_exception();
  }
  if (!clean_end) co_return LinkEnd{broken, error};
  if (!state->closed) state->fail(from, error, false);
  peer.reader_done = true;
  state->progress.notify();
  peer.writer_wake->notify();  // it may be done now too
  co_await park();
  co_return LinkEnd{};
}

asio::awaitable<LinkEnd> write_side(std::shared_ptr<NetworkState> state, std::size_t to, std::shared_ptr<Link> link) {
  PeerState& peer = state->peers[to];
  try {
    if (!peer.counted) {
      // A new link: say how much arrived, learn how much of ours did, and resend
      // the rest in order before anything new.
      std::vector<Frame> ack;
      ack.push_back(state->ack_frame(peer));
      co_await link->write_frames(std::move(ack));
      while (!peer.counted) co_await peer.writer_wake->wait();
      state->trim_resend(peer);
      for (const SentBatch& batch : peer.resend) {
        const std::span<const Frame> rest = batch.unacked(peer.acked);
        if (!rest.empty()) co_await link->write_frames_kept(rest);
      }
    }
    for (;;) {
      state->trim_resend(peer);
      if (peer.outbox.empty()) {
        if (NetworkState::ack_due(peer)) {
          std::vector<Frame> ack;
          ack.push_back(state->ack_frame(peer));
          co_await link->write_frames(std::move(ack));
          continue;
        }
        if (peer.failure || state->finishing || state->closed) {
          if (!peer.failure && !state->closed) co_await link->finish_sending();
          peer.writer_done = true;
          state->progress.notify();
          co_await park();  // after a relink, the new writer resends and finishes again
        }
        co_await peer.writer_wake->wait();
        continue;
      }
      SentBatch& batch = peer.resend.emplace_back();  // deque: the reference stays valid
      batch.first = peer.sent;
      if (peer.received != peer.ack_sent) {
        batch.frames.reserve(peer.outbox.size() + 1);
        batch.frames.push_back(state->ack_frame(peer));
        batch.first_data = 1;
        std::move(peer.outbox.begin(), peer.outbox.end(), std::back_inserter(batch.frames));
        peer.outbox.clear();
      } else {
        batch.frames = std::exchange(peer.outbox, {});
      }
      TrafficCounters counted;
      for (std::size_t i = batch.first_data; i < batch.frames.size(); ++i) {
        counted.frames += 1;
        counted.payload_bytes += batch.frames[i].payload.size();
      }
      batch.bytes = counted.payload_bytes;
      peer.sent += counted.frames;
      peer.resend_bytes += batch.bytes;
      peer.statistics.sent += counted;
      co_await link->write_frames_kept(batch.frames);
    }
  } catch (const LinkError&) {
    co_return LinkEnd{true, std::current_exception()};
  } catch (...) {
    co_return LinkEnd{false, std::current_exception()};
  }
}

// Until a link is offered for `peer` or the network closes.
asio::awaitable<LinkEnd> wait_offer(std::shared_ptr<NetworkState> state, std::size_t peer_id) {
  PeerState& peer = state->peers[peer_id];
  while (!peer.offered && !state->closed) co_await peer.relink_wake->wait();
  co_return LinkEnd{};
}

// Relinker::redial, its link or its failure left in `dialled` / `failure`.
asio::awaitable<LinkEnd> redial_into(std::shared_ptr<NetworkState> state, std::size_t peer_id,
                                     std::chrono::steady_clock::time_point deadline, std::unique_ptr<Link>& dialled,
                                     std::exception_ptr& failure) {
  try {
    dialled = co_await state->relinker->redial(peer_id, deadline);
  } catch (...) {
    failure = std::current_exception();
  }
  co_return LinkEnd{};
}

// A new link for `peer_id` within the relink window: dialled when we dial it (the
// higher id dials, as at the start), else offered by the transport. Null when
// none came; `why` then says why.
asio::awaitable<std::unique_ptr<Link>> next_link(std::shared_ptr<NetworkState> state, std::size_t peer_id,
                                                 std::string& why) {
  using namespace asio::experimental::awaitable_operators;
  PeerState& peer = state->peers[peer_id];
  const auto window = std::min(state->options.relink_timeout, state->options.receive_timeout);
  const auto deadline = std::chrono::steady_clock::now() + window;
  if (peer_id < state->self) {
    std::unique_ptr<Link> dialled;
    std::exception_ptr failure;
    co_await (redial_into(state, peer_id, deadline, dialled, failure) || wait_offer(state, peer_id));
    if (dialled) co_return dialled;
    why = "dialling it again failed";
    if (failure) {
      try {
        std::rethrow_exception(failure);
      } catch (const std::exception& error) {
        why += std::string(": ") + error.what();
      }
    }
  } else {
    co_await (wait_offer(state, peer_id) || sleep_until(deadline));
    why = "it did not dial again within " + format_seconds(window);
  }
  if (peer.offered && !state->closed) co_return std::move(peer.offered);
  co_return nullptr;
}

asio::awaitable<void> link_session(std::shared_ptr<NetworkState> state, std::size_t peer_id) {
  using namespace asio::experimental::awaitable_operators;
  PeerState& peer = state->peers[peer_id];
  while (!state->closed) {
    const std::shared_ptr<Link> link = peer.link;
    const auto ended =
        co_await (read_side(state, peer_id, link) || write_side(state, peer_id, link) || wait_offer(state, peer_id));
    const LinkEnd end = std::visit([](const LinkEnd& e) { return e; }, ended);
    if (state->closed) break;
    std::unique_ptr<Link> fresh = std::move(peer.offered);  // a new link replaces this one
    if (!fresh) {
      if (!end.broken || peer.failure || peer.reader_done) {
        // A fault, a clean end or an abort: as without relinking.
        state->fail(peer_id,
                    end.error ? end.error
                              : std::make_exception_ptr(PeerError(state->self_name + ": the link to " + peer.name +
                                                                  " ended")),
                    true);
        break;
      }
      std::string cause = "the link broke";
      try {
        std::rethrow_exception(end.error);
      } catch (const std::exception& error) {
        cause = error.what();
      }
      link->abandon();  // a reset, so that the peer relinks too rather than take it for an end
      std::string why;
      fresh = co_await next_link(state, peer_id, why);
      if (state->closed) break;
      if (!fresh) {
        state->fail(peer_id,
                    std::make_exception_ptr(PeerError(state->self_name + ": lost the link to " + peer.name + " (" +
                                                      cause + ") and " + why)),
                    true);
        break;
      }
    }
    link->abandon();
    if (fresh->peer() != peer_id) {
      fresh->close();
      state->fail(peer_id, std::make_exception_ptr(ProtocolError(state->self_name + ": a new link for " + peer.name +
                                                                 " leads to another party")),
                  true);
      break;
    }
    peer.statistics.route = fresh->route();
    peer.link = std::move(fresh);
    peer.counted = false;
    peer.statistics.relinks += 1;
  }
  wipe_secrets(peer.outbox);
  peer.outbox.clear();
  for (SentBatch& batch : peer.resend) wipe_secrets(batch.frames);  // no resend can come any more
  peer.resend.clear();
  peer.resend_bytes = 0;
  peer.reader_done = true;
  peer.writer_done = true;
  state->progress.notify();
}

}  // namespace

}  // namespace detail

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
    peer.link = std::move(links[j]);
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
    if (peer.offered) peer.offered->close();
    if (peer.relink_wake) peer.relink_wake->notify();
  }
  if (state.relinker) state.relinker->stop();
  state.progress.notify();
}

NetworkStatistics Network::statistics() const {
  NetworkStatistics statistics;
  for (const detail::PeerState& peer : state_->peers) statistics.peers.push_back(peer.statistics);
  return statistics;
}

}  // namespace meshmpc::net
