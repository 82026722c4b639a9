#include "ephemeral_tls.hpp"

#include <cstdlib>
#include <cstring>
#include <filesystem>

#include <meshmpc/error.hpp>
#include <meshmpc/net/tls/credentials.hpp>

namespace meshmpc::cli {

EphemeralTls::EphemeralTls(std::size_t parties) {
  const char* tmp = std::getenv("TMPDIR");
  std::string pattern = std::string(tmp && *tmp ? tmp : "/tmp") + "/meshmpc-tls-XXXXXX";
  if (::mkdtemp(pattern.data()) == nullptr) {  // mkdtemp makes it 0700
    throw Error("launcher: cannot create a directory for this run's TLS keys (" + pattern +
                "): " + std::strerror(errno));
  }
  directory_ = pattern;
  try {
    for (std::size_t i = 0; i < parties; ++i) {
      // Ed25519: the fastest to make and to verify, and what meshmpc-keygen makes by default.
      const std::string key = net::tls::generate_private_key(net::tls::KeyType::ed25519);
      net::tls::CertificateSpec spec;
      spec.common_name = "party" + std::to_string(i);
      spec.not_before = std::chrono::system_clock::now() - std::chrono::minutes(5);  // clock skew between processes
      spec.not_after = std::chrono::system_clock::now() + std::chrono::hours(24);
      const std::string cert = net::tls::self_signed_certificate(key, spec);
      net::tls::write_private_key_file(key_file(i), key);
      net::tls::write_certificate_file(cert_file(i), cert);
      fingerprints_.push_back(net::tls::fingerprint_of_pem(cert, cert_file(i)));
    }
  } catch (...) {
    std::error_code ignored;
    std::filesystem::remove_all(directory_, ignored);
    throw;
  }
}

EphemeralTls::~EphemeralTls() {
  std::error_code ignored;
  std::filesystem::remove_all(directory_, ignored);
}

std::string EphemeralTls::key_file(std::size_t party) const {
  return directory_ + "/party_" + std::to_string(party) + ".key";
}

std::string EphemeralTls::cert_file(std::size_t party) const {
  return directory_ + "/party_" + std::to_string(party) + ".crt";
}

}  // namespace meshmpc::cli
