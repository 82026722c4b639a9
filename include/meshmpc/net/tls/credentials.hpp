#pragma once
// Keys and certificates of TLS parties, made and read with OpenSSL 3's EVP and
// X509 APIs, exchanged as PEM text. meshmpc-keygen is a thin command line over
// these; tests make their expired, foreign-CA and mismatched certificates with
// them; the TLS context (tls/context.hpp) loads what read_* returned.
#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include <meshmpc/net/tls/fingerprint.hpp>

namespace meshmpc::net::tls {

enum class KeyType { ed25519, p256 };
// "ed25519", "p256" (also "P-256"); throws ConfigError naming the text otherwise.
KeyType key_type_from_string(std::string_view text);
std::string to_string(KeyType type);

// A fresh private key as unencrypted PKCS#8 PEM ("-----BEGIN PRIVATE KEY-----").
std::string generate_private_key(KeyType type);

struct CertificateSpec {
  std::string common_name;  // the subject's CN; a party's CA-mode identity
  std::chrono::system_clock::time_point not_before = std::chrono::system_clock::now();
  std::chrono::system_clock::time_point not_after = not_before + std::chrono::hours(24 * 825);
  bool is_ca = false;  // basicConstraints CA:TRUE and keyCertSign, for a CA
  // subjectAltName DNS names / IP addresses (informational: meshmpc checks
  // fingerprints or CNs, not host names).
  std::vector<std::string> dns_names;
  std::vector<std::string> ip_addresses;
};

// A certificate (PEM) for the key in key_pem, signed by that same key; serial
// number random (128 bits), signature digest SHA-256 (none for Ed25519, as
// RFC 8410 requires). Throws ConfigError for an unusable key or spec.
std::string self_signed_certificate(std::string_view key_pem, const CertificateSpec& spec);
// A certificate (PEM) for the public half of subject_key_pem (a private key PEM;
// only its public key goes into the certificate), issued and signed by the CA.
// Throws ConfigError when the CA certificate is not a CA or does not match ca_key_pem.
std::string issue_certificate(std::string_view subject_key_pem, const CertificateSpec& spec,
                              std::string_view ca_key_pem, std::string_view ca_cert_pem);

// The subject CN of the first certificate in cert_pem ("" when it has none).
std::string common_name(std::string_view cert_pem, std::string_view where);

// Writes key_pem to a new file with mode 0600 (created so, never widened later:
// O_CREAT | O_EXCL, umask irrelevant). Refuses to overwrite an existing file.
// Throws ConfigError naming the path and the reason.
void write_private_key_file(const std::string& path, std::string_view key_pem);
// Writes a certificate (mode 0644); refuses to overwrite an existing file.
void write_certificate_file(const std::string& path, std::string_view cert_pem);

// A private key file's PEM text, after checking, in this order, each with a
// ConfigError naming the path: it exists and is a regular file, it is not readable
// or writable by group or others (the mode is named, with the chmod 600 that fixes
// it), it can be read, and OpenSSL parses a private key from it.
std::string read_private_key_file(const std::string& path);
// A certificate (chain) file's PEM text, after checking that it can be read and
// that OpenSSL parses at least one certificate from it.
std::string read_certificate_file(const std::string& path);

// "Mon DD HH:MM:SS YYYY GMT"-free, for messages: the validity window of the first
// certificate in cert_pem as ISO 8601 UTC ("2026-12-03T14:00:00Z").
struct Validity {
  std::string not_before;
  std::string not_after;
};
Validity validity(std::string_view cert_pem, std::string_view where);

}  // namespace meshmpc::net::tls
