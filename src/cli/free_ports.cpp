#include "free_ports.hpp"

#include "fd_io.hpp"

#include <netinet/in.h>
#include <sys/socket.h>

#include <meshmpc/error.hpp>

namespace meshmpc::cli {

std::vector<std::uint16_t> pick_free_ports(std::size_t n) {
  std::vector<int> sockets;
  std::vector<std::uint16_t> ports;
  const auto cleanup = [&] {
    for (int& s : sockets) close_fd(s);
  };
  for (std::size_t i = 0; i < n; ++i) {
    const int s = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (s < 0) {
      cleanup();
      throw Error("launcher: cannot open a socket to pick a free port: " + errno_text(errno));
    }
    sockets.push_back(s);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    addr.sin_port = 0;
    socklen_t len = sizeof addr;
    if (::bind(s, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 ||
        ::getsockname(s, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
      const int e = errno;
      cleanup();
      throw Error("launcher: cannot pick a free port on 127.0.0.1: " + errno_text(e));
    }
    ports.push_back(ntohs(addr.sin_port));
  }
  cleanup();
  return ports;
}

}  // namespace meshmpc::cli
