#include "meshmpc/nebula/nebula_parties.hpp"

#include <arpa/inet.h>
#include <ifaddrs.h>
#include <netinet/in.h>

#include <map>
#include <memory>
#include <optional>

#include "meshmpc/nebula/host_key.hpp"
#include "meshmpc/nebula/roster_file.hpp"

namespace meshmpc::nebula {

namespace {

// pki entries: the config's, each overridden by an explicit path.
NodeConfig node_config(const NebulaOptions& options) {
  NodeConfig config;
  if (!options.config_file.empty()) config = read_node_config(options.config_file);
  const auto override_with = [](PemSource& source, const std::string& path) {
    if (!path.empty()) source = PemSource{path, {}, path};
  };
  override_with(config.ca, options.ca_file);
  override_with(config.cert, options.cert_file);
  refuse_pkcs11_key(options.key_file, "--nebula-key");
  override_with(config.key, options.key_file);
  const auto need = [](const PemSource& source, const char* what) {
    if (source.empty()) {
      throw ConfigError(std::string("nebula: no ") + what + ": give the nebula config (pki section) or the file");
    }
  };
  need(config.ca, "CA certificate");
  need(config.cert, "host certificate");
  need(config.key, "host key");
  return config;
}

// The IPv4 overlay address parties dial and listen on. A v2 certificate lists
// IPv4 before IPv6, so a first network that is IPv6 means there is no IPv4 one.
std::uint32_t overlay_ipv4(const Certificate& cert) {
  const IpNetwork& primary = overlay_address(cert);
  if (primary.v6) {
    throw ConfigError(cert.describe() + " has only IPv6 overlay networks (" + primary.to_string() +
                      "); the Nebula transport needs an IPv4 one");
  }
  return primary.v4_address();
}

std::string dotted(std::uint32_t address) { return IpNetwork::v4(address, 32).address_string(); }

}  // namespace

bool address_is_local(std::uint32_t address, std::string* device) {
  ifaddrs* list = nullptr;
  if (::getifaddrs(&list) != 0) return false;
  const std::unique_ptr<ifaddrs, decltype(&::freeifaddrs)> owner(list, &::freeifaddrs);
  for (const ifaddrs* it = list; it; it = it->ifa_next) {
    if (!it->ifa_addr || it->ifa_addr->sa_family != AF_INET) continue;
    const auto* in = reinterpret_cast<const sockaddr_in*>(it->ifa_addr);
    if (ntohl(in->sin_addr.s_addr) == address) {
      if (device) *device = it->ifa_name;
      return true;
    }
  }
  return false;
}

NebulaParties load_parties(const NebulaOptions& options, UnixSeconds now) {
  if (options.roster_file.empty()) throw ConfigError("nebula: no roster file (the list of the parties' certificates)");
  if (options.group.empty()) throw ConfigError("nebula: the required group is empty");
  const NodeConfig config = node_config(options);
  CaPool pool(parse_certificates(config.ca.read("CA file"), config.ca.name()));
  // Entries that are no fingerprint match nothing, in Nebula as here (node_config warned).
  for (const std::string& fingerprint : config.blocklist) {
    if (is_fingerprint(fingerprint)) pool.block(fingerprint);
  }

  // Our own certificate first: a fault of ours is the likeliest and the most useful to report.
  const std::vector<Certificate> own_list = parse_certificates(config.cert.read("host certificate"), config.cert.name());
  if (own_list.size() != 1) {
    throw CertificateError(CertificateFault::malformed, config.cert.name() + ": holds " +
                                                            std::to_string(own_list.size()) +
                                                            " certificates; expected this host's one");
  }
  const Certificate& own = own_list.front();
  pool.verify(own, now);
  require_group(own, options.group);
  check_host_key(own, config.key.read("host key"), config.key.name());

  NebulaParties parties;
  parties.tun_dev = config.tun_dev;
  parties.warnings = config.warnings;
  parties.roster.session_id = options.session_id;
  std::map<std::string, std::size_t> names;
  std::map<std::uint32_t, std::size_t> ips;
  std::optional<std::size_t> self;
  const std::vector<RosterEntry> entries = read_roster_file(options.roster_file);
  if (options.expected_parties != 0 && entries.size() != options.expected_parties) {
    throw ConfigError("-M " + std::to_string(options.expected_parties) + " but the roster '" + options.roster_file +
                      "' lists " + std::to_string(entries.size()) + " parties");
  }
  for (const RosterEntry& entry : entries) {
    const std::size_t id = parties.certificates.size();
    const std::string where = "roster '" + options.roster_file + "', line " + std::to_string(entry.line) + " (party " +
                              std::to_string(id) + ")";
    Certificate cert;
    try {
      cert = read_certificate(entry.certificate);
      pool.verify(cert, now);
      require_group(cert, options.group);
    } catch (const CertificateError& e) {
      throw CertificateError(e.fault(), where + ": " + e.what());
    }
    const std::uint32_t ip = overlay_ipv4(cert);
    const auto conflict = [&](const std::string& what, std::size_t other) {
      throw CertificateError(CertificateFault::roster, where + ": " + cert.describe() + " has the same " + what +
                                                           " as party " + std::to_string(other) + " (" +
                                                           parties.certificates[other].describe() + ")");
    };
    if (const auto [it, fresh] = names.emplace(cert.name, id); !fresh) conflict("name '" + cert.name + "'", it->second);
    if (const auto [it, fresh] = ips.emplace(ip, id); !fresh) conflict("overlay IP " + dotted(ip), it->second);
    if (cert.fingerprint == own.fingerprint) self = id;
    net::PartyInfo party;
    party.id = id;
    party.name = cert.name;
    party.endpoints.push_back({dotted(ip), entry.port != 0 ? entry.port : options.default_port});
    party.identity = cert.fingerprint_hex();
    parties.roster.parties.push_back(std::move(party));
    parties.certificates.push_back(std::move(cert));
  }
  if (!self) {
    throw CertificateError(CertificateFault::roster, "roster '" + options.roster_file + "' does not list this host's " +
                                                         own.describe() + " (fingerprint " + own.fingerprint_hex() +
                                                         "): every party, this one included, must be an entry");
  }
  parties.self = *self;
  const std::uint32_t own_ip = overlay_ipv4(own);
  std::string device;
  if (options.require_overlay_ip_here && !address_is_local(own_ip, &device)) {
    throw CertificateError(CertificateFault::no_overlay_ip,
                           "the overlay IP " + dotted(own_ip) + " of " + own.describe() +
                               " is not assigned to any interface here (expected on " + config.tun_dev +
                               "): is nebula running with this certificate?");
  }
  parties.roster.validate();
  return parties;
}

}  // namespace meshmpc::nebula
