// The socket-level pieces of tcp_plumbing.hpp: a listening socket, socket
// options, an endpoint as text, a socket that leaves from the listening port.
#include <boost/asio/detail/socket_option.hpp>
#include <boost/asio/ip/v6_only.hpp>
#include <sys/socket.h>

#include <meshmpc/error.hpp>
#include <meshmpc/net/tcp_plumbing.hpp>

#include "mesh_state.hpp"

namespace meshmpc::net {

using asio::ip::tcp;

namespace {

// SO_REUSEPORT: several sockets of this user on one port (Linux, the BSDs, macOS).
using reuse_port = asio::detail::socket_option::boolean<SOL_SOCKET, SO_REUSEPORT>;

}  // namespace

std::string to_string(const tcp::endpoint& endpoint) {
  const std::string address = endpoint.address().to_string();
  return endpoint.address().is_v6() ? "[" + address + "]:" + std::to_string(endpoint.port())
                                    : address + ":" + std::to_string(endpoint.port());
}

tcp::acceptor listen(const asio::any_io_executor& executor, const Endpoint& where, bool share_port) {
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
  if (share_port && acceptor.set_option(reuse_port(true), error)) fail("reuse_port");
  if (acceptor.bind(local, error)) fail("bind");
  if (acceptor.listen(asio::socket_base::max_listen_connections, error)) fail("listen");
  return acceptor;
}

tcp::socket socket_on_port(const asio::any_io_executor& executor, const tcp::endpoint& local,
                           const tcp::endpoint& remote) {
  const bool same_family = local.address().is_v6() == remote.address().is_v6();
  const bool usable = same_family && !(local.address().is_v6() && local.address().is_unspecified());
  const tcp::endpoint source(usable ? local.address()
                             : remote.address().is_v6() ? asio::ip::address(asio::ip::address_v6::any())
                                                        : asio::ip::address(asio::ip::address_v4::any()),
                             local.port());
  tcp::socket socket(executor);
  socket.open(remote.protocol());
  socket.set_option(tcp::socket::reuse_address(true));
  socket.set_option(reuse_port(true));
  socket.bind(source);
  return socket;
}

void configure_socket(tcp::socket& socket, const TcpOptions& options) {
  boost::system::error_code ignored;
  socket.set_option(tcp::no_delay(true), ignored);
  if (options.socket_buffer_bytes > 0) {
    socket.set_option(asio::socket_base::send_buffer_size(options.socket_buffer_bytes), ignored);
    socket.set_option(asio::socket_base::receive_buffer_size(options.socket_buffer_bytes), ignored);
  }
}

}  // namespace meshmpc::net

namespace meshmpc::net::detail {

bool shares_port(tcp::acceptor& acceptor) {
  boost::system::error_code error;
  reuse_port option;
  acceptor.get_option(option, error);
  return !error && option.value();
}

}  // namespace meshmpc::net::detail
