// TCP simultaneous open (docs/net.md, "Routes"): both parties of a pair connect,
// from their own listening port, to each other's reflexive endpoint, so that each
// NAT maps the listening port outwards and lets the other's SYN in. Whichever way
// the connection forms — both connects completing, or one side's SYN reaching the
// other's listening socket — each end takes it by the dials() rule: the dialling
// party as dialled, the other as accepted.
#include <algorithm>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <meshmpc/net/deadline.hpp>
#include <meshmpc/net/error_text.hpp>

#include "mesh_state.hpp"

namespace meshmpc::net::detail {

using asio::ip::tcp;

namespace {

// Bounds on a pair's punching. One attempt lets the kernel send its SYN twice (the
// retransmission comes after 1 s): the peer's SYN may open its NAT only then.
constexpr std::size_t kPunchAttempts = 20;
constexpr std::chrono::milliseconds kPunchAttemptTimeout{1500};
constexpr std::chrono::milliseconds kFirstPunchDelay{50};
constexpr std::chrono::milliseconds kMaxPunchDelay{400};
// The roster's endpoints go first: where they work (one LAN, a public address) the
// direct dial connects well within this, and the link is reported direct rather
// than whichever route won a race.
constexpr std::chrono::milliseconds kDirectHeadStart{200};

asio::ip::address plain(const asio::ip::address& address) {
  if (address.is_v6() && address.to_v6().is_v4_mapped()) {
    return asio::ip::make_address_v4(asio::ip::v4_mapped, address.to_v6());
  }
  return address;
}

// One connect from our listening port to the peer's reflexive endpoint: the
// connected socket, or nullopt (the reason kept as the peer's last error).
asio::awaitable<std::optional<tcp::socket>> punch_once(MeshState& state, std::size_t peer,
                                                       const tcp::endpoint& target) {
  const asio::any_io_executor executor = co_await asio::this_coro::executor;
  const auto attempt_deadline =
      std::min({state.deadline, Clock::now() + kPunchAttemptTimeout, Clock::now() + state.options.attempt_timeout});
  std::string failure;
  try {
    tcp::socket socket = socket_on_port(executor, state.acceptor->local_endpoint(), target);
    const auto outcome =
        co_await until_deadline(socket.async_connect(target, asio::as_tuple(asio::use_awaitable)), attempt_deadline);
    if (outcome && !std::get<0>(*outcome)) co_return std::move(socket);
    failure = outcome ? std::get<0>(*outcome).message() : "timed out";
  } catch (const boost::system::system_error& error) {
    if (error.code() == asio::error::operation_aborted) throw;
    failure = error_text(error);
  }
  state.last_error[peer] = "punching to " + to_string(target) + ": " + failure;
  co_return std::nullopt;
}

// Another route is at the handshake with this peer: wait rather than add a socket.
bool busy(const MeshState& state, std::size_t peer) {
  return dials(state.self, peer) ? state.handshaking[peer] : state.reserved[peer];
}

}  // namespace

bool is_reflexive(const MeshState& state, std::size_t peer, const tcp::endpoint& remote) {
  const auto& reflexive = state.reflexive[peer];
  return reflexive && reflexive->port() == remote.port() && plain(reflexive->address()) == plain(remote.address());
}

namespace {

// Whether `party` is reached at its own address: its reflexive endpoint (what the
// rendezvous saw) is one of the endpoints it announced, so no NAT is in between.
bool on_public_address(const MeshState& state, std::size_t party) {
  const auto& reflexive = state.reflexive[party];
  if (!reflexive) return false;
  for (const Endpoint& endpoint : state.roster.party(party).endpoints) {
    boost::system::error_code error;
    const auto address = asio::ip::make_address(endpoint.host, error);
    if (!error && endpoint.port == reflexive->port() && plain(address) == plain(reflexive->address())) return true;
  }
  return false;
}

}  // namespace

std::optional<std::size_t> dialled_party_at(const MeshState& state, const tcp::endpoint& remote) {
  if (!state.has_routes()) return std::nullopt;
  for (std::size_t j = 0; j < state.self; ++j) {
    if (is_reflexive(state, j, remote)) return j;
  }
  // A NAT that picks a new port per connection (random ports) changes the port but
  // not the address: when we are on a public address and exactly one other party
  // is behind this one — a party we dial — its connection is that party's.
  if (!on_public_address(state, state.self)) return std::nullopt;
  std::optional<std::size_t> found;
  for (std::size_t j = 0; j < state.roster.size(); ++j) {
    const auto& reflexive = state.reflexive[j];
    if (j == state.self || !reflexive || plain(reflexive->address()) != plain(remote.address())) continue;
    if (found) return std::nullopt;
    found = j;
  }
  return found && dials(state.self, *found) && !settled(state, *found) ? found : std::nullopt;
}

LinkRoute punch_route(const MeshState& state, std::size_t peer) {
  const bool direct = on_public_address(state, state.self) || on_public_address(state, peer);
  return LinkRoute{direct ? LinkPath::direct : LinkPath::punched, ""};
}

asio::awaitable<void> punch_peer(std::shared_ptr<MeshState> state, std::size_t peer) {
  const tcp::endpoint target = *state->reflexive[peer];
  auto delay = kFirstPunchDelay;
  co_await sleep_until(std::min(state->deadline, state->started + kDirectHeadStart));
  for (std::size_t attempt = 0; attempt < kPunchAttempts && !settled(*state, peer); ++attempt) {
    if (!busy(*state, peer)) {
      std::optional<tcp::socket> socket = co_await punch_once(*state, peer, target);
      LinkRoute punched = punch_route(*state, peer);  // named: GCC 12 mishandles a prvalue class argument of a coroutine
      if (socket && dials(state->self, peer)) {
        if (co_await adopt_dialled(state, peer, std::move(*socket), std::move(punched))) co_return;
      } else if (socket) {
        co_await adopt_accepted(state, std::move(*socket), std::move(punched));
      }
    }
    if (settled(*state, peer)) co_return;
    co_await sleep_until(std::min(state->deadline, Clock::now() + delay));
    delay = std::min(2 * delay, kMaxPunchDelay);
  }
}

}  // namespace meshmpc::net::detail
