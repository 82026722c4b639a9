#include <meshmpc/sharing/prg.hpp>

#include <meshmpc/error.hpp>

#include <algorithm>
#include <cstring>
#include <sodium.h>
#include <string>

namespace meshmpc {

namespace {
void ensure_sodium() {
  static const int rc = sodium_init();
  if (rc < 0) throw Error("libsodium could not be initialised");
}

// ChaCha20-IETF's block counter is 32 bits wide.
constexpr std::uint64_t kMaxBlocks = std::uint64_t{1} << 32;
}  // namespace

Prg::Prg(const Key& key, std::uint64_t position, std::uint32_t index) : key_(key) {
  ensure_sodium();
  static_assert(crypto_stream_chacha20_ietf_KEYBYTES == kKeyBytes);
  static_assert(crypto_stream_chacha20_ietf_NONCEBYTES == 12);
  for (std::size_t i = 0; i < 8; ++i) nonce_[i] = static_cast<std::byte>((position >> (8 * i)) & 0xffU);
  for (std::size_t i = 0; i < 4; ++i) nonce_[8 + i] = static_cast<std::byte>((index >> (8 * i)) & 0xffU);
}

// Drawn straight into key_: no temporary copy of the key is left on the stack.
Prg::Prg() {
  ensure_sodium();
  randombytes_buf(key_.data(), key_.size());
}

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

void Prg::random_key(Key& out) {
  ensure_sodium();
  randombytes_buf(out.data(), out.size());
}

void Prg::derive_key(const Key& master, KdfContext context, Key& out) {
  ensure_sodium();
  static_assert(crypto_kdf_KEYBYTES == kKeyBytes);
  static_assert(crypto_kdf_CONTEXTBYTES == KdfContext::kBytes);
  if (crypto_kdf_derive_from_key(reinterpret_cast<unsigned char*>(out.data()), out.size(), 0, context.data(),
                                 reinterpret_cast<const unsigned char*>(master.data())) != 0)
    throw Error("libsodium could not derive a " + std::to_string(out.size()) + "-byte key for context '" +
                std::string(context.data(), KdfContext::kBytes) + "'");
}

Prg::Key Prg::derive_key(const Key& master, KdfContext context) {
  Key sub;
  derive_key(master, context, sub);
  return sub;
}

void Prg::refill() {
  // Whole 64-byte blocks only, so the block counter continues exactly where the
  // previous refill stopped.
  const std::size_t words = filled_ == 0 ? kBlockWords : std::min(kBufferWords, 2 * filled_);
  const std::size_t bytes = words * sizeof(std::uint64_t);
  if (block_ + bytes / 64 > kMaxBlocks)
    throw RangeError("PRG stream exhausted: more than 2^32 ChaCha20 blocks (256 GiB) read from one nonce");
  std::memset(buffer_.data(), 0, bytes);
  if (bytes >= kBulkBytes) {
    refill_bulk(bytes);
  } else {
    crypto_stream_chacha20_ietf_xor_ic(reinterpret_cast<unsigned char*>(buffer_.data()),
                                     reinterpret_cast<const unsigned char*>(buffer_.data()), bytes,
                                     reinterpret_cast<const unsigned char*>(nonce_.data()),
                                     static_cast<std::uint32_t>(block_),
                                     reinterpret_cast<const unsigned char*>(key_.data()));
  }
  block_ += bytes / 64;
  filled_ = words;
  pos_ = 0;
}

// OpenSSL's "ChaCha20" takes a 16-byte IV: the 32-bit block counter (little-endian)
// and then the 96-bit nonce, i.e. ChaCha20-IETF's state words 12..15, so its stream
// from block_ on is libsodium's with counter block_ (a test compares them).
void Prg::refill_bulk(std::size_t bytes) {
  if (!bulk_) {
    static EVP_CIPHER* const cipher = EVP_CIPHER_fetch(nullptr, "ChaCha20", nullptr);
    if (cipher == nullptr) throw Error("OpenSSL has no ChaCha20 cipher");
    bulk_.reset(EVP_CIPHER_CTX_new());
    std::array<unsigned char, 16> iv{};
    for (std::size_t i = 0; i < 4; ++i) iv[i] = static_cast<unsigned char>((block_ >> (8 * i)) & 0xffU);
    std::memcpy(iv.data() + 4, nonce_.data(), nonce_.size());
    if (!bulk_ || EVP_EncryptInit_ex2(bulk_.get(), cipher, reinterpret_cast<const unsigned char*>(key_.data()),
                                      iv.data(), nullptr) != 1)
      throw Error("OpenSSL could not start a ChaCha20 stream");
  }
  auto* data = reinterpret_cast<unsigned char*>(buffer_.data());
  int out = 0;
  if (EVP_EncryptUpdate(bulk_.get(), data, &out, data, static_cast<int>(bytes)) != 1 ||
      out != static_cast<int>(bytes))
    throw Error("OpenSSL's ChaCha20 failed");
}

void Prg::fill(std::span<std::byte> out) {
  for (auto& b : out) {
    // Byte-wise from whole words keeps the stream position simple; fill() is for keys.
    b = static_cast<std::byte>(next_word() & 0xffU);
  }
}

void wipe(std::span<std::byte> secret) {
  if (!secret.empty()) sodium_memzero(secret.data(), secret.size());
}

}  // namespace meshmpc
