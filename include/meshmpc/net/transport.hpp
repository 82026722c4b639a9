#pragma once
// A Transport brings up one authenticated link to every other party in a roster:
// find the peers, reach them, prove who they are. It knows nothing of MPC.
// Implementations: InMemoryHub's transports (inmemory.hpp), meshmpc::tcp, and the
// Tailscale / Nebula plugins (which reuse the TCP plumbing in tcp_plumbing.hpp).
#include <boost/asio/awaitable.hpp>
#include <chrono>
#include <cstddef>
#include <memory>
#include <string>

#include <meshmpc/net/link.hpp>
#include <meshmpc/net/network.hpp>
#include <meshmpc/net/relinker.hpp>
#include <meshmpc/net/roster.hpp>

namespace meshmpc::net {

class Transport {
 public:
  virtual ~Transport() = default;

  // A short name for messages and command lines: "tcp", "inmemory", ...
  virtual std::string name() const = 0;

  // Links to every other party (links[self] empty), all on the calling
  // coroutine's executor. Throws ConfigError for a roster this transport cannot
  // use and PeerError when a peer is refused or the deadline passes before every
  // party is reached (the message lists those that were not).
  virtual asio::awaitable<Links> connect(const Roster& roster, std::size_t self,
                                         std::chrono::steady_clock::time_point deadline) = 0;

  // The Relinker for the links of the last connect(), once (later calls: null),
  // for the Network that takes them: a link that breaks underneath is then
  // replaced instead of failing its peer. Null (the default): no relinking.
  virtual std::shared_ptr<Relinker> take_relinker() { return nullptr; }
};

// Connects through `transport` within connect_timeout and wraps the links in a
// Network on the calling coroutine's executor.
asio::awaitable<Network> connect_network(Transport& transport, const Roster& roster,
                                         std::size_t self,
                                         std::chrono::steady_clock::duration connect_timeout,
                                         NetworkOptions options = {});

}  // namespace meshmpc::net
