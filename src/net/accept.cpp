// Accepting: the accept loop of connect_mesh (and of its Relinker), and what an
// accepted connection goes through before it becomes a link — the plaintext rule,
// the plugin's identity check, TLS, the handshake — each within its own timeout.
#include <algorithm>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <meshmpc/net/deadline.hpp>
#include <meshmpc/net/handshake.hpp>
#include <meshmpc/net/tls/context.hpp>
#include <meshmpc/net/tls/link.hpp>

#include "mesh_state.hpp"

namespace meshmpc::net::detail {

namespace {

using asio::ip::tcp;

// Counts a refused connection, keeps the first few reasons for the connect error
// (shortened) and tells options.on_refusal.
void note_refusal(MeshState& state, const std::string& reason) {
  if (++state.refusal_count <= kListedRefusals) {
    std::size_t cut = std::min(reason.size(), kRefusalChars);
    while (cut < reason.size() && cut > 0 && (static_cast<unsigned char>(reason[cut]) & 0xC0) == 0x80) --cut;
    state.refusals.push_back(cut == reason.size() ? reason : reason.substr(0, cut) + "…");  // whole UTF-8 characters
  }
  if (state.options.on_refusal) state.options.on_refusal(reason);
}

// The route of an accepted connection from `claimed`: `known` for one a route
// made (punched, relayed); else punched when it comes from the party's reflexive
// endpoint (its simultaneous open reached our listening port), direct otherwise.
LinkRoute route_of(const MeshState& state, std::size_t claimed, const tcp::endpoint& remote,
                   const std::optional<LinkRoute>& known) {
  if (known) return *known;
  if (is_reflexive(state, claimed, remote)) return punch_route(state, claimed);
  return LinkRoute{};
}

// The handshake on an accepted connection and, when it passes, the link.
// `certified` lists the parties the peer's TLS certificate may be (nullopt
// without TLS).
template <typename Stream>
asio::awaitable<void> finish_accept(std::shared_ptr<MeshState> state, Stream stream, const tcp::endpoint& from,
                                    const std::optional<LinkRoute>& known, const IdentityVerdict& identity,
                                    std::optional<std::vector<std::size_t>> certified) {
  const std::string remote = to_string(from);
  std::optional<std::size_t> reserved;
  const ClaimCheck allowed = [&](std::size_t claimed) -> std::optional<std::string> {
    const std::string who = describe(state->roster.party(claimed));
    if (certified && std::find(certified->begin(), certified->end(), claimed) == certified->end()) {
      return "the peer claims to be " + who + " but presented the certificate of " +
             describe(state->roster.party(certified->front()));
    }
    if (dials(state->self, claimed)) {
      return who + " must wait for our call: the party with the higher id dials";
    }
    // After connect_mesh, a party connects again when its link broke: the new
    // connection replaces the old link (which we may not have seen break yet).
    if ((!state->connected && state->links[claimed]) || state->reserved[claimed]) {
      return who + " is already connected (a duplicate connection)";
    }
    if (auto fault = identity_fault(identity, state->roster.party(claimed))) {
      return who + " failed the identity check: " + *fault;
    }
    state->reserved[claimed] = true;
    reserved = claimed;
    return std::nullopt;
  };
  try {
    const std::size_t claimed = co_await run_handshake(stream, state->roster, state->self, Role::acceptor,
                                                       remote, allowed, state->deadline);
    state->reserved[claimed] = false;
    state->link_up(claimed, state->make_link(claimed, std::move(stream), route_of(*state, claimed, from, known)));
  } catch (const Error& error) {
    if (reserved) state->reserved[*reserved] = false;
    note_refusal(*state, error.what());
  } catch (const boost::system::system_error&) {
    // The caller hung up mid-handshake; if it was a party, it dials again.
    if (reserved) state->reserved[*reserved] = false;
  }
}

asio::awaitable<void> accept_peer(std::shared_ptr<MeshState> state, tcp::socket socket,
                                  std::optional<LinkRoute> known) {
  configure_socket(socket, state->options);
  boost::system::error_code ignored;
  const tcp::endpoint remote_endpoint = socket.remote_endpoint(ignored);
  const std::string remote = to_string(remote_endpoint);
  if (const auto fault = plaintext_fault(state->options, remote_endpoint.address())) {
    socket.close(ignored);  // nothing sent: the caller is refused before it learns anything
    note_refusal(*state, state->self_name() + " refused a connection from " + remote + ": " + *fault);
    co_return;
  }
  const IdentityVerdict identity = co_await identity_verdict(state->options, remote_endpoint, state->deadline);
  if (!state->options.tls) {
    co_await finish_accept(state, std::move(socket), remote_endpoint, known, identity, std::nullopt);
    co_return;
  }
  tls::Context& context = *state->options.tls;
  tls::Stream stream(std::move(socket), context.native());
  std::vector<std::size_t> certified;
  try {
    const tls::PeerCertificate certificate = co_await tls::handshake(stream, context, false, remote, state->deadline);
    certified = tls::parties_of(context, certificate, state->roster);
    if (certified.empty()) {
      stream.lowest_layer().close(ignored);  // a stranger: not even our hello
      note_refusal(*state, state->self_name() + " refused a connection from " + remote + ": " +
                               tls::unmatched_reason(context, certificate, state->roster));
      co_return;
    }
  } catch (const Error& error) {
    note_refusal(*state, state->self_name() + " refused a connection: " + error.what());
    co_return;
  } catch (const boost::system::system_error&) {
    co_return;  // hung up before TLS began; a party dials again
  }
  co_await finish_accept(state, std::move(stream), remote_endpoint, known, identity, std::move(certified));
}

// The handshake of one accepted connection, ended by its PendingHandshake's timer.
asio::awaitable<void> run_pending(std::shared_ptr<MeshState> state, tcp::socket socket,
                                  std::list<PendingHandshake>::iterator entry, std::optional<LinkRoute> known) {
  using namespace asio::experimental::awaitable_operators;
  std::exception_ptr failure;
  const auto outcome = co_await (detail::capture_failure(accept_peer(state, std::move(socket), std::move(known)),
                                                         failure) ||
                                 entry->timer.async_wait(asio::as_tuple(asio::use_awaitable)));
  if (outcome.index() == 1 && !entry->evicted && !state->stopping &&
      ++state->timed_out == 1 && state->options.on_refusal) {
    state->options.on_refusal(state->self_name() + " closed a connection from " + entry->address.to_string() +
                              " that did not finish the handshake within " +
                              detail::format_seconds(state->options.handshake_timeout) +
                              "; further ones are counted, not logged");
  }
  if (failure) std::rethrow_exception(failure);
}

// A punched connection from a party we dial reached our listening port: it is a
// candidate for the dialler's handshake. At most kWaitingCandidates wait; after
// the connect phase (punched links are not relinked) it is closed.
void hand_to_dialler(const std::shared_ptr<MeshState>& state, std::size_t peer, tcp::socket socket) {
  if (state->connected || state->stopping || settled(*state, peer) || state->waiting[peer] >= kWaitingCandidates) {
    boost::system::error_code ignored;
    socket.close(ignored);
    return;
  }
  // Counted from now, not from when the task starts: a burst of accepts between
  // two turns of the event loop must not get past the cap.
  ++state->waiting[peer];
  state->tasks.spawn([](std::shared_ptr<MeshState> s, std::size_t p, tcp::socket c) -> asio::awaitable<void> {
    --s->waiting[p];  // adopt_dialled counts it again at once
    LinkRoute punched = punch_route(*s, p);  // named: GCC 12 mishandles a prvalue class argument of a coroutine
    co_await adopt_dialled(s, p, std::move(c), std::move(punched));
  }(state, peer, std::move(socket)));
}

bool out_of_descriptors(const boost::system::error_code& error) {
  return error == boost::system::errc::too_many_files_open ||
         error == boost::system::errc::too_many_files_open_in_system ||
         error == boost::system::errc::no_buffer_space || error == boost::system::errc::not_enough_memory;
}

}  // namespace

asio::awaitable<void> accept_loop(std::shared_ptr<MeshState> state) {
  const asio::any_io_executor executor = co_await asio::this_coro::executor;
  for (;;) {
    auto [error, socket] = co_await state->acceptor->async_accept(asio::as_tuple(asio::use_awaitable));
    if (error == asio::error::operation_aborted || !state->acceptor->is_open()) co_return;
    if (error) {
      ++state->accept_failures;
      state->last_accept_failure = error.message();
      // Out of descriptors, a party's connection may wait in the listen queue behind
      // a flood's: close the oldest pending handshake (a flood's, most likely) so
      // the next accept can take it, and breathe.
      if (out_of_descriptors(error) && state->pending_live > 0) {
        evict_oldest(*state, busiest_address(*state), "out of file descriptors: " + error.message());
      }
      co_await sleep_until(Clock::now() + state->options.first_retry_delay);
      continue;
    }
    boost::system::error_code gone;
    const tcp::endpoint remote = socket.remote_endpoint(gone);
    if (gone) continue;  // reset before we looked: nothing to do
    if (const auto peer = dialled_party_at(*state, remote)) {
      hand_to_dialler(state, *peer, std::move(socket));
      continue;
    }
    const auto entry = admit_pending(*state, executor, remote.address());
    // Not a TaskGroup task: a flood makes many short ones, and each TaskGroup task
    // keeps its cancellation signal until the group ends. The timer stops this one.
    std::optional<LinkRoute> unknown;  // named: GCC 12 mishandles a prvalue class argument of a coroutine
    asio::co_spawn(executor, run_pending(state, std::move(socket), entry, std::move(unknown)),
                   [state, entry](std::exception_ptr) { release_pending(*state, entry); });
  }
}

asio::awaitable<void> adopt_accepted(std::shared_ptr<MeshState> state, tcp::socket socket, LinkRoute route) {
  boost::system::error_code gone;
  const tcp::endpoint remote = socket.remote_endpoint(gone);
  if (gone) co_return;
  const auto entry = admit_pending(*state, co_await asio::this_coro::executor, remote.address());
  struct Release {
    MeshState& state;
    std::list<PendingHandshake>::iterator entry;
    ~Release() { release_pending(state, entry); }
  } release{*state, entry};
  std::optional<LinkRoute> known(std::move(route));  // named: see dial_attempt
  co_await run_pending(state, std::move(socket), entry, std::move(known));
}

}  // namespace meshmpc::net::detail
