// --join host:port/session --expect n: the parties meet at a rendezvous
// (meshmpc-rendezvous), agree on a roster every party signs — proven by a session
// code (--code) or by the fingerprints the users compare (--expect-fingerprints,
// or printed) — and connect directly, through a punched NAT or relayed, always
// TLS with the keys the roster pins (docs/discovery.md).
#include <meshmpc/cli/logging.hpp>
#include <meshmpc/cli/options.hpp>
#include <meshmpc/cli/parties.hpp>
#include <meshmpc/error.hpp>
#include <meshmpc/net/tcp_plumbing.hpp>
#include <meshmpc/net/tls/context.hpp>
#include <meshmpc/net/tls/credentials.hpp>
#include <meshmpc/rendezvous/client.hpp>
#include <meshmpc/rendezvous/messages.hpp>
#include <meshmpc/rendezvous/session_code.hpp>
#include <meshmpc/tcp/tcp_transport.hpp>

#include <boost/asio/ip/address.hpp>
#include <boost/asio/this_coro.hpp>
#include <spdlog/logger.h>
#include <unistd.h>

#include <fstream>

#include "../number.hpp"
#include "../option_values.hpp"
#include "../tls_files.hpp"
#include "plugins.hpp"

namespace meshmpc::cli::plugins {

namespace {

namespace po = boost::program_options;

struct JoinTarget {
  net::Endpoint rendezvous;
  std::string session;
};

// "host:port/session-name"; the name's characters as the rendezvous allows them.
JoinTarget parse_join(const std::string& text) {
  const auto slash = text.rfind('/');
  if (slash == std::string::npos || slash + 1 == text.size()) {
    throw ConfigError("--join '" + text + "': expected host:port/session-name (e.g. rv.example.org:7000/office-party)");
  }
  JoinTarget target{parse_endpoint(text.substr(0, slash), "--join"), text.substr(slash + 1)};
  if (target.rendezvous.host.empty() || target.rendezvous.port == 0) {
    throw ConfigError("--join '" + text + "': the rendezvous needs a host and a port (host:port/session-name)");
  }
  try {
    rendezvous::check_session_name(target.session, "--join");
  } catch (const ProtocolError& e) {
    throw ConfigError(e.what());
  }
  return target;
}

// A switch is always in the map (false by default): its value says.
bool wants_new_code(const po::variables_map& vars) { return vars.count("new-code") && vars["new-code"].as<bool>(); }

std::size_t expected_parties(const po::variables_map& vars) {
  if (!vars.count("expect")) throw ConfigError("--join needs --expect N: how many parties, this one included");
  return detail::parse_unsigned(vars["expect"].as<std::string>(), "--expect", 2, rendezvous::kMaxExpect);
}

// --expect-fingerprints f1,f2,… or @file (one per line, '#' comments).
std::vector<net::tls::Fingerprint> expected_fingerprints(const po::variables_map& vars) {
  std::vector<net::tls::Fingerprint> out;
  const auto text = string_if_given(vars, "expect-fingerprints");
  if (!text) return out;
  std::vector<std::string> items;
  if (!text->empty() && text->front() == '@') {
    std::ifstream in(text->substr(1));
    if (!in) throw ConfigError("--expect-fingerprints '" + *text + "': cannot read the file");
    for (std::string line; std::getline(in, line) && items.size() <= rendezvous::kMaxExpect;) {
      line = line.substr(0, line.find('#'));
      if (line.find_first_not_of(" \t\r") != std::string::npos) items.push_back(line);
    }
  } else {
    std::size_t start = 0;
    while (start <= text->size()) {
      const std::size_t comma = std::min(text->find(',', start), text->size());
      if (comma > start) items.push_back(text->substr(start, comma - start));
      start = comma + 1;
    }
  }
  for (const std::string& item : items) out.push_back(net::tls::parse_fingerprint(item, "--expect-fingerprints"));
  return out;
}

// What the rendezvous accepts as a name: printable ASCII, at most kMaxPartyName.
void check_party_name(const std::string& name) {
  if (name.empty() || name.size() > rendezvous::kMaxPartyName) {
    throw ConfigError("--party-name: give 1 to " + std::to_string(rendezvous::kMaxPartyName) + " characters");
  }
  for (const char c : name) {
    if (c < 0x20 || c > 0x7e) throw ConfigError("--party-name '" + name + "': printable ASCII only");
  }
}

std::string host_name() {
  char name[256] = {};
  if (::gethostname(name, sizeof name - 1) != 0 || !name[0]) return "party";
  return std::string(name).substr(0, rendezvous::kMaxPartyName);
}

// The party's identity: --ssl-key/--ssl-cert (meshmpc-keygen's), or a fresh
// Ed25519 key and self-signed certificate for this run, never written to disk.
net::tls::Settings identity(const RunOptions& options, const std::string& name) {
  if (!options.ssl_key.empty()) return load_tls(TlsFiles{options.ssl_key, options.ssl_cert, ""});
  net::tls::Settings settings;
  settings.key_pem = net::tls::generate_private_key(net::tls::KeyType::ed25519);
  net::tls::CertificateSpec spec;
  spec.common_name = name;
  settings.cert_pem = net::tls::self_signed_certificate(settings.key_pem, spec);
  return settings;
}

std::string roster_text(const rendezvous::Joined& joined) {
  std::string text;
  for (std::size_t i = 0; i < joined.roster.parties.size(); ++i) {
    const auto& entry = joined.roster.parties[i];
    text += "\n  party " + std::to_string(i) + " '" + entry.name + "' " + net::tls::format_fingerprint(entry.fingerprint) +
            (i == joined.self ? "  (this party)" : "");
  }
  return text;
}

class RendezvousPlugin final : public TransportPlugin {
 public:
  std::string_view name() const override { return "rendezvous"; }
  std::string_view summary() const override {
    return "meet at a rendezvous by session name (--join), agree on a signed roster, connect through NATs";
  }
  bool discovers_parties() const override { return true; }
  bool selected_by(const po::variables_map& vars) const override {
    return vars.count("join") > 0 || wants_new_code(vars);
  }
  std::optional<std::size_t> party_count(const po::variables_map& vars) const override {
    if (!vars.count("join")) return std::nullopt;
    return expected_parties(vars);
  }
  bool uses_tls_keys() const override { return true; }
  std::optional<std::string> answer(const RunOptions& options) const override {
    if (!wants_new_code(options.vars)) return std::nullopt;
    return rendezvous::new_session_code() + "\n";
  }

