// Frame decoding (net/frame.hpp): the bytes a peer writes on a link, split into
// {label, length, payload} frames. Every input decodes or throws ProtocolError;
// what decodes re-encodes to the same bytes.
#include <algorithm>

#include <meshmpc/error.hpp>
#include <meshmpc/net/frame.hpp>

#include "fuzz_input.hpp"

namespace {
// Small, so that oversize lengths are refused as often as payloads are copied.
constexpr std::size_t kMaxFrame = std::size_t{1} << 16;
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace meshmpc;
  const auto bytes = fuzz::bytes_of(data, size);
  try {
    const std::vector<net::Frame> frames = net::decode_frames(bytes, kMaxFrame, "party 1 (fuzz)");
    const std::vector<std::byte> again = net::encode_frames(frames);
    fuzz::require(std::ranges::equal(again, bytes), "encode_frames(decode_frames(b)) == b");
  } catch (const ProtocolError&) {
  }
  return 0;
}
