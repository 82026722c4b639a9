#pragma once
// Prg: a ChaCha20 keystream (libsodium) read as 64-bit words. Keyed with a secret
// 32-byte key it is the PRF of PRSS (same key and stream id, same words on every
// party); keyed from the OS RNG it is the dealer's randomness for Shamir sharing.
#include <array>
#include <cstddef>
#include <cstdint>
#include <span>

namespace meshmpc {

class Prg {
 public:
  static constexpr std::size_t kKeyBytes = 32;
  using Key = std::array<std::byte, kKeyBytes>;

  // Keystream of ChaCha20(key, nonce = stream_id), from block 0.
  Prg(const Key& key, std::uint64_t stream_id);
  // A fresh random key from libsodium's randombytes.
  Prg();
  ~Prg();
  Prg(const Prg&) = delete;
  Prg& operator=(const Prg&) = delete;

  std::uint64_t next_word() {
    if (pos_ == filled_) refill();
    return buffer_[pos_++];
  }
  void fill(std::span<std::byte> out);

  static Key random_key();

 private:
  // Refills start at one ChaCha20 block and double up to 4 KiB: a PRSS draw of a
  // single element (one Prg per key) then costs one block, not a whole buffer.
  static constexpr std::size_t kBufferWords = 512;
  static constexpr std::size_t kBlockWords = 8;
  void refill();

  Key key_{};
  std::array<std::byte, 8> nonce_{};
  std::uint64_t block_ = 0;  // next ChaCha20 block counter
  std::array<std::uint64_t, kBufferWords> buffer_{};
  std::size_t pos_ = 0;
  std::size_t filled_ = 0;  // words of buffer_ holding keystream
};

}  // namespace meshmpc
