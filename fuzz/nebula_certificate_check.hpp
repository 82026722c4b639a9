#pragma once
// What the two Nebula certificate targets check of one input, v1 or v2: what
// parses re-encodes to the same bytes (the decoders accept only Nebula's own
// encoding), its details and fingerprint follow from its fields, and the CA check
// of ca_pool.hpp either returns the issuing CA of the certificate's curve or
// refuses with a CertificateError.
#include <algorithm>
#include <chrono>
#include <cstddef>
#include <cstdint>

#include <meshmpc/nebula/ca_pool.hpp>
#include <meshmpc/nebula/certificate.hpp>

#include "fuzz_input.hpp"

namespace meshmpc::fuzz {

inline void check_nebula_certificate(const std::uint8_t* data, std::size_t size, nebula::CertificateVersion version,
                                     const nebula::CaPool& pool) {
  using namespace meshmpc::nebula;
  const auto body = bytes_of(data, size);
  Certificate cert;
  try {
    cert = parse_certificate(body, version, "fuzz input");
  } catch (const CertificateError&) {
    return;
  }
  require(std::ranges::equal(encode_certificate(cert), body), "encode_certificate(parse_certificate(b)) == b");
  require(encode_details(cert) == cert.details, "encode_details re-makes the signed details");
  require(compute_fingerprint(cert) == cert.fingerprint, "the fingerprint is a function of the fields");
  if (version == CertificateVersion::v2) {
    require(std::ranges::is_sorted(cert.networks) && std::ranges::is_sorted(cert.unsafe_networks),
            "v2 networks come out in Nebula's order");
  }
  (void)cert.describe();
  for (const IpNetwork& n : cert.networks) (void)n.to_string();
  for (const IpNetwork& n : cert.unsafe_networks) (void)n.to_string();
  if (const auto other = alternate_fingerprint(cert)) {
    require(*other != cert.fingerprint, "the other signature form has another fingerprint");
  }
  // A day into the CAs' validity: fixed, so that a crash reproduces whenever it is run.
  const UnixSeconds now = pool.cas().front().not_before + std::chrono::days(1);
  try {
    const Certificate& ca = pool.verify(cert, now);
    require(cert.issuer_hex() == ca.fingerprint_hex(), "verify returns the issuing CA");
    require(cert.curve == ca.curve, "verify returns a CA of the certificate's curve");
  } catch (const CertificateError&) {
  }
}

}  // namespace meshmpc::fuzz
