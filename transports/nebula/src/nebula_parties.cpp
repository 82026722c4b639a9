#include <meshmpc/nebula/nebula_parties.hpp>

#include <arpa/inet.h>
#include <ifaddrs.h>
#include <netinet/in.h>

#include <algorithm>
#include <cstring>
#include <map>
#include <memory>
#include <optional>

#include <meshmpc/nebula/host_key.hpp>
#include <meshmpc/nebula/roster_file.hpp>

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

// This host's certificates as Nebula reads pki.cert: one v1 and one v2 at most;
// a pair must share its key, its curve and its first network (pki.go refuses
// anything else, and peers would see two different hosts).
std::vector<Certificate> own_certificates(const NodeConfig& config) {
  std::vector<Certificate> list = parse_certificates(config.cert.read("host certificate"), config.cert.name());
  const auto fail = [&](CertificateFault fault, const std::string& why) {
    throw CertificateError(fault, config.cert.name() + ": " + why);
  };
  if (list.size() > 2) {
    fail(CertificateFault::malformed, "holds " + std::to_string(list.size()) +
                                          " certificates; expected this host's one, or its v1 and its v2 one");
  }
  if (list.size() == 2) {
    const Certificate& a = list[0];
    const Certificate& b = list[1];
    if (a.version == b.version) {
      fail(CertificateFault::malformed, "holds two " + std::string(to_string(a.version)) +
                                            " certificates; Nebula takes one v1 and one v2 at most");
    }
    if (a.curve != b.curve) {
      fail(CertificateFault::key_mismatch, a.describe() + " is " + std::string(to_string(a.curve)) + " but " +
                                               b.describe() + " is " + std::string(to_string(b.curve)) +
                                               "; Nebula needs one key for both certificates");
    }
    if (a.public_key != b.public_key) {
      fail(CertificateFault::key_mismatch, a.describe() + " and " + b.describe() +
                                               " have different public keys; Nebula needs one key for both "
                                               "(nebula-cert keygen once, then sign -in-pub with each CA)");
    }
    if (!(overlay_address(a) == overlay_address(b))) {
      fail(CertificateFault::roster, a.describe() + " starts with network " + overlay_address(a).to_string() +
                                         " but " + b.describe() + " with " + overlay_address(b).to_string() +
                                         "; Nebula needs the same first network in both");
    }
  }
  return list;
}

// The certificate this host initiates with, as Nebula picks it (pki.go):
// pki.initiating_version when given, else v1 when there is a v1 certificate,
// else v2. Version 1 without a v1 certificate is an error there too; version 2
// without a v2 certificate leaves Nebula on v1.
const Certificate& initiating_certificate(const std::vector<Certificate>& own, std::optional<int> version,
                                          const std::string& source) {
  const auto of = [&](CertificateVersion v) -> const Certificate* {
    for (const Certificate& cert : own) {
      if (cert.version == v) return &cert;
    }
    return nullptr;
  };
  const Certificate* v1 = of(CertificateVersion::v1);
  const Certificate* v2 = of(CertificateVersion::v2);
  if (version == 1 && !v1) {
    throw CertificateError(CertificateFault::malformed, "pki.initiating_version is 1 but " + source +
                                                            " holds no v1 certificate (Nebula refuses that too)");
  }
  if (version == 2 && v2) return *v2;
  return v1 ? *v1 : *v2;
}

// True when `cert` has a network of this family.
bool has_family(const Certificate& cert, bool v6) {
  return std::any_of(cert.networks.begin(), cert.networks.end(), [&](const IpNetwork& n) { return n.v6 == v6; });
}

// Which family every party listens and is dialled on: IPv4 when every roster
// certificate has an IPv4 network, else IPv6 when every one has an IPv6 network
// (an IPv6-only overlay); a roster mixing IPv4-only and IPv6-only hosts cannot
// link up (Nebula carries each family only between hosts that have it).
bool session_uses_ipv6(const std::vector<Certificate>& certs, const std::string& roster_file) {
  const auto lacking = [&](bool v6) {
    return std::find_if(certs.begin(), certs.end(), [&](const Certificate& c) { return !has_family(c, v6); });
  };
  const auto no_v4 = lacking(false);
  if (no_v4 == certs.end()) return false;
  const auto no_v6 = lacking(true);
  if (no_v6 == certs.end()) return true;
  throw CertificateError(CertificateFault::roster,
                         "roster '" + roster_file + "': party " + std::to_string(no_v4 - certs.begin()) + "'s " +
                             no_v4->describe() + " has only IPv6 overlay networks and party " +
                             std::to_string(no_v6 - certs.begin()) + "'s " + no_v6->describe() +
                             " only IPv4 ones; the parties need overlay addresses of one family in common");
}

