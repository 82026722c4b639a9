#include "meshmpc/nebula/host_key.hpp"

#include <sodium.h>

#include "meshmpc/nebula/pem.hpp"

namespace meshmpc::nebula {

void check_host_key(const Certificate& cert, std::string_view pem, const std::string& source) {
  constexpr std::string_view kBanner = "NEBULA X25519 PRIVATE KEY";
  std::vector<PemBlock> blocks = decode_pem(pem, source);
  const auto wipe = [&] {
    for (PemBlock& b : blocks) sodium_memzero(b.body.data(), b.body.size());
  };
  if (blocks.size() != 1 || blocks.front().banner != kBanner || blocks.front().body.size() != crypto_scalarmult_BYTES) {
    const std::string found = blocks.empty() ? std::string("no PEM block") : "'" + blocks.front().banner + "' with " +
                                                                                 std::to_string(blocks.front().body.size()) +
                                                                                 " bytes";
    wipe();
    throw CertificateError(CertificateFault::malformed, source + ": expected one '" + std::string(kBanner) +
                                                            "' of 32 bytes, found " + found +
                                                            (blocks.size() > 1 ? " and more blocks" : ""));
  }
  Key32 derived{};
  const int rc = crypto_scalarmult_base(reinterpret_cast<unsigned char*>(derived.data()),
                                        reinterpret_cast<const unsigned char*>(blocks.front().body.data()));
  wipe();
  if (rc != 0 || sodium_memcmp(derived.data(), cert.public_key.data(), derived.size()) != 0) {
    throw CertificateError(CertificateFault::key_mismatch, source + ": this private key does not belong to " +
                                                               cert.describe() + " (its public key differs)");
  }
}

}  // namespace meshmpc::nebula
