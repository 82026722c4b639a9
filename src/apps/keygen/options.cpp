#include "options.hpp"

#include <boost/program_options.hpp>

#include <charconv>
#include <sstream>

#include <meshmpc/error.hpp>

namespace meshmpc::keygen {

namespace po = boost::program_options;

namespace {

constexpr std::size_t kMaxParties = 1000;
constexpr unsigned kMaxDays = 36500;
constexpr std::size_t kMaxCommonName = 64;  // RFC 5280 ub-common-name

// host:port as the roster takes it; IPv6 in brackets.
void check_endpoint(const std::string& text) {
  const std::string where = "--endpoint '" + text + "'";
  const std::size_t colon = text.rfind(':');
  if (colon == std::string::npos || colon + 1 == text.size()) throw UsageError(where + ": expected host:port");
  const std::string host = text.substr(0, colon);
  if (host.empty()) throw UsageError(where + ": the host is empty");
  if (host.front() == '[') {
    if (host.size() < 3 || host.back() != ']') throw UsageError(where + ": missing ']' after the IPv6 address");
  } else if (host.find(':') != std::string::npos) {
    throw UsageError(where + ": an IPv6 address goes in brackets, e.g. [::1]:11365");
  }
  for (char c : host) {
    if (c == ' ' || c == '\t' || c == '/') throw UsageError(where + ": '" + std::string(1, c) + "' in the host");
  }
  apps::parse_number(text.substr(colon + 1), where + ": port", 1, 65535);
}

void check_name(const std::string& name) {
  if (name.empty()) throw UsageError("--name: the common name is empty");
  if (name.size() > kMaxCommonName) {
    throw UsageError("--name '" + name + "': longer than " + std::to_string(kMaxCommonName) + " bytes");
  }
}

// Which options a mode cannot take, named in the message.
void refuse(const po::variables_map& vm, const char* mode, std::initializer_list<const char*> options) {
  for (const char* option : options) {
    if (vm.count(option) > 0 && !vm[option].defaulted()) {
      throw UsageError(std::string("--") + option + " cannot be used with " + mode);
    }
  }
}

std::string optional_text(const po::variables_map& vm, const char* option) {
  return vm.count(option) > 0 ? vm[option].as<std::string>() : std::string();
}

// Every option keygen takes.
void describe_options(po::options_description& description) {
  // Values are strings: the numbers are checked here, with messages that name the
  // option ("-1" would otherwise wrap into an unsigned).
  description.add_options()
      ("help,h", "print this help and exit")
      ("index,I", po::value<std::string>()->value_name("i"),
       "make party i: DIR/party_<i>.key and DIR/party_<i>.crt; print its roster line")
      ("parties,M", po::value<std::string>()->value_name("N"),
       "make parties 0..N-1 at once (with -I: only party i, checked against N)")
      ("dir,d", po::value<std::string>()->value_name("DIR"), "where the files go (default .config)")
      ("type,t", po::value<std::string>()->value_name("ed25519|p256"), "key type (default ed25519)")
      ("name,n", po::value<std::string>()->value_name("CN"),
       "certificate common name (default party<i>, the CLI's name of party i; with --ca: \"meshmpc CA\")")
      ("endpoint,e", po::value<std::string>()->value_name("host:port"),
       "the address in the printed roster line (default this machine's hostname and port 11365+i)")
      ("days", po::value<std::string>()->value_name("D"), "certificate validity in days (default 825)")
      ("ca", po::bool_switch(), "make a CA instead: DIR/meshmpc_ca.key and DIR/meshmpc_ca.crt")
      ("ca-dir", po::value<std::string>()->value_name("DIR2"),
       "issue the party certificates with the CA in DIR2 (meshmpc_ca.key, meshmpc_ca.crt) instead of self-signing")
      ("fingerprint", po::value<std::string>()->value_name("FILE.crt"), "print the fingerprint of a certificate");
}

// --help: the usage and every option.
Options help(const po::options_description& description) {
  Options o;
  std::ostringstream help;
  help << "Usage: meshmpc-keygen -I i [options]        a party's key and self-signed certificate\n"
          "       meshmpc-keygen -M N [options]        parties 0..N-1\n"
          "       meshmpc-keygen -I i --ca-dir DIR2    a party's certificate issued by a CA\n"
          "       meshmpc-keygen --ca [options]        a CA\n"
          "       meshmpc-keygen --fingerprint FILE    a certificate's fingerprint\n"
          "Keys and certificates for meshmpc's TLS transport. A party's roster line\n"
          "(host:port FINGERPRINT) goes to stdout, what was written to stderr.\n\n"
       << description;
  o.mode = Mode::help;
  o.help_text = help.str();
  return o;
}

// Exactly one of parties (-I/-M), --ca and --fingerprint.
void check_one_mode(bool ca, bool fingerprint, bool party) {
  const int modes = static_cast<int>(ca) + static_cast<int>(fingerprint) + static_cast<int>(party);
  if (modes != 1) {
    throw UsageError(modes > 1
                         ? "give one of -I/-M (parties), --ca or --fingerprint (see --help)"
                         : "nothing to do: give -I i, -M N, --ca or --fingerprint FILE (see --help)");
  }
}

// --dir, --type, --days and --name, which more than one mode takes.
void read_common_options(const po::variables_map& vm, Options& o) {
  if (vm.count("dir") > 0) {
    o.dir = vm["dir"].as<std::string>();
    if (o.dir.empty()) throw UsageError("--dir: empty directory name");
  }
  if (vm.count("type") > 0) {
    try {
      o.type = net::tls::key_type_from_string(vm["type"].as<std::string>());
    } catch (const ConfigError& e) {
      throw UsageError(std::string("--type: ") + e.what());
    }
  }
  if (vm.count("days") > 0) {
    o.days = static_cast<unsigned>(apps::parse_number(vm["days"].as<std::string>(), "--days", 1, kMaxDays));
  }
  if (vm.count("name") > 0) {
    o.name = vm["name"].as<std::string>();
    check_name(*o.name);
  }
}

// -I, -M, --endpoint and --ca-dir: which parties to make, and how.
void read_party_options(const po::variables_map& vm, Options& o) {
  o.mode = Mode::parties;
  std::optional<std::size_t> index;
  std::optional<std::size_t> count;
  if (vm.count("parties") > 0) count = apps::parse_number(optional_text(vm, "parties"), "-M/--parties", 1, kMaxParties);
  if (vm.count("index") > 0) {
    const std::uint64_t max = count ? *count - 1 : kMaxParties - 1;
    index = apps::parse_number(optional_text(vm, "index"), "-I/--index", 0, max);
  }
  if (index) {
    o.indices = {*index};
  } else {
    for (std::size_t i = 0; i < *count; ++i) o.indices.push_back(i);
  }
  if (o.indices.size() > 1) refuse(vm, "-M N (it is per party: use it with -I i)", {"name", "endpoint"});
  if (vm.count("endpoint") > 0) {
    o.endpoint = vm["endpoint"].as<std::string>();
    check_endpoint(*o.endpoint);
  }
  static_assert(kBasePort + kMaxParties - 1 <= 65535, "the default port of every party fits");
  if (vm.count("ca-dir") > 0) {
    o.ca_dir = vm["ca-dir"].as<std::string>();
    if (o.ca_dir->empty()) throw UsageError("--ca-dir: empty directory name");
  }
}

}  // namespace

std::string endpoint_host(const std::string& endpoint) {
  std::string host = endpoint.substr(0, endpoint.rfind(':'));
  if (!host.empty() && host.front() == '[') host = host.substr(1, host.size() - 2);
  return host;
}

Options parse_options(const std::vector<std::string>& args) {
  po::options_description description("Options");
  describe_options(description);
  const po::variables_map vm = apps::parse_arguments(description, args);
  if (vm.count("help") > 0) return help(description);

  Options o;
  const bool ca = vm["ca"].as<bool>();
  const bool fingerprint = vm.count("fingerprint") > 0;
  const bool party = vm.count("index") > 0 || vm.count("parties") > 0;
  check_one_mode(ca, fingerprint, party);
  read_common_options(vm, o);

  if (fingerprint) {
    refuse(vm, "--fingerprint", {"dir", "type", "name", "endpoint", "days", "ca-dir"});
    o.mode = Mode::fingerprint;
    o.certificate = vm["fingerprint"].as<std::string>();
    if (o.certificate.empty()) throw UsageError("--fingerprint: empty file name");
    return o;
  }
  if (ca) {
    refuse(vm, "--ca", {"endpoint", "ca-dir"});
    o.mode = Mode::ca;
    return o;
  }
  read_party_options(vm, o);
  return o;
}

}  // namespace meshmpc::keygen
