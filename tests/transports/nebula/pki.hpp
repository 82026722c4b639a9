#pragma once
// Test PKI made by the real nebula-cert in a fresh temporary directory, and a
// test-only signer (libsodium with the CA's key) for what nebula-cert 1.6.1
// cannot make: certificates that expired or are not valid yet, or that break a
// CA constraint.
#include <sodium.h>
#include <stdlib.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "../../cli/process.hpp"
#include "meshmpc/nebula/certificate.hpp"
#include "meshmpc/nebula/pem.hpp"

namespace meshmpc::nebula::test {

inline bool have_program(const std::string& name) {
  const char* path = std::getenv("PATH");
  std::string dirs = path ? path : "/usr/bin:/bin";
  for (std::size_t pos = 0; pos <= dirs.size();) {
    std::size_t end = dirs.find(':', pos);
    if (end == std::string::npos) end = dirs.size();
    const std::filesystem::path candidate = std::filesystem::path(dirs.substr(pos, end - pos)) / name;
    if (::access(candidate.c_str(), X_OK) == 0) return true;
    pos = end + 1;
  }
  return false;
}

inline std::string program_path(const std::string& name) {
  for (const char* dir : {"/usr/bin", "/usr/local/bin", "/bin", "/usr/sbin", "/sbin"}) {
    const std::filesystem::path candidate = std::filesystem::path(dir) / name;
    if (::access(candidate.c_str(), X_OK) == 0) return candidate.string();
  }
  return name;
}

// A directory removed with everything in it when the test ends.
class TempDir {
 public:
  TempDir() {
    std::string pattern = (std::filesystem::temp_directory_path() / "meshmpc-nebula-XXXXXX").string();
    if (!::mkdtemp(pattern.data())) throw std::runtime_error("mkdtemp failed");
    path_ = pattern;
  }
  ~TempDir() {
    std::error_code ignored;
    std::filesystem::remove_all(path_, ignored);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::filesystem::path& path() const { return path_; }
  std::string operator/(const std::string& name) const { return (path_ / name).string(); }

 private:
  std::filesystem::path path_;
};

// Runs a program to its end (bounded); returns stdout, throws with stderr on failure.
inline std::string run(std::vector<std::string> argv) {
  argv[0] = program_path(argv[0]);
  cli::test::Process p(argv);
  const auto status = p.finish(std::chrono::seconds(30));
  if (!status || !WIFEXITED(*status) || WEXITSTATUS(*status) != 0) {
    std::string line;
    for (const auto& a : argv) line += a + " ";
    throw std::runtime_error(line + "failed: " + p.err() + p.out());
  }
  return p.out();
}

inline std::string read_text_file_or_empty(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

inline void write_file(const std::string& path, const std::string& text) {
  std::ofstream(path, std::ios::binary) << text;
}

// "-----BEGIN <banner>-----" + base64 in 64-character lines, as Nebula writes it.
inline std::string to_pem(const std::string& banner, std::span<const std::byte> body) {
  std::string b64(sodium_base64_ENCODED_LEN(body.size(), sodium_base64_VARIANT_ORIGINAL), '\0');
  sodium_bin2base64(b64.data(), b64.size(), reinterpret_cast<const unsigned char*>(body.data()), body.size(),
                    sodium_base64_VARIANT_ORIGINAL);
  b64.resize(std::strlen(b64.c_str()));
  std::string out = "-----BEGIN " + banner + "-----\n";
  for (std::size_t i = 0; i < b64.size(); i += 64) out += b64.substr(i, 64) + "\n";
  return out + "-----END " + banner + "-----\n";
}

// Re-signs `cert` (after the test changed its fields) with the CA key file and
// returns the PEM of the result.
inline std::string resign(Certificate cert, const std::string& ca_key_path) {
  const auto blocks = decode_pem(read_text_file(ca_key_path, "CA key"), ca_key_path);
  if (blocks.size() != 1 || blocks[0].body.size() != crypto_sign_SECRETKEYBYTES) {
    throw std::runtime_error("unexpected CA key layout in " + ca_key_path);
  }
  cert.details = encode_details(cert);
  crypto_sign_detached(reinterpret_cast<unsigned char*>(cert.signature.data()), nullptr,
                       reinterpret_cast<const unsigned char*>(cert.details.data()), cert.details.size(),
                       reinterpret_cast<const unsigned char*>(blocks[0].body.data()));
  return to_pem("NEBULA CERTIFICATE", encode_certificate(cert));
}

// A CA ("ca.crt"/"ca.key" in the directory) and host certificates signed by it.
class Pki {
 public:
  explicit Pki(const std::filesystem::path& dir, const std::string& ca_name = "mpc-ca",
               const std::string& groups = "mpc,admin", const std::string& ips = "10.213.0.0/16",
               const std::string& duration = "8760h")
      : dir_(dir) {
    std::filesystem::create_directories(dir_);
    std::vector<std::string> argv{"nebula-cert", "ca", "-name", ca_name, "-duration", duration,
                                  "-out-crt", ca_crt(), "-out-key", ca_key()};
    if (!groups.empty()) argv.insert(argv.end(), {"-groups", groups});
    if (!ips.empty()) argv.insert(argv.end(), {"-ips", ips});
    run(argv);
  }
  std::string ca_crt() const { return (dir_ / "ca.crt").string(); }
  std::string ca_key() const { return (dir_ / "ca.key").string(); }
  std::string crt(const std::string& name) const { return (dir_ / (name + ".crt")).string(); }
  std::string key(const std::string& name) const { return (dir_ / (name + ".key")).string(); }

  // nebula-cert sign; returns the certificate path.
  std::string sign(const std::string& name, const std::string& ip_cidr, const std::string& groups = "mpc",
                   const std::string& duration = "") const {
    std::vector<std::string> argv{"nebula-cert", "sign", "-ca-crt", ca_crt(), "-ca-key", ca_key(), "-name", name,
                                  "-ip", ip_cidr, "-out-crt", crt(name), "-out-key", key(name)};
    if (!groups.empty()) argv.insert(argv.end(), {"-groups", groups});
    if (!duration.empty()) argv.insert(argv.end(), {"-duration", duration});
    run(argv);
    return crt(name);
  }

 private:
  std::filesystem::path dir_;
};

}  // namespace meshmpc::nebula::test
