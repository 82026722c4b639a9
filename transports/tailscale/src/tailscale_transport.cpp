#include <meshmpc/tailscale/tailscale_transport.hpp>

#include <boost/asio/this_coro.hpp>
#include <optional>
#include <string>

#include <meshmpc/error.hpp>
#include <meshmpc/tailscale/path_report.hpp>

namespace meshmpc::tailscale {

namespace {

// The identity check's verdict on a connection from `remote`: tailscaled's whois
// names its node, which must belong to `login` (when given) and be the roster's
// node (PartyInfo::identity, a StableNodeID) for the party in question.
asio::awaitable<net::IdentityVerdict> node_verdict(LocalApi api, std::string login, asio::ip::tcp::endpoint remote) {
  const WhoIs who = co_await api.whois(remote);
  if (!login.empty() && who.login != login) {
    throw PeerError(who.describe() + " belongs to user " + who.login + ", not " + login);
  }
  co_return [who, address = net::to_string(remote)](const net::PartyInfo& party) -> std::optional<std::string> {
    if (who.stable_id == party.identity) return std::nullopt;
    return address + " belongs to " + who.describe() + ", but " + net::describe(party) + " is " +
           (party.identity.empty() ? std::string("unidentified in the roster") : party.identity);
  };
}

}  // namespace

TailscaleTransport::TailscaleTransport(LocalApi api, TailscaleOptions options)
    : api_(std::move(api)), options_(std::move(options)) {}

std::string TailscaleTransport::name() const { return "tailscale"; }

asio::awaitable<net::Links> TailscaleTransport::connect(const net::Roster& roster, std::size_t self,
                                                        std::chrono::steady_clock::time_point deadline) {
  roster.validate_dialable();
  const net::PartyInfo& me = roster.party(self);
  // The first endpoint is the node's own Tailscale address (IPv4 unless it has
  // none): listening there, never on a wildcard, keeps the session off other networks.
  const net::Endpoint& own = me.endpoints.front();
  boost::system::error_code error;
  const auto own_address = asio::ip::make_address(own.host, error);
  if (error) {
    throw ConfigError("tailscale transport: " + net::describe(me) + ": endpoint " + own.host +
                      " is not an IP address (the roster must hold Tailscale IPs)");
  }

  net::TcpOptions tcp = options_.tcp;
  tcp.source_address = own_address;
  // WireGuard encrypts and authenticates every tailnet packet.
  if (tcp.plaintext == net::Plaintext::loopback_only) tcp.plaintext = net::Plaintext::encrypted_underneath;
  const LocalApi api = api_;
  const std::string login = options_.required_login;
  tcp.identity_check = [api, login](const asio::ip::tcp::endpoint& remote) {
    return node_verdict(api, login, remote);
  };

  std::optional<asio::ip::tcp::acceptor> acceptor;
  if (net::accepts(self, roster.size())) {
    try {
      acceptor = net::listen(co_await asio::this_coro::executor, own);
    } catch (const ConfigError& e) {
      throw ConfigError("tailscale transport: " + net::describe(me) + ": " + e.what() +
                        " (is this the node's Tailscale address? check `tailscale ip`)");
    }
  }
  net::Mesh mesh = co_await net::connect_mesh_relinkable(std::move(acceptor), roster, self, deadline, tcp);
  net::Links links = std::move(mesh.links);
  relinker_ = std::move(mesh.relinker);

  // Now that every peer has seen traffic from us, tailscaled knows each path.
  if (options_.on_warning) {
    try {
      const Status status = co_await api_.status();
      for (const std::string& line : relayed_parties(status, roster, self)) options_.on_warning(line);
    } catch (const Error& e) {
      options_.on_warning(std::string("could not read the paths to the parties: ") + e.what());
    }
  }
  co_return links;
}

}  // namespace meshmpc::tailscale
