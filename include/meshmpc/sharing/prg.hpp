#pragma once
// Prg: a ChaCha20-IETF keystream (libsodium, and OpenSSL for long draws) read as
// 64-bit words. Keyed with a
// secret 32-byte key it is the PRF of PRSS and of GRR's pairwise sub-shares (same
// key and nonce, same words on every party); keyed from the OS RNG it is the
// dealer's randomness for Shamir sharing.
//
// Key hygiene: a key shared between parties is never used for a stream directly.
// Each purpose derives its own subkey once (derive_key, libsodium's crypto_kdf
// with an 8-byte context naming the purpose), and the 96-bit nonce carries only
// the position of one call: a 64-bit label and a 32-bit party index, side by
// side, never mixed together.
#include <meshmpc/c_deleter.hpp>

#include <openssl/evp.h>

#include <array>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>

namespace meshmpc {

// The context of one key derivation: exactly 8 characters naming the purpose
// (crypto_kdf_CONTEXTBYTES), checked at compile time: KdfContext("grr-subs").
class KdfContext {
 public:
  static constexpr std::size_t kBytes = 8;
  template <std::size_t N>
  consteval KdfContext(const char (&text)[N]) {  // NOLINT: implicit from a literal on purpose
    static_assert(N == kBytes + 1, "a KDF context is exactly 8 characters");
    for (std::size_t i = 0; i < kBytes; ++i) bytes_[i] = text[i];
  }
  const char* data() const { return bytes_.data(); }

 private:
  std::array<char, kBytes> bytes_{};
};

class Prg {
 public:
  static constexpr std::size_t kKeyBytes = 32;
  using Key = std::array<std::byte, kKeyBytes>;

  // Keystream of ChaCha20-IETF(key, nonce = position || index, both little-endian,
  // 8 + 4 bytes), from block 0. A stream holds 2^32 blocks (256 GiB); reading
  // beyond throws RangeError rather than repeat the keystream.
  explicit Prg(const Key& key, std::uint64_t position = 0, std::uint32_t index = 0);
  // A fresh random key from libsodium's randombytes (nothing to separate: the key
  // is used for this one stream only).
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
  // The same, drawn straight into `out` (no temporary copy to wipe).
  static void random_key(Key& out);
  // The subkey of `master` for one purpose: crypto_kdf_derive_from_key(master,
  // context, subkey id 0). Derive once where the master key arrives, not per call.
  static Key derive_key(const Key& master, KdfContext context);
  // The same, written straight into `out` (where the subkey is kept: no temporary).
  static void derive_key(const Key& master, KdfContext context, Key& out);

 private:
  // Refills start at one ChaCha20 block and double up to 4 KiB: a PRSS draw of a
  // single element (one Prg per key) then costs one block, not a whole buffer.
  static constexpr std::size_t kBufferWords = 512;
  static constexpr std::size_t kBlockWords = 8;
  // Refills of this size and more go through OpenSSL's ChaCha20, which has an
  // AVX-512 implementation (about twice libsodium's speed here); smaller ones
  // through libsodium, whose call needs no context. Both are the same stream.
  static constexpr std::size_t kBulkBytes = 1024;
  void refill();
  void refill_bulk(std::size_t bytes);

  Key key_{};
  std::array<std::byte, 12> nonce_{};
  std::uint64_t block_ = 0;  // next ChaCha20 block counter (below 2^32)
  std::array<std::uint64_t, kBufferWords> buffer_{};
  std::size_t pos_ = 0;
  std::size_t filled_ = 0;  // words of buffer_ holding keystream
  // OpenSSL's cipher, from the first bulk refill on (at block_ then; it keeps the
  // block counter itself after that).
  std::unique_ptr<EVP_CIPHER_CTX, CDeleter<EVP_CIPHER_CTX_free>> bulk_;
};

// Overwrites secret bytes with zeros (sodium_memzero: not optimised away).
void wipe(std::span<std::byte> secret);
inline void wipe(Prg::Key& key) { wipe(std::span<std::byte>(key)); }

// Wipes a buffer when the scope ends, however it ends: for keys and key-carrying
// payloads on their way to their owner. The buffer must outlive the guard and
// keep its storage (do not move a guarded vector away).
class WipeOnExit {
 public:
  explicit WipeOnExit(std::span<std::byte> secret) : secret_(secret) {}
  ~WipeOnExit() { wipe(secret_); }
  WipeOnExit(const WipeOnExit&) = delete;
  WipeOnExit& operator=(const WipeOnExit&) = delete;

 private:
  std::span<std::byte> secret_;
};

}  // namespace meshmpc
