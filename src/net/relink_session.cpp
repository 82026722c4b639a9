#include "network_state.hpp"

#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/steady_timer.hpp>
#include <iterator>
#include <utility>
#include <variant>

#include <meshmpc/error.hpp>

// ---- Relinking (docs/net.md): one session coroutine per peer runs a reader and
// a writer on the current link; when the link breaks underneath (LinkError) it
// gets a new one through the Relinker and starts them again on it.

namespace meshmpc::net::detail {

namespace {

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

// A new link: say how much arrived, learn how much of ours did, and resend the
// rest in order before anything new.
asio::awaitable<void> resume_sending(NetworkState& state, PeerState& peer, Link& link) {
  std::vector<Frame> ack;
  ack.push_back(state.ack_frame(peer));
  co_await link.write_frames(std::move(ack));
  while (!peer.counted) co_await peer.writer_wake->wait();
  state.trim_resend(peer);
  for (const SentBatch& batch : peer.resend) {
    const std::span<const Frame> rest = batch.unacked(peer.acked);
    if (!rest.empty()) co_await link.write_frames_kept(rest);
  }
}

// The outbox moved into a new batch of the resend buffer (behind an ack when one
// is owed), counted as sent.
SentBatch& batch_outbox(NetworkState& state, PeerState& peer) {
  SentBatch& batch = peer.resend.emplace_back();  // deque: the reference stays valid
  batch.first = peer.sent;
  if (peer.received != peer.ack_sent) {
    batch.frames.reserve(peer.outbox.size() + 1);
    batch.frames.push_back(state.ack_frame(peer));
    batch.first_data = 1;
    std::move(peer.outbox.begin(), peer.outbox.end(), std::back_inserter(batch.frames));
    peer.outbox.clear();
  } else {
    batch.frames = std::exchange(peer.outbox, {});
  }
  TrafficCounters counted;
  for (std::size_t i = batch.first_data; i < batch.frames.size(); ++i) {
    counted.frames += 1;
    counted.payload_bytes += batch.frames[i].bytes().size();
  }
  batch.bytes = counted.payload_bytes;
  peer.sent += counted.frames;
  peer.resend_bytes += batch.bytes;
  peer.statistics.sent += counted;
  return batch;
}

asio::awaitable<LinkEnd> write_side(std::shared_ptr<NetworkState> state, std::size_t to, std::shared_ptr<Link> link) {
  PeerState& peer = state->peers[to];
  try {
    if (!peer.counted) co_await resume_sending(*state, peer, *link);
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
      const SentBatch& batch = batch_outbox(*state, peer);
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

// What broke the link, for the peer's failure if no new link comes.
std::string what_broke(const LinkEnd& end) {
  std::string cause = "the link broke";
  try {
    std::rethrow_exception(end.error);
  } catch (const std::exception& error) {
    cause = error.what();
  }
  return cause;
}

// The new link takes the old one's place; false (the peer failed) when it leads
// to another party.
bool adopt_link(NetworkState& state, std::size_t peer_id, std::unique_ptr<Link> fresh) {
  PeerState& peer = state.peers[peer_id];
  if (fresh->peer() != peer_id) {
    fresh->close();
    state.fail(peer_id, std::make_exception_ptr(ProtocolError(state.self_name + ": a new link for " + peer.name +
                                                              " leads to another party")),
               true);
    return false;
  }
  peer.statistics.route = fresh->route();
  peer.link = state.adopt(std::move(fresh));
  peer.counted = false;
  peer.statistics.relinks += 1;
  return true;
}

// The session with the peer is over: nothing queued or kept for a resend lingers.
void end_link_session(NetworkState& state, PeerState& peer) {
  wipe_secrets(peer.outbox);
  peer.outbox.clear();
  for (SentBatch& batch : peer.resend) wipe_secrets(batch.frames);  // no resend can come any more
  peer.resend.clear();
  peer.resend_bytes = 0;
  peer.reader_done = true;
  peer.writer_done = true;
  state.progress.notify();
}

}  // namespace

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
      const std::string cause = what_broke(end);
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
    if (!adopt_link(*state, peer_id, std::move(fresh))) break;
  }
  end_link_session(*state, peer);
}

}  // namespace meshmpc::net::detail
