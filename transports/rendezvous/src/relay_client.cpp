// A party's relay pipes through the rendezvous (docs/discovery.md, "Through
// NATs"): a new connection that names the session, proves with the roster's
// token that it is party `self`, and names the peer; the rendezvous joins it to
// the peer's matching connection and answers relay_ready. TLS then runs end to
// end through it (net/peer_routes.hpp).
#include <boost/asio/this_coro.hpp>

#include <meshmpc/error.hpp>
#include <meshmpc/rendezvous/client.hpp>
#include <meshmpc/rendezvous/messages.hpp>
#include <meshmpc/rendezvous/wire.hpp>

#include "connect_by.hpp"

namespace meshmpc::rendezvous {

namespace {

// Arguments by value: they live in the coroutine's frame, not the caller's.
asio::awaitable<tcp::socket> open_relay(tcp::endpoint rendezvous, Relay request,
                                        std::chrono::steady_clock::time_point deadline) {
  tcp::socket socket(co_await asio::this_coro::executor);
  const std::string where = "the relay at " + net::to_string(rendezvous);
  co_await detail::connect_by(socket, rendezvous, deadline, "the relay");
  co_await write_message(socket, encode(request), deadline);
  const boost::json::object answer = co_await read_message(socket, deadline, where, kMaxServerMessageBytes);
  const std::string type = message_type(answer);
  if (type == "error") throw PeerError(where + " refused the pipe: " + decode_error(answer).message);
  if (type != "relay_ready") throw ProtocolError(where + " sent a '" + type + "' message where relay_ready belongs");
  co_return socket;
}

}  // namespace

std::vector<net::PeerRoutes> peer_routes(const Joined& joined) {
  std::vector<net::PeerRoutes> routes(joined.roster.parties.size());
  for (std::size_t peer = 0; peer < routes.size(); ++peer) {
    // Ours too: it tells net whether we are on a public address (a link we punch
    // to a NATed peer is then direct).
    routes[peer].reflexive = joined.roster.parties[peer].reflexive;
    if (peer == joined.self) continue;
    Relay request;
    request.session = joined.roster.session;
    request.token = joined.token;
    request.peer = peer;
    const tcp::endpoint rendezvous = joined.rendezvous;
    // The opener keeps the control connection open: the rendezvous keeps a
    // session (and so its relay) while one of its parties is connected.
    routes[peer].relay = [rendezvous, request, control = joined.control](std::chrono::steady_clock::time_point deadline) {
      return open_relay(rendezvous, request, deadline);
    };
  }
  return routes;
}

}  // namespace meshmpc::rendezvous
