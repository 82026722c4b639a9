#pragma once
// How a transport appears on the command line: its own options, and how it turns
// the parsed options into this party's roster, index and net::Transport. The
// direct TCP plugin reads the roster from -P/-C or the local launcher; a
// discovering plugin (Tailscale, Nebula) finds the parties itself, so that
// `-M 5 --transport tailscale` on five machines needs no addresses and no -I.
// Each plugin lives in src/cli/transports/<name>.cpp and is listed in
// transport_plugins(); the transport itself is its own library under transports/.
// A build configured with MESHMPC_WITH_<NAME>=OFF has neither the library nor the
// plugin, and names the option when that transport is asked for.
#include <boost/asio/awaitable.hpp>
#include <boost/program_options/options_description.hpp>
#include <boost/program_options/variables_map.hpp>
#include <cstddef>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include <meshmpc/net/roster.hpp>
#include <meshmpc/net/transport.hpp>

namespace meshmpc::cli {

struct RunOptions;

// What a party needs before it connects.
struct PartySetup {
  net::Roster roster;
  std::size_t self = 0;
  std::unique_ptr<net::Transport> transport;
};

class TransportPlugin {
 public:
  virtual ~TransportPlugin() = default;

  // The --transport name.
  virtual std::string_view name() const = 0;
  // One line for --help's list of transports.
  virtual std::string_view summary() const = 0;

  // The plugin's own options, shown in --help under "<name> transport options"
  // and parsed with the rest; read them back from RunOptions::vars.
  virtual void add_options(boost::program_options::options_description& options) const { (void)options; }

  // True when the plugin finds the parties itself: then -M N without -I means "N
  // parties on the network, this process is one of them", not a local launch.
  virtual bool discovers_parties() const { return false; }

  // True when the plugin's own options choose it where --transport is not given
  // (the rendezvous: --join or --new-code).
  virtual bool selected_by(const boost::program_options::variables_map& vars) const {
    (void)vars;
    return false;
  }

  // How many parties the plugin's own options say there are (the rendezvous:
  // --expect), when -M does not; nullopt: -M (or 1).
  virtual std::optional<std::size_t> party_count(const boost::program_options::variables_map& vars) const {
    (void)vars;
    return std::nullopt;
  }

  // True when the plugin runs TLS itself with this party's --ssl-key/--ssl-cert
  // (the rendezvous: the key it announces and signs with).
  virtual bool uses_tls_keys() const { return false; }

  // Text to print instead of running (the rendezvous: --new-code prints a fresh
  // session code), or nullopt.
  virtual std::optional<std::string> answer(const RunOptions& options) const {
    (void)options;
    return std::nullopt;
  }

  // Checks the plugin's options once parsing is done (throws ConfigError naming
  // the option), so that a bad command line fails before anything starts.
  virtual void check(const RunOptions& options) const { (void)options; }

  // In each party process, before connecting: finds the roster and this party's
  // index and makes the transport. Throws ConfigError or PeerError naming what
  // was wrong (a discovery that found the wrong number of parties, say).
  virtual boost::asio::awaitable<PartySetup> setup(const RunOptions& options) const = 0;
};

// Every transport plugin of this build, "tcp" first.
std::span<const TransportPlugin* const> transport_plugins();

// The plugin named `name`, or nullptr.
const TransportPlugin* find_transport_plugin(std::string_view name);

// A transport this build was configured without, and the CMake option that
// would have built it: {"nebula", "MESHMPC_WITH_NEBULA"}.
struct OmittedTransport {
  std::string_view name;
  std::string_view option;
};

// Every transport this build was configured without (empty by default).
std::span<const OmittedTransport> omitted_transports();

// The omitted transport named `name`, or nullptr (built, or no such transport).
const OmittedTransport* find_omitted_transport(std::string_view name);

}  // namespace meshmpc::cli
