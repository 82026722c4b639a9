#pragma once
// A party's TLS identity: the SHA-256 digest of its DER certificate, and the text
// users read aloud, paste into rosters and compare. The text is Syncthing's device
// ID layout: the 32 bytes in base32 (RFC 4648 alphabet, no padding: 52 characters),
// cut into four chunks of 13, each followed by a Luhn mod-32 check character, shown
// as eight groups of seven joined by dashes (this one is of SHA-256("abc")):
//   XJ4BNP4-PAHH6UO-QKBIDPF-3LRCEOI-YAGYNDS-YLXVHFZ-UCD7WD4-QACWWQW
// Parsing forgives what people get wrong when copying: lower case, spaces or
// missing dashes, and the look-alikes 0→O, 1→I, 8→B. A wrong check character is
// reported as a typo (which group), never taken for another identity.
// "sha256:" followed by 64 hex digits (colons allowed, as `openssl x509
// -fingerprint -sha256` prints them) is accepted too.
#include <array>
#include <cstddef>
#include <span>
#include <string>
#include <string_view>

namespace meshmpc::net::tls {

inline constexpr std::size_t kFingerprintBytes = 32;
using Fingerprint = std::array<std::byte, kFingerprintBytes>;

// SHA-256 of the DER encoding of a certificate.
Fingerprint fingerprint_of_der(std::span<const std::byte> der);
// Of the first certificate in PEM text. Throws ConfigError naming `where` when the
// text holds no certificate.
Fingerprint fingerprint_of_pem(std::string_view pem, std::string_view where);

// The dashed base32 form above (63 characters).
std::string format_fingerprint(const Fingerprint& fingerprint);
// Either accepted form. Throws ConfigError naming `where` (e.g. "-P/--party
// 'host:port FP'") and what is wrong: a bad character (which, where), a wrong
// length, or a failed check character ("group 3 has a typo").
Fingerprint parse_fingerprint(std::string_view text, std::string_view where);

}  // namespace meshmpc::net::tls
