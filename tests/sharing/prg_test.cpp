#include <meshmpc/error.hpp>
#include <meshmpc/sharing/prg.hpp>

#include "test_support.hpp"

#include <gtest/gtest.h>
#include <sodium.h>

#include <cstring>
#include <vector>

namespace meshmpc {
namespace {

using test::fixed_key;

// The first `words` words of Prg(key, position, index), and of libsodium's
// ChaCha20-IETF with the nonce laid out as prg.hpp documents (8 bytes position,
// 4 bytes index, both little-endian): an independent reading of the same stream.
std::vector<std::uint64_t> prg_words(const Prg::Key& key, std::uint64_t position, std::uint32_t index,
                                     std::size_t words) {
  Prg prg(key, position, index);
  std::vector<std::uint64_t> out(words);
  for (auto& w : out) w = prg.next_word();
  return out;
}

std::vector<std::uint64_t> sodium_words(const Prg::Key& key, std::uint64_t position, std::uint32_t index,
                                        std::size_t words) {
  unsigned char nonce[crypto_stream_chacha20_ietf_NONCEBYTES];
  for (std::size_t i = 0; i < 8; ++i) nonce[i] = static_cast<unsigned char>(position >> (8 * i));
  for (std::size_t i = 0; i < 4; ++i) nonce[8 + i] = static_cast<unsigned char>(index >> (8 * i));
  std::vector<unsigned char> bytes(words * 8);
  crypto_stream_chacha20_ietf(bytes.data(), bytes.size(), nonce, reinterpret_cast<const unsigned char*>(key.data()));
  std::vector<std::uint64_t> out(words);
  std::memcpy(out.data(), bytes.data(), bytes.size());  // little-endian words, as the Prg reads them
  return out;
}

TEST(Prg, IsChaCha20IetfWithPositionAndIndexInTheNonce) {
  ASSERT_GE(sodium_init(), 0);
  const auto key = fixed_key(3);
  // 10000 words: across the growing refills (1, 2, 4 ... 64 blocks), the switch
  // from libsodium to OpenSSL (refills of 16 blocks and more) and many full buffers.
  for (const auto& [position, index] : std::vector<std::pair<std::uint64_t, std::uint32_t>>{
           {0, 0}, {1, 0}, {0, 1}, {0x0123456789abcdefULL, 0xfedcba98U}, {~std::uint64_t{0}, ~std::uint32_t{0}}})
    EXPECT_EQ(prg_words(key, position, index, 10000), sodium_words(key, position, index, 10000))
        << "position " << position << " index " << index;
}

TEST(Prg, PositionAndIndexAreSeparateFields) {
  const auto key = fixed_key(4);
  // Under the old XOR mixing, (label ^ c*(i+1)) could meet another call's label;
  // here (p, i) and (p', i') differ as nonces whenever they differ as pairs.
  EXPECT_NE(prg_words(key, 1, 0, 8), prg_words(key, 0, 1, 8));
  EXPECT_NE(prg_words(key, 5, 2, 8), prg_words(key, 5, 3, 8));
  EXPECT_EQ(prg_words(key, 5, 2, 8), prg_words(key, 5, 2, 8));
}

TEST(Prg, DerivedKeysAreLibsodiumKdfSubkeysPerContext) {
  ASSERT_GE(sodium_init(), 0);
  const auto master = fixed_key(7);
  const Prg::Key grr = Prg::derive_key(master, "grr-subs");
  const Prg::Key bits = Prg::derive_key(master, "rbit-xor");
  Prg::Key expected;
  ASSERT_EQ(crypto_kdf_derive_from_key(reinterpret_cast<unsigned char*>(expected.data()), expected.size(), 0,
                                       "grr-subs", reinterpret_cast<const unsigned char*>(master.data())),
            0);
  EXPECT_EQ(grr, expected);
  EXPECT_NE(grr, bits);
  EXPECT_NE(grr, master);
  EXPECT_EQ(Prg::derive_key(master, "grr-subs"), grr);
}

TEST(Prg, WipeClearsKeysAndGuardedBuffers) {
  Prg::Key key = fixed_key(9);
  wipe(key);
  EXPECT_EQ(key, Prg::Key{});
  std::vector<std::byte> payload(40, std::byte{0x5a});
  {
    const WipeOnExit guard(payload);
    EXPECT_EQ(payload[0], std::byte{0x5a});
  }
  EXPECT_EQ(payload, std::vector<std::byte>(40, std::byte{0}));
}

}  // namespace
}  // namespace meshmpc
