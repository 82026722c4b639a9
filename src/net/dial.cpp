// Dialling: dial_once (one attempt at each of a party's endpoints) and the mesh's
// dialling of every party with a lower id, with backoff until the deadline.
#include <algorithm>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/connect.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <meshmpc/net/deadline.hpp>
#include <meshmpc/net/error_text.hpp>
#include <meshmpc/net/handshake.hpp>
#include <meshmpc/net/tls/context.hpp>
#include <meshmpc/net/tls/link.hpp>

#include "mesh_state.hpp"

namespace meshmpc::net {

using asio::ip::tcp;
using detail::Clock;

namespace {

// Resolves and connects; throws ConfigError, before any packet is sent, when an
// address it resolves to may not carry plaintext.
asio::awaitable<boost::system::error_code> connect_endpoint(tcp::resolver& resolver, tcp::socket& socket,
                                                            const Endpoint& endpoint, const TcpOptions& options) {
  const std::optional<asio::ip::address>& source = options.source_address;
  auto [resolve_error, results] =
      co_await resolver.async_resolve(endpoint.host, std::to_string(endpoint.port),
                                      tcp::resolver::numeric_service, asio::as_tuple(asio::use_awaitable));
  if (resolve_error) co_return resolve_error;
  for (const auto& entry : results) {
    if (const auto fault = detail::plaintext_fault(options, entry.endpoint().address())) {
      throw ConfigError("will not dial " + to_string(endpoint) + ": " + *fault);
    }
  }
  if (!source) {
    auto [connect_error, reached] = co_await asio::async_connect(socket, results, asio::as_tuple(asio::use_awaitable));
    (void)reached;
    co_return connect_error;
  }
  // async_connect over a range reopens the socket per address, which would drop
  // the bind: try the addresses one by one instead.
  boost::system::error_code last = asio::error::host_not_found;
  for (const auto& entry : results) {
    const tcp::endpoint target = entry.endpoint();
    boost::system::error_code ignored;
    socket.close(ignored);
    if (socket.open(target.protocol(), last)) continue;
    if (source->is_v6() == target.address().is_v6() && socket.bind(tcp::endpoint(*source, 0), last)) continue;
    auto [connect_error] = co_await socket.async_connect(target, asio::as_tuple(asio::use_awaitable));
    last = connect_error;
    if (!last || last == asio::error::operation_aborted) break;
  }
  co_return last;
}

}  // namespace

asio::awaitable<tcp::socket> dial_once(const PartyInfo& party, Clock::time_point deadline,
                                       const TcpOptions& options) {
  const asio::any_io_executor executor = co_await asio::this_coro::executor;
  boost::system::error_code last = asio::error::host_not_found;
  std::string where = describe(party) + " has no endpoint";
  for (const Endpoint& endpoint : party.endpoints) {
    if (endpoint.port == 0) continue;
    const auto attempt_deadline = std::min(deadline, Clock::now() + options.attempt_timeout);
    tcp::resolver resolver(executor);
    tcp::socket socket(executor);
    std::optional<boost::system::error_code> outcome;
    try {
      outcome = co_await until_deadline(connect_endpoint(resolver, socket, endpoint, options), attempt_deadline);
    } catch (const ConfigError& error) {
      throw ConfigError(describe(party) + ": " + error.what());
    }
    last = outcome ? *outcome : asio::error::timed_out;
    where = to_string(endpoint);
    if (!last) co_return socket;
    if (last == asio::error::operation_aborted) break;
  }
  throw boost::system::system_error(last, where);
}

namespace detail {

namespace {

// The handshake on a dialled connection to `peer` and, when it passes, the link.
template <typename Stream>
asio::awaitable<std::unique_ptr<Link>> finish_dial(MeshState& state, Stream stream, const std::string& remote,
                                                   const ClaimCheck& expect_target, LinkRoute route,
                                                   Clock::time_point deadline) {
  const std::size_t claimed =
      co_await run_handshake(stream, state.roster, state.self, Role::dialler, remote, expect_target, deadline);
  co_return state.make_link(claimed, std::move(stream), std::move(route));
}

}  // namespace

asio::awaitable<std::unique_ptr<Link>> dial_handshake(std::shared_ptr<MeshState> state, std::size_t peer,
                                                      tcp::socket socket, LinkRoute route,
                                                      Clock::time_point deadline) {
  const PartyInfo& target = state->roster.party(peer);
  configure_socket(socket, state->options);
  boost::system::error_code ignored;
  const std::string remote = describe(target) + " at " + to_string(socket.remote_endpoint(ignored));
  const IdentityVerdict identity = co_await identity_verdict(state->options, socket.remote_endpoint(ignored), deadline);
  const ClaimCheck expect_target = [&](std::size_t claimed) -> std::optional<std::string> {
    if (claimed != peer) {
      return "we dialled " + describe(target) + " but the peer claims to be " + describe(state->roster.party(claimed));
    }
    if (auto fault = identity_fault(identity, target)) {
      return describe(target) + " failed the identity check: " + *fault;
    }
    return std::nullopt;
  };
  if (!state->options.tls) {
    co_return co_await finish_dial(*state, std::move(socket), remote, expect_target, std::move(route), deadline);
  }
  tls::Context& context = *state->options.tls;
  tls::Stream stream(std::move(socket), context.native());
  const tls::PeerCertificate certificate = co_await tls::handshake(stream, context, true, remote, deadline);
  if (const auto fault = tls::identity_fault(context, certificate, target)) {
    boost::system::error_code closing;
    stream.lowest_layer().close(closing);
    throw PeerError(state->self_name() + ": " + remote + " is not who the roster says: " + *fault);
  }
  co_return co_await finish_dial(*state, std::move(stream), remote, expect_target, std::move(route), deadline);
}

asio::awaitable<std::unique_ptr<Link>> dial_attempt(std::shared_ptr<MeshState> state, std::size_t peer,
                                                    Clock::time_point deadline) {
  tcp::socket socket = co_await dial_once(state->roster.party(peer), deadline, state->options);
  LinkRoute direct;  // named: GCC 12 mishandles a prvalue class argument of a coroutine
  co_return co_await dial_handshake(state, peer, std::move(socket), std::move(direct), deadline);
}

bool is_tls_error(const boost::system::system_error& error) {
  return error.code().category() == asio::error::get_ssl_category();
}

PeerError tls_refusal(const MeshState& state, std::size_t peer, const boost::system::system_error& error) {
  return PeerError(state.self_name() + ": " + describe(state.roster.party(peer)) + " ended our TLS connection: " +
                   error.code().message() +
                   " (it did not accept our certificate: is this party's "
                   "fingerprint in its roster, or our certificate from its CA?)");
}

asio::awaitable<void> dial_peer(std::shared_ptr<MeshState> state, std::size_t peer) {
  auto delay = state->options.first_retry_delay;
  for (;;) {
    try {
      state->link_up(peer, co_await dial_attempt(state, peer, state->deadline));
      co_return;
    } catch (const Error&) {
      // A refusal (either way) or a malformed verdict: retrying cannot help.
      state->fatal = std::current_exception();
      state->progress->notify();
      co_return;
    } catch (const boost::system::system_error& error) {
      if (error.code() == asio::error::operation_aborted) co_return;
      if (is_tls_error(error)) {
        state->fatal = std::make_exception_ptr(tls_refusal(*state, peer, error));
        state->progress->notify();
        co_return;
      }
      state->last_error[peer] = error_text(error);
    }
    const auto wake = Clock::now() + delay;
    if (wake >= state->deadline) co_return;
    co_await detail::sleep_until(wake);
    delay = std::min(2 * delay, state->options.max_retry_delay);
  }
}

}  // namespace detail

}  // namespace meshmpc::net
