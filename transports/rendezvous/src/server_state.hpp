#pragma once
// The rendezvous server's state and the pieces its sources share (not installed).
// Everything here is touched from the server's executor only. Coroutines hold
// the State by shared_ptr and name a session by (name, id), never by pointer
// across a co_await: a session may be dropped while they wait.
#include <array>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include <meshmpc/net/roster.hpp>
#include <meshmpc/net/tls/fingerprint.hpp>
#include <meshmpc/rendezvous/messages.hpp>
#include <meshmpc/rendezvous/server.hpp>
#include <meshmpc/rendezvous/wire.hpp>

namespace meshmpc::rendezvous::detail {

using Clock = std::chrono::steady_clock;
// One encoded message sent to several members (a Round may be megabytes).
using Frame = std::shared_ptr<const std::string>;

}  // namespace meshmpc::rendezvous::detail

namespace meshmpc::rendezvous {

namespace detail {

// A connection's place in the caps (ServerOptions::max_connections and
// max_per_address), given back when the last owner of the socket lets it go.
class Slot {
 public:
  Slot() = default;
  Slot(Server::State* state, asio::ip::address address);
  Slot(Slot&& other) noexcept;
  Slot& operator=(Slot&& other) noexcept;
  ~Slot();

 private:
  void release();
  Server::State* state_ = nullptr;
  asio::ip::address address_;
};

// A client's connection while it is a control connection (or owes its first
// message). Messages to it go through an outbox drained by one writer, so that
// broadcasts from other coroutines never interleave writes on the socket.
class Control {
 public:
  Control(tcp::socket socket, Slot slot, std::string peer);

  tcp::socket socket;
  Slot slot;
  const std::string peer;  // "127.0.0.1:5000", for messages and logs
  net::Endpoint reflexive;

  // Queues a frame; a Waiting replaces a Waiting not yet sent (only the newest
  // matters), so churn in a session cannot grow a slow reader's outbox.
  void send(Frame frame, bool waiting = false);
  // Queues ErrorMsg{message}; the connection closes once it is written.
  void fail(std::string message);
  void close();

  // The writer's side.
  asio::awaitable<void> drain(Clock::duration write_timeout);
  bool failed() const { return close_after_flush_; }

 private:
  std::deque<Frame> outbox_;
  bool last_is_waiting_ = false;
  bool close_after_flush_ = false;
  asio::steady_timer wake_;
};

// Names of a member across co_awaits.
struct Membership {
  std::string session;
  std::uint64_t id = 0;
  net::tls::Fingerprint fingerprint{};
};

struct Member {
  std::string name;
  std::string certificate;
  net::tls::Fingerprint fingerprint{};
  std::string fingerprint_text;
  std::vector<net::Endpoint> endpoints;
  net::Endpoint reflexive;
  std::string token;            // set when the session is fixed
  Control* control = nullptr;   // null once its control connection closed
  std::array<std::optional<std::string>, kMaxRounds> posts;
};

struct PendingRelay {
  tcp::socket socket;
  Slot slot;
  Clock::time_point since;
};

// Both ends of a running relay, owned by the coroutine that pipes them.
struct Pipe {
  tcp::socket a;
  tcp::socket b;
  Slot slot_a;
  Slot slot_b;
  void close();
};

struct Session {
  std::uint64_t id = 0;
  std::string name;
  std::size_t expect = 0;
  bool fixed = false;
  Clock::time_point created;
  Clock::time_point fixed_at;
  std::vector<Member> members;  // join order while waiting, roster order once fixed
  std::array<bool, kMaxRounds> round_done{};
  // (from, to) -> the request of party `from` for a pipe to `to`.
  std::map<std::pair<std::size_t, std::size_t>, PendingRelay> pending;
  std::set<Pipe*> pipes;

  std::size_t controls() const;
  Member* member(const net::tls::Fingerprint& fingerprint);
};

// Writes `frame` if the socket takes it at once, then closes it: for refusals
// ("busy") that must not hold a coroutine or a slot.
void send_and_close(tcp::socket& socket, const boost::json::object& message);
// "127.0.0.1:5000"; a v4-mapped IPv6 address shown as IPv4.
net::Endpoint reflexive_of(const tcp::endpoint& remote);
std::string endpoint_text(const tcp::endpoint& remote);
// An error text cut to what ErrorMsg allows.
std::string error_text(std::string text);

}  // namespace detail

struct Server::State {
  State(asio::any_io_executor executor, ServerOptions options);

  asio::any_io_executor executor;
  const ServerOptions options;
  bool stopped = false;
  // Declared before the sessions: slots held by sessions' sockets give their
  // counts back here while the sessions are destroyed.
  std::size_t connections = 0;
  std::map<asio::ip::address, std::size_t> per_address;
  std::set<detail::Control*> controls;
  tcp::acceptor* acceptor = nullptr;
  std::uint64_t next_session_id = 1;
  std::map<std::string, detail::Session> sessions;

  detail::Session* find(const std::string& name, std::uint64_t id);
  detail::Session* find(const detail::Membership& membership) { return find(membership.session, membership.id); }
  // Closes every connection and relay of the session and forgets it.
  void drop(const std::string& name, const std::string& why);
  // Drops a fixed session nobody uses any more (no control, no relay).
  void drop_if_unused(const std::string& name);
  // Expires waiting sessions, old fixed sessions and unmatched relay requests.
  void sweep(detail::Clock::time_point now);
  void stop_now();

  // control.cpp: the join rules; "" when admitted, else the refusal's text.
  std::string admit(const Join& join, const net::tls::Fingerprint& fingerprint,
                    const std::shared_ptr<detail::Control>& control);
  // "" when taken, else the refusal's text.
  std::string post(const detail::Membership& membership, const Post& post);
  void leave(const detail::Membership& membership);
};

namespace detail {
// control.cpp / relay_pipe.cpp: the rest of a connection after its first message.
asio::awaitable<void> serve_control(std::shared_ptr<Server::State> state, std::shared_ptr<Control> control,
                                    boost::json::object first);
asio::awaitable<void> serve_relay(std::shared_ptr<Server::State> state, std::shared_ptr<Control> control,
                                  boost::json::object first);
// Writes ErrorMsg{message} within the write timeout and closes.
asio::awaitable<void> refuse(std::shared_ptr<Server::State> state, std::shared_ptr<Control> control,
                             std::string message);
}  // namespace detail

}  // namespace meshmpc::rendezvous
