// The Nebula certificate decoder (nebula/certificate.hpp) on the protobuf body a
// peer's certificate file holds, then the CA check of ca_pool.hpp. The decoder
// accepts only Nebula's own encoding, so what parses re-encodes to the same bytes.
#include <meshmpc/nebula/ca_pool.hpp>

#include "nebula_certificate_check.hpp"
#include "nebula_pki.hpp"

namespace {

const meshmpc::nebula::CaPool& pool() {
  static const meshmpc::nebula::CaPool p(meshmpc::nebula::parse_certificates(meshmpc::fuzz::kNebulaCaPem, "fuzz CA"));
  return p;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  meshmpc::fuzz::check_nebula_certificate(data, size, meshmpc::nebula::CertificateVersion::v1, pool());
  return 0;
}
