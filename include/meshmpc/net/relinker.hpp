#pragma once
// A Relinker gets a Network a new link to a peer after the old one broke
// underneath (a reset: a VPN path change, a NAT rebinding), within the session.
// As at the start, the party with the higher id dials (redial) and the lower id
// accepts (the transport offers each authenticated new connection). A transport
// without one (InMemory) leaves the Network failing a peer whose link breaks, as
// before. docs/net.md, "Relinking".
#include <boost/asio/awaitable.hpp>
#include <chrono>
#include <cstddef>
#include <functional>
#include <memory>

#include <meshmpc/net/link.hpp>

namespace meshmpc::net {

class Relinker {
 public:
  virtual ~Relinker() = default;

  // Called once by the Network, on its executor: from then on, every new
  // authenticated link from a party that dials us goes to `offer` (which may be
  // called with a link for a peer whose old link still looks fine: half-open TCP).
  virtual void start(std::function<void(std::unique_ptr<Link>)> offer) = 0;

  // A new link to `peer`, a party we dial, by `deadline`. Throws PeerError naming
  // the peer and the cause when it cannot be had: at once when the peer's address
  // refuses connections (nobody listens there any more: the peer is gone).
  virtual asio::awaitable<std::unique_ptr<Link>> redial(std::size_t peer,
                                                        std::chrono::steady_clock::time_point deadline) = 0;

  // Stops listening and accepting; redials under way end. Idempotent.
  virtual void stop() = 0;
};

}  // namespace meshmpc::net
