// The Nebula certificate decoder (nebula/certificate.hpp) on the protobuf body a
// peer's certificate file holds, then the CA check of ca_pool.hpp. The decoder
// accepts only Nebula's own encoding, so what parses re-encodes to the same bytes.
#include <algorithm>

#include "fuzz_input.hpp"
#include "meshmpc/nebula/ca_pool.hpp"
#include "meshmpc/nebula/certificate.hpp"
#include "nebula_pki.hpp"

namespace {

const meshmpc::nebula::CaPool& pool() {
  static const meshmpc::nebula::CaPool p(meshmpc::nebula::parse_certificates(meshmpc::fuzz::kNebulaCaPem, "fuzz CA"));
  return p;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace meshmpc;
  using namespace meshmpc::nebula;
  const auto body = fuzz::bytes_of(data, size);
  Certificate cert;
  try {
    cert = parse_certificate(body, CertificateVersion::v1, "fuzz input");
  } catch (const CertificateError&) {
    return 0;
  }
  fuzz::require(std::ranges::equal(encode_certificate(cert), body), "encode_certificate(parse_certificate(b)) == b");
  (void)cert.describe();
  for (const IpNetwork& n : cert.networks) (void)n.to_string();
  // A day into the CA's validity: fixed, so that a crash reproduces whenever it is run.
  const UnixSeconds now = pool().cas().front().not_before + std::chrono::days(1);
  try {
    const Certificate& ca = pool().verify(cert, now);
    fuzz::require(cert.issuer_hex() == ca.fingerprint_hex(), "verify returns the issuing CA");
  } catch (const CertificateError&) {
  }
  return 0;
}