  void add_options(po::options_description& options) const override {
    options.add_options()
        ("join", po::value<std::string>()->value_name("host:port/name"),
         "rendezvous: meet the other parties at this rendezvous (meshmpc-rendezvous) in the session of this name")
        ("expect", po::value<std::string>()->value_name("N"), "rendezvous: the number of parties, this one included")
        ("code", po::value<std::string>()->value_name("code"),
         "rendezvous: the session code every party was given (e.g. 7-crossover-clockwork); proves the others")
        ("new-code", po::bool_switch(), "rendezvous: print a fresh session code to read out to the others, and exit")
        ("expect-fingerprints", po::value<std::string>()->value_name("fp,fp,...|@file"),
         "rendezvous: the roster's identities must be exactly these (meshmpc-keygen's fingerprints)")
        ("party-name", po::value<std::string>()->value_name("name"),
         "rendezvous: how the others see this party (default: the host name)")
        ("listen", po::value<std::string>()->value_name("host:port"),
         "rendezvous: where this party listens for the others (default 0.0.0.0:0: every address, a free port)");
  }

  void check(const RunOptions& options) const override {
    if (wants_new_code(options.vars)) {
      if (options.vars.count("join")) throw ConfigError("--new-code prints a code and exits: leave out --join");
      return;
    }
    if (!options.vars.count("join")) throw ConfigError("--transport rendezvous needs --join host:port/session-name");
    parse_join(options.vars["join"].as<std::string>());
    if (options.index || !options.addresses.empty()) {
      throw ConfigError("--join: the rendezvous orders the parties by key: drop -I, -P and -C");
    }
    if (const auto code = string_if_given(options.vars, "code")) rendezvous::normalise_session_code(*code, "--code");
    expected_fingerprints(options.vars);
    if (const auto name = string_if_given(options.vars, "party-name")) check_party_name(*name);
    if (const auto listen = string_if_given(options.vars, "listen")) parse_endpoint(*listen, "--listen");
  }

