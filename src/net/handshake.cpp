#include "meshmpc/net/handshake.hpp"

#include <algorithm>

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
constexpr std::size_t kSessionOffset = 6;
constexpr std::size_t kPartyOffset = 22;
constexpr std::size_t kPartiesOffset = 26;

}  // namespace

HelloBytes encode_hello(const Hello& hello) {
  HelloBytes bytes{};
  std::copy(kHandshakeMagic.begin(), kHandshakeMagic.end(), bytes.begin());
  put_le<std::uint16_t>(bytes.data() + kVersionOffset, hello.version);
  std::copy(hello.session_id.begin(), hello.session_id.end(), bytes.begin() + kSessionOffset);
  put_le<std::uint32_t>(bytes.data() + kPartyOffset, hello.party);
  put_le<std::uint32_t>(bytes.data() + kPartiesOffset, hello.parties);
  return bytes;
}

std::optional<Hello> decode_hello(std::span<const std::byte, kHelloSize> bytes) {
  if (!std::equal(kHandshakeMagic.begin(), kHandshakeMagic.end(), bytes.begin())) return std::nullopt;
  Hello hello;
  hello.version = get_le<std::uint16_t>(bytes.data() + kVersionOffset);
  std::copy_n(bytes.begin() + kSessionOffset, hello.session_id.size(), hello.session_id.begin());
  hello.party = get_le<std::uint32_t>(bytes.data() + kPartyOffset);
  hello.parties = get_le<std::uint32_t>(bytes.data() + kPartiesOffset);
  return hello;
}

bool looks_like_tls(std::span<const std::byte> bytes) {
  // Record type 22 (handshake) or 21 (alert), then major version 3.
  if (bytes.size() < 2) return false;
  const auto type = std::to_integer<std::uint8_t>(bytes[0]);
  return (type == 22 || type == 21) && std::to_integer<std::uint8_t>(bytes[1]) == 3;
}

std::optional<std::string> hello_fault(const std::optional<Hello>& hello, const Roster& roster,
                                       std::size_t self, const ClaimCheck& check) {
  if (!hello) return "not a meshmpc peer (wrong magic)";
  const std::size_t n = roster.size();
  // Before the session is known to match, the claimed id only helps the reader.
  const std::string claimant = "peer claiming to be " + (hello->party < n ? describe(roster.party(hello->party))
                                                                         : "party " + std::to_string(hello->party));
  if (hello->version != kProtocolVersion) {
    return claimant + " speaks protocol version " + std::to_string(hello->version) + ", we speak " +
           std::to_string(kProtocolVersion);
  }
  if (hello->session_id != roster.session_id) {
    return claimant + " belongs to another session (session id differs)";
  }
  if (hello->parties != n) {
    return claimant + " has a roster of " + std::to_string(hello->parties) + " parties, ours has " +
           std::to_string(n);
  }
  if (hello->party >= n) {
    return "peer claims to be party " + std::to_string(hello->party) + ", roster has " +
           std::to_string(n) + " parties";
  }
  if (hello->party == self) return "peer claims to be " + describe(roster.party(self)) + ", which is us";
  if (check) return check(hello->party);
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

std::optional<std::string> decode_verdict_header(std::span<const std::byte, kVerdictHeaderSize> bytes,
                                                 std::size_t& reason_length, std::string_view from) {
  const auto status = std::to_integer<std::uint8_t>(bytes[0]);
  reason_length = get_le<std::uint16_t>(bytes.data() + 1);
  if (status > 1 || reason_length > kMaxRefusalReason || (status == 0 && reason_length != 0)) {
    throw ProtocolError("malformed handshake verdict from " + std::string(from) + " (status " +
                        std::to_string(status) + ", reason of " + std::to_string(reason_length) +
                        " bytes)");
  }
  if (status == 1) return std::string("refused");
  return std::nullopt;
}

}  // namespace detail

}  // namespace meshmpc::net
