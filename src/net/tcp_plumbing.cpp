#include "meshmpc/net/tcp_plumbing.hpp"

#include <algorithm>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/connect.hpp>
#include <boost/asio/ip/v6_only.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <list>
#include <map>

#include "async_util.hpp"
#include "meshmpc/error.hpp"
#include "meshmpc/net/deadline.hpp"
#include "meshmpc/net/error_text.hpp"
#include "meshmpc/net/handshake.hpp"
#include "meshmpc/net/stream_link.hpp"
#include "meshmpc/net/tls/context.hpp"
#include "meshmpc/net/tls/link.hpp"

namespace meshmpc::net {

namespace {

using asio::ip::tcp;
using Clock = std::chrono::steady_clock;

bool is_loopback(const asio::ip::address& address) {
  if (address.is_v6() && address.to_v6().is_v4_mapped()) {
    return asio::ip::make_address_v4(asio::ip::v4_mapped, address.to_v6()).is_loopback();
  }
  return address.is_loopback();
}

// Why a plaintext link to or from `remote` is not allowed, or nullopt.
std::optional<std::string> plaintext_fault(const TcpOptions& options, const asio::ip::address& remote) {
  if (options.tls || options.plaintext != Plaintext::loopback_only || is_loopback(remote)) return std::nullopt;
  return remote.to_string() + " is not on this machine, and without TLS every share and key would cross the "
         "network in clear: give every party --ssl (keys from meshmpc-keygen), or use --transport tailscale or "
         "--transport nebula; --insecure-plaintext allows it on a network you trust";
}

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
    if (const auto fault = plaintext_fault(options, entry.endpoint().address())) {
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

// options.identity_check's verdict on the peer at `remote`, asked within the
// deadline. When the check throws or misses the deadline, a verdict refusing every
// party with that reason; without a check, an empty verdict (no objection).
asio::awaitable<IdentityVerdict> identity_verdict(const TcpOptions& options, const tcp::endpoint& remote,
                                                  Clock::time_point deadline) {
  if (!options.identity_check) co_return IdentityVerdict{};
  std::string failure;
  try {
    std::optional<IdentityVerdict> verdict = co_await until_deadline(options.identity_check(remote), deadline);
    if (verdict && *verdict) co_return std::move(*verdict);
    failure = verdict ? "the identity check gave no verdict" : "the identity check did not finish before the deadline";
  } catch (const std::exception& error) {
    failure = error.what();
  }
  co_return [failure](const PartyInfo&) -> std::optional<std::string> { return failure; };
}

// Why the peer cannot be `party` according to `verdict`, or nullopt.
std::optional<std::string> identity_fault(const IdentityVerdict& verdict, const PartyInfo& party) {
  if (!verdict) return std::nullopt;
  return verdict(party);
}

// The connect error lists this many refusals in full, each cut to this length, and
// counts the rest: a flood of bad handshakes must not make a message of megabytes.
constexpr std::size_t kListedRefusals = 5;
constexpr std::size_t kRefusalChars = 300;

// An accepted connection whose handshake is under way. Its timer ends the
// handshake: at TcpOptions::handshake_timeout, or at once when it is evicted to
// make room (TcpOptions::max_pending_handshakes) or connect_mesh ends.
struct PendingHandshake {
  asio::ip::address address;
  asio::steady_timer timer;
  bool evicted = false;
};

// What connect_mesh's coroutines share. All of it lives on one executor.
struct MeshState {
  MeshState(const asio::any_io_executor& executor, const Roster& roster_in, std::size_t self_in,
            Clock::time_point deadline_in, const TcpOptions& options_in,
            std::optional<tcp::acceptor> acceptor_in)
      : roster(roster_in),
        self(self_in),
        deadline(deadline_in),
        options(options_in),
        acceptor(std::move(acceptor_in)),
        links(roster_in.size()),
        reserved(roster_in.size(), false),
        last_error(roster_in.size()),
        missing(roster_in.size() - 1),
        progress(std::make_shared<detail::Notifier>(executor)),
        tasks(executor, progress) {}

  Roster roster;
  std::size_t self;
  Clock::time_point deadline;
  TcpOptions options;
  std::optional<tcp::acceptor> acceptor;
  Links links;
  std::vector<bool> reserved;  // a handshake claiming this id is under way
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
  // Shared with the TaskGroup: a task's completion handler may notify after this state is gone.
  std::shared_ptr<detail::Notifier> progress;
  detail::TaskGroup tasks;

  std::string self_name() const { return describe(roster.party(self)); }

  template <typename Stream>
  std::unique_ptr<Link> make_link(std::size_t peer, Stream stream) const {
    return std::make_unique<StreamLink<Stream>>(std::move(stream), peer, describe(roster.party(peer)),
                                                options.max_frame);
  }

  void link_up(std::size_t peer, std::unique_ptr<Link> link) {
    if (connected) {
      if (offer) offer(std::move(link));  // a relink: the Network takes it from here
      return;
    }
    links[peer] = std::move(link);
    --missing;
    progress->notify();
  }
};

// The handshake on a dialled connection to `peer` and, when it passes, the link.
template <typename Stream>
asio::awaitable<std::unique_ptr<Link>> finish_dial(MeshState& state, Stream stream, const std::string& remote,
                                                   const ClaimCheck& expect_target, Clock::time_point deadline) {
  const std::size_t claimed =
      co_await run_handshake(stream, state.roster, state.self, Role::dialler, remote, expect_target, deadline);
  co_return state.make_link(claimed, std::move(stream));
}

// One attempt to reach `peer`, a party we dial: connect, identity, TLS and our
// handshake. Throws Error for a refusal (retrying cannot help) and
// boost::system::system_error when the connection failed.
asio::awaitable<std::unique_ptr<Link>> dial_attempt(std::shared_ptr<MeshState> state, std::size_t peer,
                                                    Clock::time_point deadline) {
  const PartyInfo& target = state->roster.party(peer);
  tcp::socket socket = co_await dial_once(target, deadline, state->options);
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
  if (!state->options.tls) co_return co_await finish_dial(*state, std::move(socket), remote, expect_target, deadline);
  tls::Context& context = *state->options.tls;
  tls::Stream stream(std::move(socket), context.native());
  const tls::PeerCertificate certificate = co_await tls::handshake(stream, context, true, remote, deadline);
  if (const auto fault = tls::identity_fault(context, certificate, target)) {
    boost::system::error_code closing;
    stream.lowest_layer().close(closing);
    throw PeerError(state->self_name() + ": " + remote + " is not who the roster says: " + *fault);
  }
  co_return co_await finish_dial(*state, std::move(stream), remote, expect_target, deadline);
}

// TLS 1.3 clients learn that the server refused their certificate only at the
// first read after the handshake: a refusal, not worth a retry.
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
      if (error.code().category() == asio::error::get_ssl_category()) {
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

void refuse(MeshState& state, const std::string& reason) {
  if (++state.refusal_count <= kListedRefusals) {
    std::size_t cut = std::min(reason.size(), kRefusalChars);
    while (cut < reason.size() && cut > 0 && (static_cast<unsigned char>(reason[cut]) & 0xC0) == 0x80) --cut;
    state.refusals.push_back(cut == reason.size() ? reason : reason.substr(0, cut) + "…");  // whole UTF-8 characters
  }
  if (state.options.on_refusal) state.options.on_refusal(reason);
}

// The handshake on an accepted connection and, when it passes, the link.
// `certified` lists the parties the peer's TLS certificate may be (nullopt
// without TLS).
template <typename Stream>
asio::awaitable<void> finish_accept(std::shared_ptr<MeshState> state, Stream stream, const std::string& remote,
                                    const IdentityVerdict& identity,
                                    std::optional<std::vector<std::size_t>> certified) {
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
    state->link_up(claimed, state->make_link(claimed, std::move(stream)));
  } catch (const Error& error) {
    if (reserved) state->reserved[*reserved] = false;
    refuse(*state, error.what());
  } catch (const boost::system::system_error&) {
    // The caller hung up mid-handshake; if it was a party, it dials again.
    if (reserved) state->reserved[*reserved] = false;
  }
}

asio::awaitable<void> accept_peer(std::shared_ptr<MeshState> state, tcp::socket socket) {
  configure_socket(socket, state->options);
  boost::system::error_code ignored;
  const tcp::endpoint remote_endpoint = socket.remote_endpoint(ignored);
  const std::string remote = to_string(remote_endpoint);
  if (const auto fault = plaintext_fault(state->options, remote_endpoint.address())) {
    socket.close(ignored);  // nothing sent: the caller is refused before it learns anything
    refuse(*state, state->self_name() + " refused a connection from " + remote + ": " + *fault);
    co_return;
  }
  const IdentityVerdict identity = co_await identity_verdict(state->options, remote_endpoint, state->deadline);
  if (!state->options.tls) {
    co_await finish_accept(state, std::move(socket), remote, identity, std::nullopt);
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
      refuse(*state, state->self_name() + " refused a connection from " + remote + ": " +
                         tls::unmatched_reason(context, certificate, state->roster));
      co_return;
    }
  } catch (const Error& error) {
    refuse(*state, state->self_name() + " refused a connection: " + error.what());
    co_return;
  } catch (const boost::system::system_error&) {
    co_return;  // hung up before TLS began; a party dials again
  }
  co_await finish_accept(state, std::move(stream), remote, identity, std::move(certified));
}

void forget_pending(MeshState& state, const asio::ip::address& address) {
  const auto from = state.pending_from.find(address);
  if (from != state.pending_from.end() && --from->second == 0) state.pending_from.erase(from);
  --state.pending_live;
}

// Closes the oldest pending handshake from `address` (its coroutine ends within a
// turn of the event loop, and with it the socket).
void evict_oldest(MeshState& state, const asio::ip::address& address, const std::string& why) {
  const auto oldest = std::find_if(state.pending.begin(), state.pending.end(), [&](const PendingHandshake& p) {
    return !p.evicted && p.address == address;
  });
  if (oldest == state.pending.end()) return;
  oldest->evicted = true;
  oldest->timer.expires_at(Clock::now());  // ends the wait, or the next one at once
  forget_pending(state, address);
  // Logged once: a flood would otherwise write a line per socket. The connect
  // error counts them all.
  if (++state.evicted == 1 && state.options.on_refusal) {
    state.options.on_refusal(state.self_name() + " closed the oldest pending handshake from " + address.to_string() +
                             " to make room (" + why + "); further ones are counted, not logged");
  }
}

const asio::ip::address& busiest_address(const MeshState& state) {
  return std::max_element(state.pending_from.begin(), state.pending_from.end(),
                          [](const auto& a, const auto& b) { return a.second < b.second; })
      ->first;
}

// Room for one more pending handshake from `address`: at a cap, the oldest from
// that address (per-address cap) or from the address with the most (total cap) is
// closed. Evicting the oldest rather than refusing the newest is what lets the
// honest party in: its connection arrives after a flood's, its handshake needs a
// round trip, and only a flood of a cap's worth of new sockets within that round
// trip could push it out (it then dials again). The parties that dial us are
// headroom on both caps, so they alone never evict one another.
void make_room(MeshState& state, const asio::ip::address& address) {
  const std::size_t headroom = state.roster.size() - state.self - 1;
  const std::size_t per_address = state.options.max_pending_per_address + headroom;
  const std::size_t total = state.options.max_pending_handshakes + headroom;
  const auto from = state.pending_from.find(address);
  if (from != state.pending_from.end() && from->second >= per_address) {
    evict_oldest(state, address, std::to_string(per_address) + " pending from one address");
  } else if (state.pending_live >= total) {
    evict_oldest(state, busiest_address(state), std::to_string(total) + " pending in all");
  }
}

// The handshake of one accepted connection, ended by its PendingHandshake's timer.
asio::awaitable<void> run_pending(std::shared_ptr<MeshState> state, tcp::socket socket,
                                  std::list<PendingHandshake>::iterator entry) {
  using namespace asio::experimental::awaitable_operators;
  std::exception_ptr failure;
  const auto outcome = co_await (detail::capture_failure(accept_peer(state, std::move(socket)), failure) ||
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

bool out_of_descriptors(const boost::system::error_code& error) {
  return error == boost::system::errc::too_many_files_open ||
         error == boost::system::errc::too_many_files_open_in_system ||
         error == boost::system::errc::no_buffer_space || error == boost::system::errc::not_enough_memory;
}

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
      co_await detail::sleep_until(Clock::now() + state->options.first_retry_delay);
      continue;
    }
    boost::system::error_code gone;
    const tcp::endpoint remote = socket.remote_endpoint(gone);
    if (gone) continue;  // reset before we looked: nothing to do
    make_room(*state, remote.address());
    const auto entry = state->pending.insert(
        state->pending.end(),
        PendingHandshake{remote.address(),
                         asio::steady_timer(executor, std::min(state->deadline,
                                                               Clock::now() + state->options.handshake_timeout)),
                         false});
    ++state->pending_from[remote.address()];
    ++state->pending_live;
    ++state->handshakes_running;
    // Not a TaskGroup task: a flood makes many short ones, and each TaskGroup task
    // keeps its cancellation signal until the group ends. The timer stops this one.
    asio::co_spawn(executor, run_pending(state, std::move(socket), entry), [state, entry](std::exception_ptr) {
      if (!entry->evicted) forget_pending(*state, entry->address);
      state->pending.erase(entry);
      --state->handshakes_running;
      state->progress->notify();
    });
  }
}

// Ends every pending handshake (connect_mesh is returning).
void stop_pending(MeshState& state) {
  state.stopping = true;
  for (PendingHandshake& p : state.pending) p.timer.expires_at(Clock::now());
}

// Relinking after connect_mesh (relinker.hpp): the listening socket stays open and
// its accept loop goes on, with the same handshake, checks and caps; redial is
// dial_peer's attempt with its backoff, until the Network's deadline.
class MeshRelinker final : public Relinker {
 public:
  explicit MeshRelinker(std::shared_ptr<MeshState> state) : state_(std::move(state)) {}
  ~MeshRelinker() override { stop(); }