// A party's endpoints: its first network of the session's family (where it
// listens and is dialled), then its other networks (where its connections may
// also come from), all at the roster entry's port.
std::vector<net::Endpoint> endpoints_of(const Certificate& cert, bool v6, std::uint16_t port) {
  std::vector<net::Endpoint> out;
  const auto first = std::find_if(cert.networks.begin(), cert.networks.end(),
                                  [&](const IpNetwork& n) { return n.v6 == v6; });
  out.push_back({first->address_string(), port});
  for (auto it = cert.networks.begin(); it != cert.networks.end(); ++it) {
    if (it != first) out.push_back({it->address_string(), port});
  }
  return out;
}

// The CA bundle, with the config's blocklist. Entries that are no fingerprint
// match nothing, in Nebula as here (node_config warned).
CaPool ca_pool(const NodeConfig& config) {
  CaPool pool(parse_certificates(config.ca.read("CA file"), config.ca.name()));
  for (const std::string& fingerprint : config.blocklist) {
    if (is_fingerprint(fingerprint)) pool.block(fingerprint);
  }
  return pool;
}

// A roster entry's certificate, held to the checks ours passed; a fault also
// names the roster line and the party, which is where the reader looks to fix it.
Certificate roster_certificate(const RosterEntry& entry, const CaPool& pool, const std::string& group, UnixSeconds now,
                               const std::string& where) {
  try {
    Certificate cert = read_certificate(entry.certificate);
    pool.verify(cert, now);
    require_group(cert, group);
    return cert;
  } catch (const CertificateError& e) {
    throw CertificateError(e.fault(), where + ": " + e.what());
  }
}

// Names and overlay IPs of the parties so far, each with the party holding it,
// so that a repeat names both parties.
struct Taken {
  std::map<std::string, std::size_t> names;
  std::map<std::string, std::size_t> addresses;
};

void check_distinct(const Certificate& cert, std::size_t id, const std::string& where,
                    const std::vector<Certificate>& earlier, Taken& taken) {
  const auto conflict = [&](const std::string& what, std::size_t other) {
    throw CertificateError(CertificateFault::roster, where + ": " + cert.describe() + " has the same " + what +
                                                         " as party " + std::to_string(other) + " (" +
                                                         earlier[other].describe() + ")");
  };
  if (const auto [it, fresh] = taken.names.emplace(cert.name, id); !fresh) {
    conflict("name '" + cert.name + "'", it->second);
  }
  // Every network counts: a connection from any of them is taken as this party's.
  for (const IpNetwork& network : cert.networks) {
    const std::string address = network.address_string();
    if (const auto [it, fresh] = taken.addresses.emplace(address, id); !fresh) {
      conflict("overlay IP " + address, it->second);
    }
  }
}

// Either certificate of ours (v1 or v2) identifies us in the roster.
bool is_ours(const Certificate& cert, const std::vector<Certificate>& own_list) {
  return std::any_of(own_list.begin(), own_list.end(),
                     [&](const Certificate& mine) { return mine.fingerprint == cert.fingerprint; });
}

// Appends every roster entry to `parties` in the file's order (party i is
// entry i) and returns which one is us, if any.
std::optional<std::size_t> add_roster_parties(NebulaParties& parties, const NebulaOptions& options, const CaPool& pool,
                                              const std::vector<Certificate>& own_list, UnixSeconds now) {
  const std::vector<RosterEntry> entries = read_roster_file(options.roster_file);
  if (options.expected_parties != 0 && entries.size() != options.expected_parties) {
    throw ConfigError("-M " + std::to_string(options.expected_parties) + " but the roster '" + options.roster_file +
                      "' lists " + std::to_string(entries.size()) + " parties");
  }
  Taken taken;
  std::optional<std::size_t> self;
  for (const RosterEntry& entry : entries) {
    const std::size_t id = parties.certificates.size();
    const std::string where = "roster '" + options.roster_file + "', line " + std::to_string(entry.line) + " (party " +
                              std::to_string(id) + ")";
    Certificate cert = roster_certificate(entry, pool, options.group, now, where);
    check_distinct(cert, id, where, parties.certificates, taken);
    if (is_ours(cert, own_list)) self = id;
    net::PartyInfo party;
    party.id = id;
    party.name = cert.name;
    party.identity = cert.fingerprint_hex();
    parties.roster.parties.push_back(std::move(party));
    parties.certificates.push_back(std::move(cert));
    parties.ports.push_back(entry.port != 0 ? entry.port : options.default_port);
  }
  return self;
}

