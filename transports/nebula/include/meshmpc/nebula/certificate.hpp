#pragma once
// A Nebula certificate, v1 (banner "NEBULA CERTIFICATE", protobuf) or v2 (banner
// "NEBULA CERTIFICATE V2", ASN.1 DER, Nebula 1.10+), with Curve25519 or P-256
// keys, decoded into plain fields together with the exact bytes the signature
// covers and the fingerprint Nebula names it by. Layouts and rules:
// docs/transports/nebula.md. Only the encoding Nebula itself writes is accepted
// (v1: fields in order, packed IPs, no defaults written, no unknown fields; v2:
// DER with nothing optional written at its default and no unknown fields),
// because Nebula re-encodes v1 before it verifies, and because accepting more
// than the writer produces would let two parsers disagree about one certificate.
#include <array>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <meshmpc/error.hpp>
#include <meshmpc/nebula/ip_network.hpp>

namespace meshmpc::nebula {

// Why a certificate (or a file holding one) was refused; tests and callers tell
// the cases apart by kind, users by the message.
enum class CertificateFault {
  unreadable,      // the file cannot be read
  malformed,       // bad PEM, base64, protobuf or DER (the message gives the offset)
  wrong_kind,      // a CA where a host certificate belongs, or the reverse
  not_self_signed, // a CA whose signature does not verify under its own key
  unknown_ca,      // the issuer fingerprint names no CA of the pool
  expired,         // outside NotBefore..NotAfter (the certificate's or its CA's)
  bad_signature,   // the CA's signature does not verify
  ca_constraint,   // a group, network or validity the CA does not allow
  missing_group,   // the session's required group is absent
  key_mismatch,    // a private key that does not belong to the certificate
  roster,          // a roster entry that conflicts with another or with us
  no_overlay_ip,   // the overlay IP is not assigned here (nebula not running)
  blocklisted,     // its fingerprint is in pki.blocklist
  curve_mismatch,  // a CA of one curve named as the issuer of a certificate of another
};

class CertificateError : public ConfigError {
 public:
  CertificateError(CertificateFault fault, const std::string& message) : ConfigError(message), fault_(fault) {}
  CertificateFault fault() const { return fault_; }

 private:
  CertificateFault fault_;
};

enum class CertificateVersion : std::uint8_t { v1 = 1, v2 = 2 };
// The values Nebula writes (the protobuf enum of v1, the ENUMERATED of v2).
enum class Curve : std::uint8_t { curve25519 = 0, p256 = 1 };

using Digest = std::array<std::byte, 32>;
using UnixSeconds = std::chrono::sys_seconds;

// Key and signature sizes per curve. A Curve25519 CA key is Ed25519 and a host
// key X25519, both 32 bytes; a P-256 key is an uncompressed point (0x04 ‖ X ‖ Y).
inline constexpr std::size_t kCurve25519KeyBytes = 32;
inline constexpr std::size_t kEd25519SignatureBytes = 64;
inline constexpr std::size_t kP256KeyBytes = 65;
inline constexpr std::size_t kP256MaxSignatureBytes = 72;  // DER SEQUENCE of two INTEGERs of ≤ 33 bytes
inline constexpr std::size_t kMaxCertificateBytes = 65536;  // Nebula's MaxCertificateSize (v2)

struct Certificate {
  CertificateVersion version = CertificateVersion::v1;
  Curve curve = Curve::curve25519;
  std::string name;
  // Overlay addresses. v1: IPv4 only, Nebula uses the first. v2: IPv4 and/or IPv6,
  // sorted (IPv4 first) and without duplicates.
  std::vector<IpNetwork> networks;
  std::vector<IpNetwork> unsafe_networks;  // unsafe_routes the host may serve (v1 "subnets")
  std::vector<std::string> groups;
  UnixSeconds not_before{};
  UnixSeconds not_after{};
  std::vector<std::byte> public_key;  // Ed25519/X25519 (32) or a P-256 point (65)
  bool is_ca = false;
  std::vector<std::byte> issuer;     // the CA's fingerprint (32 bytes); empty for a CA
  std::vector<std::byte> signature;  // Ed25519 (64) or DER ECDSA (P-256, at most 72)

  // The encoded details as they appear in the certificate: v1 the protobuf
  // RawNebulaCertificateDetails, v2 the whole context-tagged [0] element (tag and
  // length included, as Nebula signs and hashes it).
  std::vector<std::byte> details;
  Digest fingerprint{};  // what Nebula names it by (issuer fields, pki.blocklist)
  std::string source;    // where it came from, for messages: "p1.crt, block at line 1"

  bool has_group(std::string_view group) const;
  std::string fingerprint_hex() const;
  std::string issuer_hex() const;
  // "certificate 'p1' (p1.crt)": how messages name it.
  std::string describe() const;
};

std::string_view to_string(CertificateVersion version);  // "v1"
std::string_view to_string(Curve curve);                 // "Curve25519", "P-256"
// The PEM banner of a version: "NEBULA CERTIFICATE" or "NEBULA CERTIFICATE V2".
std::string_view certificate_banner(CertificateVersion version);

// Decodes one certificate body (the bytes inside the PEM banner) of the given
// version. `source` names it in messages. Throws CertificateError(malformed)
// naming the byte offset and the field.
Certificate parse_certificate(std::span<const std::byte> body, CertificateVersion version, const std::string& source);

// The bytes Nebula writes for these fields: the details, and the whole
// certificate. Round trip: encode_certificate(parse_certificate(b, v, s)) == b.
std::vector<std::byte> encode_details(const Certificate& cert);
std::vector<std::byte> encode_certificate(const Certificate& cert);

// What the CA signs: v1 the details; v2 details ‖ curve byte ‖ public key.
std::vector<std::byte> signed_bytes(const Certificate& cert);
// SHA-256 of the encoded certificate (v1), or of details ‖ curve ‖ public key ‖
// signature (v2): Nebula's fingerprint of these fields as they stand.
Digest compute_fingerprint(const Certificate& cert);

// Every "NEBULA CERTIFICATE" and "NEBULA CERTIFICATE V2" block of a PEM text (a
// CA file may hold a bundle of both); any other banner is refused by name. At
// least one block is required.
std::vector<Certificate> parse_certificates(std::string_view pem, const std::string& source);
// The same for a file; CertificateError(unreadable) when it cannot be read.
std::vector<Certificate> read_certificates(const std::string& path);
// A file holding exactly one certificate.
Certificate read_certificate(const std::string& path);

// "2026-11-25T22:09:35Z".
std::string to_string(UnixSeconds time);

}  // namespace meshmpc::nebula
