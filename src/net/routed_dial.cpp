// A pair's connect with TcpOptions::routes (docs/net.md, "Routes"): the routes'
// checks, the tasks each party starts per peer, and the dialling party's turn
// rule — every route may deliver a connected socket, the first takes the
// handshake, later ones wait (bounded) in case it fails and are closed once a
// link is up. The accepting party needs no rule: it sees at most one handshake
// from the peer at a time, since the peer runs one at a time.
#include <algorithm>

#include <meshmpc/net/error_text.hpp>

#include "mesh_state.hpp"

namespace meshmpc::net::detail {

using asio::ip::tcp;

namespace {

std::optional<tcp::endpoint> parse_reflexive(const MeshState& state, std::size_t peer, const Endpoint& endpoint) {
  const std::string where = describe(state.roster.party(peer)) + "'s reflexive endpoint " + to_string(endpoint);
  boost::system::error_code error;
  const asio::ip::address address = asio::ip::make_address(endpoint.host, error);
  if (error || endpoint.port == 0) throw ConfigError(where + " is not a numeric address with a port");
  if (const auto fault = plaintext_fault(state.options, address)) {
    throw ConfigError("will not punch to " + where + ": " + *fault);
  }
  return tcp::endpoint(address, endpoint.port);
}

// Restores the turn bookkeeping however the wait or the handshake ends (a
// cancelled task included).
struct Turn {
  MeshState& state;
  std::size_t peer;
  bool waiting = true;
  bool holding = false;
  ~Turn() {
    if (waiting) --state.waiting[peer];
    if (holding) state.handshaking[peer] = false;
  }
};

// The endpoints of the roster, dialled with backoff until a link is up.
asio::awaitable<void> dial_endpoints(std::shared_ptr<MeshState> state, std::size_t peer) {
  auto delay = state->options.first_retry_delay;
  while (!settled(*state, peer)) {
    try {
      tcp::socket socket = co_await dial_once(state->roster.party(peer), state->deadline, state->options);
      LinkRoute direct;  // named: GCC 12 mishandles a prvalue class argument of a coroutine
      if (co_await adopt_dialled(state, peer, std::move(socket), std::move(direct))) co_return;
    } catch (const Error&) {
      state->fatal = std::current_exception();  // a plaintext address: retrying cannot help
      state->progress->notify();
      co_return;
    } catch (const boost::system::system_error& error) {
      if (error.code() == asio::error::operation_aborted) co_return;
      state->last_error[peer] = error_text(error);
    }
    const auto wake = Clock::now() + delay;
    if (wake >= state->deadline) co_return;
    co_await sleep_until(wake);
    delay = std::min(2 * delay, state->options.max_retry_delay);
  }
}

}  // namespace

bool settled(const MeshState& state, std::size_t peer) {
  return state.links[peer] != nullptr || state.fatal || state.stopping || state.connected ||
         Clock::now() >= state.deadline;
}

bool has_route(const TcpOptions& options, std::size_t peer) {
  return peer < options.routes.size() && (options.routes[peer].reflexive || options.routes[peer].relay);
}

void check_routes(MeshState& state) {
  if (!state.has_routes()) return;
  const std::string me = state.self_name();
  if (state.options.routes.size() != state.roster.size()) {
    throw ConfigError(me + ": " + std::to_string(state.options.routes.size()) + " routes for " +
                      std::to_string(state.roster.size()) + " parties (give one entry per party, or none)");
  }
  bool punching = false;
  for (std::size_t j = 0; j < state.roster.size(); ++j) {
    const auto& reflexive = state.options.routes[j].reflexive;
    if (!reflexive) continue;
    // Our own is kept too: it says whether we are on a public address (punch_route).
    state.reflexive[j] = parse_reflexive(state, j, *reflexive);
    punching = punching || j != state.self;
  }
  if (punching && state.acceptor && state.acceptor->is_open() && !shares_port(*state.acceptor)) {
    throw ConfigError(me + ": punching needs the listening port shared (SO_REUSEPORT): make the listening "
                      "socket with listen(executor, where, true)");
  }
}

asio::awaitable<bool> adopt_dialled(std::shared_ptr<MeshState> state, std::size_t peer, tcp::socket socket,
                                    LinkRoute route) {
  boost::system::error_code ignored;
  if (settled(*state, peer) || state->waiting[peer] >= kWaitingCandidates) {
    socket.close(ignored);
    co_return state->links[peer] != nullptr;
  }
  ++state->waiting[peer];
  Turn turn{*state, peer};
  // Polled: the handshake before us ends within handshake_timeout, and a few
  // sockets at most wait.
  while (state->handshaking[peer] && !settled(*state, peer)) {
    co_await sleep_until(std::min(state->deadline, Clock::now() + state->options.first_retry_delay));
  }
  if (settled(*state, peer)) {
    socket.close(ignored);
    co_return state->links[peer] != nullptr;
  }
  turn.waiting = false;
  --state->waiting[peer];
  state->handshaking[peer] = turn.holding = true;
  const std::string path(to_string(route.path));
  try {
    const auto deadline = std::min(state->deadline, Clock::now() + state->options.handshake_timeout);
    std::unique_ptr<Link> link = co_await dial_handshake(state, peer, std::move(socket), std::move(route), deadline);
    state->link_up(peer, std::move(link));
    co_return true;
  } catch (const Error&) {
    state->fatal = std::current_exception();  // a refusal, either way: retrying cannot help
    state->progress->notify();
  } catch (const boost::system::system_error& error) {
    if (error.code() == asio::error::operation_aborted) throw;
    if (is_tls_error(error)) {
      state->fatal = std::make_exception_ptr(tls_refusal(*state, peer, error));
      state->progress->notify();
    } else {
      state->last_error[peer] = error_text(error) + " (" + path + ")";
    }
  }
  co_return false;
}

void start_routed_dial(std::shared_ptr<MeshState> state, std::size_t peer) {
  const auto& endpoints = state->roster.party(peer).endpoints;
  if (std::any_of(endpoints.begin(), endpoints.end(), [](const Endpoint& e) { return e.port != 0; })) {
    state->tasks.spawn(dial_endpoints(state, peer));
  }
  start_routed_accept(std::move(state), peer);
}

void start_routed_accept(std::shared_ptr<MeshState> state, std::size_t peer) {
  const PeerRoutes* routes = state->routes_of(peer);
  if (!routes) return;
  if (state->reflexive[peer] && state->acceptor && state->acceptor->is_open()) {
    state->tasks.spawn(punch_peer(state, peer));
  }
  if (routes->relay) state->tasks.spawn(relay_peer(state, peer));
}

}  // namespace meshmpc::net::detail
