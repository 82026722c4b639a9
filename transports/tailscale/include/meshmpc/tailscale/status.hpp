#pragma once
// What tailscaled's LocalAPI says about the tailnet, reduced to what the transport
// uses: GET /localapi/v0/status (this node and its peers) and GET
// /localapi/v0/whois (the node behind an address). Field names and meanings:
// docs/transports/tailscale.md and Tailscale's ipnstate.Status / apitype.WhoIsResponse.
#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace meshmpc::tailscale {

// One node of the tailnet (a PeerStatus object: Self or a Peer value).
struct Node {
  std::string stable_id;  // "ID": the StableNodeID, stable for the node's lifetime
  std::string host_name;  // "HostName": what the OS reported; not unique
  std::string dns_name;   // "DNSName" without its trailing dot: "bob-desktop.tail1234.ts.net"
  std::int64_t user_id = 0;
  std::vector<std::string> ips;   // "TailscaleIPs", as given (IPv4 first, then IPv6)
  std::vector<std::string> tags;  // "Tags"; empty when the node has none
  bool online = false;
  bool active = false;
  bool expired = false;
  bool sharee = false;     // "ShareeNode": shared in from another tailnet
  std::string cur_addr;    // underlay ip:port of the direct path, "" when none
  std::string relay;       // home DERP region code
  std::string peer_relay;  // ip:port:vni of a peer relay, "" when none

  // The MagicDNS machine name (DNSName's first label), or HostName if there is none.
  std::string machine_name() const;
  bool has_tag(std::string_view tag) const;
};

struct Status {
  std::string version;        // the daemon's version, for logs
  bool tun = true;            // false: userspace networking (no tailscale0 interface)
  std::string backend_state;  // "Running" when the node is on the tailnet
  std::string auth_url;       // where to log in while NeedsLogin
  Node self;
  std::vector<Node> peers;                          // in the order of the JSON object
  std::map<std::int64_t, std::string> user_logins;  // "User": id -> LoginName
};

// The node and user behind an address (WhoIsResponse).
struct WhoIs {
  std::string stable_id;      // Node.StableID
  std::string name;           // Node.ComputedName (or Name's first label)
  std::vector<std::string> tags;
  std::string login;          // UserProfile.LoginName ("tagged-devices" for tagged nodes)

  // "node nBOB22CNTRL (bob-desktop)": how messages name it.
  std::string describe() const;
};

// Parse the JSON bodies; throw ConfigError naming `source` (e.g. the socket path and
// endpoint), the field and what was wrong: malformed JSON, a missing required field,
// a field of the wrong type.
Status parse_status(std::string_view json, std::string_view source);
WhoIs parse_whois(std::string_view json, std::string_view source);

}  // namespace meshmpc::tailscale
