#pragma once
// A slow, far link on a fast one, in user space (no kernel module, no netem): a
// party's outgoing frames leave after one way's delay (half the round trip, so
// that a round trip between two emulating parties takes `rtt`) and no faster than
// `rate` allows on this party's uplink, which its links share, as a home
// connection's does. For benchmarks and for trying a program as it would run
// between continents (`--emulate-rtt`, `--emulate-rate`; docs/benchmarks.md).
#include <boost/asio/any_io_executor.hpp>

#include <chrono>
#include <memory>

#include <meshmpc/asio.hpp>
#include <meshmpc/net/link.hpp>

namespace meshmpc::net {

struct LinkEmulation {
  std::chrono::microseconds rtt{0};  // the emulated round trip; each direction waits half
  double rate_bits_per_second = 0;   // this party's uplink; 0: as fast as the link underneath

  bool active() const { return rtt.count() > 0 || rate_bits_per_second > 0; }
};

// What one party's emulated links share: the time its uplink is free again.
class EmulatedUplink {
 public:
  explicit EmulatedUplink(LinkEmulation emulation) : emulation_(emulation) {}

  const LinkEmulation& emulation() const { return emulation_; }

  // When `bytes` sent now arrive at the far end: after those queued before them
  // have left, their own transmission time, and the one-way delay.
  std::chrono::steady_clock::time_point arrival(std::size_t bytes);

 private:
  LinkEmulation emulation_;
  std::chrono::steady_clock::time_point free_at_{};
};

// `link`, its frames held back as `uplink` says. Frames keep their order; a write
// returns at once (the frames wait in memory, as in a real link's buffers), and a
// failure of the link underneath surfaces at the next write and in reads.
std::unique_ptr<Link> emulate_link(std::unique_ptr<Link> link, asio::any_io_executor executor,
                                   std::shared_ptr<EmulatedUplink> uplink);

}  // namespace meshmpc::net
