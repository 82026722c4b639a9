#include <meshmpc/nebula/nebula_transport.hpp>

#include <algorithm>
#include <memory>
#include <optional>
#include <boost/asio/this_coro.hpp>

#include <meshmpc/error.hpp>

namespace meshmpc::nebula {

namespace {

// A party's overlay addresses, in roster order: the first is the one it listens
// on and is dialled at; the others are its certificate's further networks, any
// of which its connections may come from (Nebula lets a host send from each).
std::vector<asio::ip::address> overlay_ips(const net::PartyInfo& party) {
  std::vector<asio::ip::address> out;
  for (const net::Endpoint& endpoint : party.endpoints) {
    boost::system::error_code error;
    const auto address = asio::ip::make_address(endpoint.host, error);
    if (error || endpoint.port == 0) {
      throw ConfigError("nebula transport: " + net::describe(party) + ": endpoint '" + endpoint.host + ":" +
                        std::to_string(endpoint.port) + "' is not a numeric overlay IP (IPv4 or IPv6) with a port");
    }
    out.push_back(address);
  }
  if (out.empty()) {
    throw ConfigError("nebula transport: " + net::describe(party) +
                      " needs an endpoint: its overlay IP (IPv4 or IPv6) and a port");
  }
  return out;
}

// An IPv4 peer seen on a dual-stack socket arrives as ::ffff:a.b.c.d.
asio::ip::address plain(const asio::ip::address& address) {
  if (address.is_v6() && address.to_v6().is_v4_mapped()) {
    return asio::ip::make_address_v4(asio::ip::v4_mapped, address.to_v6());
  }
  return address;
}

// The identity check's verdict on a connection from `remote`: it may be only a
// party whose certificate holds that overlay IP. Nothing to look up (the
// addresses are in the roster), so the verdict is ready at once.
asio::awaitable<net::IdentityVerdict> overlay_verdict(std::shared_ptr<const net::Roster> roster,
                                                      asio::ip::tcp::endpoint remote) {
  co_return [roster, remote](const net::PartyInfo& party) -> std::optional<std::string> {
    try {
      check_overlay_source(*roster, party.id, remote);
      return std::nullopt;
    } catch (const PeerError& error) {
      return error.what();
    }
  };
}

}  // namespace

void check_overlay_source(const net::Roster& roster, std::size_t claimed, const asio::ip::tcp::endpoint& remote) {
  const net::PartyInfo& party = roster.party(claimed);
  const std::vector<asio::ip::address> expected = overlay_ips(party);
  const asio::ip::address seen = plain(remote.address());
  if (std::find(expected.begin(), expected.end(), seen) != expected.end()) return;
  std::string listed;
  for (const auto& address : expected) listed += (listed.empty() ? "" : ", ") + address.to_string();
  throw PeerError("the connection comes from " + seen.to_string() + ", which is not " +
                  (expected.size() == 1 ? "the overlay IP " : "any of the overlay IPs ") + listed + " of " +
                  net::describe(party) + "'s certificate");
}

NebulaTransport::NebulaTransport(net::TcpOptions options) : options_(std::move(options)) {}

std::string NebulaTransport::name() const { return "nebula"; }

asio::awaitable<net::Links> NebulaTransport::connect(const net::Roster& roster, std::size_t self,
                                                     std::chrono::steady_clock::time_point deadline) {
  roster.validate();
  for (const net::PartyInfo& party : roster.parties) overlay_ips(party);
  const net::PartyInfo& me = roster.party(self);
  net::TcpOptions options = options_;
  options.source_address = overlay_ips(me).front();
  // Nebula's Noise tunnels encrypt and authenticate every overlay packet.
  if (options.plaintext == net::Plaintext::loopback_only) options.plaintext = net::Plaintext::encrypted_underneath;
  // Shared: the check may run in an accept task that outlives this call by a turn.
  const auto shared_roster = std::make_shared<const net::Roster>(roster);
  options.identity_check = [shared_roster](const asio::ip::tcp::endpoint& remote) {
    return overlay_verdict(shared_roster, remote);
  };
  std::optional<asio::ip::tcp::acceptor> acceptor;
  if (net::accepts(self, roster.size())) {
    try {
      acceptor = net::listen(co_await asio::this_coro::executor, me.endpoints.front());
    } catch (const ConfigError& error) {
      throw ConfigError("nebula transport: " + net::describe(me) + ": " + error.what() +
                        " (is nebula up with this host's certificate?)");
    }
  }
  net::Mesh mesh = co_await net::connect_mesh_relinkable(std::move(acceptor), roster, self, deadline, options);
  relinker_ = std::move(mesh.relinker);
  co_return std::move(mesh.links);
}

}  // namespace meshmpc::nebula
