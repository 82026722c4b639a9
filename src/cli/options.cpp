#include <meshmpc/cli/options.hpp>

#include <algorithm>
#include <initializer_list>
#include <limits>
#include <string>
#include <vector>
#include <sstream>
#include <utility>

#include <meshmpc/cli/parties.hpp>
#include <meshmpc/cli/transport_plugin.hpp>
#include <meshmpc/error.hpp>

#include "cli_version.hpp"
#include "number.hpp"
#include "option_parsers.hpp"
#include "option_values.hpp"
#include "party_options.hpp"
#include "security_options.hpp"

// The parser's face: which options there are, and the order of the steps that
// check them (party_options, security_options, option_parsers hold the steps).
namespace meshmpc::cli {

namespace po = boost::program_options;

namespace {

// MPyC's: who takes part, and the sizes of secure numbers.
void add_party_options(po::options_description& options) {
  options.add_options()
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
      ("truncation", po::value<std::string>()->value_name("sum|bits")->default_value("sum"),
       "fixed-point products: sum (fast, within 2 units of the last place at 3 parties) or bits (MPyC's: "
       "within 1 unit and exact on whole multiples, f random bits per product)")
      ("comparison-slice", po::value<std::string>()->value_name("N")->default_value(std::to_string(kDefaultComparisonSlice)),
       "comparisons of more values than N run N at a time, two slices at once: memory bounded by N, the "
       "comparison's rounds again per further pair of slices; 0: the whole batch at once");
}

// How the links are protected.
void add_tls_options(po::options_description& options) {
  options.add_options()
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
       "allow plaintext TCP to parties off this machine: anyone on the path sees every share");
}

// How the computation runs: randomness, logging, transport, protocol, patience.
void add_run_options(po::options_description& options) {
  options.add_options()
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
      ("emulate-rtt", po::value<std::string>()->value_name("ms"),
       "emulate a far link: every message waits half this round-trip time before it leaves (benchmarks, trying "
       "a program as across continents)")
      ("emulate-rate", po::value<std::string>()->value_name("Mbit/s"),
       "emulate a slow uplink: this party's messages leave no faster than this, all links together");
}

// Which run a connection belongs to, and who may join it.
void add_session_options(po::options_description& options) {
  options.add_options()
      ("session-id", po::value<std::string>()->value_name("hex"),
       "32 hex digits shared by all parties of one run (the local launcher makes one)")
      ("session-secret-file", po::value<std::string>()->value_name("file"),
       "a passphrase every party is given (the file's first line): a connection that cannot prove it knows it "
       "is refused, so no one else can take a party's place (also $MESHMPC_SESSION_SECRET; a local launch "
       "makes a random one)")
      ("session-secret", po::value<std::string>()->value_name("text"),
       "as --session-secret-file, but on the command line, where `ps` shows it to every user of this machine");
}

// Positional arguments the program did not ask for land in a hidden option, so
// that the error can name them (program_options' own message does not).
constexpr const char* kExtra = "unexpected-positional-arguments";

// The command line (argv[0] first) stored in `vm`, checked for its syntax only.
void store_command_line(const std::vector<std::string>& argv, const std::string& program,
                        std::initializer_list<const po::options_description*> groups,
                        po::positional_options_description positional, po::variables_map& vm) {
  po::options_description hidden;
  hidden.add_options()(kExtra, po::value<std::vector<std::string>>());
  if (positional.max_total_count() != std::numeric_limits<unsigned>::max()) positional.add(kExtra, -1);
  po::options_description all;
  for (const po::options_description* group : groups) all.add(*group);
  all.add(hidden);
  try {
    const std::vector<std::string> args(argv.empty() ? argv.begin() : argv.begin() + 1, argv.end());
    po::store(po::command_line_parser(args).options(all).positional(positional).run(), vm);
  } catch (const po::unknown_option& e) {
    throw ConfigError(program + ": " + e.what() + omitted_transports_note() + " (see --help)");
  } catch (const po::error& e) {
    throw ConfigError(program + ": " + e.what() + " (see --help)");
  }
}

// No stray positional argument, and the program's own required options and notifiers.
void check_command_line(po::variables_map& vm, const std::string& program) {
  if (vm.count(kExtra)) {
    throw ConfigError(program + ": unexpected argument '" + vm[kExtra].as<std::vector<std::string>>().front() +
                      "' (see --help)");
  }
  try {
    po::notify(vm);  // the program's own required options and notifiers
  } catch (const po::error& e) {
    throw ConfigError(program + ": " + e.what() + " (see --help)");
  }
}

// --transport, or the plugin one of whose own options chooses it (--join).
std::string chosen_transport(const po::variables_map& vm) {
  std::string transport = vm["transport"].as<std::string>();
  if (vm["transport"].defaulted()) {  // an option of a plugin's own may choose it (--join)
    for (const TransportPlugin* candidate : transport_plugins()) {
      if (candidate->selected_by(vm)) {
        transport = std::string(candidate->name());
      }
    }
  }
  return transport;
}

// Everything but the parties and security: transport, protocol choices, logging,
// timeout, sizes, session id. Returns the transport's plugin (nullptr for inmem).
const TransportPlugin* read_run_settings(const po::variables_map& vm, RunOptions& o) {
  o.transport = chosen_transport(vm);
  const TransportPlugin* const plugin = check_transport(o.transport);
  o.transport_discovers = plugin && plugin->discovers_parties();
  o.mul = parse_mul(vm["mul"].as<std::string>());
  o.randomness = parse_randomness(vm);
  o.log_level = parse_log_level(vm["log-level"].as<std::string>());
  // MPyC's --no-log keeps warnings and errors (logging.disable(INFO)).
  if (vm["no-log"].as<bool>()) o.log_level = std::max(o.log_level, LogLevel::warn);
  o.output_file = vm["output-file"].as<bool>();
  o.timeout = parse_timeout(vm["timeout"].as<std::string>());
  o.emulation = parse_emulation(vm);
  o.bit_length = static_cast<unsigned>(detail::parse_unsigned(vm["bit-length"].as<std::string>(),
                                                              "-L/--bit-length", 1, 1u << 16));
  o.sec_param = static_cast<unsigned>(detail::parse_unsigned(vm["sec-param"].as<std::string>(),
                                                             "-K/--sec-param", 1, 1u << 10));
  o.truncation = parse_truncation(vm["truncation"].as<std::string>());
  o.comparison_slice = static_cast<std::size_t>(detail::parse_unsigned(vm["comparison-slice"].as<std::string>(),
                                                                       "--comparison-slice", 0, std::uint64_t{1} << 32));
  if (const auto sid = string_if_given(vm, "session-id")) o.session_id = session_id_from_hex(*sid);
  return plugin;
}

}  // namespace

Parser::Parser(std::string program, std::string description)
    : program_(std::move(program)),
      description_(std::move(description)),
      runtime_("Runtime options (MPyC's letters and meaning)"),
      own_(program_ + " options"),
      transports_("Transport options") {
  for (const TransportPlugin* plugin : transport_plugins()) plugin->add_options(transports_);
  add_party_options(runtime_);
  add_tls_options(runtime_);
  add_run_options(runtime_);
  add_session_options(runtime_);
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
  po::variables_map& vm = o.vars;
  store_command_line(argv, program_, {&runtime_, &own_, &transports_}, positional_, vm);
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
  check_command_line(vm, program_);
  const TransportPlugin* const plugin = read_run_settings(vm, o);
  read_session_secret(vm, o);

  resolve_parties(vm, o, plugin);
  check_base_port(o, vm);
  resolve_threshold(vm, o);
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
