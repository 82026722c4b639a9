// Relays (notes/rendezvous-protocol.md, "Server"): party i asks, on a new
// connection, for a pipe to party j; when j's request for i arrives the two
// sockets are joined and bytes flow both ways until either side closes. The
// first request waits in its session (owning its socket) so that no coroutine
// sits idle for it, and at most one waits per ordered pair.
#include <openssl/crypto.h>
#include <spdlog/spdlog.h>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <vector>

#include <meshmpc/error.hpp>

#include "server_state.hpp"

namespace meshmpc::rendezvous {

using detail::Clock;
using detail::Control;

namespace {

// 64 KiB at a time: a round of a large batch moves in few reads, and a pipe
// holds no more than two of these.
constexpr std::size_t kPipeBuffer = 64 * 1024;

// Copies until `from` ends, then half-closes `to` (the peer sees the same end of
// stream). A broken connection throws, which ends the other direction too.
asio::awaitable<void> copy(tcp::socket& from, tcp::socket& to) {
  std::vector<char> buffer(kPipeBuffer);
  for (;;) {
    auto [error, count] = co_await from.async_read_some(asio::buffer(buffer), asio::as_tuple(asio::use_awaitable));
    if (count > 0) co_await asio::async_write(to, asio::buffer(buffer.data(), count), asio::use_awaitable);
    if (error == asio::error::eof) {
      boost::system::error_code ignored;
      to.shutdown(tcp::socket::shutdown_send, ignored);
      co_return;
    }
    if (error) throw boost::system::system_error(error, "relay");
  }
}

// The party whose token this is, or n. Compared in constant time: the token is a
// credential.
std::size_t party_of(const detail::Session& session, const std::string& token) {
  std::size_t found = session.members.size();
  for (std::size_t i = 0; i < session.members.size(); ++i) {
    const std::string& own = session.members[i].token;
    if (own.size() == token.size() && CRYPTO_memcmp(own.data(), token.data(), token.size()) == 0) found = i;
  }
  return found;
}

asio::awaitable<void> run_pipe(std::shared_ptr<Server::State> state, detail::Pipe& pipe) {
  using namespace asio::experimental::awaitable_operators;
  const boost::json::object ready = encode(RelayReady{});
  const auto deadline = Clock::now() + state->options.write_timeout;
  co_await (write_message(pipe.a, ready, deadline) && write_message(pipe.b, ready, deadline));
  co_await (copy(pipe.a, pipe.b) && copy(pipe.b, pipe.a));
}

// Why a relay request of party `self` (n: none) of a session of n parties is
// refused; empty when it is not.
std::string relay_refusal(const Relay& relay, std::size_t self, std::size_t n) {
  std::string refusal;
  if (self == n) {
    refusal = "relay: the token is not one of session '" + relay.session + "'";
  } else if (relay.peer >= n) {
    refusal = "relay: peer " + std::to_string(relay.peer) + " is not a party of session '" + relay.session + "' (" +
              std::to_string(n) + " parties)";
  } else if (relay.peer == self) {
    refusal = "relay: party " + std::to_string(self) + " asked for a relay to itself";
  }
  return refusal;
}

}  // namespace

namespace detail {

asio::awaitable<void> serve_relay(std::shared_ptr<Server::State> state, std::shared_ptr<Control> control,
                                  boost::json::object first) {
  Relay relay;
  std::string malformed;
  try {
    relay = decode_relay(first);
  } catch (const ProtocolError& e) {
    malformed = e.what();
  }
  if (!malformed.empty()) {
    co_await refuse(state, control, std::move(malformed));
    co_return;
  }
  Session* const session = state->sessions.contains(relay.session) ? &state->sessions.at(relay.session) : nullptr;
  if (session == nullptr || !session->fixed) {
    std::string unknown = "relay: no session '" + relay.session + "' with a roster here";
    co_await refuse(state, control, std::move(unknown));
    co_return;
  }
  const std::size_t n = session->members.size();
  const std::size_t self = party_of(*session, relay.token);
  std::string refusal = relay_refusal(relay, self, n);
  if (!refusal.empty()) {
    spdlog::info("rendezvous: refused a relay from {}: {}", control->peer, refusal);
    co_await refuse(state, control, std::move(refusal));
    co_return;
  }
  const auto other = session->pending.find({relay.peer, self});
  if (other == session->pending.end()) {
    // Waits for the peer in the session; a request already waiting for this
    // pair is replaced (and closed): the party dialled again.
    session->pending.insert_or_assign({self, relay.peer},
                                      PendingRelay{std::move(control->socket), std::move(control->slot), Clock::now()});
    co_return;
  }
  Pipe pipe{std::move(other->second.socket), std::move(control->socket), std::move(other->second.slot),
            std::move(control->slot)};
  session->pending.erase(other);
  session->pipes.insert(&pipe);
  const std::string name = relay.session;
  const std::uint64_t id = session->id;
  spdlog::debug("rendezvous: relay between parties {} and {} of session '{}'", relay.peer, self, name);
  try {
    co_await run_pipe(state, pipe);
  } catch (const std::exception& e) {
    spdlog::debug("rendezvous: relay of session '{}' ended: {}", name, e.what());
  }
  pipe.close();
  if (Session* const still = state->find(name, id)) {
    still->pipes.erase(&pipe);
    state->drop_if_unused(name);
  }
}

}  // namespace detail

}  // namespace meshmpc::rendezvous
