#pragma once
// What connect_mesh's pieces share (not installed): the state of one party's
// connect phase, and the functions each source file offers the others.
//   connection_checks.cpp   the plaintext rule and the plugin's identity check
//   dial.cpp                dialling: one endpoint, one attempt, a party until the deadline
//   accept.cpp              the accept loop and an accepted connection's handshake
//   pending_handshakes.cpp  the caps on accepted connections still in their handshake
//   connect_mesh.cpp        the bounded connect phase and what it says when it fails
//   mesh_relinker.cpp       relinking after the connect phase
#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <cstddef>
#include <exception>
#include <functional>
#include <list>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "async_util.hpp"
#include "meshmpc/error.hpp"
#include "meshmpc/net/stream_link.hpp"
#include "meshmpc/net/tcp_plumbing.hpp"

namespace meshmpc::net::detail {

using Clock = std::chrono::steady_clock;

// The connect error lists this many refusals in full, each cut to this length, and
// counts the rest: a flood of bad handshakes must not make a message of megabytes.
inline constexpr std::size_t kListedRefusals = 5;
inline constexpr std::size_t kRefusalChars = 300;

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
            std::optional<asio::ip::tcp::acceptor> acceptor_in)
      : roster(roster_in),
        self(self_in),
        deadline(deadline_in),
        options(options_in),
        acceptor(std::move(acceptor_in)),
        links(roster_in.size()),
        reserved(roster_in.size(), false),
        last_error(roster_in.size()),
        missing(roster_in.size() - 1),
        progress(std::make_shared<Notifier>(executor)),
        tasks(executor, progress) {}

  Roster roster;
  std::size_t self;
  Clock::time_point deadline;
  TcpOptions options;
  std::optional<asio::ip::tcp::acceptor> acceptor;
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
  // Shared with the TaskGroup: a task's completion handler may notify after this
  // state is gone.
  std::shared_ptr<Notifier> progress;
  TaskGroup tasks;

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

// connection_checks.cpp: the checks every connection passes before the handshake.

// Why a plaintext link to or from `remote` is not allowed, or nullopt.
std::optional<std::string> plaintext_fault(const TcpOptions& options, const asio::ip::address& remote);
// options.identity_check's verdict on the peer at `remote`, asked within the
// deadline. When the check throws or misses the deadline, a verdict refusing every
// party with that reason; without a check, an empty verdict (no objection).
asio::awaitable<IdentityVerdict> identity_verdict(const TcpOptions& options, const asio::ip::tcp::endpoint& remote,
                                                  Clock::time_point deadline);
// Why the peer cannot be `party` according to `verdict`, or nullopt.
std::optional<std::string> identity_fault(const IdentityVerdict& verdict, const PartyInfo& party);

// dial.cpp

// One attempt to reach `peer`, a party we dial: connect, identity, TLS and our
// handshake. Throws Error for a refusal (retrying cannot help) and
// boost::system::system_error when the connection failed.
asio::awaitable<std::unique_ptr<Link>> dial_attempt(std::shared_ptr<MeshState> state, std::size_t peer,
                                                    Clock::time_point deadline);
// Attempts with backoff until one links up, one is refused (state.fatal) or the
// connect deadline passes.
asio::awaitable<void> dial_peer(std::shared_ptr<MeshState> state, std::size_t peer);
// TLS 1.3 clients learn that the server refused their certificate only at the
// first read after the handshake: a refusal, not worth a retry.
PeerError tls_refusal(const MeshState& state, std::size_t peer, const boost::system::system_error& error);

// accept.cpp: accepts until the acceptor closes; each connection's handshake runs
// as a pending handshake under the caps.
asio::awaitable<void> accept_loop(std::shared_ptr<MeshState> state);

// pending_handshakes.cpp

// Room for one more pending handshake from `address` (evicting one at a cap), then
// its entry, counted, with its timer set to the handshake timeout.
std::list<PendingHandshake>::iterator admit_pending(MeshState& state, const asio::any_io_executor& executor,
                                                    const asio::ip::address& address);
// The entry's handshake has ended: forget it.
void release_pending(MeshState& state, std::list<PendingHandshake>::iterator entry);
// Closes the oldest pending handshake from `address` (its coroutine ends within a
// turn of the event loop, and with it the socket). `address` by value: callers
// pass busiest_address(), a key of pending_from, which eviction may erase.
void evict_oldest(MeshState& state, asio::ip::address address, const std::string& why);
// The address with the most pending handshakes; there must be one.
const asio::ip::address& busiest_address(const MeshState& state);
// Ends every pending handshake (connect_mesh is returning, or the Relinker stops).
void stop_pending(MeshState& state);

// mesh_relinker.cpp: the Relinker that takes over `state` after the connect phase.
std::shared_ptr<Relinker> make_mesh_relinker(std::shared_ptr<MeshState> state);

}  // namespace meshmpc::net::detail
