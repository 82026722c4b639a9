#pragma once
// How the traffic to each party travels, by the rule of `tailscale status`: a
// direct UDP path (CurAddr set), a peer relay, or a DERP relay (works, encrypted
// end to end, but slower). Read after the links are up, since tailscaled fills
// CurAddr only once we have sent to the peer.
#include <cstddef>
#include <string>
#include <vector>

#include <meshmpc/net/roster.hpp>
#include <meshmpc/tailscale/status.hpp>

namespace meshmpc::tailscale {

// One line per party (other than `self`) whose traffic is relayed, e.g.
// "party 2 (carol-pi) is reached through the DERP relay 'sfo', not directly: ...".
std::vector<std::string> relayed_parties(const Status& status, const net::Roster& roster, std::size_t self);

}  // namespace meshmpc::tailscale
