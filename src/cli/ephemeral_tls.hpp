#pragma once
// A local launch with --ssl (and no CA): a fresh key and self-signed certificate
// per party for this run only, in a private directory (0700) removed when the
// launch ends. Every party pins the others' fingerprints, so the run exercises
// exactly the TLS path of parties on separate hosts (not installed).
#include <cstddef>
#include <string>
#include <vector>

#include <meshmpc/net/tls/fingerprint.hpp>

namespace meshmpc::cli {

class EphemeralTls {
 public:
  explicit EphemeralTls(std::size_t parties);  // throws Error naming what failed
  ~EphemeralTls();                             // removes the directory
  EphemeralTls(const EphemeralTls&) = delete;
  EphemeralTls& operator=(const EphemeralTls&) = delete;

  std::string key_file(std::size_t party) const;
  std::string cert_file(std::size_t party) const;
  const net::tls::Fingerprint& fingerprint(std::size_t party) const { return fingerprints_.at(party); }

 private:
  std::string directory_;
  std::vector<net::tls::Fingerprint> fingerprints_;
};

}  // namespace meshmpc::cli
