#pragma once
// Connecting one socket within a deadline (not installed): the client's control
// connection and its relay pipes.
#include <boost/asio/awaitable.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <chrono>
#include <string>

#include "meshmpc/error.hpp"
#include "meshmpc/net/tcp_plumbing.hpp"

namespace meshmpc::rendezvous::detail {

namespace asio = boost::asio;

// Throws PeerError naming `what` and the address when the connection fails or the
// deadline passes first.
inline asio::awaitable<void> connect_by(asio::ip::tcp::socket& socket, const asio::ip::tcp::endpoint& remote,
                                        std::chrono::steady_clock::time_point deadline, std::string what) {
  using namespace asio::experimental::awaitable_operators;
  asio::steady_timer timer(socket.get_executor(), deadline);
  try {
    const auto done = co_await (socket.async_connect(remote, asio::use_awaitable) || timer.async_wait(asio::use_awaitable));
    if (done.index() == 1) throw PeerError(what + " at " + net::to_string(remote) + " did not answer by the deadline");
  } catch (const boost::system::system_error& e) {
    throw PeerError("cannot reach " + what + " at " + net::to_string(remote) + ": " + e.code().message());
  }
}

}  // namespace meshmpc::rendezvous::detail
