#pragma once
// The CAs a party trusts (Nebula's pki.ca, possibly a bundle of v1 and v2 CAs of
// either curve) and the check Nebula makes of a peer's certificate, done here
// (libsodium for Ed25519, OpenSSL for ECDSA P-256) so that the MPC session itself
// knows who each party is: not blocklisted in either signature form, issuer known
// and of the same curve, CA and certificate valid at `now`, the CA's signature,
// and the CA's constraints on groups, networks, unsafe networks and validity.
// The issuer fingerprint alone picks the CA: a v2 CA may sign a v1 certificate
// (nebula-cert sign -version 1), as in Nebula. `now` is a parameter so that tests
// (and an audit of a past session) can fix the clock.
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include <meshmpc/nebula/certificate.hpp>

namespace meshmpc::nebula {

class CaPool {
 public:
  // Every certificate must be a CA (IsCA, no issuer) that signed itself; a
  // certificate that is not is refused with its source. An expired CA is kept
  // (as Nebula does): only certificates it issued fail verify().
  explicit CaPool(std::vector<Certificate> cas);
  static CaPool from_file(const std::string& path);

  // Refuses the certificate with this fingerprint (64 hex digits) from now on,
  // as Nebula's pki.blocklist does; for a P-256 certificate, a listed fingerprint
  // of either form of its signature blocks it. Throws CertificateError(malformed)
  // otherwise.
  void block(const std::string& fingerprint_hex);

  // The CA that signed `cert`, after every check of Nebula's CAPool.verify, and
  // `cert` must be a host certificate (IsCA false). Throws CertificateError whose
  // fault says which check failed and whose message names the certificate, the CA
  // and the values involved.
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

// The primary overlay network: the first (v1: Nebula uses only that one; v2: the
// list is sorted, so an IPv4 network comes first when there is one).
const IpNetwork& overlay_address(const Certificate& cert);

// The fingerprint of `cert` with the other form of its P-256 signature (see
// CaPool::block); nothing for Curve25519, or when the signature has no other form.
std::optional<Digest> alternate_fingerprint(const Certificate& cert);

// The current time, whole seconds.
UnixSeconds now_seconds();

}  // namespace meshmpc::nebula
