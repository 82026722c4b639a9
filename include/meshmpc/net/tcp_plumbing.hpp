#pragma once
// The TCP machinery every socket-based transport shares (the direct TCP plugin,
// Tailscale, Nebula): listen, accept, dial with retry and backoff until a
// deadline, resolve names (IPv4 and IPv6), tune sockets, run the handshake.
// A plugin adds only discovery (filling the roster's endpoints) and an
// IdentityCheck. Who dials whom: party i dials every j < i and accepts from every
// j > i, so each pair connects exactly once (docs/net.md).
#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <chrono>
#include <cstddef>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <meshmpc/net/frame.hpp>
#include <meshmpc/net/link.hpp>
#include <meshmpc/net/peer_routes.hpp>
#include <meshmpc/net/relinker.hpp>
#include <meshmpc/net/roster.hpp>

namespace meshmpc::net {

namespace tls {
class Context;
}

// Which plaintext links connect_mesh allows when TcpOptions::tls is not set.
// Shares and keys must never cross a network in clear unless someone said so.
enum class Plaintext {
  loopback_only,         // the default: links to and from loopback addresses only
  encrypted_underneath,  // the overlay already encrypts and authenticates (Tailscale, Nebula)
  insecure_allowed,      // the user asked for plaintext by name (--insecure-plaintext)
};

// Why the peer at a connection's remote address cannot be `party` (the refusal's
// reason), or nullopt when it may be: an IdentityCheck's answer about one connection.
using IdentityVerdict = std::function<std::optional<std::string>(const PartyInfo& party)>;

// A plugin's identity check: what an authority outside the connection says about
// the peer at its remote address (the Tailscale plugin asks tailscaled whose node
// it is; the Nebula plugin knows the overlay IPs each party's certificate holds).
// Asked once for every accepted and every dialled connection, before TLS and the
// handshake, within the deadline, so it may do I/O. Its verdict is put to the
// party the peer claims to be (or that we dialled) once the roster's checks pass.
// Throwing (any exception) refuses the connection whoever it claims to be; the
// exception's message is the reason.
using IdentityCheck = std::function<asio::awaitable<IdentityVerdict>(const asio::ip::tcp::endpoint& remote)>;

struct TcpOptions {
  // SO_SNDBUF and SO_RCVBUF: a round of a large batch should not stall on the
  // default buffers (the kernel may cap them, see net.core.wmem_max).
  int socket_buffer_bytes = 4 << 20;
  // Dial retries start here and double up to max_retry_delay, until the deadline.
  std::chrono::milliseconds first_retry_delay{20};
  std::chrono::milliseconds max_retry_delay{1000};
  // One connection attempt to one endpoint gives up after this (then the next
  // endpoint or a retry): a black-holed address cannot use up the whole deadline.
  std::chrono::milliseconds attempt_timeout{5000};
  // An accepted connection must finish the whole handshake (identity lookup, TLS,
  // hello and verdicts: a few round trips) within this, or it is closed: an idle
  // socket cannot hold a slot until the connect deadline. Seconds, not
  // milliseconds: a slow overlay path (a relayed tailnet, a satellite link) must
  // still fit its round trips; a party cut off by it dials again.
  std::chrono::milliseconds handshake_timeout{5000};
  // Accepted connections still in their handshake, in all and from one remote
  // address, beyond one per party that dials us (those alone never reach a cap).
  // At a cap the oldest pending handshake from the busiest address is closed to
  // make room, rather than the newest refused: a flood of idle sockets then only
  // pushes out its own older sockets, and a party that dials after it gets in,
  // even from the same address (every party on loopback is 127.0.0.1).
  std::size_t max_pending_handshakes = 64;
  std::size_t max_pending_per_address = 16;
  std::size_t max_frame = kDefaultMaxFrame;
  // Unset: no identity beyond the roster's checks, the handshake's proof and TLS.
  IdentityCheck identity_check;
  // Outgoing connections leave from this address when it is of the endpoint's
  // family (a VPN plugin binds its own overlay address, so that the peer's
  // identity check sees it whatever the routing table picks).
  std::optional<asio::ip::address> source_address;
  // Told of every connection this party refused (for logs); the session goes on.
  // Of the connections closed unfinished (a cap, the handshake timeout) only the
  // first of each kind is told: a flood would make a line a socket; the deadline
  // error counts them all.
  std::function<void(const std::string&)> on_refusal;
  // TLS on every link (tls/context.hpp): the peer's certificate must be the
  // roster's for the party it claims (or that we dialled) before any byte of the
  // handshake is sent. Null: plaintext, as `plaintext` allows.
  std::shared_ptr<tls::Context> tls;
  Plaintext plaintext = Plaintext::loopback_only;
  // Ways to reach each party beyond its endpoints (peer_routes.hpp), by party id:
  // empty, or one entry per party of the roster (of our own entry only the
  // reflexive address is read: whether we are on a public address). Empty:
  // endpoints only. With routes, give every party a listening socket made by
  // listen(..., true) — the last party too: its port is the one both parties of
  // a pair punch from (docs/net.md, "Routes").
  std::vector<PeerRoutes> routes;
  // A peer's relay opener is called when no link to it is up this long into the
  // connect phase (by both parties of the pair).
  std::chrono::milliseconds relay_after{1500};
};

// "127.0.0.1:4000", "[fd42::1]:4000".
std::string to_string(const asio::ip::tcp::endpoint& endpoint);

// True when `self` dials `peer` (and so `peer` accepts from `self`).
constexpr bool dials(std::size_t self, std::size_t peer) { return peer < self; }

// True when `self` accepts connections in a session of `parties`, and so needs a
// listening socket: every party but the last is dialled by the ones after it.
constexpr bool accepts(std::size_t self, std::size_t parties) { return self + 1 < parties; }

// A listening socket on `where`; its host is resolved (a name, an IPv4 or IPv6
// address; "" or "*" listen on every IPv6 and IPv4 address). Port 0 picks a free
// port: read it back from local_endpoint(). Throws ConfigError naming the address.
// share_port: SO_REUSEPORT too (SO_REUSEADDR always), so that sockets made by
// socket_on_port can leave from the same port — what TcpOptions::routes needs.
asio::ip::tcp::acceptor listen(const asio::any_io_executor& executor, const Endpoint& where,
                               bool share_port = false);

// A socket of `remote`'s family bound, with SO_REUSEADDR and SO_REUSEPORT, to the
// port of `local` (a listening socket made with share_port): outgoing connections
// from it leave from the listening port, as a TCP simultaneous open and a
// rendezvous control connection need (the NAT then maps one port for both). Its
// address is `local`'s when of `remote`'s family and not the unspecified IPv6
// address, else the unspecified address. Throws boost::system::system_error.
asio::ip::tcp::socket socket_on_port(const asio::any_io_executor& executor, const asio::ip::tcp::endpoint& local,
                                     const asio::ip::tcp::endpoint& remote);

// TCP_NODELAY (a round is one small message; Nagle would hold it back) and the
// buffer sizes. Best effort: a refused option is not an error.
void configure_socket(asio::ip::tcp::socket& socket, const TcpOptions& options);

// One attempt to reach `party`: resolves and tries each of its endpoints in turn
// (each address of a name too), each within options.attempt_timeout and the
// deadline. Throws boost::system::system_error with the last failure.
asio::awaitable<asio::ip::tcp::socket> dial_once(const PartyInfo& party,
                                                 std::chrono::steady_clock::time_point deadline,
                                                 const TcpOptions& options);

// Links to every other party: dials every j < self (retrying with backoff until
// the deadline), accepts from every j > self on `acceptor` (needed when
// accepts(self, n)), runs the handshake on each connection. Connections that fail
// the handshake are refused and the accept loop goes on. Throws PeerError when
// a party refuses us, and at the deadline with the list of parties never reached
// (and a summary of the connections refused or dropped meanwhile). The acceptor
// is closed on return.
// With TcpOptions::routes, each pair also tries a TCP simultaneous open and,
// after relay_after, the relay; the dialling party hands one socket at a time to
// the handshake (docs/net.md, "Routes").
// Without TLS and with Plaintext::loopback_only, a link to or from an address
// that is not loopback is refused: ConfigError when we would dial it, a refusal
// (nothing sent) when it calls us.
asio::awaitable<Links> connect_mesh(std::optional<asio::ip::tcp::acceptor> acceptor,
                                    const Roster& roster, std::size_t self,
                                    std::chrono::steady_clock::time_point deadline,
                                    const TcpOptions& options = {});

// As connect_mesh, and the listening socket stays open after it returns: the
// Relinker (give it to the Network, see Transport::take_relinker) dials again the
// parties we dial and hands the Network every new connection from a party that
// dials us, through the same handshake, checks and caps (docs/net.md, Relinking).
struct Mesh {
  Links links;
  std::shared_ptr<Relinker> relinker;
};
asio::awaitable<Mesh> connect_mesh_relinkable(std::optional<asio::ip::tcp::acceptor> acceptor,
                                              const Roster& roster, std::size_t self,
                                              std::chrono::steady_clock::time_point deadline,
                                              const TcpOptions& options = {});

}  // namespace meshmpc::net
