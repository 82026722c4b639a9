#pragma once
// A host's private key (pki.key, "NEBULA X25519 PRIVATE KEY") checked against
// its certificate: a party whose key does not match its certificate could never
// complete a Nebula handshake, and would otherwise fail later with a vaguer error.
#include <string>
#include <string_view>

#include "meshmpc/nebula/certificate.hpp"

namespace meshmpc::nebula {

// Throws CertificateError: malformed (not one X25519 key of 32 bytes), or
// key_mismatch when X25519(key, basepoint) differs from cert.public_key. The key
// is wiped from memory once checked. `pem` is the key file's text, `source` names it.
void check_host_key(const Certificate& cert, std::string_view pem, const std::string& source);

}  // namespace meshmpc::nebula