  void start(std::function<void(std::unique_ptr<Link>)> offer) override {
    state_->offer = std::move(offer);
    // Not a TaskGroup task: the group lives in the state, and this loop may hold
    // the last reference to it. Closing the acceptor (stop) ends it.
    if (state_->acceptor && state_->acceptor->is_open()) {
      asio::co_spawn(state_->acceptor->get_executor(), accept_loop(state_), [state = state_](std::exception_ptr) {});
    }
  }

  asio::awaitable<std::unique_ptr<Link>> redial(std::size_t peer, Clock::time_point deadline) override {
    const std::shared_ptr<MeshState> state = state_;
    const std::string target = describe(state->roster.party(peer));
    auto delay = state->options.first_retry_delay;
    std::string last = "no attempt before the deadline";
    for (;;) {
      if (stopped_) throw PeerError(state->self_name() + ": stopped dialling " + target);
      try {
        co_return co_await dial_attempt(state, peer, deadline);
      } catch (const boost::system::system_error& error) {
        if (error.code().category() == asio::error::get_ssl_category()) throw tls_refusal(*state, peer, error);
        // Nobody listens at its address any more: the party is gone (killed, or
        // ended), and waiting out the window would only delay naming it.
        if (error.code() == asio::error::connection_refused) {
          throw PeerError(target + " refused the connection (" + error_text(error) + "): it is gone");
        }
        last = error_text(error);
      }
      const auto wake = Clock::now() + delay;
      if (wake >= deadline) throw PeerError(target + " was not reached in time (last error: " + last + ")");
      co_await detail::sleep_until(wake);
      delay = std::min(2 * delay, state->options.max_retry_delay);
    }
  }

