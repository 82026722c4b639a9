#pragma once
// Who takes part in a Nebula session, checked before any connection: every
// roster certificate (and our own: one, or a v1 and a v2 one during a
// migration) verified against the CA bundle at `now`, carrying the session's
// group, names and overlay IPs distinct; our key matching our certificate; our
// overlay IP assigned to an interface here (else nebula is not running with this
// certificate). Party i is the i-th roster entry (v1 or v2); its name is the
// certificate's Name, its identity the certificate's fingerprint, its endpoints
// its networks at the entry's port: first the one it listens on (of the
// family every party has: IPv4, or IPv6 on an IPv6-only overlay), then the
// others its connections may come from. We are the entry holding either of our
// certificates; the one we initiate with is chosen as Nebula chooses it
// (pki.initiating_version, else v1 when there is one).
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include <meshmpc/nebula/ca_pool.hpp>
#include <meshmpc/nebula/certificate.hpp>
#include <meshmpc/nebula/node_config.hpp>
#include <meshmpc/net/roster.hpp>

namespace meshmpc::nebula {

inline constexpr std::string_view kDefaultGroup = "mpc";

struct NebulaOptions {
  // Nebula's own config, a file or a directory of them (pki.ca, pki.cert,
  // pki.key, pki.blocklist, pki.initiating_version, tun.dev); the three paths
  // below override its entries, or replace the file altogether.
  std::string config_file;
  std::string ca_file;
  std::string cert_file;
  std::string key_file;
  std::string roster_file;
  std::string group{kDefaultGroup};
  std::uint16_t default_port = 11365;  // for roster entries without a port
  std::size_t expected_parties = 0;    // when not 0: the roster must list this many (-M)
  net::SessionId session_id{};
  // Off only in tests that run on loopback addresses without nebula.
  bool require_overlay_ip_here = true;
};

struct NebulaParties {
  net::Roster roster;
  std::size_t self = 0;
  std::vector<Certificate> certificates;  // certificates[i]: party i's, as the roster lists it
  std::vector<std::uint16_t> ports;       // ports[i]: party i's session port
  // The version of the certificate of ours that nebula initiates with (and
  // whose key was checked).
  CertificateVersion initiating_version = CertificateVersion::v1;
  std::string tun_dev;
  std::vector<std::string> warnings;  // from the nebula config, for the caller to log
};

// Throws CertificateError (its fault says which check failed) or ConfigError
// for options that name no CA, certificate, key or roster.
NebulaParties load_parties(const NebulaOptions& options, UnixSeconds now);

// True when the address of `address` (IPv4 or IPv6; the prefix is ignored) is
// assigned to an interface of this host (of this network namespace); `device`
// gets the interface's name.
bool address_is_local(const IpNetwork& address, std::string* device = nullptr);
// The same for a big-endian IPv4 address.
bool address_is_local(std::uint32_t address, std::string* device = nullptr);

}  // namespace meshmpc::nebula
