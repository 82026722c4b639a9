#include <meshmpc/net/tls/fingerprint.hpp>

#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include <algorithm>
#include <vector>

#include <meshmpc/error.hpp>

#include "openssl_util.hpp"

namespace meshmpc::net::tls {

namespace {

// RFC 4648 base32; Syncthing's check characters use the same alphabet (mod 32).
constexpr std::string_view kAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
constexpr std::size_t kBase32Chars = 52;  // ceil(256 / 5): the last carries 1 bit + 4 zero bits
constexpr std::size_t kChunk = 13;        // base32 characters covered by one check character
constexpr std::size_t kChunks = kBase32Chars / kChunk;
constexpr std::size_t kChecked = kBase32Chars + kChunks;  // 56
constexpr std::size_t kGroup = 7;                         // characters between dashes
constexpr std::size_t kHexDigits = 2 * kFingerprintBytes;

int base32_value(char c) {
  if (c >= 'A' && c <= 'Z') return c - 'A';
  if (c >= '2' && c <= '7') return c - '2' + 26;
  return -1;
}

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// Syncthing's Luhn mod 32 (lib/protocol/luhn.go): weights 1, 2, 1, 2, ... from the
// left, a doubled value folded as (v / 32 + v % 32), and the check value brings the
// sum to 0 mod 32. It differs from textbook Luhn mod N (which weights from the
// right); we keep Syncthing's so that its tools and ours agree on the text.
char luhn32(std::string_view chunk) {
  unsigned sum = 0;
  unsigned factor = 1;
  for (char c : chunk) {
    const unsigned addend = factor * static_cast<unsigned>(base32_value(c));
    sum += addend / 32 + addend % 32;
    factor = 3 - factor;
  }
  return kAlphabet[(32 - sum % 32) % 32];
}

std::string quoted(std::string_view where, std::string_view text) {
  return std::string(where) + ": fingerprint '" + std::string(text) + "'";
}

bool starts_with_sha256(std::string_view text) {
  constexpr std::string_view kPrefix = "sha256:";
  if (text.size() < kPrefix.size()) return false;
  for (std::size_t i = 0; i < kPrefix.size(); ++i) {
    const char c = text[i];
    const char lower = (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
    if (lower != kPrefix[i]) return false;
  }
  return true;
}

// "sha256:" then 64 hex digits, bare or with a colon between every two (as openssl
// prints them); nothing in between else, so that a dropped digit is a length error.
Fingerprint parse_hex(std::string_view text, std::string_view where) {
  const std::string_view digits = text.substr(7);
  const bool colons = digits.find(':') != std::string_view::npos;
  const std::size_t expected = colons ? kHexDigits + kFingerprintBytes - 1 : kHexDigits;
  Fingerprint out{};
  std::size_t byte = 0;
  std::size_t nibble = 0;
  for (std::size_t i = 0; i < digits.size(); ++i) {
    const char c = digits[i];
    if (colons && i % 3 == 2) {
      if (c != ':') {
        throw ConfigError(quoted(where, text) + ": expected ':' after every two hex digits, found '" +
                          std::string(1, c) + "' at position " + std::to_string(7 + i + 1));
      }
      continue;
    }
    const int v = hex_value(c);
    if (v < 0) {
      throw ConfigError(quoted(where, text) + ": '" + std::string(1, c) + "' at position " +
                        std::to_string(7 + i + 1) + " is not a hex digit");
    }
    if (byte >= kFingerprintBytes) break;  // too long: reported below
    out[byte] = static_cast<std::byte>((std::to_integer<unsigned>(out[byte]) << 4) | static_cast<unsigned>(v));
    if (++nibble == 2) {
      nibble = 0;
      ++byte;
    }
  }
  if (digits.size() != expected) {
    const auto colon_count = static_cast<std::size_t>(std::count(digits.begin(), digits.end(), ':'));
    throw ConfigError(quoted(where, text) + ": a SHA-256 fingerprint has " + std::to_string(kHexDigits) +
                      " hex digits" + (colons ? " (32 pairs joined by ':')" : "") + ", this has " +
                      std::to_string(digits.size() - colon_count));
  }
  return out;
}

// The forgiving reading of the dashed form: case, dashes and spaces do not matter,
// and the digits people type for look-alike letters (0, 1, 8 are not in the
// alphabet) are read as those letters. Positions in messages count the characters
// that remain (1-based), with the group of seven they fall in.
Fingerprint parse_base32(std::string_view text, std::string_view where) {
  std::string clean;
  for (std::size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (c == '-' || c == ' ' || c == '\t') continue;
    if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
    if (c == '0') c = 'O';
    if (c == '1') c = 'I';
    if (c == '8') c = 'B';
    if (base32_value(c) < 0) {
      const std::size_t n = clean.size();
      throw ConfigError(quoted(where, text) + ": '" + std::string(1, text[i]) + "' (group " +
                        std::to_string(n / kGroup + 1) + ", character " + std::to_string(n % kGroup + 1) +
                        ") is not a fingerprint character (A-Z, 2-7)");
    }
    clean += c;
  }
  if (clean.size() != kChecked) {
    throw ConfigError(quoted(where, text) + ": expected " + std::to_string(kChecked) +
                      " letters and digits (8 groups of 7), got " + std::to_string(clean.size()) +
                      (clean.size() == kBase32Chars ? " (a fingerprint without check characters is not accepted)"
                                                    : ""));
  }
  std::string data;
  for (std::size_t k = 0; k < kChunks; ++k) {
    const std::string_view chunk = std::string_view(clean).substr(k * (kChunk + 1), kChunk);
    if (luhn32(chunk) != clean[k * (kChunk + 1) + kChunk]) {
      // A check character covers two groups of seven: 13 characters and itself.
      throw ConfigError(quoted(where, text) + ": group " + std::to_string(2 * k + 1) + " or " +
                        std::to_string(2 * k + 2) + " has a typo (its check character does not match)");
    }
    data += chunk;
  }
  Fingerprint out{};
  unsigned buffer = 0;
  int bits = 0;
  std::size_t byte = 0;
  for (char c : data) {
    buffer = (buffer << 5) | static_cast<unsigned>(base32_value(c));
    bits += 5;
    if (bits >= 8) {
      bits -= 8;
      if (byte < out.size()) out[byte++] = static_cast<std::byte>((buffer >> bits) & 0xff);
    }
    buffer &= (1u << bits) - 1;
  }
  // 52 characters hold 260 bits; the last 4 are padding and zero in any text we
  // wrote. Anything else is not a fingerprint, even if the check characters agree.
  if (buffer != 0) {
    throw ConfigError(quoted(where, text) + ": the last character of group 8 cannot end a fingerprint (typo?)");
  }
  return out;
}

}  // namespace

Fingerprint fingerprint_of_der(std::span<const std::byte> der) {
  Fingerprint out{};
  unsigned int length = 0;
  if (EVP_Digest(der.data(), der.size(), reinterpret_cast<unsigned char*>(out.data()), &length, EVP_sha256(),
                 nullptr) != 1 ||
      length != out.size()) {
    throw Error("SHA-256 failed: " + detail::openssl_errors());
  }
  return out;
}

Fingerprint fingerprint_of_pem(std::string_view pem, std::string_view where) {
  const detail::X509Ptr cert = detail::certificate_from_pem(pem, where);
  const std::vector<std::byte> der = detail::der_of(cert.get(), where);
  return fingerprint_of_der(der);
}

std::string format_fingerprint(const Fingerprint& fingerprint) {
  std::string base32;
  unsigned buffer = 0;
  int bits = 0;
  for (std::byte b : fingerprint) {
    buffer = (buffer << 8) | std::to_integer<unsigned>(b);
    bits += 8;
    while (bits >= 5) {
      bits -= 5;
      base32 += kAlphabet[(buffer >> bits) & 31];
    }
    buffer &= (1u << bits) - 1;
  }
  if (bits > 0) base32 += kAlphabet[(buffer << (5 - bits)) & 31];

  std::string checked;
  for (std::size_t k = 0; k < kChunks; ++k) {
    const std::string_view chunk = std::string_view(base32).substr(k * kChunk, kChunk);
    checked += chunk;
    checked += luhn32(chunk);
  }
  std::string text;
  for (std::size_t i = 0; i < checked.size(); ++i) {
    if (i > 0 && i % kGroup == 0) text += '-';
    text += checked[i];
  }
  return text;
}

Fingerprint parse_fingerprint(std::string_view text, std::string_view where) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t')) text.remove_suffix(1);
  if (text.empty()) throw ConfigError(std::string(where) + ": empty fingerprint");
  if (starts_with_sha256(text)) return parse_hex(text, where);
  return parse_base32(text, where);
}

}  // namespace meshmpc::net::tls
