#include <meshmpc/tailscale/path_report.hpp>

namespace meshmpc::tailscale {

std::vector<std::string> relayed_parties(const Status& status, const net::Roster& roster, std::size_t self) {
  std::vector<std::string> lines;
  for (const net::PartyInfo& party : roster.parties) {
    if (party.id == self) continue;
    for (const Node& peer : status.peers) {
      // An inactive peer shows no path at all; a direct one shows its CurAddr.
      if (peer.stable_id != party.identity || !peer.active || !peer.cur_addr.empty()) continue;
      if (!peer.peer_relay.empty()) {
        lines.push_back(net::describe(party) + " is reached through the peer relay " + peer.peer_relay +
                        ", not directly (it works, but may be slower)");
      } else if (!peer.relay.empty()) {
        lines.push_back(net::describe(party) + " is reached through the DERP relay '" + peer.relay +
                        "', not directly: it works, but with more latency and less bandwidth (a firewall or NAT "
                        "blocks a direct UDP path; see `tailscale netcheck`)");
      }
    }
  }
  return lines;
}

}  // namespace meshmpc::tailscale
