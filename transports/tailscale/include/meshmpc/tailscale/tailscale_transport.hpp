#pragma once
// The Tailscale transport: the roster comes from discover_parties() (every
// PartyInfo's identity is its node's StableNodeID); this party listens only on its
// own Tailscale address, dials from it, and asks tailscaled (whois) who is behind
// every connection, accepted or dialled, refusing any that is not the roster's node
// for the party it claims. WireGuard already encrypts and authenticates the
// traffic between nodes; whois binds a party id to a node. After connecting it
// reports the parties reached through a relay (path_report.hpp).
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <utility>

#include <meshmpc/net/tcp_plumbing.hpp>
#include <meshmpc/net/transport.hpp>
#include <meshmpc/tailscale/local_api.hpp>

namespace meshmpc::tailscale {

struct TailscaleOptions {
  net::TcpOptions tcp;  // its identity_check and source_address are set by the transport
  // When set, a peer's whois must also show this user login (e.g. "tagged-devices",
  // or "alice@example.com" for nodes owned by a person).
  std::string required_login;
  // Told what deserves a warning at start (relayed parties).
  std::function<void(const std::string&)> on_warning;
};

class TailscaleTransport final : public net::Transport {
 public:
  explicit TailscaleTransport(LocalApi api, TailscaleOptions options = {});

  std::string name() const override;
  asio::awaitable<net::Links> connect(const net::Roster& roster, std::size_t self,
                                      std::chrono::steady_clock::time_point deadline) override;
  // connect_mesh_relinkable's: links that reset are dialled again (docs/net.md).
  std::shared_ptr<net::Relinker> take_relinker() override { return std::exchange(relinker_, nullptr); }

 private:
  LocalApi api_;
  TailscaleOptions options_;
  std::shared_ptr<net::Relinker> relinker_;  // from the last connect(), until taken
};

}  // namespace meshmpc::tailscale
