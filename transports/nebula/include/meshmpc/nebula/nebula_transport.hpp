#pragma once
// The Nebula transport: TCP over the overlay, between the overlay IPs of a
// roster made by load_parties() (nebula_parties.hpp). Nebula proves who holds
// which overlay IP (its handshake checks the peer's certificate against the CA,
// and every packet out of a tunnel must come from the peer certificate's IP), so:
// - we listen on our own overlay IP only (IPv4 or IPv6), and dial from it;
// - a dialled peer at overlay IP X is the holder of X's certificate;
// - a connection is kept only if its remote address is an overlay IP of the
//   party its handshake claims to be, or that we dialled (net::IdentityCheck),
//   which refuses strangers and parties posing as one another. A party's endpoints are its
//   certificate's networks, the one it listens on first: a v2 certificate may
//   hold several, and a connection from any of them is that party's.
#include <boost/asio/ip/tcp.hpp>
#include <memory>
#include <utility>

#include <meshmpc/asio.hpp>
#include <meshmpc/net/tcp_plumbing.hpp>
#include <meshmpc/net/transport.hpp>

namespace meshmpc::nebula {

class NebulaTransport final : public net::Transport {
 public:
  explicit NebulaTransport(net::TcpOptions options = {});

  std::string name() const override;
  // The roster's endpoints must be numeric overlay addresses (IPv4 or IPv6) with ports.
  asio::awaitable<net::Links> connect(const net::Roster& roster, std::size_t self,
                                      std::chrono::steady_clock::time_point deadline) override;
  // connect_mesh_relinkable's: links that reset are dialled again (docs/net.md).
  std::shared_ptr<net::Relinker> take_relinker() override { return std::exchange(relinker_, nullptr); }

 private:
  net::TcpOptions options_;
  std::shared_ptr<net::Relinker> relinker_;  // from the last connect(), until taken
};

// Throws PeerError unless `remote` is one of party `claimed`'s overlay addresses
// (its endpoints) in `roster`: the transport's identity check, usable by any overlay transport.
void check_overlay_source(const net::Roster& roster, std::size_t claimed, const asio::ip::tcp::endpoint& remote);

}  // namespace meshmpc::nebula
