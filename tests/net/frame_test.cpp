#include <meshmpc/net/frame.hpp>

#include <gtest/gtest.h>

#include <meshmpc/error.hpp>

namespace meshmpc::net {
namespace {

Payload bytes_of(std::initializer_list<int> values) {
  Payload bytes;
  for (int v : values) bytes.push_back(static_cast<std::byte>(v));
  return bytes;
}

TEST(Frame, HeaderIsLittleEndianLabelThenLength) {
  const FrameHeaderBytes header = encode_frame_header(0x0102030405060708ull, 0x0A0B0C0D);
  EXPECT_EQ(Payload(header.begin(), header.end()),
            bytes_of({0x08, 0x07, 0x06, 0x05, 0x04, 0x03, 0x02, 0x01, 0x0D, 0x0C, 0x0B, 0x0A}));
  const FrameHeader decoded = decode_frame_header(header);
  EXPECT_EQ(decoded.label, 0x0102030405060708ull);
  EXPECT_EQ(decoded.length, 0x0A0B0C0Du);
}

TEST(Frame, HeaderRoundTripsExtremeValues) {
  for (const Label label : {Label{0}, Label{1}, ~Label{0}}) {
    for (const std::size_t length : {std::size_t{0}, std::size_t{1}, std::size_t{0xFFFFFFFF}}) {
      const FrameHeader decoded = decode_frame_header(encode_frame_header(label, length));
      EXPECT_EQ(decoded.label, label);
      EXPECT_EQ(decoded.length, length);
    }
  }
}

TEST(Frame, LengthOver32BitsIsRangeError) {
  EXPECT_THROW(encode_frame_header(5, std::size_t{1} << 32), RangeError);
}

TEST(Frame, FramesRoundTripIncludingEmptyPayloads) {
  const std::vector<Frame> frames{{7, bytes_of({1, 2, 3})}, {~Label{0}, {}}, {0, bytes_of({255})}};
  const std::vector<std::byte> bytes = encode_frames(frames);
  EXPECT_EQ(bytes.size(), 3 * kFrameHeaderSize + 4);
  const std::vector<Frame> decoded = decode_frames(bytes, kDefaultMaxFrame, "party 1 (bob)");
  ASSERT_EQ(decoded.size(), frames.size());
  for (std::size_t i = 0; i < frames.size(); ++i) {
    EXPECT_EQ(decoded[i].label, frames[i].label);
    EXPECT_EQ(decoded[i].payload, frames[i].payload);
  }
}

void expect_protocol_error(const std::vector<std::byte>& bytes, std::size_t max_frame,
                           const std::string& fault) {
  try {
    decode_frames(bytes, max_frame, "party 2 (carol)");
    FAIL() << "no ProtocolError for " << fault;
  } catch (const ProtocolError& error) {
    const std::string message = error.what();
    EXPECT_NE(message.find("party 2 (carol)"), std::string::npos) << message;
    EXPECT_NE(message.find(fault), std::string::npos) << message;
  }
}

TEST(Frame, OversizeFrameIsProtocolErrorNamingPeer) {
  const std::vector<Frame> frames{{9, Payload(101, std::byte{0})}};
  expect_protocol_error(encode_frames(frames), 100, "over the maximum of 100 bytes");
  EXPECT_NO_THROW(decode_frames(encode_frames(frames), 101, "party 2 (carol)"));
}

TEST(Frame, TruncatedHeaderIsProtocolErrorNamingPeer) {
  std::vector<std::byte> bytes = encode_frames(std::vector<Frame>{{9, bytes_of({1})}});
  bytes.resize(bytes.size() + 5);  // a second header cut after 5 bytes
  expect_protocol_error(bytes, kDefaultMaxFrame, "truncated frame header: 5 of 12 bytes");
}

TEST(Frame, TruncatedPayloadIsProtocolErrorNamingPeer) {
  std::vector<std::byte> bytes = encode_frames(std::vector<Frame>{{9, Payload(10, std::byte{0})}});
  bytes.pop_back();
  expect_protocol_error(bytes, kDefaultMaxFrame, "truncated frame (label 9): 9 of 10 payload bytes");
}

}  // namespace
}  // namespace meshmpc::net
