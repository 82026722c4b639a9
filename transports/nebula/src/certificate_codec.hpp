#pragma once
// What the two certificate codecs (certificate_v1.cpp: protobuf, certificate_v2.cpp:
// DER) and the common part (certificate.cpp) share. Private to meshmpc_nebula.
#include <cstddef>
#include <span>
#include <string>
#include <vector>

#include <meshmpc/nebula/certificate.hpp>

namespace meshmpc::nebula::detail {

// Throws CertificateError(malformed): "<source>: malformed certificate at byte <at>: <why>".
// Offsets count from the start of the certificate body, so a hex dump finds them.
[[noreturn]] void malformed(const std::string& source, std::size_t at, const std::string& why);

// The public key's size and form for its curve and role (checked after the curve
// is known, so that a P-256 key is never reported as "not 32 bytes").
void check_public_key(const Certificate& cert, std::span<const std::byte> key, std::size_t at);
// The signature's form for the curve: 64 bytes for Ed25519; for P-256 a DER
// SEQUENCE of two positive INTEGERs, nothing after it.
void check_signature_form(const Certificate& cert, std::span<const std::byte> signature, std::size_t at);

Certificate parse_certificate_v1(std::span<const std::byte> body, const std::string& source);
std::vector<std::byte> encode_details_v1(const Certificate& cert);
std::vector<std::byte> encode_certificate_v1(const Certificate& cert);

Certificate parse_certificate_v2(std::span<const std::byte> body, const std::string& source);
std::vector<std::byte> encode_details_v2(const Certificate& cert);
std::vector<std::byte> encode_certificate_v2(const Certificate& cert);

}  // namespace meshmpc::nebula::detail
