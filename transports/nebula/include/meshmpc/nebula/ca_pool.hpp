#pragma once
// The CAs a party trusts (Nebula's pki.ca, possibly a bundle) and the check
// Nebula makes of a peer's certificate, done here with libsodium so that the MPC
// session itself knows who each party is: issuer known, CA and certificate valid
// at `now`, Ed25519 signature over the details, and the CA's constraints on
// groups, IPs, subnets and validity. `now` is a parameter so that tests (and an
// audit of a past session) can fix the clock.
#include <map>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "meshmpc/nebula/certificate.hpp"

namespace meshmpc::nebula {

class CaPool {
 public:
  // Every certificate must be a CA (IsCA, no issuer) that signed itself; a
  // certificate that is not is refused with its source. An expired CA is kept
  // (as Nebula does) and fails verify().
  explicit CaPool(std::vector<Certificate> cas);
  static CaPool from_file(const std::string& path);

  // Refuses the certificate with this fingerprint (64 hex digits) from now on,
  // as Nebula's pki.blocklist does. Throws CertificateError(malformed) otherwise.
  void block(const std::string& fingerprint_hex);

  // The CA that signed `cert`, after every check of Nebula's Verify plus those of
  // newer Nebula: a host certificate (IsCA false) with at least one address, none
  // of them 0.0.0.0. Throws CertificateError whose fault says which check failed and
  // whose message names the certificate, the CA and the values involved.
  const Certificate& verify(const Certificate& cert, UnixSeconds now) const;

  const std::vector<Certificate>& cas() const { return cas_; }

 private:
  std::vector<Certificate> cas_;
  std::map<std::string, std::size_t> by_fingerprint_;
  std::set<std::string> blocked_;
};

// Throws CertificateError(missing_group) naming the certificate, the group and
// the groups it has, unless `cert` carries `group`.
void require_group(const Certificate& cert, std::string_view group);

// The overlay address: the first Ips entry (Nebula uses only that one).
std::uint32_t overlay_address(const Certificate& cert);

// The current time, whole seconds.
UnixSeconds now_seconds();

}  // namespace meshmpc::nebula
