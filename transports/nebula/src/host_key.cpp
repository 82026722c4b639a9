#include <meshmpc/nebula/host_key.hpp>

#include <sodium.h>

#include <optional>

#include <meshmpc/nebula/pem.hpp>
#include "p256.hpp"

namespace meshmpc::nebula {

namespace {

constexpr std::string_view kX25519Banner = "NEBULA X25519 PRIVATE KEY";
constexpr std::string_view kP256Banner = "NEBULA P256 PRIVATE KEY";
constexpr std::size_t kPrivateKeyBytes = 32;  // an X25519 scalar or a P-256 scalar alike

// The decoded blocks, wiped however the check ends.
struct WipedBlocks {
  std::vector<PemBlock> blocks;
  ~WipedBlocks() {
    for (PemBlock& b : blocks) sodium_memzero(b.body.data(), b.body.size());
  }
};

}  // namespace

void check_host_key(const Certificate& cert, std::string_view pem, const std::string& source) {
  const WipedBlocks key{decode_pem(pem, source)};
  const auto& blocks = key.blocks;
  const bool known = blocks.size() == 1 && (blocks.front().banner == kX25519Banner || blocks.front().banner == kP256Banner);
  if (!known || blocks.front().body.size() != kPrivateKeyBytes) {
    const std::string found = blocks.empty() ? std::string("no PEM block") : "'" + blocks.front().banner + "' with " +
                                                                                 std::to_string(blocks.front().body.size()) +
                                                                                 " bytes";
    throw CertificateError(CertificateFault::malformed,
                           source + ": expected one '" + std::string(kX25519Banner) + "' or '" +
                               std::string(kP256Banner) + "' of 32 bytes, found " + found +
                               (blocks.size() > 1 ? " and more blocks" : ""));
  }
  const Curve curve = blocks.front().banner == kP256Banner ? Curve::p256 : Curve::curve25519;
  if (curve != cert.curve) {
    throw CertificateError(CertificateFault::key_mismatch,
                           source + ": a " + std::string(to_string(curve)) + " key, but " + cert.describe() +
                               " is a " + std::string(to_string(cert.curve)) + " certificate");
  }
  const std::span<const std::byte> secret = blocks.front().body;
  std::vector<std::byte> derived;
  if (curve == Curve::p256) {
    std::optional<std::vector<std::byte>> point = p256::public_point(secret);
    if (!point) {
      throw CertificateError(CertificateFault::malformed,
                             source + ": not a P-256 private key (the scalar is zero or not below the group order)");
    }
    derived = std::move(*point);
  } else {
    derived.resize(crypto_scalarmult_BYTES);
    if (crypto_scalarmult_base(reinterpret_cast<unsigned char*>(derived.data()),
                               reinterpret_cast<const unsigned char*>(secret.data())) != 0) {
      derived.clear();
    }
  }
  if (derived.size() != cert.public_key.size() ||
      sodium_memcmp(derived.data(), cert.public_key.data(), derived.size()) != 0) {
    throw CertificateError(CertificateFault::key_mismatch, source + ": this private key does not belong to " +
                                                               cert.describe() + " (its public key differs)");
  }
}

}  // namespace meshmpc::nebula
