#include "party_options.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <meshmpc/cli/parties.hpp>
#include <meshmpc/error.hpp>

#include "number.hpp"
#include "option_values.hpp"

namespace meshmpc::cli {

namespace po = boost::program_options;

namespace {

// "1 party", "3 parties".
std::string count_of(std::size_t parties) {
  return std::to_string(parties) + (parties == 1 ? " party" : " parties");
}

// The parties' addresses from -C or -P (none from neither); returns where they
// came from, for messages.
std::string read_addresses(const po::variables_map& vm, RunOptions& o) {
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
  return source;
}

// MPyC marks this party in a config file (or -P) by an empty host.
std::optional<std::size_t> marked_party(RunOptions& o, const std::string& source) {
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
  return marked;
}

// -M, checked against the addresses or the count the transport's options give.
void count_parties(const po::variables_map& vm, RunOptions& o, const TransportPlugin* plugin,
                   const std::string& source) {
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
}

// -I, or the party `marked` by an empty host; none for a local launch.
void choose_index(const po::variables_map& vm, RunOptions& o, std::optional<std::size_t> marked,
                  const std::string& source) {
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

}  // namespace

void resolve_parties(const po::variables_map& vm, RunOptions& o, const TransportPlugin* plugin) {
  const std::string source = read_addresses(vm, o);
  const std::optional<std::size_t> marked = marked_party(o, source);
  count_parties(vm, o, plugin, source);
  choose_index(vm, o, marked, source);
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

void resolve_threshold(const po::variables_map& vm, RunOptions& o) {
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
}

}  // namespace meshmpc::cli
