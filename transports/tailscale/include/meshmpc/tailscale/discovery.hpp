#pragma once
// Which nodes of the tailnet are the session's parties, and in what order: a rule
// every party applies to its own view of the tailnet (GET /localapi/v0/status), so
// that all of them compute the same roster without exchanging a word.
//
// The rule (docs/transports/tailscale.md):
// - candidates are this node and its peers, minus nodes shared in from another
//   tailnet (ShareeNode) and nodes whose key has expired;
// - with a tag, a candidate must carry it; with host names, it must be one of them
//   (a name matches the MagicDNS name, its first label, or else the OS host name
//   when only one node has it); with both, both;
// - offline candidates (not connected to the control plane) are left out and named;
// - the parties are ordered by StableNodeID (byte order), so party ids agree;
//   Headscale's ids are decimal text, so there "10" comes before "2";
// - there must be exactly `parties` of them, this node included.
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include <meshmpc/net/roster.hpp>
#include <meshmpc/tailscale/status.hpp>

namespace meshmpc::tailscale {

struct Selection {
  std::string tag;                 // e.g. "tag:mpc"; empty = any
  std::vector<std::string> hosts;  // names; empty = any
};

struct Discovery {
  // PartyInfo: name = machine name, identity = StableNodeID, endpoints = the
  // node's first IPv4 then first IPv6 Tailscale address, at `port`. The session id
  // is left for the caller.
  net::Roster roster;
  std::size_t self = 0;
  std::vector<std::string> offline;  // matching nodes left out because offline, by name
};

// Throws ConfigError naming the fault: the node is not Running (with its state, and
// the login URL when it needs one), userspace networking (no tailnet address to
// listen on), an invalid tag, a host name that matches no node or several, this
// node not selected, or a count other than `parties` (listing the nodes found and
// the offline ones).
Discovery discover_parties(const Status& status, const Selection& selection, std::size_t parties,
                           std::uint16_t port);

// "tag:mpc" or "tag:" + a letter, then letters, digits and '-'.
bool is_valid_tag(std::string_view tag);

}  // namespace meshmpc::tailscale
