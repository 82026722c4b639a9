// The handshake's decoders (net/handshake.hpp) on what a peer sends first: the
// input is its hello followed by its verdict header. Written against the pure
// functions only, so that it follows the wire format as handshake.hpp changes.
#include <algorithm>

#include "fuzz_input.hpp"
#include "meshmpc/error.hpp"
#include "meshmpc/net/handshake.hpp"

namespace {

// Three parties with the session id the seeds carry, so that mutations reach
// every check of hello_fault rather than stopping at the session id.
const meshmpc::net::Roster& roster() {
  static const meshmpc::net::Roster r{meshmpc::net::session_id_from_text("fuzz session"),
                                      {{0, "alice", {}, "", std::nullopt},
                                       {1, "bob", {}, "", std::nullopt},
                                       {2, "carol", {}, "", std::nullopt}}};
  return r;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace meshmpc;
  using namespace meshmpc::net;
  auto bytes = fuzz::bytes_of(data, size);
  (void)looks_like_tls(bytes);
  if (bytes.size() < kHelloSize) return 0;

  const auto hello_bytes = bytes.first<kHelloSize>();
  const std::optional<Hello> hello = decode_hello(hello_bytes);
  if (hello) fuzz::require(std::ranges::equal(encode_hello(*hello), hello_bytes), "encode_hello(decode_hello(b)) == b");
  const ClaimCheck refuse_bob = [](std::size_t claimed) -> std::optional<std::string> {
    if (claimed == 1) return "bob is refused";
    return std::nullopt;
  };
  const std::optional<std::string> fault = hello_fault(hello, roster(), 0, refuse_bob);
  // Accepting means a valid id other than ours, which the caller then indexes with.
  if (!fault) fuzz::require(hello && hello->party > 0 && hello->party < roster().size(), "accepted id in range");

  bytes = bytes.subspan(kHelloSize);
  if (bytes.size() < kVerdictHeaderSize) return 0;
  std::size_t reason_length = 0;
  try {
    const auto refused = detail::decode_verdict_header(bytes.first<kVerdictHeaderSize>(), reason_length, "fuzz peer");
    // The caller allocates reason_length bytes before reading them.
    fuzz::require(reason_length <= kMaxRefusalReason, "verdict reason within kMaxRefusalReason");
    if (!refused) fuzz::require(reason_length == 0, "an acceptance carries no reason");
  } catch (const ProtocolError&) {
  }
  return 0;
}