  boost::asio::awaitable<PartySetup> setup(const RunOptions& options) const override {
    const JoinTarget target = parse_join(options.vars["join"].as<std::string>());
    std::shared_ptr<spdlog::logger> log = make_logger(options);
    rendezvous::JoinOptions join;
    join.rendezvous = target.rendezvous;
    join.session = target.session;
    join.expect = options.parties;
    join.name = options.vars.count("party-name") ? options.vars["party-name"].as<std::string>() : host_name();
    const net::tls::Settings tls = identity(options, join.name);
    join.key_pem = tls.key_pem;
    join.cert_pem = tls.cert_pem;
    if (const auto code = string_if_given(options.vars, "code")) {
      join.code = rendezvous::normalise_session_code(*code, "--code");
    }
    join.expected = expected_fingerprints(options.vars);
    join.on_waiting = [log, expect = join.expect](const std::vector<rendezvous::Joiner>& joiners) {
      log->info("rendezvous: {} of {} parties have joined", joiners.size(), expect);
    };

    net::Endpoint where{"0.0.0.0", 0};
    if (const auto listen = string_if_given(options.vars, "listen")) where = parse_endpoint(*listen, "--listen");
    auto acceptor = net::listen(co_await boost::asio::this_coro::executor, where, true);
    join.endpoints = rendezvous::local_endpoints(acceptor.local_endpoint(), is_loopback_host(target.rendezvous.host));
    log->info("rendezvous: joining session '{}' at {} as '{}', key {}", join.session,
              net::to_string(target.rendezvous), join.name,
              net::tls::format_fingerprint(net::tls::fingerprint_of_pem(join.cert_pem, "this party's certificate")));

    const auto deadline = std::chrono::steady_clock::now() + options.timeout;
    const rendezvous::Joined joined = co_await rendezvous::join(join, acceptor.local_endpoint(), deadline);
    RunOptions as_party = options;
    as_party.index = joined.self;
    log = make_logger(as_party);
    if (join.code) {
      log->info("rendezvous: roster signed by all {} parties, each proven by the session code:{}",
                joined.roster.parties.size(), roster_text(joined));
    } else if (!join.expected.empty()) {
      log->info("rendezvous: roster signed by all {} parties, the expected fingerprints:{}",
                joined.roster.parties.size(), roster_text(joined));
    } else {
      log->warn("rendezvous: roster signed by all {} parties; nothing proves who they are — compare these "
                "fingerprints with the others out of band (or use --code):{}",
                joined.roster.parties.size(), roster_text(joined));
    }

    PartySetup setup;
    setup.roster = rendezvous::network_roster(joined);
    setup.self = joined.self;
    net::TcpOptions tcp;
    tcp.on_refusal = refusal_logger(log);
    tcp.tls = std::make_shared<net::tls::Context>(tls);
    tcp.routes = rendezvous::peer_routes(joined);
    setup.transport = std::make_unique<tcp::TcpTransport>(std::move(acceptor), std::move(tcp));
    co_return setup;
  }
};

}  // namespace

const TransportPlugin& rendezvous() {
  static const RendezvousPlugin plugin;
  return plugin;
}

}  // namespace meshmpc::cli::plugins
