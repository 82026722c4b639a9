#include <meshmpc/tailscale/discovery.hpp>

#include <algorithm>
#include <boost/asio/ip/address.hpp>
#include <cctype>

#include <meshmpc/error.hpp>

namespace meshmpc::tailscale {

namespace {

std::string lower(std::string_view text) {
  std::string out(text);
  std::transform(out.begin(), out.end(), out.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

// DNS names compare case-insensitively; a given name may end with the root dot.
bool names_match(const Node& node, const std::string& wanted) {
  std::string name = lower(wanted);
  if (!name.empty() && name.back() == '.') name.pop_back();
  const std::string dns = lower(node.dns_name);
  return !name.empty() && (name == dns || name == lower(node.machine_name()));
}

// The nodes a host name stands for: by MagicDNS name first (unique in a tailnet),
// else by OS host name when exactly one node has it.
std::vector<const Node*> nodes_named(const std::vector<const Node*>& nodes, const std::string& wanted) {
  std::vector<const Node*> found;
  for (const Node* node : nodes) {
    if (names_match(*node, wanted)) found.push_back(node);
  }
  if (!found.empty()) return found;
  for (const Node* node : nodes) {
    if (lower(node->host_name) == lower(wanted)) found.push_back(node);
  }
  return found;
}

std::string list_names(const std::vector<const Node*>& nodes) {
  std::string out;
  for (const Node* node : nodes) out += (out.empty() ? "" : ", ") + node->machine_name();
  return out.empty() ? "none" : out;
}

std::vector<net::Endpoint> endpoints_of(const Node& node, std::uint16_t port) {
  std::vector<net::Endpoint> v4;
  std::vector<net::Endpoint> v6;
  for (const std::string& ip : node.ips) {
    boost::system::error_code error;
    const auto address = boost::asio::ip::make_address(ip, error);
    if (error) continue;
    (address.is_v4() ? v4 : v6).push_back({ip, port});
  }
  std::vector<net::Endpoint> out;
  if (!v4.empty()) out.push_back(v4.front());
  if (!v6.empty()) out.push_back(v6.front());
  return out;
}

std::string rule_text(const Selection& selection) {
  std::string rule;
  if (!selection.tag.empty()) rule = "carrying " + selection.tag;
  if (!selection.hosts.empty()) {
    std::string hosts;
    for (const std::string& host : selection.hosts) hosts += (hosts.empty() ? "" : ",") + host;
    rule += std::string(rule.empty() ? "" : " and ") + "named in --hosts " + hosts;
  }
  return rule;
}

// tailscaled is up, on the tailnet, with an interface to listen on.
void check_on_tailnet(const Status& status) {
  if (status.backend_state != "Running") {
    std::string message = "tailscale: this node is not on the tailnet (tailscaled's state is " +
                          (status.backend_state.empty() ? std::string("unknown") : status.backend_state) + ")";
    if (!status.auth_url.empty()) message += "; log in at " + status.auth_url;
    throw ConfigError(message + "; run `tailscale up` and check `tailscale status`");
  }
  if (!status.tun) {
    throw ConfigError("tailscale: tailscaled runs in userspace-networking mode (TUN false): this machine has no "
                      "tailnet address to listen on; run tailscaled with its tailscale0 interface (without "
                      "--tun=userspace-networking)");
  }
}

// A rule saying which nodes are the parties, and a valid one.
void check_selection(const Selection& selection) {
  if (selection.tag.empty() && selection.hosts.empty()) {
    throw ConfigError("tailscale: say which nodes are the parties: --tag (e.g. --tag tag:mpc) and/or --hosts");
  }
  if (!selection.tag.empty() && !is_valid_tag(selection.tag)) {
    throw ConfigError("tailscale: --tag '" + selection.tag +
                      "' is not a Tailscale tag (expected tag:<name>, the name a letter then letters, digits, '-')");
  }
}

// The nodes --hosts names, each exactly one node (and carrying --tag if given).
std::vector<const Node*> nodes_in_hosts(const std::vector<const Node*>& candidates, const Selection& selection) {
  std::vector<const Node*> chosen;
  for (const std::string& host : selection.hosts) {
    const std::vector<const Node*> named = nodes_named(candidates, host);
    if (named.empty()) {
      throw ConfigError("tailscale: --hosts: no node named '" + host + "' on the tailnet (nodes seen: " +
                        list_names(candidates) + ")");
    }
    if (named.size() > 1) {
      throw ConfigError("tailscale: --hosts: '" + host + "' names several nodes (" + list_names(named) +
                        "); use their MagicDNS names");
    }
    if (!selection.tag.empty() && !named.front()->has_tag(selection.tag)) {
      throw ConfigError("tailscale: --hosts: node " + named.front()->machine_name() + " does not carry " +
                        selection.tag);
    }
    if (std::find(chosen.begin(), chosen.end(), named.front()) == chosen.end()) chosen.push_back(named.front());
  }
  return chosen;
}

// The nodes the selection chooses, this node among them.
std::vector<const Node*> chosen_nodes(const Status& status, const Selection& selection) {
  std::vector<const Node*> candidates{&status.self};
  for (const Node& peer : status.peers) {
    if (!peer.sharee && !peer.expired) candidates.push_back(&peer);
  }
  std::vector<const Node*> chosen = selection.hosts.empty() ? candidates : nodes_in_hosts(candidates, selection);
  if (!selection.tag.empty()) {
    std::erase_if(chosen, [&](const Node* node) { return !node->has_tag(selection.tag); });
  }
  if (std::find(chosen.begin(), chosen.end(), &status.self) == chosen.end()) {
    throw ConfigError("tailscale: this node (" + status.self.machine_name() + ") is not one of the parties " +
                      rule_text(selection) + "; tag it (tailscale up --advertise-tags=" +
                      (selection.tag.empty() ? std::string("tag:mpc") : selection.tag) + ") or name it in --hosts");
  }
  return chosen;
}

// The chosen nodes online, in party order (by stable id), exactly `parties` of
// them; the others are left in discovery.offline.
std::vector<const Node*> online_parties(const Status& status, const Selection& selection,
                                        const std::vector<const Node*>& chosen, std::size_t parties,
                                        Discovery& discovery) {
  std::vector<const Node*> online;
  for (const Node* node : chosen) {
    if (node == &status.self || node->online) {
      online.push_back(node);
    } else {
      discovery.offline.push_back(node->machine_name());
    }
  }
  std::sort(online.begin(), online.end(), [](const Node* a, const Node* b) { return a->stable_id < b->stable_id; });
  if (online.size() != parties) {
    std::string message = "tailscale: -M " + std::to_string(parties) + " parties expected, but " +
                          std::to_string(online.size()) + " online node" + (online.size() == 1 ? " is" : "s are") +
                          " " + rule_text(selection) + ": " + list_names(online);
    if (!discovery.offline.empty()) {
      std::string offline;
      for (const std::string& name : discovery.offline) offline += (offline.empty() ? "" : ", ") + name;
      message += "; offline: " + offline;
    }
    throw ConfigError(message);
  }
  return online;
}

}  // namespace

bool is_valid_tag(std::string_view tag) {
  constexpr std::string_view kPrefix = "tag:";
  if (tag.size() <= kPrefix.size() || tag.substr(0, kPrefix.size()) != kPrefix) return false;
  const std::string_view name = tag.substr(kPrefix.size());
  if (!std::isalpha(static_cast<unsigned char>(name.front()))) return false;
  return std::all_of(name.begin(), name.end(),
                     [](char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '-'; });
}

Discovery discover_parties(const Status& status, const Selection& selection, std::size_t parties,
                           std::uint16_t port) {
  check_on_tailnet(status);
  check_selection(selection);
  const std::vector<const Node*> chosen = chosen_nodes(status, selection);
  Discovery discovery;
  const std::vector<const Node*> online = online_parties(status, selection, chosen, parties, discovery);
  for (std::size_t i = 0; i < online.size(); ++i) {
    const Node& node = *online[i];
    net::PartyInfo party{i, node.machine_name(), endpoints_of(node, port), node.stable_id, std::nullopt};
    if (party.endpoints.empty()) {
      throw ConfigError("tailscale: node " + node.machine_name() + " has no Tailscale IP address in the status");
    }
    if (online[i] == &status.self) discovery.self = i;
    discovery.roster.parties.push_back(std::move(party));
  }
  discovery.roster.validate();
  return discovery;
}

}  // namespace meshmpc::tailscale
