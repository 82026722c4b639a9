#pragma once
// Traffic counters per peer (MOTION's TransportStatistics idea): every transport
// gets them for free because the Network counts, not the plugin.
#include <cstdint>
#include <vector>

#include <meshmpc/net/frame.hpp>
#include <meshmpc/net/link_path.hpp>

namespace meshmpc::net {

struct TrafficCounters {
  std::uint64_t frames = 0;
  std::uint64_t payload_bytes = 0;
  // Payload plus the 12-byte frame header of every frame: what a stream link puts
  // on the wire (TCP/IP overhead not included). Counted the same for in-memory links.
  std::uint64_t wire_bytes() const { return payload_bytes + frames * kFrameHeaderSize; }

  TrafficCounters& operator+=(const TrafficCounters& other) {
    frames += other.frames;
    payload_bytes += other.payload_bytes;
    return *this;
  }
  bool operator==(const TrafficCounters&) const = default;
};

struct PeerStatistics {
  TrafficCounters sent;
  TrafficCounters received;
  // New links after the link broke underneath (Network with a Relinker); the
  // frames resent on them are not counted again above.
  std::uint64_t relinks = 0;
  // The way the current (or last) link to the peer takes (Link::route).
  LinkRoute route;
  bool operator==(const PeerStatistics&) const = default;
};

struct NetworkStatistics {
  std::vector<PeerStatistics> peers;  // peers[j]: traffic with party j (self: zero)

  PeerStatistics total() const {
    PeerStatistics sum;
    for (const PeerStatistics& peer : peers) {
      sum.sent += peer.sent;
      sum.received += peer.received;
    }
    return sum;
  }
};

}  // namespace meshmpc::net
