#pragma once
// A party's side of the rendezvous (docs/discovery.md): join a session by name,
// wait for the roster, check it, sign it and check every other party's signature
// (and, with a session code, run the pairwise code check), then hand the caller a
// roster to connect with and, per peer, the routes beyond its endpoints: the
// reflexive address to punch and a relay through the rendezvous.
#include <boost/asio/awaitable.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <chrono>
#include <cstddef>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <meshmpc/asio.hpp>
#include <meshmpc/net/peer_routes.hpp>
#include <meshmpc/net/roster.hpp>
#include <meshmpc/net/tls/fingerprint.hpp>
#include <meshmpc/rendezvous/roster_document.hpp>

namespace meshmpc::rendezvous {

// Who has joined a session so far (the rendezvous's word: for progress and for
// the error when the deadline passes).
struct Joiner {
  std::string name;
  std::string fingerprint;  // format_fingerprint text
};

struct JoinOptions {
  net::Endpoint rendezvous;  // host:port
  std::string session;       // the session's name
  std::size_t expect = 0;    // how many parties, this one included
  std::string name;          // how the others see this party (informational)
  std::string key_pem;       // this party's TLS key and certificate: the identity it announces
  std::string cert_pem;
  // Where this party listens, as announced (its interface addresses and listening port).
  std::vector<net::Endpoint> endpoints;
  // The normalised session code (session_code.hpp), or none.
  std::optional<std::string> code;
  // When not empty, the roster's identities must be exactly these.
  std::vector<net::tls::Fingerprint> expected;
  // Told whenever the set of joined parties changes.
  std::function<void(const std::vector<Joiner>&)> on_waiting;
};

// A session whose roster every party signed: what the party connects with.
struct Joined {
  RosterDocument roster;
  RosterHash hash{};
  std::size_t self = 0;
  // The rendezvous's address as reached (numeric), for relays and messages.
  asio::ip::tcp::endpoint rendezvous;
  std::string token;  // proves to the relay that we are party `self` of this session
  // The control connection, kept open while the session may need the relay: the
  // rendezvous forgets a session whose parties have all gone.
  std::shared_ptr<asio::ip::tcp::socket> control;
};

// Joins, waits for the roster, checks and signs it, and checks every signature
// (and the code) — all before the deadline. The control connection leaves from
// `listening`'s port (net::socket_on_port), so that the reflexive address the
// rendezvous sees is the listening port's NAT mapping, the one a peer punches to.
// Throws PeerError naming the rendezvous when it cannot be reached or refuses us
// (its message quoted), and when fewer than `expect` parties joined by the
// deadline (listing who did); ProtocolError for a malformed message; PeerError
// naming each party whose signature or code check fails and what differs.
asio::awaitable<Joined> join(JoinOptions options, asio::ip::tcp::endpoint listening,
                             std::chrono::steady_clock::time_point deadline);

// The roster a transport connects with: parties in roster order, named (made
// unique by their index when two chose one name), each pinned by its fingerprint,
// reached at its announced endpoints; the session id is the roster hash's first
// 16 bytes.
net::Roster network_roster(const Joined& joined);

// Per party (ours empty): its reflexive address to punch to, and a relay opener
// through the rendezvous (relay_client.cpp).
std::vector<net::PeerRoutes> peer_routes(const Joined& joined);

}  // namespace meshmpc::rendezvous

namespace meshmpc::rendezvous {

// The endpoints a party announces for a listening socket: its own address when
// it listens on one, else every up interface's address (IPv4, and IPv6 but not
// link-local) with the listening port. Loopback addresses only when
// `rendezvous_is_loopback` (every party on this machine), never otherwise: a peer
// elsewhere would dial its own machine.
std::vector<net::Endpoint> local_endpoints(const asio::ip::tcp::endpoint& listening, bool rendezvous_is_loopback);

}  // namespace meshmpc::rendezvous
