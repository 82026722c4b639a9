#include "network_state.hpp"

#include <utility>

#include <meshmpc/error.hpp>

// A peer's link without a Relinker: a reader delivering every frame, a writer
// sending everything queued since its last write in one gather write. A link
// that breaks or ends fails the peer.
namespace meshmpc::net::detail {

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
        counted.payload_bytes += frame.bytes().size();
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

}  // namespace meshmpc::net::detail
