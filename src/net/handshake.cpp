#include <meshmpc/net/handshake.hpp>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>

#include <algorithm>

#include <meshmpc/net/peer_text.hpp>

namespace meshmpc::net {

namespace {

template <typename T>
void put_le(std::byte* out, T value) {
  for (std::size_t i = 0; i < sizeof(T); ++i) out[i] = static_cast<std::byte>(value >> (8 * i));
}

template <typename T>
T get_le(const std::byte* in) {
  T value = 0;
  for (std::size_t i = 0; i < sizeof(T); ++i) {
    value = static_cast<T>(value | static_cast<T>(std::to_integer<std::uint8_t>(in[i])) << (8 * i));
  }
  return value;
}

constexpr std::size_t kVersionOffset = 4;
constexpr std::size_t kPartyOffset = 6;
constexpr std::size_t kPartiesOffset = 10;
constexpr std::size_t kNonceOffset = 14;

// Domain separation: these keys and proofs mean nothing anywhere else.
constexpr std::string_view kKeyLabel = "meshmpc handshake key v2";
constexpr std::string_view kProofLabel = "meshmpc handshake proof v2";

std::array<std::byte, 32> hmac_sha256(std::span<const std::byte> key, std::span<const std::byte> message) {
  std::array<std::byte, 32> out{};
  unsigned int length = 0;
  if (!HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()),
            reinterpret_cast<const unsigned char*>(message.data()), message.size(),
            reinterpret_cast<unsigned char*>(out.data()), &length) ||
      length != out.size()) {
    throw Error("handshake: HMAC-SHA256 failed in OpenSSL");
  }
  return out;
}

void append(std::vector<std::byte>& out, std::string_view text) {
  const auto bytes = std::as_bytes(std::span(text));
  out.insert(out.end(), bytes.begin(), bytes.end());
}

std::vector<std::byte> proof_message(Role role, const HelloBytes& dialler_hello, const HelloBytes& acceptor_hello) {
  std::vector<std::byte> message;
  append(message, kProofLabel);
  message.push_back(static_cast<std::byte>(role));
  message.insert(message.end(), dialler_hello.begin(), dialler_hello.end());
  message.insert(message.end(), acceptor_hello.begin(), acceptor_hello.end());
  return message;
}

}  // namespace

HelloBytes encode_hello(const Hello& hello) {
  HelloBytes bytes{};
  std::copy(kHandshakeMagic.begin(), kHandshakeMagic.end(), bytes.begin());
  put_le<std::uint16_t>(bytes.data() + kVersionOffset, hello.version);
  put_le<std::uint32_t>(bytes.data() + kPartyOffset, hello.party);
  put_le<std::uint32_t>(bytes.data() + kPartiesOffset, hello.parties);
  std::copy(hello.nonce.begin(), hello.nonce.end(), bytes.begin() + kNonceOffset);
  return bytes;
}

std::optional<Hello> decode_hello(std::span<const std::byte, kHelloSize> bytes) {
  if (!std::equal(kHandshakeMagic.begin(), kHandshakeMagic.end(), bytes.begin())) return std::nullopt;
  Hello hello;
  hello.version = get_le<std::uint16_t>(bytes.data() + kVersionOffset);
  hello.party = get_le<std::uint32_t>(bytes.data() + kPartyOffset);
  hello.parties = get_le<std::uint32_t>(bytes.data() + kPartiesOffset);
  std::copy_n(bytes.begin() + kNonceOffset, hello.nonce.size(), hello.nonce.begin());
  return hello;
}

Hello make_hello(const Roster& roster, std::size_t self) {
  Hello hello{kProtocolVersion, static_cast<std::uint32_t>(self), static_cast<std::uint32_t>(roster.size()), {}};
  if (RAND_bytes(reinterpret_cast<unsigned char*>(hello.nonce.data()), static_cast<int>(hello.nonce.size())) != 1) {
    throw Error("handshake: OpenSSL's random generator failed to make a nonce");
  }
  return hello;
}

