#pragma once
// n distinct free TCP ports on 127.0.0.1 for parties started as separate
// processes: all bound at once (so distinct), then released for the parties. A
// port may be taken by someone else in between; the tests accept that rare race.
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <cstdint>
#include <vector>

namespace meshmpc::test {

inline std::vector<std::uint16_t> free_ports(std::size_t n) {
  boost::asio::io_context io;
  std::vector<boost::asio::ip::tcp::acceptor> held;
  std::vector<std::uint16_t> ports;
  for (std::size_t i = 0; i < n; ++i) {
    held.emplace_back(io, boost::asio::ip::tcp::endpoint(boost::asio::ip::make_address("127.0.0.1"), 0));
    ports.push_back(held.back().local_endpoint().port());
  }
  return ports;
}

}  // namespace meshmpc::test
