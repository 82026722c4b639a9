#pragma once
// Lowercase hex of bytes: the one encoder for what meshmpc prints or hands on as
// hex (session ids and keys in the cli, Nebula certificate fingerprints, the
// rendezvous roster's signatures). libsodium's, because keys pass through it and
// it runs in constant time; so an includer links libsodium (meshmpc::sharing
// brings it). Kept out of the public headers that other headers include, so that
// their users do not need sodium.h.
#include <sodium.h>

#include <cstddef>
#include <span>
#include <string>

namespace meshmpc {

// "" for no bytes.
inline std::string to_hex(std::span<const std::byte> bytes) {
  std::string hex(2 * bytes.size() + 1, '\0');  // sodium_bin2hex writes a terminating NUL
  sodium_bin2hex(hex.data(), hex.size(), reinterpret_cast<const unsigned char*>(bytes.data()), bytes.size());
  hex.pop_back();
  return hex;
}

}  // namespace meshmpc
