// --transport tailscale: the parties are the tailnet's nodes that carry --tag and/or
// are named in --hosts (tailscale/discovery.hpp); each process is the party of the
// node it runs on. No addresses, no -I: `-M 5 --transport tailscale --tag tag:mpc`.
#include <meshmpc/cli/logging.hpp>
#include <meshmpc/cli/options.hpp>
#include <meshmpc/error.hpp>
#include <meshmpc/tailscale/discovery.hpp>
#include <meshmpc/tailscale/local_api.hpp>
#include <meshmpc/tailscale/tailscale_transport.hpp>

#include <spdlog/logger.h>

#include "../number.hpp"
#include "../option_values.hpp"
#include "plugins.hpp"

namespace meshmpc::cli::plugins {

namespace {

namespace po = boost::program_options;

std::vector<std::string> host_list(const RunOptions& options) {
  std::vector<std::string> hosts;
  if (!options.vars.count("hosts")) return hosts;
  for (const std::string& item : options.vars["hosts"].as<std::vector<std::string>>()) {
    std::size_t start = 0;
    while (start <= item.size()) {
      const std::size_t comma = std::min(item.find(',', start), item.size());
      if (comma > start) hosts.push_back(item.substr(start, comma - start));
      start = comma + 1;
    }
  }
  return hosts;
}

// Every node listens on its own address, so one port serves them all:
// --tailscale-port, or else -B (MPyC's base port, 11365 by default).
std::uint16_t session_port(const RunOptions& options) {
  if (const auto port = string_if_given(options.vars, "tailscale-port")) {
    return detail::parse_port(*port, "--tailscale-port");
  }
  return options.effective_base_port();
}

class TailscalePlugin final : public TransportPlugin {
 public:
  std::string_view name() const override { return "tailscale"; }
  std::string_view summary() const override {
    return "the tailnet's nodes with --tag/--hosts, found and verified through tailscaled";
  }
  bool discovers_parties() const override { return true; }

  void add_options(po::options_description& options) const override {
    options.add_options()
        ("tag", po::value<std::string>()->value_name("tag:name"),
         "tailscale: the parties are the nodes carrying this ACL tag (e.g. tag:mpc)")
        ("hosts", po::value<std::vector<std::string>>()->multitoken()->value_name("names"),
         "tailscale: the parties are these nodes (MagicDNS or host names, comma-separated)")
        ("tailscale-port", po::value<std::string>()->value_name("port"),
         "tailscale: the port every party listens on (default: -B, 11365)")
        ("tailscale-socket", po::value<std::string>()->value_name("path"),
         "tailscale: tailscaled's LocalAPI socket (default: $MESHMPC_TAILSCALE_SOCKET, else "
         "/var/run/tailscale/tailscaled.sock and the other usual places, else the macOS app)")
        ("tailscale-localapi", po::value<std::string>()->value_name("127.0.0.1:port"),
         "tailscale: the macOS App Store or standalone app's LocalAPI (loopback TCP with a token)")
        ("tailscale-localapi-token-file", po::value<std::string>()->value_name("path"),
         "tailscale: the file holding that LocalAPI's token (default: the app's sameuserproof file)")
        ("tailscale-login", po::value<std::string>()->value_name("login"),
         "tailscale: also require every peer's node to belong to this user (e.g. tagged-devices)");
  }

  void check(const RunOptions& options) const override {
    if (!options.vars.count("tag") && host_list(options).empty()) {
      throw ConfigError("--transport tailscale: say which nodes are the parties with --tag (e.g. --tag tag:mpc) "
                        "and/or --hosts");
    }
    if (const auto tag = string_if_given(options.vars, "tag"); tag && !tailscale::is_valid_tag(*tag)) {
      throw ConfigError("--tag '" + *tag + "': expected a Tailscale tag, tag:<name> (e.g. tag:mpc)");
    }
    if (options.index || !options.addresses.empty()) {
      throw ConfigError("--transport tailscale finds the parties and this party's index itself: drop -I, -P and -C");
    }
    session_port(options);
    if (options.vars.count("tailscale-socket") && options.vars.count("tailscale-localapi")) {
      throw ConfigError("--tailscale-socket (a Unix socket) and --tailscale-localapi (the macOS app's loopback "
                        "port): give one");
    }
    if (options.vars.count("tailscale-localapi-token-file") && !options.vars.count("tailscale-localapi")) {
      throw ConfigError("--tailscale-localapi-token-file goes with --tailscale-localapi 127.0.0.1:PORT");
    }
    if (const auto loopback = string_if_given(options.vars, "tailscale-localapi")) {
      tailscale::parse_loopback(*loopback, "--tailscale-localapi");
    }
  }

  boost::asio::awaitable<PartySetup> setup(const RunOptions& options) const override {
    tailscale::LocalApiOptions where;
    where.socket = string_if_given(options.vars, "tailscale-socket");
    where.loopback = string_if_given(options.vars, "tailscale-localapi");
    where.token_file = string_if_given(options.vars, "tailscale-localapi-token-file");
    const tailscale::LocalApi api = tailscale::choose_local_api(where);
    const tailscale::Status status = co_await api.status();
    const tailscale::Selection selection{string_or_empty(options.vars, "tag"), host_list(options)};
    tailscale::Discovery found = tailscale::discover_parties(status, selection, options.parties, session_port(options));

    RunOptions as_party = options;
    as_party.index = found.self;
    const std::shared_ptr<spdlog::logger> log = make_logger(as_party);
    if (!found.offline.empty()) {
      std::string names;
      for (const std::string& name : found.offline) names += (names.empty() ? "" : ", ") + name;
      log->warn("tailscale: left out offline node(s) {}", names);
    }
    std::string parties;
    for (const net::PartyInfo& party : found.roster.parties) {
      parties += (parties.empty() ? "" : ", ") + net::describe(party) + " at " + net::to_string(party.endpoints.front());
    }
    log->info("tailscale {} (LocalAPI at {}): this node is party {} of {}: {}", status.version, api.describe(), found.self,
              found.roster.size(), parties);

    PartySetup setup;
    setup.roster = std::move(found.roster);
    setup.roster.session_id = options.session_id.value_or(net::session_id_from_text(options.program));
    setup.self = found.self;
    tailscale::TailscaleOptions transport_options;
    transport_options.required_login = string_or_empty(options.vars, "tailscale-login");
    transport_options.on_warning = [log](const std::string& line) { log->warn("tailscale: {}", line); };
    transport_options.tcp.on_refusal = refusal_logger(log);
    setup.transport = std::make_unique<tailscale::TailscaleTransport>(api, std::move(transport_options));
    co_return setup;
  }
};

}  // namespace

const TransportPlugin& tailscale() {
  static const TailscalePlugin plugin;
  return plugin;
}

}  // namespace meshmpc::cli::plugins
