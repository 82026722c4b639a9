// The caps on accepted connections still in their handshake
// (TcpOptions::max_pending_handshakes, max_pending_per_address): at a cap the
// oldest pending handshake from the busiest address is closed to make room.
#include <algorithm>

#include "mesh_state.hpp"

namespace meshmpc::net::detail {

namespace {

void forget_pending(MeshState& state, const asio::ip::address& address) {
  const auto from = state.pending_from.find(address);
  if (from != state.pending_from.end() && --from->second == 0) state.pending_from.erase(from);
  --state.pending_live;
}

}  // namespace

void evict_oldest(MeshState& state, const asio::ip::address address, const std::string& why) {
  const auto oldest = std::find_if(state.pending.begin(), state.pending.end(), [&](const PendingHandshake& p) {
    return !p.evicted && p.address == address;
  });
  if (oldest == state.pending.end()) return;
  oldest->evicted = true;
  oldest->timer.expires_at(Clock::now());  // ends the wait, or the next one at once
  forget_pending(state, address);
  // Logged once: a flood would otherwise write a line per socket. The connect
  // error counts them all.
  if (++state.evicted == 1 && state.options.on_refusal) {
    state.options.on_refusal(state.self_name() + " closed the oldest pending handshake from " + address.to_string() +
                             " to make room (" + why + "); further ones are counted, not logged");
  }
}

const asio::ip::address& busiest_address(const MeshState& state) {
  return std::max_element(state.pending_from.begin(), state.pending_from.end(),
                          [](const auto& a, const auto& b) { return a.second < b.second; })
      ->first;
}

namespace {

// Room for one more pending handshake from `address`: at a cap, the oldest from
// that address (per-address cap) or from the address with the most (total cap) is
// closed. Evicting the oldest rather than refusing the newest is what lets the
// honest party in: its connection arrives after a flood's, its handshake needs a
// round trip, and only a flood of a cap's worth of new sockets within that round
// trip could push it out (it then dials again). The parties that dial us are
// headroom on both caps, so they alone never evict one another.
void make_room(MeshState& state, const asio::ip::address& address) {
  const std::size_t headroom = state.roster.size() - state.self - 1;
  const std::size_t per_address = state.options.max_pending_per_address + headroom;
  const std::size_t total = state.options.max_pending_handshakes + headroom;
  const auto from = state.pending_from.find(address);
  if (from != state.pending_from.end() && from->second >= per_address) {
    evict_oldest(state, address, std::to_string(per_address) + " pending from one address");
  } else if (state.pending_live >= total) {
    evict_oldest(state, busiest_address(state), std::to_string(total) + " pending in all");
  }
}

}  // namespace

std::list<PendingHandshake>::iterator admit_pending(MeshState& state, const asio::any_io_executor& executor,
                                                    const asio::ip::address& address) {
  make_room(state, address);
  const auto entry = state.pending.insert(
      state.pending.end(),
      PendingHandshake{address,
                       asio::steady_timer(executor, std::min(state.deadline,
                                                             Clock::now() + state.options.handshake_timeout)),
                       false});
  ++state.pending_from[address];
  ++state.pending_live;
  ++state.handshakes_running;
  return entry;
}

void release_pending(MeshState& state, std::list<PendingHandshake>::iterator entry) {
  if (!entry->evicted) forget_pending(state, entry->address);
  state.pending.erase(entry);
  --state.handshakes_running;
  state.progress->notify();
}

void stop_pending(MeshState& state) {
  state.stopping = true;
  for (PendingHandshake& p : state.pending) p.timer.expires_at(Clock::now());
}

}  // namespace meshmpc::net::detail