bool looks_like_tls(std::span<const std::byte> bytes) {
  // Record type 22 (handshake) or 21 (alert), then major version 3.
  if (bytes.size() < 2) return false;
  const auto type = std::to_integer<std::uint8_t>(bytes[0]);
  return (type == 22 || type == 21) && std::to_integer<std::uint8_t>(bytes[1]) == 3;
}

HandshakeKey handshake_key(const Roster& roster) {
  const SessionSecret secret = roster.secret.value_or(SessionSecret{});
  std::vector<std::byte> message;
  append(message, kKeyLabel);
  message.insert(message.end(), roster.session_id.begin(), roster.session_id.end());
  return hmac_sha256(secret, message);
}

Proof make_proof(const HandshakeKey& key, Role role, const HelloBytes& dialler_hello,
                 const HelloBytes& acceptor_hello) {
  return hmac_sha256(key, proof_message(role, dialler_hello, acceptor_hello));
}

bool proof_holds(const HandshakeKey& key, Role role, const HelloBytes& dialler_hello,
                 const HelloBytes& acceptor_hello, std::span<const std::byte> proof) {
  const Proof expected = make_proof(key, role, dialler_hello, acceptor_hello);
  return proof.size() == expected.size() && CRYPTO_memcmp(expected.data(), proof.data(), expected.size()) == 0;
}

std::optional<std::string> hello_form_fault(const std::optional<Hello>& hello) {
  if (!hello) return "not a meshmpc peer (wrong magic)";
  if (hello->version != kProtocolVersion) {
    return "the peer speaks protocol version " + std::to_string(hello->version) + ", we speak " +
           std::to_string(kProtocolVersion);
  }
  return std::nullopt;
}

std::optional<std::string> hello_claim_fault(const Hello& hello, const Roster& roster, std::size_t self,
                                             const ClaimCheck& check) {
  const std::size_t n = roster.size();
  if (hello.parties != n) {
    const std::string claimant =
        "peer claiming to be " + (hello.party < n ? describe(roster.party(hello.party)) : "party " + std::to_string(hello.party));
    return claimant + " has a roster of " + std::to_string(hello.parties) + " parties, ours has " + std::to_string(n);
  }
  if (hello.party >= n) {
    return "peer claims to be party " + std::to_string(hello.party) + ", roster has " + std::to_string(n) + " parties";
  }
  if (hello.party == self) return "peer claims to be " + describe(roster.party(self)) + ", which is us";
  if (check) return check(hello.party);
  return std::nullopt;
}

std::vector<std::byte> encode_verdict(const std::optional<std::string>& refusal) {
  std::string reason = refusal.value_or("");
  if (reason.size() > kMaxRefusalReason) reason.resize(kMaxRefusalReason);
  std::vector<std::byte> bytes(kVerdictHeaderSize + reason.size());
  bytes[0] = std::byte{refusal ? std::uint8_t{1} : std::uint8_t{0}};
  put_le<std::uint16_t>(bytes.data() + 1, static_cast<std::uint16_t>(reason.size()));
  std::transform(reason.begin(), reason.end(), bytes.begin() + kVerdictHeaderSize,
                 [](char c) { return static_cast<std::byte>(c); });
  return bytes;
}

namespace detail {

bool decode_verdict_header(std::span<const std::byte, kVerdictHeaderSize> bytes, std::size_t& reason_length,
                           std::string_view from) {
  const auto status = std::to_integer<std::uint8_t>(bytes[0]);
  reason_length = get_le<std::uint16_t>(bytes.data() + 1);
  if (status > 1 || reason_length > kMaxRefusalReason || (status == 0 && reason_length != 0)) {
    throw ProtocolError("malformed handshake verdict from " + std::string(from) + " (status " +
                        std::to_string(status) + ", reason of " + std::to_string(reason_length) + " bytes)");
  }
  return status == 1;
}

std::string received_reason(std::span<const std::byte> bytes) { return sanitize_peer_text(bytes); }

}  // namespace detail

}  // namespace meshmpc::net
