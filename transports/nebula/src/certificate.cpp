// What both certificate versions share: the PEM bundle (either banner, in any
// mix), the fingerprint and the signed bytes, the key and signature forms per
// curve, and how certificates are named in messages. The wire formats live in
// certificate_v1.cpp (protobuf) and certificate_v2.cpp (DER).
#include <meshmpc/nebula/certificate.hpp>

#include <sodium.h>

#include <algorithm>

#include "certificate_codec.hpp"
#include "der.hpp"
#include <meshmpc/hex.hpp>
#include <meshmpc/nebula/pem.hpp>

namespace meshmpc::nebula {

namespace detail {

void malformed(const std::string& source, std::size_t at, const std::string& why) {
  throw CertificateError(CertificateFault::malformed,
                         source + ": malformed certificate at byte " + std::to_string(at) + ": " + why);
}

void check_public_key(const Certificate& c, std::span<const std::byte> key, std::size_t at) {
  const std::string role = c.is_ca ? (c.curve == Curve::p256 ? "an ECDSA P-256" : "an Ed25519")
                                   : (c.curve == Curve::p256 ? "a P-256" : "an X25519");
  const std::size_t expected = c.curve == Curve::p256 ? kP256KeyBytes : kCurve25519KeyBytes;
  if (key.size() != expected) {
    malformed(c.source, at, "the public key has " + std::to_string(key.size()) + " bytes; " + role + " key (" +
                                std::string(to_string(c.curve)) + ") has " + std::to_string(expected));
  }
  // Nebula stores P-256 keys as uncompressed points (SEC 1: 0x04 ‖ X ‖ Y).
  if (c.curve == Curve::p256 && key[0] != std::byte{0x04}) {
    malformed(c.source, at, "the P-256 public key is not an uncompressed point (first byte " +
                                der::hex_byte(std::to_integer<std::uint8_t>(key[0])) + ", expected 0x04)");
  }
}

void check_signature_form(const Certificate& c, std::span<const std::byte> signature, std::size_t at) {
  if (c.curve == Curve::curve25519) {
    if (signature.size() != kEd25519SignatureBytes) {
      malformed(c.source, at, "the signature has " + std::to_string(signature.size()) +
                                  " bytes; an Ed25519 signature (Curve25519 certificate) has 64");
    }
    return;
  }
  // ECDSA-Sig-Value ::= SEQUENCE { r INTEGER, s INTEGER } in DER (RFC 3279),
  // as Go's ecdsa.SignASN1 writes it; OpenSSL's verification insists on DER too.
  if (signature.size() > kP256MaxSignatureBytes) {
    malformed(c.source, at, "the P-256 signature has " + std::to_string(signature.size()) + " bytes; at most " +
                                std::to_string(kP256MaxSignatureBytes));
  }
  der::Reader outer(signature, at, c.source, &malformed);
  const der::Element sequence = outer.read(der::kSequence, "P-256 signature (SEQUENCE)");
  outer.expect_done("after the P-256 signature");
  der::Reader inner = outer.inside(sequence);
  der::read_positive_integer(inner, inner.read(der::kInteger, "P-256 signature r"), "P-256 signature r");
  der::read_positive_integer(inner, inner.read(der::kInteger, "P-256 signature s"), "P-256 signature s");
  inner.expect_done("after the P-256 signature's s");
}

}  // namespace detail

std::string_view to_string(CertificateVersion version) { return version == CertificateVersion::v1 ? "v1" : "v2"; }

std::string_view to_string(Curve curve) { return curve == Curve::curve25519 ? "Curve25519" : "P-256"; }

std::string_view certificate_banner(CertificateVersion version) {
  return version == CertificateVersion::v1 ? "NEBULA CERTIFICATE" : "NEBULA CERTIFICATE V2";
}

Certificate parse_certificate(std::span<const std::byte> body, CertificateVersion version, const std::string& source) {
  Certificate c = version == CertificateVersion::v1 ? detail::parse_certificate_v1(body, source)
                                                    : detail::parse_certificate_v2(body, source);
  c.fingerprint = compute_fingerprint(c);
  return c;
}

std::vector<std::byte> encode_details(const Certificate& cert) {
  return cert.version == CertificateVersion::v1 ? detail::encode_details_v1(cert) : detail::encode_details_v2(cert);
}

std::vector<std::byte> encode_certificate(const Certificate& cert) {
  return cert.version == CertificateVersion::v1 ? detail::encode_certificate_v1(cert)
                                                : detail::encode_certificate_v2(cert);
}

std::vector<std::byte> signed_bytes(const Certificate& cert) {
  std::vector<std::byte> out = cert.details;
  if (cert.version == CertificateVersion::v2) {
    out.push_back(static_cast<std::byte>(cert.curve));
    out.insert(out.end(), cert.public_key.begin(), cert.public_key.end());
  }
  return out;
}

Digest compute_fingerprint(const Certificate& cert) {
  std::vector<std::byte> hashed;
  if (cert.version == CertificateVersion::v1) {
    hashed = encode_certificate(cert);
  } else {
    hashed = signed_bytes(cert);
    hashed.insert(hashed.end(), cert.signature.begin(), cert.signature.end());
  }
  Digest out{};
  crypto_hash_sha256(reinterpret_cast<unsigned char*>(out.data()), reinterpret_cast<const unsigned char*>(hashed.data()),
                     hashed.size());
  return out;
}

std::string to_string(UnixSeconds time) {
  const auto day = std::chrono::floor<std::chrono::days>(time);
  const std::chrono::year_month_day ymd(day);
  const std::chrono::hh_mm_ss hms(time - day);
  char text[40];
  std::snprintf(text, sizeof text, "%04d-%02u-%02uT%02ld:%02ld:%02lldZ", static_cast<int>(ymd.year()),
                static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()),
                static_cast<long>(hms.hours().count()), static_cast<long>(hms.minutes().count()),
                static_cast<long long>(hms.seconds().count()));
  return text;
}

