#include <meshmpc/rendezvous/cpace.hpp>

#include <sodium.h>

#include <algorithm>
#include <cstring>
#include <string>

#include <meshmpc/error.hpp>

namespace meshmpc::rendezvous::cpace {

static_assert(kPointBytes == crypto_core_ristretto255_BYTES);
static_assert(kScalarBytes == crypto_core_ristretto255_SCALARBYTES);
static_assert(kIskBytes == crypto_hash_sha512_BYTES);
static_assert(crypto_core_ristretto255_HASHBYTES == crypto_hash_sha512_BYTES);

namespace {

void ensure_sodium() {
  static const int rc = sodium_init();
  if (rc < 0) throw Error("libsodium could not be initialised");
}

const unsigned char* u8(std::span<const std::byte> bytes) {
  return reinterpret_cast<const unsigned char*>(bytes.data());
}

unsigned char* out8(std::span<std::byte> bytes) { return reinterpret_cast<unsigned char*>(bytes.data()); }

std::span<const std::byte> bytes_of(std::string_view text) { return std::as_bytes(std::span(text)); }

void append(std::vector<std::byte>& out, std::span<const std::byte> bytes) {
  out.insert(out.end(), bytes.begin(), bytes.end());
}

// The draft's lexiographically_larger: the first differing byte decides, else the longer.
bool larger(std::span<const std::byte> a, std::span<const std::byte> b) {
  return std::lexicographical_compare(b.begin(), b.end(), a.begin(), a.end());
}

std::array<std::byte, crypto_hash_sha512_BYTES> sha512(std::span<const std::byte> data) {
  std::array<std::byte, crypto_hash_sha512_BYTES> out{};
  crypto_hash_sha512(out8(out), u8(data), data.size());
  return out;
}

}  // namespace

std::vector<std::byte> prepend_len(std::span<const std::byte> data) {
  std::vector<std::byte> out;
  std::size_t length = data.size();
  do {
    const auto low = static_cast<unsigned>(length & 0x7fU);
    length >>= 7;
    out.push_back(static_cast<std::byte>(length != 0 ? low | 0x80U : low));
  } while (length != 0);
  append(out, data);
  return out;
}

std::vector<std::byte> lv_cat(std::initializer_list<std::span<const std::byte>> parts) {
  std::vector<std::byte> out;
  for (const auto part : parts) append(out, prepend_len(part));
  return out;
}

std::vector<std::byte> o_cat(std::span<const std::byte> a, std::span<const std::byte> b) {
  std::vector<std::byte> out{std::byte{'o'}, std::byte{'c'}};
  const bool a_first = larger(a, b);
  append(out, a_first ? a : b);
  append(out, a_first ? b : a);
  return out;
}

std::vector<std::byte> transcript_ir(std::span<const std::byte> ya, std::span<const std::byte> ada,
                                     std::span<const std::byte> yb, std::span<const std::byte> adb) {
  std::vector<std::byte> out = lv_cat({ya, ada});
  append(out, lv_cat({yb, adb}));
  return out;
}

std::vector<std::byte> transcript_oc(std::span<const std::byte> ya, std::span<const std::byte> ada,
                                     std::span<const std::byte> yb, std::span<const std::byte> adb) {
  return o_cat(lv_cat({ya, ada}), lv_cat({yb, adb}));
}

std::vector<std::byte> generator_string(std::span<const std::byte> dsi, std::span<const std::byte> prs,
                                        std::span<const std::byte> ci, std::span<const std::byte> sid,
                                        std::size_t s_in_bytes) {
  const std::size_t used = 1 + prepend_len(prs).size() + prepend_len(dsi).size();
  const std::vector<std::byte> zpad(s_in_bytes > used ? s_in_bytes - used : 0, std::byte{0});
  return lv_cat({dsi, prs, zpad, ci, sid});
}

Point calculate_generator(std::span<const std::byte> prs, std::span<const std::byte> ci,
                          std::span<const std::byte> sid) {
  ensure_sodium();
  std::vector<std::byte> gen_str = generator_string(bytes_of(kDsi), prs, ci, sid, kHashBlockBytes);
  auto hash = sha512(gen_str);
  // The generator string and its hash determine the password's generator: wiped.
  sodium_memzero(gen_str.data(), gen_str.size());
  Point g{};
  crypto_core_ristretto255_from_hash(out8(g), u8(hash));
  sodium_memzero(hash.data(), hash.size());
  return g;
}

Scalar sample_scalar() {
  ensure_sodium();
  Scalar y{};
  crypto_core_ristretto255_scalar_random(out8(y));
  return y;
}

Point scalar_mult(const Scalar& y, const Point& g) {
  ensure_sodium();
  Point out{};
  if (crypto_scalarmult_ristretto255(out8(out), u8(y), u8(g)) != 0)
    throw Error("CPace: scalar_mult gave the identity (a zero scalar or an invalid generator)");
  return out;
}

Point scalar_mult_vfy(const Scalar& y, std::span<const std::byte> x) {
  ensure_sodium();
  if (x.size() != kPointBytes) return kIdentity;
  // RFC 9496 (4.3.1) refuses every encoding whose integer is >= p, so any with bit
  // 255 set; libsodium 1.0.18 masks that bit before its canonical check and would
  // take such a string for the element without the bit (its ristretto255_is_canonical
  // ignores the bit; cpace_test.cpp sends such a string).
  if ((x[kPointBytes - 1] & std::byte{0x80}) != std::byte{0}) return kIdentity;
  Point out{};
  // libsodium refuses a non-canonical or invalid encoding and an identity result alike.
  if (crypto_scalarmult_ristretto255(out8(out), u8(y), u8(x)) != 0) return kIdentity;
  return out;
}

Isk isk_from_transcript(std::span<const std::byte> sid, const Point& k, std::span<const std::byte> transcript) {
  ensure_sodium();
  const std::string dsi_isk = std::string(kDsi) + "_ISK";
  std::vector<std::byte> input = lv_cat({bytes_of(dsi_isk), sid, k});
  append(input, transcript);
  const Isk isk = sha512(input);
  sodium_memzero(input.data(), input.size());
  return isk;
}

std::optional<Isk> derive_isk_symmetric(const Scalar& y, std::span<const std::byte> sid,
                                        const Point& our_message, std::span<const std::byte> our_ad,
                                        std::span<const std::byte> their_message,
                                        std::span<const std::byte> their_ad) {
  Point k = scalar_mult_vfy(y, their_message);
  if (sodium_is_zero(u8(k), k.size()) != 0) return std::nullopt;
  const Isk isk = isk_from_transcript(sid, k, transcript_oc(our_message, our_ad, their_message, their_ad));
  sodium_memzero(k.data(), k.size());
  return isk;
}

}  // namespace meshmpc::rendezvous::cpace
