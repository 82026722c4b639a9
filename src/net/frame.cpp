#include <meshmpc/net/frame.hpp>

#include <openssl/crypto.h>

#include <algorithm>
#include <limits>
#include <string>

#include <meshmpc/error.hpp>

namespace meshmpc::net {

void wipe(Payload& payload) { wipe(std::span<std::byte>(payload)); }

void wipe(std::span<std::byte> bytes) {
  if (!bytes.empty()) OPENSSL_cleanse(bytes.data(), bytes.size());
}

void wipe_secrets(std::vector<Frame>& frames) {
  for (Frame& frame : frames) {
    if (frame.secret) wipe(frame.payload);
  }
}

void own_bytes(Frame& frame) {
  if (!frame.shared.owner) return;
  frame.payload.assign(frame.shared.bytes.begin(), frame.shared.bytes.end());
  frame.shared = {};
}


namespace {

template <typename T>
void put_le(std::byte* out, T value) {
  for (std::size_t i = 0; i < sizeof(T); ++i) {
    out[i] = static_cast<std::byte>(value >> (8 * i));
  }
}

template <typename T>
T get_le(const std::byte* in) {
  T value = 0;
  for (std::size_t i = 0; i < sizeof(T); ++i) {
    value |= static_cast<T>(std::to_integer<std::uint8_t>(in[i])) << (8 * i);
  }
  return value;
}

}  // namespace

FrameHeaderBytes encode_frame_header(Label label, std::size_t length) {
  if (length > std::numeric_limits<std::uint32_t>::max()) {
    throw RangeError("frame payload of " + std::to_string(length) +
                     " bytes does not fit the 32-bit length field (label " +
                     std::to_string(label) + ")");
  }
  FrameHeaderBytes bytes{};
  put_le<std::uint64_t>(bytes.data(), label);
  put_le<std::uint32_t>(bytes.data() + 8, static_cast<std::uint32_t>(length));
  return bytes;
}

FrameHeader decode_frame_header(std::span<const std::byte, kFrameHeaderSize> bytes) {
  return FrameHeader{get_le<std::uint64_t>(bytes.data()), get_le<std::uint32_t>(bytes.data() + 8)};
}

void check_frame_length(const FrameHeader& header, std::size_t max_frame, std::string_view peer) {
  if (header.length > max_frame) {
    throw ProtocolError(std::string(peer) + " sent a frame of " + std::to_string(header.length) +
                        " bytes (label " + std::to_string(header.label) +
                        "), over the maximum of " + std::to_string(max_frame) + " bytes");
  }
}

std::vector<std::byte> encode_frames(std::span<const Frame> frames) {
  std::size_t total = 0;
  for (const Frame& frame : frames) total += kFrameHeaderSize + frame.bytes().size();
  std::vector<std::byte> bytes;
  bytes.reserve(total);
  for (const Frame& frame : frames) {
    const FrameHeaderBytes header = encode_frame_header(frame.label, frame.bytes().size());
    bytes.insert(bytes.end(), header.begin(), header.end());
    bytes.insert(bytes.end(), frame.bytes().begin(), frame.bytes().end());
  }
  return bytes;
}

std::vector<Frame> decode_frames(std::span<const std::byte> bytes, std::size_t max_frame,
                                 std::string_view peer) {
  std::vector<Frame> frames;
  while (!bytes.empty()) {
    if (bytes.size() < kFrameHeaderSize) {
      throw ProtocolError(std::string(peer) + " sent a truncated frame header: " +
                          std::to_string(bytes.size()) + " of " +
                          std::to_string(kFrameHeaderSize) + " bytes");
    }
    const FrameHeader header = decode_frame_header(bytes.first<kFrameHeaderSize>());
    check_frame_length(header, max_frame, peer);
    bytes = bytes.subspan(kFrameHeaderSize);
    if (bytes.size() < header.length) {
      throw ProtocolError(std::string(peer) + " sent a truncated frame (label " +
                          std::to_string(header.label) + "): " + std::to_string(bytes.size()) +
                          " of " + std::to_string(header.length) + " payload bytes");
    }
    Frame frame{header.label, Payload(bytes.begin(), bytes.begin() + header.length)};
    frames.push_back(std::move(frame));
    bytes = bytes.subspan(header.length);
  }
  return frames;
}

}  // namespace meshmpc::net