bool Certificate::has_group(std::string_view group) const {
  return std::find(groups.begin(), groups.end(), group) != groups.end();
}

std::string Certificate::fingerprint_hex() const { return to_hex(fingerprint); }
std::string Certificate::issuer_hex() const { return to_hex(issuer); }

std::string Certificate::describe() const {
  return std::string(is_ca ? "CA certificate '" : "certificate '") + name + "' (" + source + ")";
}

std::vector<Certificate> parse_certificates(std::string_view pem, const std::string& source) {
  std::vector<Certificate> out;
  for (const PemBlock& block : decode_pem(pem, source)) {
    const std::string where = source + ", block at line " + std::to_string(block.line);
    if (block.banner == certificate_banner(CertificateVersion::v1)) {
      out.push_back(parse_certificate(block.body, CertificateVersion::v1, where));
    } else if (block.banner == certificate_banner(CertificateVersion::v2)) {
      out.push_back(parse_certificate(block.body, CertificateVersion::v2, where));
    } else {
      throw CertificateError(CertificateFault::malformed,
                             where + ": found '" + block.banner + "' where a 'NEBULA CERTIFICATE' or 'NEBULA "
                                                                  "CERTIFICATE V2' belongs");
    }
  }
  if (out.empty()) {
    throw CertificateError(CertificateFault::malformed,
                           source + ": no '-----BEGIN NEBULA CERTIFICATE-----' or '-----BEGIN NEBULA CERTIFICATE "
                                    "V2-----' block");
  }
  return out;
}

std::vector<Certificate> read_certificates(const std::string& path) {
  return parse_certificates(read_text_file(path, "certificate file"), path);
}

Certificate read_certificate(const std::string& path) {
  std::vector<Certificate> all = read_certificates(path);
  if (all.size() != 1) {
    throw CertificateError(CertificateFault::malformed, path + ": holds " + std::to_string(all.size()) +
                                                            " certificates; expected exactly one");
  }
  return std::move(all.front());
}

}  // namespace meshmpc::nebula
