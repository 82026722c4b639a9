#include <meshmpc/sharing/prg.hpp>

#include <meshmpc/error.hpp>

#include <algorithm>
#include <cstring>
#include <sodium.h>

namespace meshmpc {

namespace {
void ensure_sodium() {
  static const int rc = sodium_init();
  if (rc < 0) throw Error("libsodium could not be initialised");
}
}  // namespace

Prg::Prg(const Key& key, std::uint64_t stream_id) : key_(key) {
  ensure_sodium();
  static_assert(crypto_stream_chacha20_KEYBYTES == kKeyBytes);
  static_assert(crypto_stream_chacha20_NONCEBYTES == 8);
  for (std::size_t i = 0; i < 8; ++i) nonce_[i] = static_cast<std::byte>((stream_id >> (8 * i)) & 0xffU);
}

Prg::Prg() : Prg(random_key(), 0) {}

Prg::~Prg() {
  sodium_memzero(key_.data(), key_.size());
  sodium_memzero(buffer_.data(), sizeof(buffer_));
}

Prg::Key Prg::random_key() {
  ensure_sodium();
  Key k;
  randombytes_buf(k.data(), k.size());
  return k;
}

void Prg::refill() {
  // Whole 64-byte blocks only, so the block counter continues exactly where the
  // previous refill stopped.
  const std::size_t words = filled_ == 0 ? kBlockWords : std::min(kBufferWords, 2 * filled_);
  const std::size_t bytes = words * sizeof(std::uint64_t);
  std::memset(buffer_.data(), 0, bytes);
  crypto_stream_chacha20_xor_ic(reinterpret_cast<unsigned char*>(buffer_.data()),
                                reinterpret_cast<const unsigned char*>(buffer_.data()), bytes,
                                reinterpret_cast<const unsigned char*>(nonce_.data()), block_,
                                reinterpret_cast<const unsigned char*>(key_.data()));
  block_ += bytes / 64;
  filled_ = words;
  pos_ = 0;
}

void Prg::fill(std::span<std::byte> out) {
  for (auto& b : out) {
    // Byte-wise from whole words keeps the stream position simple; fill() is for keys.
    b = static_cast<std::byte>(next_word() & 0xffU);
  }
}

}  // namespace meshmpc
