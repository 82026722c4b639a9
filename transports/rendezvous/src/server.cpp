// The rendezvous server's frame: accepting within the caps, the first message of
// each connection, housekeeping (expiry), stop. The join and post rules are in
// control.cpp, relays in relay_pipe.cpp.
#include <meshmpc/rendezvous/server.hpp>

#include <spdlog/spdlog.h>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/json/serialize.hpp>

#include <meshmpc/error.hpp>
#include <meshmpc/net/tcp_plumbing.hpp>

#include "server_state.hpp"

namespace meshmpc::rendezvous {

using detail::Clock;
using detail::Control;

namespace detail {

Slot::Slot(Server::State* state, asio::ip::address address) : state_(state), address_(std::move(address)) {
  ++state_->connections;
  ++state_->per_address[address_];
}

Slot::Slot(Slot&& other) noexcept : state_(std::exchange(other.state_, nullptr)), address_(other.address_) {}

Slot& Slot::operator=(Slot&& other) noexcept {
  if (this != &other) {
    release();
    state_ = std::exchange(other.state_, nullptr);
    address_ = other.address_;
  }
  return *this;
}

Slot::~Slot() { release(); }

void Slot::release() {
  if (state_ == nullptr) return;
  --state_->connections;
  const auto it = state_->per_address.find(address_);
  if (it != state_->per_address.end() && --it->second == 0) state_->per_address.erase(it);
  state_ = nullptr;
}

Control::Control(tcp::socket socket_, Slot slot_, std::string peer_)
    : socket(std::move(socket_)), slot(std::move(slot_)), peer(std::move(peer_)), wake_(socket.get_executor()) {}

void Control::send(Frame frame, bool waiting) {
  if (close_after_flush_) return;
  if (waiting && last_is_waiting_ && !outbox_.empty()) {
    outbox_.back() = std::move(frame);
  } else {
    outbox_.push_back(std::move(frame));
  }
  last_is_waiting_ = waiting;
  wake_.cancel();
}

void Control::fail(std::string message) {
  if (close_after_flush_) return;
  send(std::make_shared<const std::string>(frame(encode(ErrorMsg{error_text(std::move(message))}))));
  close_after_flush_ = true;
  wake_.cancel();
}

void Control::close() {
  boost::system::error_code ignored;
  socket.close(ignored);
  close_after_flush_ = true;
  wake_.cancel();
}

asio::awaitable<void> Control::drain(Clock::duration write_timeout) {
  try {
    for (;;) {
      while (!outbox_.empty()) {
        const Frame next = std::move(outbox_.front());
        outbox_.pop_front();
        if (outbox_.empty()) last_is_waiting_ = false;
        co_await write_frame(socket, *next, Clock::now() + write_timeout);
      }
      if (close_after_flush_) break;
      wake_.expires_at(Clock::time_point::max());
      co_await wake_.async_wait(asio::as_tuple(asio::use_awaitable));
    }
  } catch (const std::exception& e) {
    spdlog::debug("rendezvous: {}: {}", peer, e.what());
  }
  boost::system::error_code ignored;
  socket.close(ignored);
}

void Pipe::close() {
  boost::system::error_code ignored;
  a.close(ignored);
  b.close(ignored);
}

std::size_t Session::controls() const {
  std::size_t count = 0;
  for (const Member& m : members) count += m.control != nullptr ? 1 : 0;
  return count;
}

Member* Session::member(const net::tls::Fingerprint& fingerprint) {
  for (Member& m : members) {
    if (m.fingerprint == fingerprint) return &m;
  }
  return nullptr;
}

void send_and_close(tcp::socket& socket, const boost::json::object& message) {
  const std::string bytes = frame(message);
  boost::system::error_code ignored;
  socket.non_blocking(true, ignored);
  // A fresh socket's send buffer takes a few dozen bytes at once; if it does not,
  // the client gets a bare close, which says as much.
  socket.write_some(asio::buffer(bytes), ignored);
  socket.shutdown(tcp::socket::shutdown_send, ignored);
  socket.close(ignored);
}

net::Endpoint reflexive_of(const tcp::endpoint& remote) {
  asio::ip::address address = remote.address();
  if (address.is_v6() && address.to_v6().is_v4_mapped()) {
    address = asio::ip::make_address_v4(asio::ip::v4_mapped, address.to_v6());
  }
  return net::Endpoint{address.to_string(), remote.port()};
}

std::string endpoint_text(const tcp::endpoint& remote) { return net::to_string(reflexive_of(remote)); }

std::string error_text(std::string text) {
  if (text.size() > kMaxErrorText) text.resize(kMaxErrorText - 3), text += "...";
  for (char& c : text) {
    if (c < 0x20 || c > 0x7e) c = '?';
  }
  if (text.empty()) text = "error";
  return text;
}

asio::awaitable<void> refuse(std::shared_ptr<Server::State> state, std::shared_ptr<Control> control,
                             std::string message) {
  try {
    const boost::json::object error = encode(ErrorMsg{error_text(std::move(message))});
    co_await write_message(control->socket, error, Clock::now() + state->options.write_timeout);
  } catch (const std::exception& e) {
    spdlog::debug("rendezvous: {}: {}", control->peer, e.what());
  }
  control->close();
}

}  // namespace detail

Server::State::State(asio::any_io_executor executor_, ServerOptions options_)
    : executor(std::move(executor_)), options(options_) {}

detail::Session* Server::State::find(const std::string& name, std::uint64_t id) {
  const auto it = sessions.find(name);
  return it != sessions.end() && it->second.id == id ? &it->second : nullptr;
}

void Server::State::drop(const std::string& name, const std::string& why) {
  const auto it = sessions.find(name);
  if (it == sessions.end()) return;
  detail::Session& session = it->second;
  for (detail::Member& m : session.members) {
    if (m.control != nullptr) m.control->fail(why);
    m.control = nullptr;
  }
  for (detail::Pipe* pipe : session.pipes) pipe->close();
  sessions.erase(it);  // closes the pending relays' sockets
}

void Server::State::drop_if_unused(const std::string& name) {
  const auto it = sessions.find(name);
  if (it == sessions.end() || !it->second.fixed) return;
  const detail::Session& s = it->second;
  if (s.controls() == 0 && s.pending.empty() && s.pipes.empty()) {
    spdlog::info("rendezvous: session '{}' closed (no control connection, no relay left)", name);
    sessions.erase(it);
  }
}

void Server::State::sweep(Clock::time_point now) {
  std::vector<std::pair<std::string, std::string>> expired;
  for (auto& [name, session] : sessions) {
    if (!session.fixed && now >= session.created + options.wait_timeout) {
      std::string who;
      for (const detail::Member& m : session.members) {
        who += (who.empty() ? "" : ", ") + m.name + " (" + m.fingerprint_text + ")";
      }
      expired.emplace_back(name, "session '" + name + "' expired after waiting " +
                                     std::to_string(options.wait_timeout.count()) + " ms for " +
                                     std::to_string(session.expect) + " parties; " +
                                     std::to_string(session.members.size()) + " joined: " + who);
    } else if (session.fixed && now >= session.fixed_at + options.session_ttl) {
      expired.emplace_back(name, "session '" + name + "' reached its time limit of " +
                                     std::to_string(options.session_ttl.count()) + " ms");
    } else if (session.fixed) {
      for (auto it = session.pending.begin(); it != session.pending.end();) {
        if (now >= it->second.since + options.relay_wait) {
          detail::send_and_close(it->second.socket,
                                 encode(ErrorMsg{"relay: party " + std::to_string(it->first.second) +
                                                 " did not ask for its end of the relay to party " +
                                                 std::to_string(it->first.first) + " within " +
                                                 std::to_string(options.relay_wait.count()) + " ms"}));
          it = session.pending.erase(it);
        } else {
          ++it;
        }
      }
    }
  }
  for (const auto& [name, why] : expired) {
    spdlog::info("rendezvous: {}", why);
    drop(name, why);
  }
  std::vector<std::string> names;
  for (const auto& entry : sessions) names.push_back(entry.first);
  for (const std::string& name : names) drop_if_unused(name);
}

void Server::State::stop_now() {
  stopped = true;
  if (acceptor != nullptr) {
    boost::system::error_code ignored;
    acceptor->close(ignored);
  }
  while (!sessions.empty()) drop(sessions.begin()->first, "the rendezvous server is shutting down");
  for (Control* control : controls) control->close();
}

namespace {

// The first message decides what the connection is: a control connection (join)
// or one end of a relay.
asio::awaitable<void> serve_connection(std::shared_ptr<Server::State> state, std::shared_ptr<Control> control) {
  state->controls.insert(control.get());
  struct Unregister {
    Server::State* state;
    Control* control;
    ~Unregister() { state->controls.erase(control); }
  } unregister{state.get(), control.get()};

  boost::json::object first;
  try {
    first = co_await read_message(control->socket, Clock::now() + state->options.join_timeout, control->peer);
  } catch (const Error& e) {
    spdlog::debug("rendezvous: {}", e.what());
    co_return;
  }
  if (state->stopped) co_return;
  std::string type;
  std::string refusal;
  try {
    type = message_type(first);
  } catch (const ProtocolError& e) {
    refusal = e.what();
  }
  if (!refusal.empty()) {
    co_await detail::refuse(state, control, std::move(refusal));
    co_return;
  }
  if (type == "join") {
    co_await detail::serve_control(state, control, std::move(first));
  } else if (type == "relay") {
    co_await detail::serve_relay(state, control, std::move(first));
  } else {
    std::string unexpected = "expected a 'join' or 'relay' message first, not '" + type + "'";
    co_await detail::refuse(state, control, std::move(unexpected));
  }
}

asio::awaitable<void> accept_loop(std::shared_ptr<Server::State> state, tcp::acceptor& acceptor) {
  while (!state->stopped) {
    auto [error, socket] = co_await acceptor.async_accept(asio::as_tuple(asio::use_awaitable));
    if (state->stopped || error == asio::error::operation_aborted || error == asio::error::bad_descriptor) break;
    if (error) {
      // Out of descriptors and the like: wait a little rather than spin.
      spdlog::warn("rendezvous: accepting a connection failed: {}", error.message());
      asio::steady_timer pause(state->executor, std::chrono::milliseconds(100));
      co_await pause.async_wait(asio::as_tuple(asio::use_awaitable));
      continue;
    }
    boost::system::error_code remote_error;
    const tcp::endpoint remote = socket.remote_endpoint(remote_error);
    if (remote_error) continue;
    const net::Endpoint reflexive = detail::reflexive_of(remote);
    const asio::ip::address address = asio::ip::make_address(reflexive.host);
    const auto same = state->per_address.find(address);
    const std::size_t from_address = same == state->per_address.end() ? 0 : same->second;
    if (state->connections >= state->options.max_connections || from_address >= state->options.max_per_address) {
      spdlog::debug("rendezvous: busy, refused {}", detail::endpoint_text(remote));
      detail::send_and_close(socket, encode(ErrorMsg{"busy: the rendezvous server has too many connections" +
                                                     std::string(from_address >= state->options.max_per_address
                                                                     ? " from " + reflexive.host
                                                                     : "")}));
      continue;
    }
    socket.set_option(tcp::no_delay(true), remote_error);
    auto control = std::make_shared<Control>(std::move(socket), detail::Slot(state.get(), address),
                                             net::to_string(reflexive));
    control->reflexive = reflexive;
    asio::co_spawn(state->executor, serve_connection(state, control), [](std::exception_ptr failure) {
      if (!failure) return;
      try {
        std::rethrow_exception(failure);
      } catch (const std::exception& e) {
        spdlog::error("rendezvous: a connection ended with an unexpected error: {}", e.what());
      }
    });
  }
}

// Expiry is checked on a tick fine enough for the shortest timeout configured
// (tests use fractions of a second) and never finer than 5 ms.
asio::awaitable<void> housekeeping(std::shared_ptr<Server::State> state) {
  const auto shortest = std::min({state->options.wait_timeout, state->options.relay_wait, state->options.session_ttl});
  const auto tick = std::clamp<std::chrono::milliseconds>(shortest / 4, std::chrono::milliseconds(5),
                                                          std::chrono::milliseconds(1000));
  asio::steady_timer timer(state->executor);
  while (!state->stopped) {
    timer.expires_after(tick);
    co_await timer.async_wait(asio::use_awaitable);
    state->sweep(Clock::now());
  }
}

}  // namespace

Server::Server(asio::any_io_executor executor, ServerOptions options)
    : state_(std::make_shared<State>(std::move(executor), options)) {}

Server::~Server() {
  // Coroutines still running hold the state; make sure they end.
  state_->stop_now();
}

asio::awaitable<void> Server::run(tcp::acceptor acceptor) {
  using namespace asio::experimental::awaitable_operators;
  const std::shared_ptr<State> state = state_;
  state->acceptor = &acceptor;
  struct Forget {
    State* state;
    ~Forget() { state->acceptor = nullptr; }
  } forget{state.get()};
  co_await (accept_loop(state, acceptor) || housekeeping(state));
  boost::system::error_code ignored;
  acceptor.close(ignored);
}

void Server::stop() {
  asio::post(state_->executor, [state = state_] { state->stop_now(); });
}

std::size_t Server::sessions() const { return state_->sessions.size(); }
std::size_t Server::connections() const { return state_->connections; }

}  // namespace meshmpc::rendezvous
