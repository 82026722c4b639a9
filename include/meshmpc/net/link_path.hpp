#pragma once
// Which way a link's bytes travel between two parties (docs/net.md, "Routes"):
// straight to an endpoint the roster gives, through NATs opened by a TCP
// simultaneous open, or through a relay. Reported per peer in NetworkStatistics
// and in the CLI's summary, as Tailscale reports direct vs DERP.
#include <string>
#include <string_view>

namespace meshmpc::net {

enum class LinkPath { direct, punched, relayed };

// "direct", "punched", "relayed".
constexpr std::string_view to_string(LinkPath path) {
  switch (path) {
    case LinkPath::punched:
      return "punched";
    case LinkPath::relayed:
      return "relayed";
    case LinkPath::direct:
      break;
  }
  return "direct";
}

struct LinkRoute {
  LinkPath path = LinkPath::direct;
  // For a relayed link, the relay's address as we reached it ("203.0.113.5:7000");
  // empty otherwise.
  std::string via;
  bool operator==(const LinkRoute&) const = default;
};

// "direct", "punched", "relayed via 203.0.113.5:7000".
inline std::string to_string(const LinkRoute& route) {
  std::string text(to_string(route.path));
  if (!route.via.empty()) text += " via " + route.via;
  return text;
}

}  // namespace meshmpc::net