std::size_t self_in_roster(std::optional<std::size_t> self, const std::vector<Certificate>& own_list,
                           const std::string& roster_file) {
  if (self) return *self;
  std::string mine;
  for (const Certificate& cert : own_list) {
    mine += (mine.empty() ? "" : " or ") + cert.describe() + " (fingerprint " + cert.fingerprint_hex() + ")";
  }
  throw CertificateError(CertificateFault::roster, "roster '" + roster_file + "' does not list this host's " + mine +
                                                       ": every party, this one included, must be an entry");
}

// Our overlay IP on an interface here is the sign that nebula runs with the
// certificate the roster lists for us: without it no peer could reach us.
void require_overlay_ip_here(const Certificate& listed, bool v6, const std::string& tun_dev) {
  const IpNetwork& own_ip = *std::find_if(listed.networks.begin(), listed.networks.end(),
                                          [&](const IpNetwork& n) { return n.v6 == v6; });
  std::string device;
  if (!address_is_local(own_ip, &device)) {
    throw CertificateError(CertificateFault::no_overlay_ip,
                           "the overlay IP " + own_ip.address_string() + " of " + listed.describe() +
                               " is not assigned to any interface here (expected on " + tun_dev +
                               "): is nebula running with this certificate?");
  }
}

}  // namespace

bool address_is_local(const IpNetwork& address, std::string* device) {
  ifaddrs* list = nullptr;
  if (::getifaddrs(&list) != 0) return false;
  const std::unique_ptr<ifaddrs, decltype(&::freeifaddrs)> owner(list, &::freeifaddrs);
  for (const ifaddrs* it = list; it; it = it->ifa_next) {
    if (!it->ifa_addr) continue;
    bool same = false;
    if (!address.v6 && it->ifa_addr->sa_family == AF_INET) {
      const auto* in = reinterpret_cast<const sockaddr_in*>(it->ifa_addr);
      same = std::memcmp(&in->sin_addr, address.bytes.data(), 4) == 0;
    } else if (address.v6 && it->ifa_addr->sa_family == AF_INET6) {
      const auto* in6 = reinterpret_cast<const sockaddr_in6*>(it->ifa_addr);
      same = std::memcmp(&in6->sin6_addr, address.bytes.data(), 16) == 0;
    }
    if (same) {
      if (device) *device = it->ifa_name;
      return true;
    }
  }
  return false;
}

bool address_is_local(std::uint32_t address, std::string* device) {
  return address_is_local(IpNetwork::v4(address, 32), device);
}

NebulaParties load_parties(const NebulaOptions& options, UnixSeconds now) {
  if (options.roster_file.empty()) throw ConfigError("nebula: no roster file (the list of the parties' certificates)");
  if (options.group.empty()) throw ConfigError("nebula: the required group is empty");
  const NodeConfig config = node_config(options);
  const CaPool pool = ca_pool(config);

  // Our own certificates first: a fault of ours is the likeliest and the most useful to report.
  const std::vector<Certificate> own_list = own_certificates(config);
  for (const Certificate& cert : own_list) {
    pool.verify(cert, now);
    require_group(cert, options.group);
  }
  const Certificate& own = initiating_certificate(own_list, config.initiating_version, config.cert.name());
  // A pair shares its key (own_certificates checked), so one check covers both.
  check_host_key(own, config.key.read("host key"), config.key.name());

  NebulaParties parties;
  parties.tun_dev = config.tun_dev;
  parties.initiating_version = own.version;
  parties.warnings = config.warnings;
  parties.roster.session_id = options.session_id;
  const std::optional<std::size_t> self = add_roster_parties(parties, options, pool, own_list, now);
  parties.self = self_in_roster(self, own_list, options.roster_file);
  const bool v6 = session_uses_ipv6(parties.certificates, options.roster_file);
  for (std::size_t i = 0; i < parties.certificates.size(); ++i) {
    parties.roster.parties[i].endpoints = endpoints_of(parties.certificates[i], v6, parties.ports[i]);
  }
  if (options.require_overlay_ip_here) {
    require_overlay_ip_here(parties.certificates[parties.self], v6, config.tun_dev);
  }
  parties.roster.validate();
  return parties;
}

}  // namespace meshmpc::nebula
