#pragma once
// What connect_mesh's pieces share (not installed): the state of one party's
// connect phase, and the functions each source file offers the others.
//   connection_checks.cpp   the plaintext rule and the plugin's identity check
//   dial.cpp                dialling: one endpoint, one attempt, a party until the deadline
//   accept.cpp              the accept loop and an accepted connection's handshake
//   pending_handshakes.cpp  the caps on accepted connections still in their handshake
//   routed_dial.cpp         with TcpOptions::routes: the routes' checks, and a pair's
//                           candidate sockets taking their turn at the handshake
//   punch.cpp               TCP simultaneous open from the listening port
//   relay_routes.cpp        falling back to the peer's relay opener
//   connect_mesh.cpp        the bounded connect phase and what it says when it fails
//   mesh_relinker.cpp       relinking after the connect phase
#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <cstddef>
#include <exception>
#include <functional>
#include <list>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <meshmpc/error.hpp>
#include <meshmpc/net/stream_link.hpp>
#include <meshmpc/net/tcp_plumbing.hpp>

#include "async_util.hpp"

namespace meshmpc::net::detail {

using Clock = std::chrono::steady_clock;

// The connect error lists this many refusals in full, each cut to this length, and
// counts the rest: a flood of bad handshakes must not make a message of megabytes.
inline constexpr std::size_t kListedRefusals = 5;
inline constexpr std::size_t kRefusalChars = 300;

// An accepted connection whose handshake is under way. Its timer ends the
// handshake: at TcpOptions::handshake_timeout, or at once when it is evicted to
// make room (TcpOptions::max_pending_handshakes) or connect_mesh ends.
struct PendingHandshake {
  asio::ip::address address;
  asio::steady_timer timer;
  bool evicted = false;
};

// Candidate sockets to one peer we dial that may wait at once for their turn at
// the handshake (more are closed at once: a flood must not pile up coroutines).
inline constexpr std::size_t kWaitingCandidates = 4;

// What connect_mesh's coroutines share. All of it lives on one executor.
struct MeshState {
  MeshState(const asio::any_io_executor& executor, const Roster& roster_in, std::size_t self_in,
            Clock::time_point deadline_in, const TcpOptions& options_in,
            std::optional<asio::ip::tcp::acceptor> acceptor_in)
      : roster(roster_in),
        self(self_in),
        deadline(deadline_in),
        options(options_in),
        acceptor(std::move(acceptor_in)),
        links(roster_in.size()),
        reserved(roster_in.size(), false),
        handshaking(roster_in.size(), false),
        waiting(roster_in.size(), 0),
        reflexive(roster_in.size()),
        link_routes(roster_in.size()),
        last_error(roster_in.size()),
        missing(roster_in.size() - 1),
        progress(std::make_shared<Notifier>(executor)),
        tasks(executor, progress) {}

  Roster roster;
  std::size_t self;
  Clock::time_point deadline;
  TcpOptions options;
  std::optional<asio::ip::tcp::acceptor> acceptor;
  Links links;
  std::vector<bool> reserved;  // a handshake claiming this id is under way
  Clock::time_point started = Clock::now();
  // With routes, for a party we dial: a candidate socket's handshake is under way
  // (one at a time, so that the acceptor never sees two and refuses one as a
  // duplicate); candidates waiting for their turn.
  std::vector<bool> handshaking;
  std::vector<std::size_t> waiting;
  // The parties' reflexive endpoints (TcpOptions::routes), parsed.
  std::vector<std::optional<asio::ip::tcp::endpoint>> reflexive;
  // The route of each link that came up in the connect phase.
  std::vector<LinkRoute> link_routes;
  std::vector<std::string> last_error;
  std::vector<std::string> refusals;  // the first kListedRefusals, shortened
  std::size_t refusal_count = 0;
  // Accepted connections still in their handshake, oldest first; how many of them
  // (not yet evicted) come from each address.
  std::list<PendingHandshake> pending;
  std::map<asio::ip::address, std::size_t> pending_from;
  std::size_t pending_live = 0;
  std::size_t handshakes_running = 0;  // their coroutines, until each has ended
  std::size_t evicted = 0;
  std::size_t timed_out = 0;
  std::size_t accept_failures = 0;
  std::string last_accept_failure;
  bool stopping = false;
  // After connect_mesh returned with a Relinker: accepted links go to `offer`
  // (the Network), not to `links`, and a party may connect again.
  bool connected = false;
  std::function<void(std::unique_ptr<Link>)> offer;
  std::exception_ptr fatal;
  std::size_t missing;
  // Shared with the TaskGroup: a task's completion handler may notify after this
  // state is gone.
  std::shared_ptr<Notifier> progress;
  TaskGroup tasks;

