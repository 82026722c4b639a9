#pragma once
// The wire format of one message on a link: a fixed 12-byte little-endian header
// {u64 label, u32 payload length} followed by the payload. The label is how the
// runtime matches a message to the receive that waits for it (DESIGN.md, principle 3).
#include <array>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <new>
#include <span>
#include <string_view>
#include <utility>
#include <vector>

namespace meshmpc::net {

using Label = std::uint64_t;

// Leaves new bytes uninitialized: every payload is written right after it is
// sized (the encoding of a batch, a read from the link), and zero-filling
// megabytes first cost as much as the network's own copy of them. Reading from a
// link, only the bytes that arrive are touched, so resident memory still follows
// what a peer sent, not what its header announced.
template <class T>
struct UninitializedAllocator : std::allocator<T> {
  template <class U>
  struct rebind {
    using other = UninitializedAllocator<U>;
  };
  UninitializedAllocator() = default;
  template <class U>
  UninitializedAllocator(const UninitializedAllocator<U>&) noexcept {}
  template <class U>
  void construct(U* p) noexcept {
    ::new (static_cast<void*>(p)) U;
  }
  template <class U, class... Args>
  void construct(U* p, Args&&... args) {
    ::new (static_cast<void*>(p)) U(std::forward<Args>(args)...);
  }
};

using Payload = std::vector<std::byte, UninitializedAllocator<std::byte>>;

// Bytes a message sends without a copy of its own (Network::send_shared):
// a batch of shares is written to the link straight from the vector that holds
// it, and one batch sent to every peer is one vector. `owner` keeps the bytes
// alive, and its owner must not change them, until every link is done with the
// frame (written, or on a relinkable link acknowledged).
struct SharedBytes {
  std::shared_ptr<const void> owner;
  std::span<const std::byte> bytes;
};

struct Frame {
  Frame() = default;
  Frame(Label label_, Payload payload_, bool secret_ = false)
      : label(label_), payload(std::move(payload_)), secret(secret_) {}

  Label label = 0;
  Payload payload;
  // Key material (Network::send_secret): the link wipes the payload, and any copy
  // it made of it, once written or dropped.
  bool secret = false;
  // When set, what the frame sends in place of `payload` (never key material).
  SharedBytes shared;

  // What a link writes after the header.
  std::span<const std::byte> bytes() const {
    return shared.owner ? shared.bytes : std::span<const std::byte>(payload);
  }
};

// Gives the frame a payload of its own: a copy of its shared bytes, if any (a
// frame delivered to a receive, which takes the payload).
void own_bytes(Frame& frame);

// Overwrites the bytes so that no copy of a key stays in freed memory
// (OPENSSL_cleanse: the compiler may not drop it as a dead store).
void wipe(Payload& payload);
void wipe(std::span<std::byte> bytes);
// Wipes the payloads of the secret frames among `frames`.
void wipe_secrets(std::vector<Frame>& frames);

struct FrameHeader {
  Label label = 0;
  std::uint32_t length = 0;
};

inline constexpr std::size_t kFrameHeaderSize = 12;
// Reserved: a frame with this label says "I stop, because <payload text>" (see
// Network::abort). Runtime labels are 64-bit hashes and never take this value in
// practice (probability 2^-64 per label).
inline constexpr Label kAbortLabel = ~Label{0};
// Reserved: a control frame on a relinkable link whose 8-byte little-endian
// payload is how many data frames (every other label) the sender has received on
// this logical link so far. Not counted and not delivered (docs/net.md, Relinking).
inline constexpr Label kAckLabel = ~Label{0} - 1;
inline constexpr std::size_t kAckPayloadSize = 8;
// Large enough for a round of a million 64-bit shares with room to spare, small
// enough that a corrupt length cannot make a party allocate gigabytes.
inline constexpr std::size_t kDefaultMaxFrame = std::size_t{256} << 20;

using FrameHeaderBytes = std::array<std::byte, kFrameHeaderSize>;

// Throws RangeError when length does not fit the 32-bit length field.
FrameHeaderBytes encode_frame_header(Label label, std::size_t length);
FrameHeader decode_frame_header(std::span<const std::byte, kFrameHeaderSize> bytes);

// Throws ProtocolError naming `peer` (e.g. "party 2 (carol)") when the announced
// payload is longer than max_frame.
void check_frame_length(const FrameHeader& header, std::size_t max_frame, std::string_view peer);

// Whole frames to and from one byte string: the format a stream link writes and
// reads, spelled out for tests and tools. decode_frames throws ProtocolError naming
// `peer` for an oversize frame and for bytes that end inside a header or a payload.
std::vector<std::byte> encode_frames(std::span<const Frame> frames);
std::vector<Frame> decode_frames(std::span<const std::byte> bytes, std::size_t max_frame,
                                 std::string_view peer);

}  // namespace meshmpc::net
