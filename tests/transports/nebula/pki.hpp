#pragma once
// Test PKI made by the real nebula-cert in a fresh temporary directory (Debian
// 12's 1.6.1 on the PATH, and a 1.10+ one found by newer_nebula_cert()), and a
// test-only signer (libsodium or OpenSSL with the CA's key) for what nebula-cert
// cannot make: certificates that expired or are not valid yet, or that break a
// CA constraint.
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/obj_mac.h>
#include <openssl/param_build.h>
#include <sodium.h>
#include <stdlib.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "../../cli/process.hpp"
#include "../../temp_dir.hpp"
#include "nebula_new.hpp"
#include <meshmpc/nebula/certificate.hpp>
#include <meshmpc/nebula/pem.hpp>

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
  if (name.find('/') != std::string::npos) return name;
  for (const char* dir : {"/usr/bin", "/usr/local/bin", "/bin", "/usr/sbin", "/sbin"}) {
    const std::filesystem::path candidate = std::filesystem::path(dir) / name;
    if (::access(candidate.c_str(), X_OK) == 0) return candidate.string();
  }
  return name;
}

// A nebula-cert 1.10+ (v2 certificates, -networks, JSON arrays), or "" (nebula_new.hpp).
inline std::string newer_nebula_cert() { return meshmpc::test::newer_nebula_tool("nebula-cert"); }
inline constexpr const char* kNoNewerNebulaCert = meshmpc::test::kNoNewerNebula;

using meshmpc::test::TempDir;

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

// An ECDSA-SHA256 signature (DER) of `message` with a P-256 private scalar, as
// Go's ecdsa.SignASN1 makes it (OpenSSL 3: the key from parameters, then
// EVP_DigestSign).
inline std::vector<std::byte> p256_sign(std::span<const std::byte> scalar, std::span<const std::byte> message) {
  EC_GROUP* group = EC_GROUP_new_by_curve_name(NID_X9_62_prime256v1);
  BIGNUM* d = BN_bin2bn(reinterpret_cast<const unsigned char*>(scalar.data()), static_cast<int>(scalar.size()), nullptr);
  EC_POINT* point = EC_POINT_new(group);
  unsigned char pub[65];
  EC_POINT_mul(group, point, d, nullptr, nullptr, nullptr);
  EC_POINT_point2oct(group, point, POINT_CONVERSION_UNCOMPRESSED, pub, sizeof pub, nullptr);
  OSSL_PARAM_BLD* builder = OSSL_PARAM_BLD_new();
  OSSL_PARAM_BLD_push_utf8_string(builder, OSSL_PKEY_PARAM_GROUP_NAME, SN_X9_62_prime256v1, 0);
  OSSL_PARAM_BLD_push_BN(builder, OSSL_PKEY_PARAM_PRIV_KEY, d);
  OSSL_PARAM_BLD_push_octet_string(builder, OSSL_PKEY_PARAM_PUB_KEY, pub, sizeof pub);
  OSSL_PARAM* params = OSSL_PARAM_BLD_to_param(builder);
  EVP_PKEY_CTX* ctx = EVP_PKEY_CTX_new_from_name(nullptr, "EC", nullptr);
  EVP_PKEY* key = nullptr;
  EVP_PKEY_fromdata_init(ctx);
  EVP_PKEY_fromdata(ctx, &key, EVP_PKEY_KEYPAIR, params);
  EVP_MD_CTX* md = EVP_MD_CTX_new();
  std::vector<std::byte> signature(80);
  std::size_t length = signature.size();
  const bool ok = key && EVP_DigestSignInit(md, nullptr, EVP_sha256(), nullptr, key) == 1 &&
                  EVP_DigestSign(md, reinterpret_cast<unsigned char*>(signature.data()), &length,
                                 reinterpret_cast<const unsigned char*>(message.data()), message.size()) == 1;
  EVP_MD_CTX_free(md);
  EVP_PKEY_free(key);
  EVP_PKEY_CTX_free(ctx);
  OSSL_PARAM_free(params);
  OSSL_PARAM_BLD_free(builder);
  EC_POINT_free(point);
  BN_clear_free(d);
  EC_GROUP_free(group);
  if (!ok) throw std::runtime_error("P-256 signing failed");
  signature.resize(length);
  return signature;
}

// Re-signs `cert` (after the test changed its fields) with the CA key file,
// Ed25519 or ECDSA P-256 as the key's banner says, and returns the PEM of the
// result under the banner of the certificate's version.
inline std::string resign(Certificate cert, const std::string& ca_key_path) {
  const auto blocks = decode_pem(read_text_file(ca_key_path, "CA key"), ca_key_path);
  if (blocks.size() != 1) throw std::runtime_error("expected one key in " + ca_key_path);
  cert.details = encode_details(cert);
  const std::vector<std::byte> message = signed_bytes(cert);
  if (blocks[0].banner == "NEBULA ED25519 PRIVATE KEY" && blocks[0].body.size() == crypto_sign_SECRETKEYBYTES) {
    cert.signature.resize(crypto_sign_BYTES);
    crypto_sign_detached(reinterpret_cast<unsigned char*>(cert.signature.data()), nullptr,
                         reinterpret_cast<const unsigned char*>(message.data()), message.size(),
                         reinterpret_cast<const unsigned char*>(blocks[0].body.data()));
  } else if (blocks[0].banner == "NEBULA ECDSA P256 PRIVATE KEY" && blocks[0].body.size() == 32) {
    cert.signature = p256_sign(blocks[0].body, message);
  } else {
    throw std::runtime_error("unexpected CA key layout in " + ca_key_path);
  }
  return to_pem(std::string(certificate_banner(cert.version)), encode_certificate(cert));
}

