#pragma once
// A Nebula v1 certificate (nebula-cert 1.x, banner "NEBULA CERTIFICATE"): the
// protobuf RawNebulaCertificate decoded into plain fields, with the exact bytes
// the signature covers and the fingerprint Nebula uses to name it. Layout and
// rules: docs/transports/nebula.md. Only the encoding Nebula itself writes is
// accepted (fields in order, packed IPs, no defaults written, no unknown
// fields), because Nebula re-encodes before it verifies and so refuses anything
// else; accepting more would let two parsers disagree about one certificate.
#include <array>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "meshmpc/error.hpp"

namespace meshmpc::nebula {

// Why a certificate (or a file holding one) was refused; tests and callers tell
// the cases apart by kind, users by the message.
enum class CertificateFault {
  unreadable,      // the file cannot be read
  malformed,       // bad PEM, base64 or protobuf (the message gives the offset)
  wrong_kind,      // a CA where a host certificate belongs, or the reverse
  not_self_signed, // a CA whose signature does not verify under its own key
  unknown_ca,      // the issuer fingerprint names no CA of the pool
  expired,         // outside NotBefore..NotAfter (the certificate's or its CA's)
  bad_signature,   // the CA's signature does not verify
  ca_constraint,   // a group, IP, subnet or validity the CA does not allow
  missing_group,   // the session's required group is absent
  key_mismatch,    // a private key that does not belong to the certificate
  roster,          // a roster entry that conflicts with another or with us
  no_overlay_ip,   // the overlay IP is not assigned here (nebula not running)
  blocklisted,     // its fingerprint is in pki.blocklist
};

class CertificateError : public ConfigError {
 public:
  CertificateError(CertificateFault fault, const std::string& message) : ConfigError(message), fault_(fault) {}
  CertificateFault fault() const { return fault_; }

 private:
  CertificateFault fault_;
};

using Key32 = std::array<std::byte, 32>;
using Signature = std::array<std::byte, 64>;
using UnixSeconds = std::chrono::sys_seconds;

// An IPv4 address with its netmask, both as big-endian numbers (0xC0A86402 is
// 192.168.100.2), exactly as the certificate stores them.
struct Ipv4Network {
  std::uint32_t address = 0;
  std::uint32_t mask = 0;

  // Leading one bits of the mask; -1 when the mask is not contiguous.
  int prefix_length() const;
  // True when `other` lies inside this network with a prefix at least as long.
  bool contains(const Ipv4Network& other) const;
  bool operator==(const Ipv4Network&) const = default;
};

std::string address_to_string(std::uint32_t address);  // "192.168.100.2"
std::string to_string(const Ipv4Network& network);     // "192.168.100.2/24"

struct Certificate {
  std::string name;
  std::vector<Ipv4Network> ips;      // overlay addresses; Nebula uses the first
  std::vector<Ipv4Network> subnets;  // unsafe_routes the host may serve
  std::vector<std::string> groups;
  UnixSeconds not_before{};
  UnixSeconds not_after{};
  Key32 public_key{};  // Ed25519 for a CA, X25519 for a host
  bool is_ca = false;
  std::vector<std::byte> issuer;  // the CA's fingerprint (32 bytes); empty for a CA
  Signature signature{};

  std::vector<std::byte> details;  // the signed bytes: RawNebulaCertificateDetails
  Key32 fingerprint{};             // SHA-256 of the whole encoded certificate
  std::string source;              // where it came from, for messages: "p1.crt, certificate 1"

  bool has_group(std::string_view group) const;
  std::string fingerprint_hex() const;
  std::string issuer_hex() const;
  // "certificate 'p1' (p1.crt)": how messages name it.
  std::string describe() const;
};

// Decodes one certificate body (the bytes inside the PEM banner). `source`
// names it in messages. Throws CertificateError(malformed) with the byte offset.
Certificate parse_certificate(std::span<const std::byte> body, const std::string& source);

// The bytes Nebula writes for these fields: the details (what the CA signs) and
// the whole certificate (what the fingerprint hashes). Round trip of a parsed
// certificate: encode_certificate(parse_certificate(b)) == b.
std::vector<std::byte> encode_details(const Certificate& cert);
std::vector<std::byte> encode_certificate(const Certificate& cert);

// Every "NEBULA CERTIFICATE" block of a PEM text (a CA file may hold a bundle);
// any other banner is refused by name. At least one block is required.
std::vector<Certificate> parse_certificates(std::string_view pem, const std::string& source);
// The same for a file; CertificateError(unreadable) when it cannot be read.
std::vector<Certificate> read_certificates(const std::string& path);
// A file holding exactly one certificate.
Certificate read_certificate(const std::string& path);

// Lowercase hex of bytes; "" for none.
std::string to_hex(std::span<const std::byte> bytes);
// "2026-11-25T22:09:35Z".
std::string to_string(UnixSeconds time);

}  // namespace meshmpc::nebula
