// PEM text as Nebula writes it (nebula/pem.hpp): a certificate or CA bundle file
// (parse_certificates) and a host key file (check_host_key), both read from
// files the user points at, or given inline in config.yml.
#include <meshmpc/nebula/certificate.hpp>
#include <meshmpc/nebula/host_key.hpp>

#include "fuzz_input.hpp"
#include "nebula_pki.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace meshmpc::nebula;
  const std::string_view text = meshmpc::fuzz::text_of(data, size);
  try {
    const std::vector<Certificate> certs = parse_certificates(text, "fuzz.crt");
    meshmpc::fuzz::require(!certs.empty(), "parse_certificates returns at least one certificate");
  } catch (const CertificateError&) {
  }
  static const Certificate alice = parse_certificates(meshmpc::fuzz::kNebulaAlicePem, "alice.crt").front();
  try {
    check_host_key(alice, text, "fuzz.key");
  } catch (const CertificateError&) {
  }
  return 0;
}
