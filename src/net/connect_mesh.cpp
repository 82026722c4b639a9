// The connect phase (connect_mesh, connect_mesh_relinkable): dial the parties with
// lower ids and accept the others until every link is up, a party refuses us or
// the deadline passes; then stop everything it started, within a bound, and say
// what went wrong.
#include <algorithm>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/this_coro.hpp>

#include <meshmpc/net/tls/context.hpp>

#include "mesh_state.hpp"

namespace meshmpc::net {

using asio::ip::tcp;
using detail::Clock;
using detail::MeshState;

namespace {

// "1 connection", "1,083 connections".
std::string count_of(std::size_t count, const std::string& noun) {
  std::string digits = std::to_string(count);
  for (std::size_t at = digits.size(); at > 3; at -= 3) digits.insert(at - 3, ",");
  return digits + " " + noun + (count == 1 ? "" : "s");
}

std::string unreached_message(const MeshState& state, Clock::duration waited) {
  std::string message = state.self_name() + ": could not connect to every party within " +
                        detail::format_seconds(waited) + "; never reached ";
  bool first = true;
  for (std::size_t j = 0; j < state.roster.size(); ++j) {
    if (j == state.self || state.links[j]) continue;
    message += (first ? "" : ", ") + describe(state.roster.party(j));
    first = false;
    const std::string last = state.last_error[j].empty() ? "" : "; last error: " + state.last_error[j];
    message += dials(state.self, j) ? " (we dial it" + last + ")" : " (it dials us and never did" + last + ")";
  }
  if (!state.refusals.empty()) {
    message += "; refused connections:";
    for (const std::string& refusal : state.refusals) message += " [" + refusal + "]";
    if (state.refusal_count > state.refusals.size()) {
      message += " … and " + count_of(state.refusal_count - state.refusals.size(), "more refused connection");
    }
  }
  if (state.evicted + state.timed_out > 0) {
    message += "; " + count_of(state.evicted + state.timed_out, "connection") +
               " closed before the handshake ended (" + std::to_string(state.evicted) +
               " to make room under the caps on pending handshakes, " + std::to_string(state.timed_out) +
               " after the " + detail::format_seconds(state.options.handshake_timeout) + " handshake timeout)";
  }
  if (state.accept_failures > 0) {
    message += "; accepting failed " + count_of(state.accept_failures, "time") + " (last: " +
               state.last_accept_failure + ")";
  }
  return message;
}

// What connect_mesh needs before it starts: a valid roster, an endpoint for every
// party we dial, TLS credentials for every party, a listening socket if we accept.
void check_inputs(const std::optional<tcp::acceptor>& acceptor, const Roster& roster, std::size_t self,
                  const TcpOptions& options) {
  roster.validate();
  const PartyInfo& me = roster.party(self);
  for (std::size_t j = 0; j < self; ++j) {
    const auto& endpoints = roster.party(j).endpoints;
    if (detail::has_route(options, j)) continue;  // a punch or a relay may reach it
    if (std::none_of(endpoints.begin(), endpoints.end(), [](const Endpoint& e) { return e.port != 0; })) {
      throw ConfigError(describe(me) + " must dial " + describe(roster.party(j)) +
                        ", but the roster gives it no endpoint with a port");
    }
  }
  if (options.tls) tls::check_roster(*options.tls, roster, self);
  if (accepts(self, roster.size()) && !(acceptor && acceptor->is_open())) {
    throw ConfigError(describe(me) + " must accept connections but has no listening socket");
  }
}

// The accept loop (with routes, also for the last party when it listens: a
// peer's punched connection may reach its port) and a task per party we dial;
// with routes, each peer's punch and relay tasks too.
void start_connecting(const std::shared_ptr<MeshState>& state) {
  const std::size_t n = state->roster.size();
  const bool listening = state->acceptor && state->acceptor->is_open();
  if (accepts(state->self, n) || (state->has_routes() && listening)) state->tasks.spawn(detail::accept_loop(state));
  for (std::size_t j = 0; j < n; ++j) {
    if (j == state->self) continue;
    if (!state->has_routes()) {
      if (dials(state->self, j)) state->tasks.spawn(detail::dial_peer(state, j));
    } else if (dials(state->self, j)) {
      detail::start_routed_dial(state, j);
    } else {
      detail::start_routed_accept(state, j);
    }
  }
}

// However connect_mesh ends (result, error, cancellation), nothing stays behind.
struct StopAll {
  MeshState& state;
  bool keep_listening = false;
  ~StopAll() {
    boost::system::error_code ignored;
    state.tasks.cancel_all();
    if (keep_listening) return;  // the Relinker's now
    if (state.acceptor) state.acceptor->close(ignored);
    detail::stop_pending(state);
  }
};

asio::awaitable<Mesh> connect_mesh_with(std::optional<tcp::acceptor> acceptor, const Roster& roster,
                                        std::size_t self, Clock::time_point deadline, const TcpOptions& options,
                                        bool relinkable) {
  using namespace asio::experimental::awaitable_operators;
  check_inputs(acceptor, roster, self, options);
  const auto started = Clock::now();
  const asio::any_io_executor executor = co_await asio::this_coro::executor;
  const auto state = std::make_shared<MeshState>(executor, roster, self, deadline, options, std::move(acceptor));
  StopAll stop_all{*state};
  detail::check_routes(*state);

  start_connecting(state);

  while (state->missing > 0 && !state->fatal && Clock::now() < deadline) {
    co_await (state->progress->wait() || detail::sleep_until(deadline));
  }
  boost::system::error_code ignored;
  // With a Relinker, the listening socket stays open (the accept loop ends and the
  // Relinker starts a new one once the Network takes its links).
  if (state->acceptor && !(relinkable && state->missing == 0 && !state->fatal)) state->acceptor->close(ignored);
  state->tasks.cancel_all();
  detail::stop_pending(*state);
  // Cancelled tasks end within a turn or two of the event loop; the bound only
  // guards against a bug turning into a hang.
  const auto drain_deadline = Clock::now() + std::chrono::seconds(2);
  while ((state->tasks.live() > 0 || state->handshakes_running > 0) && Clock::now() < drain_deadline) {
    co_await (state->progress->wait() || detail::sleep_until(drain_deadline));
  }
  if (state->fatal) std::rethrow_exception(state->fatal);
  if (state->missing > 0) throw PeerError(unreached_message(*state, Clock::now() - started));
  Mesh mesh{std::move(state->links), nullptr};
  if (relinkable) {
    stop_all.keep_listening = true;
    state->connected = true;
    state->stopping = false;
    // Accepted relinks have only their own handshake_timeout from now on.
    state->deadline = Clock::now() + std::chrono::hours(24 * 365);
    mesh.relinker = detail::make_mesh_relinker(state);
  }
  co_return mesh;
}

}  // namespace

asio::awaitable<Links> connect_mesh(std::optional<tcp::acceptor> acceptor, const Roster& roster,
                                    std::size_t self, Clock::time_point deadline,
                                    const TcpOptions& options) {
  Mesh mesh = co_await connect_mesh_with(std::move(acceptor), roster, self, deadline, options, false);
  co_return std::move(mesh.links);
}

asio::awaitable<Mesh> connect_mesh_relinkable(std::optional<tcp::acceptor> acceptor, const Roster& roster,
                                              std::size_t self, Clock::time_point deadline,
                                              const TcpOptions& options) {
  co_return co_await connect_mesh_with(std::move(acceptor), roster, self, deadline, options, true);
}

}  // namespace meshmpc::net
