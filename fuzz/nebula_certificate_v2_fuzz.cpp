// The v2 certificate decoder (nebula/certificate.hpp, certificate_v2.cpp and its
// strict DER reader) on the DER body a peer's certificate file holds, then the CA
// check of ca_pool.hpp against a Curve25519 and a P-256 v2 CA (Ed25519 and ECDSA
// verification, the P-256 blocklist's second fingerprint form). The decoder
// accepts only DER as Nebula writes it, so what parses re-encodes to the same
// bytes, and its fingerprint is SHA-256 over details ‖ curve ‖ key ‖ signature.
#include <meshmpc/nebula/ca_pool.hpp>

#include "nebula_certificate_check.hpp"
#include "nebula_pki.hpp"

namespace {

const meshmpc::nebula::CaPool& pool() {
  static const meshmpc::nebula::CaPool p(meshmpc::nebula::parse_certificates(meshmpc::fuzz::kNebulaV2CasPem, "fuzz v2 CAs"));
  return p;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  meshmpc::fuzz::check_nebula_certificate(data, size, meshmpc::nebula::CertificateVersion::v2, pool());
  return 0;
}
