#include <meshmpc/net/stream_link.hpp>

#include <gtest/gtest.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <thread>

#include "party_threads.hpp"

namespace meshmpc::net {
namespace {

using asio::ip::tcp;
using namespace std::chrono_literals;

struct LinkAndRaw {
  TcpLink link;  // talks to "party 1 (bob)", who is played by the raw socket
  tcp::socket raw;
};

LinkAndRaw make_link(asio::io_context& context, std::size_t max_frame = kDefaultMaxFrame) {
  tcp::acceptor acceptor(context, tcp::endpoint(asio::ip::address_v4::loopback(), 0));
  tcp::socket raw(context);
  raw.connect(acceptor.local_endpoint());
  return {TcpLink(acceptor.accept(), 1, "party 1 (bob)", max_frame), std::move(raw)};
}

// The error read_frame() ends with after the raw peer wrote `bytes` and closed.
std::string read_error_after(const std::vector<std::byte>& bytes, std::size_t max_frame = kDefaultMaxFrame) {
  asio::io_context context;
  LinkAndRaw ends = make_link(context, max_frame);
  asio::write(ends.raw, asio::buffer(bytes));
  ends.raw.close();
  std::string error_text = "no error";
  asio::co_spawn(context, [&]() -> asio::awaitable<void> {
    try {
      for (int i = 0; i < 10; ++i) co_await ends.link.read_frame();
    } catch (const ProtocolError& error) {
      error_text = std::string("ProtocolError: ") + error.what();
    } catch (const PeerError& error) {
      error_text = std::string("PeerError: ") + error.what();
    }
  }, asio::detached);
  context.run_for(5s);
  return error_text;
}

TEST(StreamLink, GatherWriteDeliversFramesInOrder) {
  asio::io_context context;
  LinkAndRaw ends = make_link(context);
  std::vector<Frame> frames;
  for (std::size_t k = 0; k < 5; ++k) frames.push_back(Frame{testing::test_label(k), testing::test_payload(0, 1, k), k % 2 == 1});
  const std::vector<std::byte> expected = encode_frames(frames);
  asio::co_spawn(context, ends.link.write_frames(frames), asio::detached);
  context.run_for(5s);
  std::vector<std::byte> received(expected.size());
  asio::read(ends.raw, asio::buffer(received));
  EXPECT_EQ(received, expected);
}

// Key material: the secret frames above arrived intact; here, what is left of
// them on this side is zeros, the others untouched.
TEST(StreamLink, WipeSecretsClearsOnlySecretPayloads) {
  std::vector<Frame> frames{{1, testing::test_payload(0, 1, 1), true}, {2, testing::test_payload(0, 1, 2), false}};
  const Payload kept = frames[1].payload;
  wipe_secrets(frames);
  EXPECT_EQ(frames[0].payload, Payload(frames[0].payload.size(), std::byte{0}));
  EXPECT_FALSE(frames[0].payload.empty());
  EXPECT_EQ(frames[1].payload, kept);
}

TEST(StreamLink, ReadsFramesWrittenByTheOtherEnd) {
  asio::io_context context;
  LinkAndRaw ends = make_link(context);
  const std::vector<Frame> frames{{1, testing::test_payload(1, 0, 3), false}, {2, {}, false}, {~Label{0}, {std::byte{42}}, false}};
  asio::write(ends.raw, asio::buffer(encode_frames(frames)));
  std::vector<Frame> read;
  asio::co_spawn(context, [&]() -> asio::awaitable<void> {
    for (std::size_t i = 0; i < frames.size(); ++i) read.push_back(co_await ends.link.read_frame());
  }, asio::detached);
  context.run_for(5s);
  ASSERT_EQ(read.size(), frames.size());
  for (std::size_t i = 0; i < frames.size(); ++i) {
    EXPECT_EQ(read[i].label, frames[i].label);
    EXPECT_EQ(read[i].payload, frames[i].payload);
  }
}

TEST(StreamLink, CleanCloseIsPeerErrorNamingPeer) {
  const std::vector<Frame> one{{5, {std::byte{1}}}};
  EXPECT_EQ(read_error_after(encode_frames(one)), "PeerError: party 1 (bob) closed the connection");
}

TEST(StreamLink, OversizeFrameIsProtocolErrorNamingPeer) {
  const FrameHeaderBytes header = encode_frame_header(77, 1001);
  EXPECT_EQ(read_error_after({header.begin(), header.end()}, 1000),
            "ProtocolError: party 1 (bob) sent a frame of 1001 bytes (label 77), over the maximum of 1000 bytes");
}

TEST(StreamLink, TruncatedHeaderIsProtocolErrorNamingPeer) {
  const FrameHeaderBytes header = encode_frame_header(77, 3);
  EXPECT_EQ(read_error_after({header.begin(), header.begin() + 7}),
            "ProtocolError: party 1 (bob) sent a truncated frame header: 7 of 12 bytes before closing the connection");
}

TEST(StreamLink, TruncatedPayloadIsProtocolErrorNamingPeer) {
  std::vector<std::byte> bytes = encode_frames(std::vector<Frame>{{77, Payload(100, std::byte{0})}});
  bytes.resize(bytes.size() - 40);
  EXPECT_EQ(read_error_after(bytes),
            "ProtocolError: party 1 (bob) sent a truncated frame (label 77): 60 of 100 payload bytes before "
            "closing the connection");
}

// Payloads are read in growing steps (kReadChunk, then doubling): a frame that
// spans many steps, sent in pieces, arrives whole; one cut short names how much came.
TEST(StreamLink, LargeFrameArrivesWholeAcrossReadSteps) {
  asio::io_context context;
  LinkAndRaw ends = make_link(context);
  const std::size_t length = 20 * kReadChunk + 12345;
  Payload payload(length);
  for (std::size_t i = 0; i < length; ++i) payload[i] = static_cast<std::byte>(i * 2654435761u >> 13);
  const std::vector<std::byte> bytes = encode_frames(std::vector<Frame>{{9, payload}});
  std::thread writer([&] {
    for (std::size_t at = 0; at < bytes.size(); at += 300000) {
      asio::write(ends.raw, asio::buffer(bytes.data() + at, std::min<std::size_t>(300000, bytes.size() - at)));
    }
  });
  Frame read;
  asio::co_spawn(context, [&]() -> asio::awaitable<void> { read = co_await ends.link.read_frame(); }, asio::detached);
  context.run_for(10s);
  writer.join();
  EXPECT_EQ(read.label, 9u);
  EXPECT_TRUE(read.payload == payload);
  EXPECT_EQ(read.payload.capacity(), length);  // grown to the frame exactly, not doubled past it
}

TEST(StreamLink, LargeTruncatedPayloadNamesHowManyBytesCame) {
  std::vector<std::byte> bytes = encode_frames(std::vector<Frame>{{78, Payload(3 * kReadChunk, std::byte{0})}});
  bytes.resize(bytes.size() - 1000);
  EXPECT_EQ(read_error_after(bytes),
            "ProtocolError: party 1 (bob) sent a truncated frame (label 78): " + std::to_string(3 * kReadChunk - 1000) +
                " of " + std::to_string(3 * kReadChunk) + " payload bytes before closing the connection");
}

}  // namespace
}  // namespace meshmpc::net
