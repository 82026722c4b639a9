#pragma once
// A host's private key (pki.key) checked against its certificate: "NEBULA X25519
// PRIVATE KEY" for a Curve25519 certificate, "NEBULA P256 PRIVATE KEY" for a P-256
// one (both 32 bytes). A party whose key does not match its certificate could
// never complete a Nebula handshake, and would otherwise fail later with a
// vaguer error.
#include <string>
#include <string_view>

#include <meshmpc/nebula/certificate.hpp>

namespace meshmpc::nebula {

// Throws CertificateError: malformed (not one private key block of 32 bytes, or
// not a valid P-256 scalar), or key_mismatch when the key is of the other curve
// than the certificate or its public key differs from cert.public_key. The key
// is wiped from memory once checked. `pem` is the key file's text, `source` names it.
void check_host_key(const Certificate& cert, std::string_view pem, const std::string& source);

}  // namespace meshmpc::nebula
