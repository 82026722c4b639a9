#pragma once
// The ways to reach one peer beyond the endpoints of the roster (docs/net.md,
// "Routes"): a transport that learns them (the rendezvous) fills
// TcpOptions::routes, one PeerRoutes per party, and connect_mesh tries them in
// parallel with dialling the endpoints. The link then knows its LinkPath.
#include <boost/asio/awaitable.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <chrono>
#include <functional>
#include <optional>

#include <meshmpc/asio.hpp>
#include <meshmpc/net/link_path.hpp>
#include <meshmpc/net/roster.hpp>

namespace meshmpc::net {

// Opens a byte pipe to one peer through a relay, connected by the deadline: both
// parties of the pair call their opener and the relay joins the two sockets. The
// TLS session and the handshake then run end to end over it, so the relay sees
// ciphertext only (a relay without TcpOptions::tls is refused off loopback, as
// any plaintext link). Throws on failure (any exception; the message is kept as
// the peer's last error).
using RelayOpener =
    std::function<asio::awaitable<asio::ip::tcp::socket>(std::chrono::steady_clock::time_point deadline)>;

struct PeerRoutes {
  // The peer's server-reflexive address (its public address:port as a rendezvous
  // saw it), numeric. Both parties of the pair connect to each other's reflexive
  // address from their own listening port (TCP simultaneous open), which opens
  // port-preserving NATs. Unset: no punching.
  std::optional<Endpoint> reflexive;
  // Tried by both parties once no link to the peer is up TcpOptions::relay_after
  // into the connect phase. Empty: no relay.
  RelayOpener relay;
};

}  // namespace meshmpc::net
