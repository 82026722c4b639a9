#pragma once
// The direct TCP transport: every party listens on the host:port the roster gives
// it and dials the parties with lower ids (tcp_plumbing.hpp). Identity is the
// roster's word plus the session id: use it on networks you trust (loopback, a
// LAN, a VPN); the Tailscale and Nebula plugins add real peer authentication.
// Links that reset are dialled again (docs/net.md, "Relinking"): the listening
// socket stays open until the Network that took take_relinker() closes (or, if
// none took it, until the transport is destroyed).
#include <boost/asio/ip/tcp.hpp>
#include <memory>
#include <optional>
#include <string>

#include <meshmpc/asio.hpp>
#include <meshmpc/net/tcp_plumbing.hpp>
#include <meshmpc/net/transport.hpp>

namespace meshmpc::tcp {

class TcpTransport final : public net::Transport {
 public:
  // Listens at connect() time on the roster's first endpoint (with a port) of
  // this party, or on listen_host (e.g. "::" or "0.0.0.0") with that port when
  // the roster's address is not one of this machine's (behind NAT).
  explicit TcpTransport(net::TcpOptions options = {}, std::string listen_host = {});
  // Uses a socket that already listens (e.g. bound to port 0, its port published
  // in the roster); it must belong to the executor connect() runs on.
  explicit TcpTransport(asio::ip::tcp::acceptor acceptor, net::TcpOptions options = {});

  std::string name() const override;
  asio::awaitable<net::Links> connect(const net::Roster& roster, std::size_t self,
                                      std::chrono::steady_clock::time_point deadline) override;
  std::shared_ptr<net::Relinker> take_relinker() override;

 private:
  net::TcpOptions options_;
  std::string listen_host_;
  std::optional<asio::ip::tcp::acceptor> acceptor_;
  std::shared_ptr<net::Relinker> relinker_;  // from the last connect(), until taken
};

}  // namespace meshmpc::tcp
