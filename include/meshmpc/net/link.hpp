#pragma once
// A Link is one ordered, framed, already authenticated byte channel to one peer:
// what a Transport hands to the Network. MPC code never sees a Link (it uses
// Network); plugin authors implement one only for a new medium — for any Asio
// stream (TCP socket, TLS stream) StreamLink<Stream> already is one.
#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <cstddef>
#include <memory>
#include <span>
#include <vector>

#include <meshmpc/asio.hpp>
#include <meshmpc/net/frame.hpp>
#include <meshmpc/net/link_path.hpp>

namespace meshmpc::net {

class Link {
 public:
  virtual ~Link() = default;

  // The roster id of the party at the other end.
  virtual std::size_t peer() const = 0;

  // Which way its bytes travel (link_path.hpp); direct unless the transport says.
  virtual LinkRoute route() const { return {}; }

  // Sends the frames in order, as one gather write where the medium has one.
  // Throws PeerError naming the peer when the link is broken (LinkError when the
  // medium failed underneath, e.g. a reset).
  virtual asio::awaitable<void> write_frames(std::vector<Frame> frames) = 0;

  // As write_frames, but the frames stay the caller's, untouched (a Network that
  // relinks keeps them for a resend until the peer acknowledges them, and wipes
  // the secret ones itself). They must live until the write ends. The default
  // copies; StreamLink writes them in place.
  virtual asio::awaitable<void> write_frames_kept(std::span<const Frame> frames) {
    co_await write_frames(std::vector<Frame>(frames.begin(), frames.end()));
  }

  // The next frame from the peer. Throws PeerError "<peer> closed the connection"
  // at a clean end of stream, ProtocolError naming the peer for an oversize or
  // truncated frame, PeerError naming the peer and the cause for any other failure
  // (reset, or close() called locally) — LinkError for a transport failure that a
  // new link could get past (a reset), so that a Network with a Relinker relinks.
  virtual asio::awaitable<Frame> read_frame() = 0;

  // Tells the peer that nothing more will be sent (TCP half-close); reading goes on.
  virtual asio::awaitable<void> finish_sending() = 0;

  // Closes at once: pending reads and writes end with an error.
  virtual void close() = 0;

  // Closes so that the peer sees a reset, not a clean end of stream: a Network
  // giving up a broken link for a new one must not look to the peer like a party
  // that finished or died. The default closes.
  virtual void abandon() { close(); }
};

// links[j] is the link to party j; links[self] is empty.
using Links = std::vector<std::unique_ptr<Link>>;

}  // namespace meshmpc::net
