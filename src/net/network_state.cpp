#include "network_state.hpp"

#include <utility>

#include <meshmpc/error.hpp>
#include <meshmpc/net/peer_text.hpp>

namespace meshmpc::net::detail {

NetworkState::NetworkState(asio::any_io_executor executor_in, const Roster& roster, std::size_t self_in,
                           NetworkOptions options_in)
    : executor(std::move(executor_in)),
      self(self_in),
      self_name(describe(roster.party(self_in))),
      options(options_in),
      peers(roster.size()),
      progress(executor),
      watchdog(executor),
      uplink(options.emulation.active() ? std::make_shared<EmulatedUplink>(options.emulation) : nullptr) {}

std::unique_ptr<Link> NetworkState::adopt(std::unique_ptr<Link> link) {
  return uplink ? emulate_link(std::move(link), executor, uplink) : std::move(link);
}

PeerState& NetworkState::peer_state(std::size_t peer) {
  if (peer >= peers.size()) {
    throw RangeError(self_name + ": no party " + std::to_string(peer) + ", the session has " +
                     std::to_string(peers.size()) + " parties");
  }
  return peers[peer];
}

void NetworkState::deliver(std::size_t from, Frame frame) {
  PeerState& peer = peers[from];
  own_bytes(frame);  // sent to self: the receive takes a payload
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

void NetworkState::check_unclaimed_caps(PeerState& peer, std::size_t adding) {
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

void NetworkState::fail(std::size_t from, std::exception_ptr error, bool close_link) {
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

Frame NetworkState::ack_frame(PeerState& peer) {
  peer.ack_sent = peer.received;
  peer.bytes_since_ack = 0;
  Payload count(kAckPayloadSize);
  for (std::size_t i = 0; i < kAckPayloadSize; ++i) count[i] = static_cast<std::byte>(peer.received >> (8 * i));
  return Frame{kAckLabel, std::move(count), false};
}

void NetworkState::take_ack(std::size_t from, const Payload& payload) {
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

void NetworkState::trim_resend(PeerState& peer) {
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

void NetworkState::offer(std::unique_ptr<Link> link) {
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

std::chrono::steady_clock::time_point NetworkState::shutdown_deadline(
    const PeerState& peer, std::chrono::steady_clock::time_point started) const {
  auto deadline = started + options.receive_timeout;
  for (const auto& trouble : {peer.failed_at, peer.timed_out_at, aborted_at}) {
    if (trouble) deadline = std::min(deadline, std::max(*trouble, started) + options.failure_grace);
  }
  return deadline;
}

}  // namespace meshmpc::net::detail
