#include "meshmpc/cli/options.hpp"

#include <algorithm>
#include <charconv>
#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <limits>
#include <sstream>
#include <utility>

#include "cli_version.hpp"
#include "meshmpc/cli/parties.hpp"
#include "meshmpc/cli/session_secret.hpp"
#include "meshmpc/cli/transport_plugin.hpp"
#include "meshmpc/error.hpp"
#include "number.hpp"
#include "option_values.hpp"
#include "tls_files.hpp"

namespace meshmpc::cli {

namespace po = boost::program_options;

namespace {

// The names --log-level takes, in spdlog's order (trace = 0 .. off = 6).
constexpr std::string_view kLogLevels[] = {"trace", "debug", "info", "warn", "error", "critical", "off"};

// "1 party", "3 parties".
std::string count_of(std::size_t parties) {
  return std::to_string(parties) + (parties == 1 ? " party" : " parties");
}

std::string known_transports() {
  std::string list;
  for (const TransportPlugin* plugin : transport_plugins()) {
    list += (list.empty() ? "" : ", ") + std::string(plugin->name());
  }
  return list + ", " + std::string(kInMemoryTransport);
}

std::string transports_help() {
  std::string text = "how parties reach each other:";
  for (const TransportPlugin* plugin : transport_plugins()) {
    text += " " + std::string(plugin->name()) + " (" + std::string(plugin->summary()) + "),";
  }
  return text + " " + std::string(kInMemoryTransport) + " (all parties as threads of this process)";
}

spdlog::level::level_enum parse_log_level(const std::string& text) {
  for (std::size_t i = 0; i < std::size(kLogLevels); ++i) {
    if (text == kLogLevels[i]) return static_cast<spdlog::level::level_enum>(i);
  }
  std::string known;
  for (std::string_view name : kLogLevels) known += (known.empty() ? "" : ", ") + std::string(name);
  throw ConfigError("--log-level: unknown level '" + text + "'; known: " + known);
}

MulProtocol parse_mul(const std::string& text) {
  try {
    return mul_protocol_from_string(text);
  } catch (const ConfigError& e) {
    throw ConfigError(std::string("--mul: ") + e.what());
  }
}

// --randomness, with MPyC's --no-prss as a synonym of --randomness extraction.
Randomness parse_randomness(const po::variables_map& vm) {
  Randomness r;
  try {
    r = randomness_from_string(vm["randomness"].as<std::string>());
  } catch (const ConfigError& e) {
    throw ConfigError(std::string("--randomness: ") + e.what());
  }
  if (!vm["no-prss"].as<bool>()) return r;
  if (!vm["randomness"].defaulted() && r != Randomness::extraction)
    throw ConfigError("--no-prss means --randomness extraction, but --randomness " + to_string(r) +
                      " was given too: give one of them");
  return Randomness::extraction;
}

std::chrono::milliseconds parse_timeout(const std::string& text) {
  double seconds = 0;
  const char* const end = text.data() + text.size();
  const auto [ptr, ec] = std::from_chars(text.data(), end, seconds);
  if (text.empty() || ec != std::errc{} || ptr != end || !std::isfinite(seconds)) {
    throw ConfigError("--timeout: '" + text + "' is not a number of seconds");
  }
  // At least a millisecond; at most a day, which no network wait should need.
  if (seconds < 0.001 || seconds > 86400) {
    throw ConfigError("--timeout: " + text + " seconds is out of range (0.001..86400)");
  }
  return std::chrono::milliseconds(std::llround(seconds * 1000));
}

// The plugin named by --transport; nullptr for inmem.
const TransportPlugin* check_transport(const std::string& name) {
  if (name == kInMemoryTransport) return nullptr;
  const TransportPlugin* plugin = find_transport_plugin(name);
  if (const OmittedTransport* omitted = plugin ? nullptr : find_omitted_transport(name)) {
    throw ConfigError("--transport: transport '" + name + "' is not built into this program (" +
                      std::string(omitted->option) + "=OFF); built: " + known_transports());
  }
  if (!plugin) throw ConfigError("--transport: unknown transport '" + name + "'; known: " + known_transports());
  return plugin;
}

// For an option this program does not know: the transports it was built without,
// whose options (--join, --nebula-config, …) it cannot know either.
std::string omitted_transports_note() {
  std::string note;
  for (const OmittedTransport& omitted : omitted_transports()) {
    note += (note.empty() ? "; this program is built without the " : ", the ") + std::string(omitted.name) +
            " transport (" + std::string(omitted.option) + "=OFF)";
  }
  return note;
}

// Fills parties, index and addresses from -M, -I, -P and -C, checking that they agree.
void resolve_parties(const po::variables_map& vm, RunOptions& o, const TransportPlugin* plugin) {
  const bool have_config = vm.count("config") > 0;
  const bool have_party = vm.count("party") > 0;
  if (have_config && have_party) {
    throw ConfigError("-C/--config and -P/--party both define the parties; give only one of them");
  }
  std::string source;
  if (have_config) {
    o.addresses = read_config_file(vm["config"].as<std::string>(), &o.config_file);
    source = "the config file '" + o.config_file + "'";
  } else if (have_party) {
    const auto& texts = vm["party"].as<std::vector<std::string>>();
    for (std::size_t i = 0; i < texts.size(); ++i) {
      net::PartyInfo info;
      info.id = i;
      info.name = "party" + std::to_string(i);
      RosterLine line = parse_roster_line(texts[i], "-P/--party");
      info.endpoints.push_back(line.endpoint);
      info.tls_fingerprint = line.fingerprint;
      o.addresses.push_back(std::move(info));
    }
    source = "-P/--party";
  }

  // MPyC marks this party in a config file (or -P) by an empty host.
  std::optional<std::size_t> marked;
  for (net::PartyInfo& info : o.addresses) {
    net::Endpoint& endpoint = info.endpoints.front();
    if (!endpoint.host.empty()) continue;
    if (marked) {
      throw ConfigError(source + ": parties " + std::to_string(*marked) + " and " + std::to_string(info.id) +
                        " both have an empty host; only this party's may be empty");
    }
    marked = info.id;
    endpoint.host = "localhost";
  }

  const auto m_text = string_if_given(vm, "parties");
  std::optional<std::size_t> m;
  if (m_text) m = detail::parse_unsigned(*m_text, "-M/--parties", 1, net::kMaxParties);
  if (!o.addresses.empty()) {
    if (m && *m != o.addresses.size()) {
      throw ConfigError("-M/--parties " + std::to_string(*m) + " does not match the " +
                        count_of(o.addresses.size()) + " given by " + source);
    }
    o.parties = o.addresses.size();
  } else if (const auto counted = plugin ? plugin->party_count(vm) : std::nullopt) {
    if (m && *m != *counted) {
      throw ConfigError("-M/--parties " + std::to_string(*m) + " does not match the " + count_of(*counted) +
                        " the " + std::string(plugin->name()) + " transport's options give");
    }
    o.parties = *counted;
  } else {
    o.parties = m.value_or(1);
  }

  if (const auto i_text = string_if_given(vm, "index")) {
    const std::size_t i = detail::parse_unsigned(*i_text, "-I/--index", 0, net::kMaxParties);
    if (i >= o.parties) {
      throw ConfigError("-I/--index " + std::to_string(i) + " is out of range for " + count_of(o.parties) +
                        " (0.." + std::to_string(o.parties - 1) + ")");
    }
    if (marked && *marked != i) {
      throw ConfigError("-I/--index " + std::to_string(i) + " contradicts " + source +
                        ", which marks party " + std::to_string(*marked) + " as this one (empty host)");
    }
    o.index = i;
  } else if (marked) {
    o.index = marked;
  } else if (o.parties == 1) {
    o.index = 0;
  } else if (!o.addresses.empty()) {
    throw ConfigError("-I/--index is required with " + source +
                      " (or give this party an empty host); without -P and -C, -M " + std::to_string(o.parties) +
                      " alone starts all parties on this machine");
  }
}

void check_base_port(RunOptions& o, const po::variables_map& vm) {
  if (const auto b_text = string_if_given(vm, "base-port")) o.base_port = detail::parse_port(*b_text, "-B/--base-port");
  // The base port only matters for parties without an explicit port.
  std::size_t highest = 0;
  bool used = o.addresses.empty();
  if (used) highest = o.parties - 1;
  for (const net::PartyInfo& info : o.addresses) {
    if (info.endpoints.front().port == 0) {
      used = true;
      highest = info.id;
    }
  }
  // A local launch picks free ports unless -B is given.
  if (o.local_launch() && !o.base_port) used = false;
  if (used && o.effective_base_port() + highest > 65535) {
    throw ConfigError("-B/--base-port " + std::to_string(o.effective_base_port()) + " + party " +
                      std::to_string(highest) + " exceeds the largest port 65535");
  }
}

// The passphrase from --session-secret-file, --session-secret or the environment,
// and the local launcher's key for its children (session_secret.hpp).
void read_session_secret(const po::variables_map& vm, RunOptions& o) {
  const auto file = string_if_given(vm, "session-secret-file");
  const auto text = string_if_given(vm, "session-secret");
  if (file && text) throw ConfigError("--session-secret-file and --session-secret: give only one of them");
  if (file) {
    std::ifstream in(*file);
    if (!in) throw ConfigError("--session-secret-file '" + *file + "': cannot read it (" + std::strerror(errno) + ")");
    std::string line(kMaxPassphrase + 1, '\0');
    in.read(line.data(), static_cast<std::streamsize>(line.size()));
    line.resize(static_cast<std::size_t>(in.gcount()));
    line = line.substr(0, line.find_first_of("\r\n"));
    if (line.size() > kMaxPassphrase) {
      throw ConfigError("--session-secret-file '" + *file + "': the passphrase is longer than " +
                        std::to_string(kMaxPassphrase) + " bytes");
    }
    if (line.empty()) throw ConfigError("--session-secret-file '" + *file + "': the first line is empty");
    o.session_passphrase = line;
  } else if (text) {
    if (text->empty()) throw ConfigError("--session-secret: the passphrase is empty");
    o.session_passphrase = *text;
  } else if (const char* env = std::getenv(kSessionSecretVariable); env && *env) {
    o.session_passphrase = std::string(env);
  }
  // The launcher's key is for this process alone: a program it starts in turn
  // must not inherit it.
  if (const char* key = std::getenv(kSessionKeyVariable)) {
    const std::string hex(key);
    ::unsetenv(kSessionKeyVariable);
    o.session_key = session_secret_from_hex(hex, std::string("$") + kSessionKeyVariable);
  }
}

// --ssl and its files, and no plaintext beyond this machine unless asked for.
void check_security(const po::variables_map& vm, RunOptions& o, const net::Roster& roster) {
  o.ssl = vm["ssl"].as<bool>();
  o.insecure_plaintext = vm["insecure-plaintext"].as<bool>();
  o.ssl_key = string_or_empty(vm, "ssl-key");
  o.ssl_cert = string_or_empty(vm, "ssl-cert");
  o.ssl_ca = string_or_empty(vm, "ssl-ca");
  const bool pinned = std::any_of(o.addresses.begin(), o.addresses.end(),
                                  [](const net::PartyInfo& party) { return party.tls_fingerprint.has_value(); });
  if (!o.ssl && (pinned || !o.ssl_key.empty() || !o.ssl_cert.empty() || !o.ssl_ca.empty())) {
    o.ssl = true;  // a pinned fingerprint or a key file says TLS as clearly as --ssl
  }
  if (o.ssl && o.insecure_plaintext) {
    throw ConfigError("--insecure-plaintext contradicts TLS (--ssl, a fingerprint in the roster, or a key file): "
                      "give only one of them");
  }
  const TransportPlugin* const plugin = find_transport_plugin(o.transport);
  const bool plugin_tls = plugin && plugin->uses_tls_keys();
  if (plugin_tls) {
    if (!o.ssl_ca.empty() || o.insecure_plaintext) {
      throw ConfigError("the " + o.transport + " transport pins every party's key by the signed roster: "
                        "--ssl-ca and --insecure-plaintext do not apply");
    }
    if (o.ssl_key.empty() != o.ssl_cert.empty()) {
      throw ConfigError("--ssl-key and --ssl-cert go together (the key and certificate meshmpc-keygen made); "
                        "give both, or neither for a fresh key for this run");
    }
    o.ssl = false;  // the plugin runs TLS itself
    return;
  }
  if (o.ssl && o.transport != "tcp") {
    throw ConfigError("--ssl applies to --transport tcp; the " + o.transport +
                      " transport already encrypts and authenticates every link");
  }
  if (o.parties == 1) return;
  if (o.local_launch() && (!o.ssl_key.empty() || !o.ssl_cert.empty())) {
    throw ConfigError("--ssl-key/--ssl-cert name one party's files, but -M " + std::to_string(o.parties) +
                      " starts every party here: leave them out (each party gets a fresh key for this run), "
                      "or give --ssl-ca to use each party's CA-issued .config/party_<i>.key and .crt");
  }
  if (!o.ssl && !o.insecure_plaintext && o.transport == "tcp") {
    for (const net::PartyInfo& party : roster.parties) {
      for (const net::Endpoint& endpoint : party.endpoints) {
        if (is_loopback_host(endpoint.host)) continue;
        throw ConfigError(net::describe(party) + " at " + net::to_string(endpoint) +
                          " is not on this machine, and without TLS every share and key would cross the network "
                          "in clear: give every party --ssl (with keys from meshmpc-keygen and the fingerprints "
                          "it prints in -P), or use --transport tailscale or --transport nebula; "
                          "--insecure-plaintext allows it on a network you trust");
      }
    }
  }
  // A party that knows its index checks its files now: a bad key is exit 2,
  // before anything starts. A local launch makes fresh keys (launcher.hpp).
  if (o.ssl && o.index && !o.local_launch()) {
    const TlsFiles files = tls_files(o, roster, *o.index);
    const net::tls::Context context(load_tls(files));
    net::tls::check_roster(context, roster, *o.index);
  }
}

}  // namespace

Parser::Parser(std::string program, std::string description)
    : program_(std::move(program)),
      description_(std::move(description)),
      runtime_("Runtime options (MPyC's letters and meaning)"),
      own_(program_ + " options"),
      transports_("Transport options") {
  for (const TransportPlugin* plugin : transport_plugins()) plugin->add_options(transports_);
  runtime_.add_options()
      ("help,h", "print this help and exit")
      ("version,V", "print the version and exit")
      ("parties,M", po::value<std::string>()->value_name("N"),
       "number of parties (default 1, or the number of -P/-C parties); with -M N > 1 and no -I, "
       "all N parties start on this machine")
      ("index,I", po::value<std::string>()->value_name("i"), "this party's index, 0..M-1")
      ("party,P", po::value<std::vector<std::string>>()->value_name("'host:port [FINGERPRINT]'"),
       "a party's address, once per party in party order; [::1]:port for IPv6; no port: base port + i; "
       "empty host (:port): this party; a fingerprint (meshmpc-keygen's roster line) pins its TLS certificate")
      ("threshold,T", po::value<std::string>()->value_name("t"),
       "threshold: up to t colluding parties learn nothing; 2t < M (default floor((M-1)/2))")
      ("base-port,B", po::value<std::string>()->value_name("b"),
       "party i uses port b + i where no port is given (default 11365; a local launch picks free ports)")
      ("config,C", po::value<std::string>()->value_name("file"),
       "INI file defining all parties: one [section] per party with host, port, name, identity, fingerprint")
      ("bit-length,L", po::value<std::string>()->value_name("l")->default_value("32"),
       "default bit length l of secure integers")
      ("sec-param,K", po::value<std::string>()->value_name("k")->default_value("30"),
       "statistical security parameter k")
      ("ssl", po::bool_switch(),
       "TLS 1.3 between the parties, each proving its identity with its key (implied by a fingerprint in -P/-C)")
      ("ssl-key", po::value<std::string>()->value_name("file"),
       "this party's private key (default .config/party_<i>.key, as made by meshmpc-keygen)")
      ("ssl-cert", po::value<std::string>()->value_name("file"),
       "this party's certificate (default .config/party_<i>.crt)")
      ("ssl-ca", po::value<std::string>()->value_name("file"),
       "CA mode: accept a peer whose certificate this CA issued to its party name (default "
       ".config/meshmpc_ca.crt when it exists and a party is not pinned by fingerprint)")
      ("insecure-plaintext", po::bool_switch(),
       "allow plaintext TCP to parties off this machine: anyone on the path sees every share")
      ("randomness", po::value<std::string>()->value_name("auto|prss|extraction")->default_value("auto"),
       "where random sharings come from: prss (pseudo-random secret sharing, no messages, C(M-1,T) streams "
       "each), extraction (dealt by every party, a Vandermonde matrix extracts M-T per column), or auto "
       "(the faster at this M and T)")
      ("no-prss", po::bool_switch(), "same as --randomness extraction")
      ("log-level", po::value<std::string>()->value_name("level")->default_value("info"),
       "trace, debug, info, warn, error, critical or off")
      ("no-log", po::bool_switch(), "log warnings and errors only")
      ("output-file", po::bool_switch(), "local launch: party i > 0 writes its output to party<M>_<i>.log")
      ("transport", po::value<std::string>()->value_name("name")->default_value("tcp"), transports_help().c_str())
      ("mul", po::value<std::string>()->value_name("grr|dn07")->default_value("grr"),
       "degree reduction after a product: grr (resharing) or dn07 (double sharings)")
      ("timeout", po::value<std::string>()->value_name("seconds")->default_value("60"),
       "give up on an unreachable or silent peer after this long")
      ("session-id", po::value<std::string>()->value_name("hex"),
       "32 hex digits shared by all parties of one run (the local launcher makes one)")
      ("session-secret-file", po::value<std::string>()->value_name("file"),
       "a passphrase every party is given (the file's first line): a connection that cannot prove it knows it "
       "is refused, so no one else can take a party's place (also $MESHMPC_SESSION_SECRET; a local launch "
       "makes a random one)")
      ("session-secret", po::value<std::string>()->value_name("text"),
       "as --session-secret-file, but on the command line, where `ps` shows it to every user of this machine");
}

po::options_description_easy_init Parser::add_options() { return own_.add_options(); }

std::string Parser::help() const {
  std::ostringstream out;
  out << "Usage: " << program_ << " [options]\n";
  if (!description_.empty()) out << description_ << "\n";
  out << "\n";
  if (!own_.options().empty()) out << own_ << "\n";
  out << runtime_;
  if (!transports_.options().empty()) out << "\n" << transports_;
  return out.str();
}

RunOptions Parser::parse(int argc, const char* const argv[]) const {
  return parse(std::vector<std::string>(argv, argv + argc));
}

RunOptions Parser::parse(const std::vector<std::string>& argv) const {
  RunOptions o;
  o.program = program_;
  o.argv = argv;

  // Positional arguments the program did not ask for land in a hidden option, so
  // that the error can name them (program_options' own message does not).
  constexpr const char* kExtra = "unexpected-positional-arguments";
  po::options_description hidden;
  hidden.add_options()(kExtra, po::value<std::vector<std::string>>());
  po::positional_options_description positional = positional_;
  if (positional.max_total_count() != std::numeric_limits<unsigned>::max()) positional.add(kExtra, -1);
  po::options_description all;
  all.add(runtime_).add(own_).add(transports_).add(hidden);
  po::variables_map& vm = o.vars;
  try {
    const std::vector<std::string> args(argv.empty() ? argv.begin() : argv.begin() + 1, argv.end());
    po::store(po::command_line_parser(args).options(all).positional(positional).run(), vm);
  } catch (const po::unknown_option& e) {
    throw ConfigError(program_ + ": " + e.what() + omitted_transports_note() + " (see --help)");
  } catch (const po::error& e) {
    throw ConfigError(program_ + ": " + e.what() + " (see --help)");
  }
  if (vm.count("help")) {
    o.action = Action::help;
    o.text = help();
    return o;
  }
  if (vm.count("version")) {
    o.action = Action::version;
    o.text = program_ + " (meshmpc " + std::string(kMeshmpcVersion) + ")\n";
    return o;
  }
  if (vm.count(kExtra)) {
    throw ConfigError(program_ + ": unexpected argument '" + vm[kExtra].as<std::vector<std::string>>().front() +
                      "' (see --help)");
  }
  try {
    po::notify(vm);  // the program's own required options and notifiers
  } catch (const po::error& e) {
    throw ConfigError(program_ + ": " + e.what() + " (see --help)");
  }

  o.transport = vm["transport"].as<std::string>();
  if (vm["transport"].defaulted()) {  // an option of a plugin's own may choose it (--join)
    for (const TransportPlugin* candidate : transport_plugins()) {
      if (candidate->selected_by(vm)) {
        o.transport = std::string(candidate->name());
      }
    }
  }
  const TransportPlugin* const plugin = check_transport(o.transport);
  o.transport_discovers = plugin && plugin->discovers_parties();
  o.mul = parse_mul(vm["mul"].as<std::string>());
  o.randomness = parse_randomness(vm);
  o.log_level = parse_log_level(vm["log-level"].as<std::string>());
  // MPyC's --no-log keeps warnings and errors (logging.disable(INFO)).
  if (vm["no-log"].as<bool>()) o.log_level = std::max(o.log_level, spdlog::level::warn);
  o.output_file = vm["output-file"].as<bool>();
  o.timeout = parse_timeout(vm["timeout"].as<std::string>());
  o.bit_length = static_cast<unsigned>(detail::parse_unsigned(vm["bit-length"].as<std::string>(),
                                                              "-L/--bit-length", 1, 1u << 16));
  o.sec_param = static_cast<unsigned>(detail::parse_unsigned(vm["sec-param"].as<std::string>(),
                                                             "-K/--sec-param", 1, 1u << 10));
  if (const auto sid = string_if_given(vm, "session-id")) o.session_id = session_id_from_hex(*sid);
  read_session_secret(vm, o);

  resolve_parties(vm, o, plugin);
  check_base_port(o, vm);

  const std::size_t max_t = (o.parties - 1) / 2;
  if (const auto t_text = string_if_given(vm, "threshold")) {
    const std::uint64_t t = detail::parse_unsigned(*t_text, "-T/--threshold", 0, net::kMaxParties);
    if (2 * t >= o.parties) {
      throw ConfigError("-T/--threshold " + std::to_string(t) + " is too large for " + count_of(o.parties) +
                        ": an honest majority needs 2t < " + std::to_string(o.parties) +
                        ", so t <= " + std::to_string(max_t));
    }
    o.threshold = t;
  } else {
    o.threshold = max_t;
  }
  const net::Roster roster = make_roster(o);  // the roster's own checks (distinct names, ...) at parse time
  check_security(vm, o, roster);
  if (plugin) plugin->check(o);
  if (const auto text = plugin ? plugin->answer(o) : std::nullopt) {
    o.action = Action::print;
    o.text = *text;
  }
  return o;
}

}  // namespace meshmpc::cli