  void stop() override {
    if (stopped_) return;
    stopped_ = true;
    MeshState& state = *state_;
    boost::system::error_code ignored;
    if (state.acceptor) state.acceptor->close(ignored);
    stop_pending(state);
    state.offer = nullptr;
  }

 private:
  std::shared_ptr<MeshState> state_;
  bool stopped_ = false;
};

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
    if (dials(state.self, j)) {
      message += state.last_error[j].empty() ? " (we dial it)" : " (we dial it; last error: " + state.last_error[j] + ")";
    } else {
      message += " (it dials us and never did)";
    }
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

}  // namespace

std::string to_string(const tcp::endpoint& endpoint) {
  const std::string address = endpoint.address().to_string();
  return endpoint.address().is_v6() ? "[" + address + "]:" + std::to_string(endpoint.port())
                                    : address + ":" + std::to_string(endpoint.port());
}

tcp::acceptor listen(const asio::any_io_executor& executor, const Endpoint& where) {
  boost::system::error_code error;
  tcp::endpoint local;
  if (where.host.empty() || where.host == "*") {
    local = tcp::endpoint(tcp::v6(), where.port);
  } else {
    tcp::resolver resolver(executor);
    const auto results = resolver.resolve(where.host, std::to_string(where.port),
                                          tcp::resolver::passive | tcp::resolver::numeric_service, error);
    if (error || results.empty()) {
      throw ConfigError("cannot listen on " + to_string(where) + ": " +
                        (error ? error.message() : std::string("no address")));
    }
    local = results.begin()->endpoint();
  }
  tcp::acceptor acceptor(executor);
  const auto fail = [&](const char* step) {
    throw ConfigError("cannot listen on " + to_string(where) + " (" + step + "): " + error.message());
  };
  if (acceptor.open(local.protocol(), error)) fail("open");
  if (local.address().is_v6() && local.address().is_unspecified()) {
    acceptor.set_option(asio::ip::v6_only(false), error);  // best effort: IPv4 too
  }
  if (acceptor.set_option(tcp::acceptor::reuse_address(true), error)) fail("reuse_address");
  if (acceptor.bind(local, error)) fail("bind");
  if (acceptor.listen(asio::socket_base::max_listen_connections, error)) fail("listen");
  return acceptor;
}