  std::string self_name() const { return describe(roster.party(self)); }

  bool has_routes() const { return !options.routes.empty(); }
  const PeerRoutes* routes_of(std::size_t peer) const {
    return peer < options.routes.size() ? &options.routes[peer] : nullptr;
  }

  // A relayed link names its relay in its errors: when the relay dies, the
  // message says where to look.
  template <typename Stream>
  std::unique_ptr<Link> make_link(std::size_t peer, Stream stream, LinkRoute route = {}) const {
    std::string name = describe(roster.party(peer));
    if (route.path == LinkPath::relayed) name += " through the relay at " + route.via;
    return std::make_unique<StreamLink<Stream>>(std::move(stream), peer, std::move(name), options.max_frame,
                                                std::move(route));
  }

  void link_up(std::size_t peer, std::unique_ptr<Link> link) {
    if (connected) {
      if (offer) offer(std::move(link));  // a relink: the Network takes it from here
      return;
    }
    link_routes[peer] = link->route();
    links[peer] = std::move(link);
    --missing;
    progress->notify();
  }
};

// connection_checks.cpp: the checks every connection passes before the handshake.

// Why a plaintext link to or from `remote` is not allowed, or nullopt.
std::optional<std::string> plaintext_fault(const TcpOptions& options, const asio::ip::address& remote);
// options.identity_check's verdict on the peer at `remote`, asked within the
// deadline. When the check throws or misses the deadline, a verdict refusing every
// party with that reason; without a check, an empty verdict (no objection).
asio::awaitable<IdentityVerdict> identity_verdict(const TcpOptions& options, const asio::ip::tcp::endpoint& remote,
                                                  Clock::time_point deadline);
// Why the peer cannot be `party` according to `verdict`, or nullopt.
std::optional<std::string> identity_fault(const IdentityVerdict& verdict, const PartyInfo& party);

// dial.cpp

// One attempt to reach `peer`, a party we dial: connect, identity, TLS and our
// handshake. Throws Error for a refusal (retrying cannot help) and
// boost::system::system_error when the connection failed.
asio::awaitable<std::unique_ptr<Link>> dial_attempt(std::shared_ptr<MeshState> state, std::size_t peer,
                                                    Clock::time_point deadline);
// The same on a socket already connected to `peer` by any route: identity, TLS
// (as the client) and our handshake, within the deadline.
asio::awaitable<std::unique_ptr<Link>> dial_handshake(std::shared_ptr<MeshState> state, std::size_t peer,
                                                      asio::ip::tcp::socket socket, LinkRoute route,
                                                      Clock::time_point deadline);
// Attempts with backoff until one links up, one is refused (state.fatal) or the
// connect deadline passes.
asio::awaitable<void> dial_peer(std::shared_ptr<MeshState> state, std::size_t peer);
// TLS 1.3 clients learn that the server refused their certificate only at the
// first read after the handshake: a refusal, not worth a retry.
PeerError tls_refusal(const MeshState& state, std::size_t peer, const boost::system::system_error& error);
bool is_tls_error(const boost::system::system_error& error);

// accept.cpp: accepts until the acceptor closes; each connection's handshake runs
// as a pending handshake under the caps.
// With routes, a connection from the reflexive endpoint of a party we dial is that
// party's punched connection reaching our listening port: it goes to
// adopt_dialled, not to the acceptor's handshake.
asio::awaitable<void> accept_loop(std::shared_ptr<MeshState> state);
// A socket connected by a route (punched, relayed) to a party that dials us,
// taken as if accepted: the same checks, caps, TLS (as the server) and handshake.
// Returns when its handshake has ended, one way or the other.
asio::awaitable<void> adopt_accepted(std::shared_ptr<MeshState> state, asio::ip::tcp::socket socket, LinkRoute route);

// pending_handshakes.cpp

// Room for one more pending handshake from `address` (evicting one at a cap), then
// its entry, counted, with its timer set to the handshake timeout.
std::list<PendingHandshake>::iterator admit_pending(MeshState& state, const asio::any_io_executor& executor,
                                                    const asio::ip::address& address);
// The entry's handshake has ended: forget it.
void release_pending(MeshState& state, std::list<PendingHandshake>::iterator entry);
// Closes the oldest pending handshake from `address` (its coroutine ends within a
// turn of the event loop, and with it the socket). `address` by value: callers
// pass busiest_address(), a key of pending_from, which eviction may erase.
void evict_oldest(MeshState& state, asio::ip::address address, const std::string& why);
// The address with the most pending handshakes; there must be one.
const asio::ip::address& busiest_address(const MeshState& state);
// Ends every pending handshake (connect_mesh is returning, or the Relinker stops).
void stop_pending(MeshState& state);

// tcp_socket.cpp: whether the listening socket lets other sockets bind its port
// (made by listen(..., true)).
bool shares_port(asio::ip::tcp::acceptor& acceptor);

// routed_dial.cpp

// Checks TcpOptions::routes against the roster (one entry per party, reflexive
// endpoints numeric and allowed as plaintext; the listening socket shares its
// port) and fills state.reflexive. Throws ConfigError naming the fault.
void check_routes(MeshState& state);
// Whether `peer` can be reached without an endpoint of the roster.
bool has_route(const TcpOptions& options, std::size_t peer);
// For a party we dial: the endpoints dialled with backoff (when it has any), and
// its punch and relay routes, in parallel; the first socket to connect takes the
// handshake, the others wait their turn or are closed once a link is up.
void start_routed_dial(std::shared_ptr<MeshState> state, std::size_t peer);
// For a party that dials us: its punch and relay routes (the endpoints are its).
void start_routed_accept(std::shared_ptr<MeshState> state, std::size_t peer);
// A socket connected by any route to a party we dial: waits for its turn (at most
// kWaitingCandidates wait), then the handshake. True once a link to the peer is
// up (by this socket or another); the socket is closed otherwise.
asio::awaitable<bool> adopt_dialled(std::shared_ptr<MeshState> state, std::size_t peer,
                                    asio::ip::tcp::socket socket, LinkRoute route);
// Whether nothing more is to be done for `peer`: linked, or connect_mesh ending.
bool settled(const MeshState& state, std::size_t peer);

// punch.cpp

// Bounded attempts at a TCP simultaneous open with `peer` (both roles); each
// connected socket is adopted by the role's rule.
asio::awaitable<void> punch_peer(std::shared_ptr<MeshState> state, std::size_t peer);
// The party we dial whose reflexive endpoint is `remote`, if any; else, when we
// are on a public address, the party we dial that alone (of all parties) is behind
// `remote`'s address and not yet linked: a NAT with random ports changed the port
// of its connection to us.
std::optional<std::size_t> dialled_party_at(const MeshState& state, const asio::ip::tcp::endpoint& remote);
// The path of a link a punch made: direct when either party is on a public address
// (its reflexive endpoint is one it announced: one side just connected to the
// other), punched when both are behind NATs. Both ends compute the same.
LinkRoute punch_route(const MeshState& state, std::size_t peer);
// Whether `remote` is `peer`'s reflexive endpoint (IPv4-mapped addresses compare as IPv4).
bool is_reflexive(const MeshState& state, std::size_t peer, const asio::ip::tcp::endpoint& remote);

// relay_routes.cpp: after relay_after without a link, the peer's relay opener
// (bounded attempts, both roles).
asio::awaitable<void> relay_peer(std::shared_ptr<MeshState> state, std::size_t peer);

// mesh_relinker.cpp: the Relinker that takes over `state` after the connect phase.
std::shared_ptr<Relinker> make_mesh_relinker(std::shared_ptr<MeshState> state);

}  // namespace meshmpc::net::detail
