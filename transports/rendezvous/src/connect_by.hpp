#pragma once
// Connecting one socket within a deadline (not installed): the client's control
// connection and its relay pipes.
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <chrono>
#include <string>

#include <meshmpc/asio.hpp>
#include <meshmpc/error.hpp>
#include <meshmpc/net/deadline.hpp>
#include <meshmpc/net/tcp_plumbing.hpp>

namespace meshmpc::rendezvous::detail {

// Throws PeerError naming `what` and the address when the connection fails or the
// deadline passes first.
inline asio::awaitable<void> connect_by(asio::ip::tcp::socket& socket, const asio::ip::tcp::endpoint& remote,
                                        std::chrono::steady_clock::time_point deadline, std::string what) {
  const auto outcome =
      co_await net::until_deadline(socket.async_connect(remote, asio::as_tuple(asio::use_awaitable)), deadline);
  if (!outcome) throw PeerError(what + " at " + net::to_string(remote) + " did not answer by the deadline");
  if (const auto error = std::get<0>(*outcome)) {
    throw PeerError("cannot reach " + what + " at " + net::to_string(remote) + ": " + error.message());
  }
}

}  // namespace meshmpc::rendezvous::detail
