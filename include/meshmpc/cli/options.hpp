#pragma once
// The command line every meshmpc program shares: MPyC's runtime options (same
// letters, same meaning: -M -I -P -T -B -C -L -K --ssl --no-prss --no-log
// --output-file) plus meshmpc's own (--transport, --mul, --randomness, --timeout,
// --session-id, --session-secret-file, --session-secret, --log-level, --ssl-key,
// --ssl-cert, --ssl-ca, --insecure-plaintext).
// A program adds its own options through Parser::add_options() and
// reads them back from RunOptions::vars. docs/cli.md describes every option and the
// config file format.
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <boost/program_options.hpp>

#include <meshmpc/net/link_emulation.hpp>
#include <meshmpc/net/roster.hpp>
#include <meshmpc/runtime/session_options.hpp>

namespace meshmpc::cli {

// MPyC's default base port: party i listens on 11365 + i unless told otherwise.
inline constexpr std::uint16_t kDefaultBasePort = 11365;
inline constexpr std::chrono::milliseconds kDefaultTimeout{60'000};
// A passphrase is typed or kept in a file; anything longer is a mistake.
inline constexpr std::size_t kMaxPassphrase = 1024;
// --transport inmem: all parties as threads of one process (no plugin: nothing
// crosses a process boundary). The other names are the plugins of
// transport_plugin.hpp.
inline constexpr std::string_view kInMemoryTransport = "inmem";

// What the caller of Parser::parse should do: run the computation, or print
// RunOptions::text (help, version, or a plugin's answer such as a fresh session
// code) and exit with status 0.
enum class Action { run, help, version, print };

// A log's level, in spdlog's order (logging.cpp hands it to spdlog): its own enum
// so that a program's options do not compile spdlog's and fmt's headers.
enum class LogLevel { trace, debug, info, warn, error, critical, off };

struct RunOptions {
  Action action = Action::run;
  std::string text;                // the help or version text when action != run
  std::string program;             // the name given to Parser
  std::vector<std::string> argv;   // the command line as given, argv[0] first

  std::size_t parties = 1;           // -M, or the number of -P / config parties
  std::optional<std::size_t> index;  // -I, or the party marked by an empty host
  // From -P or -C, in party order: name, one endpoint (port 0 = not given: base
  // port + id), identity. Empty when neither was given.
  std::vector<net::PartyInfo> addresses;
  std::optional<std::uint16_t> base_port;  // -B as given; see effective_base_port()
  std::string config_file;                 // -C as resolved (path that was read)
  std::size_t threshold = 0;               // -T, default floor((M-1)/2); 2t < M
  unsigned bit_length = 32;                // -L
  unsigned sec_param = 30;                 // -K
  Truncation truncation = Truncation::sum;  // --truncation
  std::size_t comparison_slice = kDefaultComparisonSlice;  // --comparison-slice (0: none)
  Randomness randomness = Randomness::automatic;  // --randomness (--no-prss: extraction)
  LogLevel log_level = LogLevel::info;     // --log-level, --no-log
  bool output_file = false;                // --output-file
  std::string transport = "tcp";           // --transport
  bool transport_discovers = false;        // the transport finds the parties (no local launch)
  MulProtocol mul = MulProtocol::grr;      // --mul
  std::chrono::milliseconds timeout = kDefaultTimeout;  // --timeout (seconds)
  net::LinkEmulation emulation{};  // --emulate-rtt, --emulate-rate: a slower, farther link
  std::optional<net::SessionId> session_id;             // --session-id (32 hex digits)
  // The session secret's sources (session_secret.hpp): a passphrase from
  // --session-secret-file, --session-secret or $MESHMPC_SESSION_SECRET, and the
  // local launcher's random key ($MESHMPC_SESSION_KEY in its children), which wins.
  std::optional<std::string> session_passphrase;
  std::optional<net::SessionSecret> session_key;
  // TLS between the parties (--ssl, or implied by a fingerprint in -P/-C). Empty
  // file names mean the defaults, resolved once the index is known:
  // .config/party_<i>.key, .config/party_<i>.crt, and as CA .config/meshmpc_ca.crt
  // when it exists and some party is not pinned (tls_files.hpp).
  bool ssl = false;
  std::string ssl_key;   // --ssl-key
  std::string ssl_cert;  // --ssl-cert
  std::string ssl_ca;    // --ssl-ca
  bool insecure_plaintext = false;  // --insecure-plaintext: plaintext beyond loopback, by name

  // Every option as parsed, the program's own included (vars["bids"]).
  boost::program_options::variables_map vars;

  // -M N > 1 without -I, -P or -C: start all parties on this machine (Launcher).
  // A discovering transport (transport_plugin.hpp) instead finds the N parties.
  bool local_launch() const { return parties > 1 && !index.has_value() && !transport_discovers; }
  std::uint16_t effective_base_port() const { return base_port.value_or(kDefaultBasePort); }
};

// Parser p("auction", "A sealed-bid auction."); p.add_options()("bids", ...);
// RunOptions o = p.parse(argc, argv);
class Parser {
 public:
  Parser(std::string program, std::string description);

  // The program's own options, shown in --help under "<program> options".
  boost::program_options::options_description_easy_init add_options();
  boost::program_options::options_description& program_options() { return own_; }
  // Positional arguments go to these options (e.g. p.positional().add("bids", -1)).
  boost::program_options::positional_options_description& positional() { return positional_; }

  // Throws ConfigError naming the option and the fault (unknown option, bad value,
  // -I >= -M, -P count != -M, bad host:port or fingerprint, port out of range,
  // t >= M/2, unreadable or malformed config file, unknown transport, a party off
  // this machine without TLS or --insecure-plaintext, an unusable key file). --help and --version come
  // back as Action::help / Action::version with the text to print.
  RunOptions parse(int argc, const char* const argv[]) const;
  RunOptions parse(const std::vector<std::string>& argv) const;  // argv[0] first

  std::string help() const;

 private:
  std::string program_;
  std::string description_;
  boost::program_options::options_description runtime_;
  boost::program_options::options_description own_;
  boost::program_options::options_description transports_;  // the plugins' own options
  boost::program_options::positional_options_description positional_;
};

}  // namespace meshmpc::cli
