// The relay route (docs/net.md, "Routes"): when no link to a peer is up
// TcpOptions::relay_after into the connect phase, both parties of the pair call
// the peer's relay opener; the pipe it returns is taken by the dials() rule, and
// TLS runs end to end over it, so the relay carries ciphertext only.
#include <algorithm>
#include <exception>

#include <meshmpc/net/deadline.hpp>

#include "mesh_state.hpp"

namespace meshmpc::net::detail {

using asio::ip::tcp;

namespace {

// A relay pipe that fails (the other party gave up its end, a handshake failed)
// is opened again, this many times at most, with a pause between.
constexpr std::size_t kRelayAttempts = 3;
constexpr std::chrono::milliseconds kRelayPause{200};

// The opener's socket, or nullopt with the reason kept as the peer's last error.
asio::awaitable<std::optional<tcp::socket>> open_relay(MeshState& state, std::size_t peer) {
  std::string failure;
  try {
    std::optional<tcp::socket> socket =
        co_await until_deadline(state.options.routes[peer].relay(state.deadline), state.deadline);
    if (socket && socket->is_open()) co_return std::move(socket);
    failure = socket ? "the opener returned a closed socket" : "no pipe before the deadline";
  } catch (const boost::system::system_error& error) {
    if (error.code() == asio::error::operation_aborted) throw;
    failure = error.what();
  } catch (const std::exception& error) {
    failure = error.what();
  }
  state.last_error[peer] = "the relay: " + failure;
  co_return std::nullopt;
}

// The relay's address; a plaintext pipe through a relay off this machine is
// refused as any plaintext link would be (state.fatal).
std::optional<LinkRoute> relay_route(MeshState& state, std::size_t peer, tcp::socket& socket) {
  boost::system::error_code error;
  const tcp::endpoint relay = socket.remote_endpoint(error);
  if (error) return std::nullopt;  // gone already: the next attempt
  if (const auto fault = plaintext_fault(state.options, relay.address())) {
    socket.close(error);
    state.fatal = std::make_exception_ptr(ConfigError(state.self_name() + " will not reach " +
                                                      describe(state.roster.party(peer)) + " through the relay at " +
                                                      to_string(relay) + ": " + *fault));
    state.progress->notify();
    return std::nullopt;
  }
  return LinkRoute{LinkPath::relayed, to_string(relay)};
}

}  // namespace

asio::awaitable<void> relay_peer(std::shared_ptr<MeshState> state, std::size_t peer) {
  co_await sleep_until(std::min(state->deadline, state->started + state->options.relay_after));
  for (std::size_t attempt = 0; attempt < kRelayAttempts && !settled(*state, peer); ++attempt) {
    std::optional<tcp::socket> socket = co_await open_relay(*state, peer);
    std::optional<LinkRoute> route;
    if (socket) route = relay_route(*state, peer, *socket);
    if (route && dials(state->self, peer)) {
      if (co_await adopt_dialled(state, peer, std::move(*socket), std::move(*route))) co_return;
    } else if (route) {
      co_await adopt_accepted(state, std::move(*socket), std::move(*route));
    }
    if (settled(*state, peer)) co_return;
    co_await sleep_until(std::min(state->deadline, Clock::now() + kRelayPause));
  }
}

}  // namespace meshmpc::net::detail
