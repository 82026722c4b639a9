#include <meshmpc/nebula/ca_pool.hpp>

#include <sodium.h>

#include <algorithm>

#include <meshmpc/hex.hpp>
#include "p256.hpp"

namespace meshmpc::nebula {

namespace {

[[noreturn]] void fail(CertificateFault fault, const std::string& message) { throw CertificateError(fault, message); }

// Nebula's CheckSignature: Ed25519 over the signed bytes, or ECDSA-SHA256 over
// them for P-256. The curve is the certificate's; verify() has already refused a
// CA of another curve, so `key` is of the same kind.
bool signed_by(const Certificate& cert, std::span<const std::byte> key) {
  const std::vector<std::byte> message = signed_bytes(cert);
  if (cert.curve == Curve::p256) return p256::verify(key, message, cert.signature);
  return key.size() == crypto_sign_PUBLICKEYBYTES && cert.signature.size() == crypto_sign_BYTES &&
         crypto_sign_verify_detached(reinterpret_cast<const unsigned char*>(cert.signature.data()),
                                     reinterpret_cast<const unsigned char*>(message.data()), message.size(),
                                     reinterpret_cast<const unsigned char*>(key.data())) == 0;
}

std::string window(const Certificate& c) { return to_string(c.not_before) + " to " + to_string(c.not_after); }

std::string joined(const std::vector<std::string>& items) {
  std::string out;
  for (const std::string& item : items) out += (out.empty() ? "" : ", ") + item;
  return out.empty() ? "none" : out;
}

// Each of `networks` inside one of the CA's (when the CA lists any), for IPv4 and
// IPv6 alike: a network is allowed by a CA network of its family that contains its
// address with a prefix no longer than its own.
void check_networks(const Certificate& cert, const Certificate& ca, const std::vector<IpNetwork>& networks,
                    const std::vector<IpNetwork>& allowed, const char* what) {
  if (allowed.empty()) return;
  for (const IpNetwork& n : networks) {
    if (std::none_of(allowed.begin(), allowed.end(), [&](const IpNetwork& a) { return a.contains(n); })) {
      std::string list;
      for (const IpNetwork& a : allowed) list += (list.empty() ? "" : ", ") + a.to_string();
      fail(CertificateFault::ca_constraint, cert.describe() + ": " + what + " " + n.to_string() +
                                                " lies outside the networks its " + ca.describe() + " allows (" +
                                                list + ")");
    }
  }
}

void require_host_certificate(const Certificate& cert) {
  if (cert.is_ca) {
    fail(CertificateFault::wrong_kind, cert.describe() + " is a CA certificate; a party needs a host certificate "
                                                         "signed by the CA (nebula-cert sign)");
  }
}

// A P-256 signature has two valid forms, hence two fingerprints for one
// certificate: a blocklist entry for either refuses it.
void check_not_blocked(const Certificate& cert, const std::set<std::string>& blocked) {
  if (blocked.count(cert.fingerprint_hex())) {
    fail(CertificateFault::blocklisted, cert.describe() + " is on the blocklist (fingerprint " +
                                            cert.fingerprint_hex() + ")");
  }
  if (const std::optional<Digest> other = alternate_fingerprint(cert); other && blocked.count(to_hex(*other))) {
    fail(CertificateFault::blocklisted, cert.describe() + " is on the blocklist under the other form of its P-256 "
                                                          "signature (fingerprint " +
                                            to_hex(*other) + "; as printed: " + cert.fingerprint_hex() + ")");
  }
}

const Certificate& trusted_issuer(const Certificate& cert, const std::vector<Certificate>& cas,
                                  const std::map<std::string, std::size_t>& by_fingerprint) {
  if (cert.issuer.empty()) fail(CertificateFault::unknown_ca, cert.describe() + " has no issuer");
  const auto found = by_fingerprint.find(cert.issuer_hex());
  if (found == by_fingerprint.end()) {
    std::string known;
    for (const Certificate& ca : cas) known += (known.empty() ? "" : ", ") + ca.name + " " + ca.fingerprint_hex();
    fail(CertificateFault::unknown_ca, cert.describe() + " was issued by a CA this party does not trust (issuer "
                                                         "fingerprint " +
                                           cert.issuer_hex() + "; trusted: " + known + ")");
  }
  return cas[found->second];
}

void check_same_curve(const Certificate& cert, const Certificate& ca) {
  if (ca.curve != cert.curve) {
    fail(CertificateFault::curve_mismatch, cert.describe() + " uses " + std::string(to_string(cert.curve)) +
                                               " but its issuer, " + ca.describe() + ", uses " +
                                               std::string(to_string(ca.curve)) +
                                               ": a CA signs only certificates of its own curve");
  }
}

void check_valid_at(const Certificate& cert, const Certificate& ca, UnixSeconds now) {
  const std::string at = " at " + to_string(now);
  if (now < ca.not_before || now > ca.not_after) {
    fail(CertificateFault::expired, cert.describe() + ": its " + ca.describe() + " is not valid" + at +
                                        " (valid " + window(ca) + ")");
  }
  if (now < cert.not_before || now > cert.not_after) {
    fail(CertificateFault::expired, cert.describe() + (now > cert.not_after ? " has expired" : " is not valid yet") +
                                        ": valid " + window(cert) + ", now is " + to_string(now));
  }
}

// What a CA restricts in the certificates it signs: their validity window lies
// within its own, and their groups and networks within its (when it lists any).
void check_ca_constraints(const Certificate& cert, const Certificate& ca) {
  if (cert.not_after > ca.not_after) {
    fail(CertificateFault::ca_constraint, cert.describe() + " expires after its " + ca.describe() + " (" +
                                              to_string(cert.not_after) + " > " + to_string(ca.not_after) + ")");
  }
  if (cert.not_before < ca.not_before) {
    fail(CertificateFault::ca_constraint, cert.describe() + " is valid before its " + ca.describe() + " (" +
                                              to_string(cert.not_before) + " < " + to_string(ca.not_before) + ")");
  }
  if (!ca.groups.empty()) {
    for (const std::string& group : cert.groups) {
      if (!ca.has_group(group)) {
        fail(CertificateFault::ca_constraint, cert.describe() + " has group '" + group + "', which its " +
                                                  ca.describe() + " does not allow (allowed: " + joined(ca.groups) +
                                                  ")");
      }
    }
  }
  check_networks(cert, ca, cert.networks, ca.networks, "network");
  check_networks(cert, ca, cert.unsafe_networks, ca.unsafe_networks, "unsafe network");
}

}  // namespace

CaPool::CaPool(std::vector<Certificate> cas) : cas_(std::move(cas)) {
  if (sodium_init() < 0) throw Error("libsodium failed to initialise");
  if (cas_.empty()) fail(CertificateFault::malformed, "the CA pool is empty");
  for (std::size_t i = 0; i < cas_.size(); ++i) {
    const Certificate& ca = cas_[i];
    if (!ca.is_ca) {
      fail(CertificateFault::wrong_kind, ca.describe() + " is not a CA certificate (IsCA is false): pki.ca must hold "
                                                         "the CA's certificate, not a host's");
    }
    if (!ca.issuer.empty()) {
      fail(CertificateFault::wrong_kind,
           ca.describe() + " names an issuer (" + ca.issuer_hex() + "): only self-signed root CAs are supported");
    }
    if (!signed_by(ca, ca.public_key)) {
      fail(CertificateFault::not_self_signed, ca.describe() + " is not self-signed: its signature does not verify "
                                                              "under its own public key");
    }
    by_fingerprint_.emplace(ca.fingerprint_hex(), i);
  }
}

CaPool CaPool::from_file(const std::string& path) { return CaPool(read_certificates(path)); }

void CaPool::block(const std::string& fingerprint_hex) {
  const bool hex = fingerprint_hex.size() == 64 &&
                   fingerprint_hex.find_first_not_of("0123456789abcdef") == std::string::npos;
  if (!hex) {
    fail(CertificateFault::malformed, "blocklist entry '" + fingerprint_hex +
                                          "' is not a fingerprint (64 lowercase hex digits, as nebula-cert print shows)");
  }
  blocked_.insert(fingerprint_hex);
}

std::optional<Digest> alternate_fingerprint(const Certificate& cert) {
  if (cert.curve != Curve::p256) return std::nullopt;
  std::optional<std::vector<std::byte>> other = p256::other_form(cert.signature);
  if (!other) return std::nullopt;
  Certificate twin = cert;
  twin.signature = std::move(*other);
  return compute_fingerprint(twin);
}

// Nebula's order (cert/ca_pool.go verify): blocklist, issuer, curve, the CA's
// validity, the certificate's validity, signature, CA constraints. The second
// fingerprint form is checked up front rather than last as Nebula does: the same
// certificates are refused, and the message says so before any other fault.
const Certificate& CaPool::verify(const Certificate& cert, UnixSeconds now) const {
  require_host_certificate(cert);
  check_not_blocked(cert, blocked_);
  const Certificate& ca = trusted_issuer(cert, cas_, by_fingerprint_);
  check_same_curve(cert, ca);
  check_valid_at(cert, ca, now);
  if (!signed_by(cert, ca.public_key)) {
    fail(CertificateFault::bad_signature, cert.describe() + ": the signature does not match its " + ca.describe() +
                                              " (altered or forged)");
  }
  check_ca_constraints(cert, ca);
  return ca;
}

void require_group(const Certificate& cert, std::string_view group) {
  if (!cert.has_group(group)) {
    fail(CertificateFault::missing_group, cert.describe() + " lacks the group '" + std::string(group) +
                                              "' this session requires (its groups: " + joined(cert.groups) + ")");
  }
}

const IpNetwork& overlay_address(const Certificate& cert) {
  if (cert.networks.empty()) fail(CertificateFault::ca_constraint, cert.describe() + " has no overlay IP");
  return cert.networks.front();
}

UnixSeconds now_seconds() { return std::chrono::floor<std::chrono::seconds>(std::chrono::system_clock::now()); }

}  // namespace meshmpc::nebula
