#pragma once
// P-256 for Nebula certificates and keys, with OpenSSL 3: ECDSA-SHA256
// verification over a DER signature (Nebula's ecdsa.VerifyASN1), the other of a
// signature's two valid forms (for the blocklist, GHSA-69x3-g4r3-p962), and the
// public point of a private scalar (for pki.key). Private to meshmpc_nebula: the
// public headers hold no OpenSSL types.
#include <cstddef>
#include <optional>
#include <span>
#include <vector>

namespace meshmpc::nebula::p256 {

// True when `signature` (DER) is a valid ECDSA-SHA256 signature of `message`
// under `point` (65-byte uncompressed). False for any malformed input.
bool verify(std::span<const std::byte> point, std::span<const std::byte> message,
            std::span<const std::byte> signature);

// (r, s) -> (r, n − s) re-encoded in DER: the signature's other valid form. Both
// verify, and each gives the certificate a different fingerprint; Nebula 1.10.3+
// blocks a certificate when either is listed. Nothing when s is not in 1..n−1
// (such a signature verifies under no key anyway).
std::optional<std::vector<std::byte>> other_form(std::span<const std::byte> signature);

// The uncompressed public point (65 bytes) of a 32-byte private scalar, or nothing
// when the scalar is not in 1..n−1.
std::optional<std::vector<std::byte>> public_point(std::span<const std::byte> scalar);

}  // namespace meshmpc::nebula::p256