void configure_socket(tcp::socket& socket, const TcpOptions& options) {
  boost::system::error_code ignored;
  socket.set_option(tcp::no_delay(true), ignored);
  if (options.socket_buffer_bytes > 0) {
    socket.set_option(asio::socket_base::send_buffer_size(options.socket_buffer_bytes), ignored);
    socket.set_option(asio::socket_base::receive_buffer_size(options.socket_buffer_bytes), ignored);
  }
}

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

namespace {

asio::awaitable<Mesh> connect_mesh_with(std::optional<tcp::acceptor> acceptor, const Roster& roster,
                                        std::size_t self, Clock::time_point deadline, const TcpOptions& options,
                                        bool relinkable) {
  using namespace asio::experimental::awaitable_operators;
  roster.validate();
  const PartyInfo& me = roster.party(self);
  for (std::size_t j = 0; j < self; ++j) {
    const auto& endpoints = roster.party(j).endpoints;
    if (std::none_of(endpoints.begin(), endpoints.end(), [](const Endpoint& e) { return e.port != 0; })) {
      throw ConfigError(describe(me) + " must dial " + describe(roster.party(j)) +
                        ", but the roster gives it no endpoint with a port");
    }
  }
  if (options.tls) tls::check_roster(*options.tls, roster, self);
  const bool listening = accepts(self, roster.size());
  if (listening && !(acceptor && acceptor->is_open())) {
    throw ConfigError(describe(me) + " must accept connections but has no listening socket");
  }
  const auto started = Clock::now();
  const asio::any_io_executor executor = co_await asio::this_coro::executor;
  const auto state = std::make_shared<MeshState>(executor, roster, self, deadline, options, std::move(acceptor));
  // However this coroutine ends (result, error, cancellation), nothing stays behind.
  struct StopAll {
    MeshState& state;
    bool keep_listening = false;
    ~StopAll() {
      boost::system::error_code ignored;
      state.tasks.cancel_all();
      if (keep_listening) return;  // the Relinker's now
      if (state.acceptor) state.acceptor->close(ignored);
      stop_pending(state);
    }
  } stop_all{*state};

  if (listening) state->tasks.spawn(accept_loop(state));
  for (std::size_t j = 0; j < self; ++j) state->tasks.spawn(dial_peer(state, j));

  while (state->missing > 0 && !state->fatal && Clock::now() < deadline) {
    co_await (state->progress->wait() || detail::sleep_until(deadline));
  }
  boost::system::error_code ignored;
  // With a Relinker, the listening socket stays open (the accept loop ends and the
  // Relinker starts a new one once the Network takes its links).
  if (state->acceptor && !(relinkable && state->missing == 0 && !state->fatal)) state->acceptor->close(ignored);
  state->tasks.cancel_all();
  stop_pending(*state);
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
    mesh.relinker = std::make_shared<MeshRelinker>(state);
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
