// The handshake's decoders (net/handshake.hpp, protocol version 2) on what a
// dialling peer sends: its hello, its proof, then a verdict header and the reason
// text. Written against the pure functions only (no stream), so that it follows
// the wire format as handshake.hpp changes.
#include <algorithm>

#include <meshmpc/error.hpp>
#include <meshmpc/net/handshake.hpp>
#include <meshmpc/net/peer_text.hpp>

#include "fuzz_input.hpp"

namespace {

// Three parties, we are party 0 (the acceptor): mutations of the seeds' hellos
// reach every check of hello_form_fault and hello_claim_fault.
const meshmpc::net::Roster& roster() {
  static const meshmpc::net::Roster r = [] {
    meshmpc::net::Roster r;
    r.session_id = meshmpc::net::session_id_from_text("fuzz session");
    r.parties = {{0, "alice", {}, "", std::nullopt}, {1, "bob", {}, "", std::nullopt}, {2, "carol", {}, "", std::nullopt}};
    return r;
  }();
  return r;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace meshmpc;
  using namespace meshmpc::net;
  auto bytes = fuzz::bytes_of(data, size);
  (void)looks_like_tls(bytes);
  if (bytes.size() < kHelloSize) return 0;

  HelloBytes theirs{};
  std::ranges::copy(bytes.first<kHelloSize>(), theirs.begin());
  bytes = bytes.subspan(kHelloSize);
  const std::optional<Hello> hello = decode_hello(theirs);
  if (hello) fuzz::require(encode_hello(*hello) == theirs, "encode_hello(decode_hello(b)) == b");
  if (!hello_form_fault(hello) && hello) {
    // Our hello is fixed (a zero nonce) so that a crash reproduces from its input.
    const HelloBytes ours = encode_hello(Hello{kProtocolVersion, 0, 3, {}});
    const auto proof = bytes.first(std::min(bytes.size(), kProofSize));
    (void)proof_holds(handshake_key(roster()), Role::dialler, theirs, ours, proof);
    const ClaimCheck refuse_bob = [](std::size_t claimed) -> std::optional<std::string> {
      if (claimed == 1) return "bob is refused";
      return std::nullopt;
    };
    // Accepting means a valid id other than ours, which the caller then indexes with.
    if (!hello_claim_fault(*hello, roster(), 0, refuse_bob)) {
      fuzz::require(hello->party == 2, "only carol's claim is accepted");
    }
  }
  if (bytes.size() < kProofSize + kVerdictHeaderSize) return 0;
  bytes = bytes.subspan(kProofSize);

  std::size_t reason_length = 0;
  try {
    const bool refused = detail::decode_verdict_header(bytes.first<kVerdictHeaderSize>(), reason_length, "fuzz peer");
    // The caller allocates reason_length bytes before reading them.
    fuzz::require(reason_length <= kMaxRefusalReason, "verdict reason within kMaxRefusalReason");
    if (!refused) fuzz::require(reason_length == 0, "an acceptance carries no reason");
  } catch (const ProtocolError&) {
  }
  // The reason is the peer's text: what we log must hold no control character.
  const auto reason = bytes.subspan(kVerdictHeaderSize);
  const std::string shown = detail::received_reason(reason);
  fuzz::require(shown.size() <= 4 * kMaxPeerText + 32, "sanitised text within its bound");
  fuzz::require(std::ranges::none_of(shown, [](char c) { return static_cast<unsigned char>(c) < 0x20 || c == 0x7f; }),
                "sanitised text holds no C0 control or DEL");
  return 0;
}
