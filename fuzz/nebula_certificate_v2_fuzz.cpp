// The v2 certificate decoder (nebula/certificate.hpp, certificate_v2.cpp and its
// strict DER reader) on the DER body a peer's certificate file holds, then the CA
// check of ca_pool.hpp against a Curve25519 and a P-256 v2 CA (Ed25519 and ECDSA
// verification, the P-256 blocklist's second fingerprint form). The decoder
// accepts only DER as Nebula writes it, so what parses re-encodes to the same
// bytes, and its fingerprint is SHA-256 over details ‖ curve ‖ key ‖ signature.
#include <algorithm>

#include "fuzz_input.hpp"
#include "meshmpc/nebula/ca_pool.hpp"
#include "meshmpc/nebula/certificate.hpp"
#include "nebula_pki.hpp"

namespace {

const meshmpc::nebula::CaPool& pool() {
  static const meshmpc::nebula::CaPool p(
      meshmpc::nebula::parse_certificates(meshmpc::fuzz::kNebulaV2CasPem, "fuzz v2 CAs"));
  return p;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace meshmpc;
  using namespace meshmpc::nebula;
  const auto body = fuzz::bytes_of(data, size);
  Certificate cert;
  try {
    cert = parse_certificate(body, CertificateVersion::v2, "fuzz input");
  } catch (const CertificateError&) {
    return 0;
  }
  fuzz::require(std::ranges::equal(encode_certificate(cert), body), "encode_certificate(parse_certificate(b)) == b");
  fuzz::require(encode_details(cert) == cert.details, "encode_details re-makes the signed details");
  fuzz::require(compute_fingerprint(cert) == cert.fingerprint, "the fingerprint is a function of the fields");
  fuzz::require(std::ranges::is_sorted(cert.networks) && std::ranges::is_sorted(cert.unsafe_networks),
                "networks come out in Nebula's order");
  (void)cert.describe();
  for (const IpNetwork& n : cert.networks) (void)n.to_string();
  for (const IpNetwork& n : cert.unsafe_networks) (void)n.to_string();
  if (const auto other = alternate_fingerprint(cert)) {
    fuzz::require(*other != cert.fingerprint, "the other signature form has another fingerprint");
  }
  // A day into the CAs' validity: fixed, so that a crash reproduces whenever it is run.
  const UnixSeconds now = pool().cas().front().not_before + std::chrono::days(1);
  try {
    const Certificate& ca = pool().verify(cert, now);
    fuzz::require(cert.issuer_hex() == ca.fingerprint_hex(), "verify returns the issuing CA");
    fuzz::require(cert.curve == ca.curve, "verify returns a CA of the certificate's curve");
  } catch (const CertificateError&) {
  }
  return 0;
}