// What a CA made by a nebula-cert 1.10+ looks like; empty strings leave a flag out.
struct CaSpec {
  std::string name = "mpc-ca";
  std::string groups = "mpc,admin";
  std::string networks = "10.213.0.0/16";
  std::string unsafe_networks;
  std::string duration = "8760h";
  std::string curve;    // "P256", or "" for Curve25519
  std::string version;  // "1", or "" for the tool's default (v2)
};

inline CaSpec ca_spec(std::string name, std::string groups, std::string networks, std::string unsafe_networks = "",
                      std::string duration = "8760h", std::string curve = "", std::string version = "") {
  CaSpec spec;
  spec.name = std::move(name);
  spec.groups = std::move(groups);
  spec.networks = std::move(networks);
  spec.unsafe_networks = std::move(unsafe_networks);
  spec.duration = std::move(duration);
  spec.curve = std::move(curve);
  spec.version = std::move(version);
  return spec;
}

// A CA ("ca.crt"/"ca.key" in the directory) and host certificates signed by it.
class Pki {
 public:
  // With Debian 12's nebula-cert 1.6.1 (v1, Curve25519, the -ips flags).
  explicit Pki(const std::filesystem::path& dir, const std::string& ca_name = "mpc-ca",
               const std::string& groups = "mpc,admin", const std::string& ips = "10.213.0.0/16",
               const std::string& duration = "8760h")
      : dir_(dir) {
    std::filesystem::create_directories(dir_);
    std::vector<std::string> argv{program_, "ca", "-name", ca_name, "-duration", duration,
                                  "-out-crt", ca_crt(), "-out-key", ca_key()};
    if (!groups.empty()) argv.insert(argv.end(), {"-groups", groups});
    if (!ips.empty()) argv.insert(argv.end(), {"-ips", ips});
    run(argv);
  }
  // With a nebula-cert 1.10+ at `program` (the -networks flags, -curve, -version).
  Pki(const std::filesystem::path& dir, const std::string& program, const CaSpec& spec)
      : dir_(dir), program_(program), newer_(true) {
    std::filesystem::create_directories(dir_);
    std::vector<std::string> argv{program_, "ca", "-name", spec.name, "-duration", spec.duration,
                                  "-out-crt", ca_crt(), "-out-key", ca_key()};
    if (!spec.groups.empty()) argv.insert(argv.end(), {"-groups", spec.groups});
    if (!spec.networks.empty()) argv.insert(argv.end(), {"-networks", spec.networks});
    if (!spec.unsafe_networks.empty()) argv.insert(argv.end(), {"-unsafe-networks", spec.unsafe_networks});
    if (!spec.curve.empty()) argv.insert(argv.end(), {"-curve", spec.curve});
    if (!spec.version.empty()) argv.insert(argv.end(), {"-version", spec.version});
    run(argv);
  }
  const std::string& program() const { return program_; }
  std::string ca_crt() const { return (dir_ / "ca.crt").string(); }
  std::string ca_key() const { return (dir_ / "ca.key").string(); }
  std::string crt(const std::string& name) const { return (dir_ / (name + ".crt")).string(); }
  std::string key(const std::string& name) const { return (dir_ / (name + ".key")).string(); }

  // nebula-cert sign; returns the certificate path. `networks` is one CIDR for
  // 1.6.1 (-ip), a comma-separated list for 1.10+ (-networks). `extra` adds flags
  // (1.10+: "-version", "1"; "-unsafe-networks", ...).
  std::string sign(const std::string& name, const std::string& networks, const std::string& groups = "mpc",
                   const std::string& duration = "", const std::vector<std::string>& extra = {}) const {
    std::vector<std::string> argv{program_, "sign", "-ca-crt", ca_crt(), "-ca-key", ca_key(), "-name", name,
                                  newer_ ? "-networks" : "-ip", networks, "-out-crt", crt(name), "-out-key", key(name)};
    if (!groups.empty()) argv.insert(argv.end(), {"-groups", groups});
    if (!duration.empty()) argv.insert(argv.end(), {"-duration", duration});
    argv.insert(argv.end(), extra.begin(), extra.end());
    run(argv);
    return crt(name);
  }

 private:
  std::filesystem::path dir_;
  std::string program_ = "nebula-cert";
  bool newer_ = false;
};

}  // namespace meshmpc::nebula::test
