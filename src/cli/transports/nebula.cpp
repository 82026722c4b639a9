// --transport nebula: the parties are the certificates of a roster file, on a
// Nebula overlay; this party is the entry whose certificate is this host's own
// (from the nebula config's pki section). docs/transports/nebula.md.
#include <meshmpc/cli/logging.hpp>
#include <meshmpc/cli/options.hpp>
#include <meshmpc/nebula/nebula_parties.hpp>
#include <meshmpc/nebula/nebula_transport.hpp>
#include <spdlog/logger.h>

#include "../option_values.hpp"
#include "plugins.hpp"

namespace meshmpc::cli::plugins {

namespace {

namespace po = boost::program_options;

class NebulaPlugin final : public TransportPlugin {
 public:
  std::string_view name() const override { return "nebula"; }
  std::string_view summary() const override {
    return "TCP over a Nebula overlay; parties are the certificates of --nebula-roster, checked against the CA";
  }

  void add_options(po::options_description& options) const override {
    options.add_options()
        ("nebula-config", po::value<std::string>()->value_name("file|dir"),
         "nebula's config: a YAML file or a directory of them, as nebula -config takes (pki, tun.dev)")
        ("nebula-roster", po::value<std::string>()->value_name("file"),
         "the parties' certificate files, one per line in party order: '<file> [port]'")
        ("nebula-group", po::value<std::string>()->value_name("group")->default_value(std::string(nebula::kDefaultGroup)),
         "every party's certificate must carry this group")
        ("nebula-ca", po::value<std::string>()->value_name("file"), "the CA certificate(s), instead of pki.ca")
        ("nebula-cert", po::value<std::string>()->value_name("file"), "this host's certificate, instead of pki.cert")
        ("nebula-key", po::value<std::string>()->value_name("file"), "this host's key, instead of pki.key");
  }

  bool discovers_parties() const override { return true; }

  void check(const RunOptions& options) const override {
    if (options.transport != name()) return;
    const auto given = [&](const char* name) { return !string_or_empty(options.vars, name).empty(); };
    if (!given("nebula-roster")) {
      throw ConfigError("--transport nebula needs --nebula-roster <file> (the parties' certificates)");
    }
    if (!given("nebula-config") && !(given("nebula-ca") && given("nebula-cert") && given("nebula-key"))) {
      throw ConfigError("--transport nebula needs --nebula-config <nebula config.yml>, or all of --nebula-ca, "
                        "--nebula-cert and --nebula-key");
    }
    if (options.parties < 2) {
      throw ConfigError("--transport nebula needs -M N, the number of parties in the roster");
    }
  }

  boost::asio::awaitable<PartySetup> setup(const RunOptions& options) const override {
    nebula::NebulaOptions nebula_options;
    nebula_options.config_file = string_or_empty(options.vars, "nebula-config");
    nebula_options.roster_file = string_or_empty(options.vars, "nebula-roster");
    nebula_options.ca_file = string_or_empty(options.vars, "nebula-ca");
    nebula_options.cert_file = string_or_empty(options.vars, "nebula-cert");
    nebula_options.key_file = string_or_empty(options.vars, "nebula-key");
    nebula_options.group = string_or_empty(options.vars, "nebula-group");
    nebula_options.default_port = options.effective_base_port();
    nebula_options.session_id = options.session_id.value_or(net::session_id_from_text(options.program));
    nebula_options.expected_parties = options.parties;
    nebula::NebulaParties parties = nebula::load_parties(nebula_options, nebula::now_seconds());
    if (options.index && *options.index != parties.self) {
      throw ConfigError("-I " + std::to_string(*options.index) + " but this host's certificate is party " +
                        std::to_string(parties.self) + " of the roster");
    }
    PartySetup setup;
    setup.roster = std::move(parties.roster);
    setup.self = parties.self;
    RunOptions as_party = options;
    as_party.index = parties.self;
    const auto log = make_logger(as_party);
    for (const std::string& warning : parties.warnings) log->warn("nebula: {}", warning);
    net::TcpOptions tcp;
    tcp.on_refusal = refusal_logger(log);
    setup.transport = std::make_unique<nebula::NebulaTransport>(std::move(tcp));
    co_return setup;
  }
};

}  // namespace

const TransportPlugin& nebula() {
  static const NebulaPlugin plugin;
  return plugin;
}

}  // namespace meshmpc::cli::plugins
