#pragma once
// Lowercase hex of bytes, for the session ids and keys the cli prints and hands to
// its children: libsodium's encoder (constant time, as keys pass through it), the one
// place the cli encodes hex. Private to the cli. (The nebula plugin keeps its own
// nebula::to_hex for certificate fingerprints: the cli is not its layer below.)
#include <sodium.h>

#include <cstddef>
#include <span>
#include <string>

namespace meshmpc::cli {

inline std::string bytes_to_hex(std::span<const std::byte> bytes) {
  std::string hex(2 * bytes.size() + 1, '\0');  // sodium_bin2hex writes a terminating NUL
  sodium_bin2hex(hex.data(), hex.size(), reinterpret_cast<const unsigned char*>(bytes.data()), bytes.size());
  hex.pop_back();
  return hex;
}

}  // namespace meshmpc::cli
