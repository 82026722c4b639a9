#pragma once
// The rendezvous server (notes/rendezvous-protocol.md, "Server"): parties that
// know only a session name join it; once `expect` have joined, each gets the
// roster (sorted by certificate fingerprint) and a relay token; the server then
// passes their round posts around and, on request, pipes bytes between two of
// them. It sees certificates, endpoints and opaque round data, never a share or
// a secret. Every structure it keeps is bounded by ServerOptions: connections
// (in all and per address), sessions, and the time each thing may last.
//
// Threading: the server's state is touched only from its executor; run the
// io_context on one thread (or give the server a strand). stop() may be called
// from any thread.
#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <chrono>
#include <cstddef>
#include <memory>

namespace meshmpc::rendezvous {

struct ServerOptions {
  // Connections open at once (control, relay, and those still owing their first
  // message), in all and from one IP address. Beyond: ErrorMsg "busy", closed.
  std::size_t max_connections = 1024;
  std::size_t max_per_address = 64;
  // A new connection must send its first message (join or relay) within this.
  std::chrono::milliseconds join_timeout{std::chrono::seconds(10)};
  // A session still waiting for parties this long after it was created expires:
  // its members get an ErrorMsg naming who joined.
  std::chrono::milliseconds wait_timeout{std::chrono::seconds(600)};
  // A fixed session (kept for posts and relays) lasts at most this; it goes
  // earlier once every control connection has closed and no relay is open.
  std::chrono::milliseconds session_ttl{std::chrono::hours(24)};
  // A relay request its peer has not matched within this is closed.
  std::chrono::milliseconds relay_wait{std::chrono::seconds(30)};
  // A message not taken by the client within this closes its connection (a client
  // that stops reading cannot make the server buffer without end).
  std::chrono::milliseconds write_timeout{std::chrono::seconds(30)};
  // Sessions at once (waiting and fixed); a join that would start one more is "busy".
  std::size_t max_sessions = 4096;
};

class Server {
 public:
  Server(boost::asio::any_io_executor executor, ServerOptions options = {});
  ~Server();
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  // Accepts and serves connections until stop(); the acceptor is closed on return.
  // Connections it started may still be closing when it returns.
  boost::asio::awaitable<void> run(boost::asio::ip::tcp::acceptor acceptor);
  // Closes the acceptor and every connection, drops every session. Thread-safe
  // (posted to the executor).
  void stop();

  // Sessions held now (waiting and fixed) and connections open now: for tests
  // and monitoring; read them on the executor's thread.
  std::size_t sessions() const;
  std::size_t connections() const;

  struct State;

 private:
  std::shared_ptr<State> state_;
};

}  // namespace meshmpc::rendezvous
