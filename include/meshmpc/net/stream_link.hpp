#pragma once
// The Link over any Asio stream, written once: a TCP socket (TcpLink) or an
// asio::ssl::stream<tcp::socket> (TlsLink, tls/link.hpp). Frames follow
// frame.hpp; a batch of frames goes out as one gather write (over TLS, as one
// buffer: Asio's SSL stream writes one buffer of a sequence per record).
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/buffer.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/error.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <algorithm>
#include <array>
#include <tuple>
#include <span>
#ifdef __linux__
#include <netinet/in.h>
#include <netinet/tcp.h>
#endif
#include <string>
#include <utility>

#include <meshmpc/error.hpp>
#include <meshmpc/net/link.hpp>

namespace meshmpc::net {

// An Asio SSL stream: it has a next layer, a plain socket does not.
template <typename Stream>
concept TlsStream = requires(Stream& stream) { stream.next_layer(); };

// Over TLS, "nothing more from me" is this header (an impossible length, so no
// frame can be mistaken for it): TLS has no half-close that lets reading go on,
// and a TCP FIN under TLS is unauthenticated, so the end must come inside it.
inline constexpr Label kEndOfStreamLabel = 0;
inline constexpr std::uint32_t kEndOfStreamLength = 0xffffffffU;

// The first read of a payload; later reads double what has arrived.
inline constexpr std::size_t kReadChunk = std::size_t{64} << 10;
// Each link's read-ahead buffer: a header and a small payload arrive in one read.
inline constexpr std::size_t kReadBuffer = std::size_t{16} << 10;
// Over TLS, a batch of frames up to this size is joined into one buffer before it
// is written; a larger one is written frame by frame.
inline constexpr std::size_t kTlsJoinLimit = std::size_t{256} << 10;

template <typename Stream>
class StreamLink final : public Link {
 public:
  // peer_name is how errors name the peer, e.g. "party 2 (carol)".
  StreamLink(Stream stream, std::size_t peer, std::string peer_name,
             std::size_t max_frame = kDefaultMaxFrame, LinkRoute route = {})
      : stream_(std::move(stream)),
        peer_(peer),
        peer_name_(std::move(peer_name)),
        max_frame_(max_frame),
        route_(std::move(route)) {}

  StreamLink(const StreamLink&) = delete;
  StreamLink& operator=(const StreamLink&) = delete;
  // Read-ahead bytes not yet parsed may be key material.
  ~StreamLink() override { wipe(std::span<std::byte>(in_)); }

  std::size_t peer() const override { return peer_; }
  LinkRoute route() const override { return route_; }
  Stream& stream() { return stream_; }

  asio::awaitable<void> write_frames(std::vector<Frame> frames) override {
    // Key material leaves no copy behind, whether the write succeeds or not.
    struct WipeOnExit {
      std::vector<Frame>& frames;
      ~WipeOnExit() { wipe_secrets(frames); }
    } wipe_on_exit{frames};
    co_await write_frames_kept(frames);
  }

  asio::awaitable<void> write_frames_kept(std::span<const Frame> frames) override {
    std::vector<FrameHeaderBytes> headers;
    headers.reserve(frames.size());  // buffers point into it: no reallocation below
    std::vector<asio::const_buffer> buffers;
    buffers.reserve(2 * frames.size());
    for (const Frame& frame : frames) {
      headers.push_back(encode_frame_header(frame.label, frame.bytes().size()));
      buffers.push_back(asio::buffer(headers.back()));
      if (!frame.bytes().empty()) buffers.push_back(asio::buffer(frame.bytes().data(), frame.bytes().size()));
    }
    std::size_t total = 0;
    for (const auto& buffer : buffers) total += buffer.size();
    if constexpr (TlsStream<Stream>) {
      if (total > kTlsJoinLimit) {
        // A large batch fills whole records anyway: a copy of it would cost as
        // much again as the network's own (at most one short record per frame).
        co_await write_all(buffers);
        co_return;
      }
      // One contiguous buffer: full records and one write per batch, not two
      // small records per frame (copying is far cheaper than encrypting). The
      // copy of key material is wiped whether the write succeeds or not.
      Payload joined;
      const bool secret = std::any_of(frames.begin(), frames.end(), [](const Frame& f) { return f.secret; });
      struct WipeOnExit {
        Payload& joined;
        bool secret;
        ~WipeOnExit() {
          if (secret) wipe(joined);
        }
      } wipe_on_exit{joined, secret};
      joined.resize(total);
      asio::buffer_copy(asio::buffer(joined), buffers);
      co_await write_all(asio::buffer(joined));
    } else {
      co_await write_all(buffers);
    }
  }

  asio::awaitable<Frame> read_frame() override {
    // The header, and as much of the payload as came with it, from one read into
    // the link's buffer (a small frame: one system call, where reading the header
    // and the payload apart took two or three).
    while (buffered() < kFrameHeaderSize) {
      const auto [ec, got] = co_await fill_buffer();
      if (ec) fail_reading_header(ec);
    }
    FrameHeaderBytes header_bytes{};
    std::copy_n(in_.data() + in_begin_, kFrameHeaderSize, header_bytes.begin());
    in_begin_ += kFrameHeaderSize;
    const FrameHeader header = decode_frame_header(header_bytes);
    if (TlsStream<Stream> && header.label == kEndOfStreamLabel && header.length == kEndOfStreamLength) {
      throw PeerError(peer_name_ + " closed the connection");
    }
    check_frame_length(header, max_frame_, peer_name_);
    // Memory follows the bytes that arrived, not the length the peer announced: a
    // header alone must not make us zero-fill up to max_frame per link. The
    // capacity is reserved at once — address space, not memory: no page of it is
    // touched until bytes come — and the size (zeroed, then overwritten by the
    // read) grows by at most max(kReadChunk, bytes so far) per step, so resident
    // memory stays within twice what arrived, with no reallocation or copy (key
    // material leaves no stale partial copy behind).
    Frame frame{header.label, {}};
    frame.payload.reserve(header.length);
    // What the buffer holds of the payload (wiped there: it may be key material),
    // then the rest straight into the payload.
    std::size_t received = std::min<std::size_t>(header.length, buffered());
    frame.payload.resize(received);
    std::copy_n(in_.data() + in_begin_, received, frame.payload.data());
    wipe(std::span<std::byte>(in_.data() + in_begin_, received));
    in_begin_ += received;
    while (received < header.length) {
      const std::size_t step = std::min<std::size_t>(header.length - received, std::max(kReadChunk, received));
      frame.payload.resize(received + step);
      auto [payload_ec, payload_got] = co_await asio::async_read(
          stream_, asio::buffer(frame.payload.data() + received, step), asio::as_tuple(asio::use_awaitable));
      received += payload_got;
      if (payload_ec == asio::error::eof && was_reset()) {
        throw LinkError("receiving from " + peer_name_ + " failed: the connection was reset");
      }
      if (payload_ec == asio::error::eof) {
        throw ProtocolError(peer_name_ + " sent a truncated frame (label " +
                            std::to_string(header.label) + "): " + std::to_string(received) +
                            " of " + std::to_string(header.length) +
                            " payload bytes before closing the connection");
      }
      if (payload_ec) {
        throw LinkError("receiving from " + peer_name_ + " failed: " + payload_ec.message());
      }
    }
    co_return frame;
  }

  asio::awaitable<void> finish_sending() override {
    finished_sending_ = true;
    if constexpr (TlsStream<Stream>) {
      const FrameHeaderBytes end = encode_end_of_stream();
      co_await write_all(asio::buffer(end));
    } else {
      boost::system::error_code ignored;
      stream_.lowest_layer().shutdown(asio::socket_base::shutdown_send, ignored);
    }
  }

  void close() override {
    boost::system::error_code ignored;
    stream_.lowest_layer().close(ignored);
  }

  void abandon() override {
    // SO_LINGER 0: the close sends a reset instead of a FIN.
    boost::system::error_code ignored;
    stream_.lowest_layer().set_option(asio::socket_base::linger(true, 0), ignored);
    stream_.lowest_layer().close(ignored);
  }

 private:
  // Whether an end of stream is really a reset: the kernel reports a reset to the
  // first read or write only, later ones see an end of stream, so a reader that
  // comes second would take a broken link for a peer that finished (and a Network
  // would fail it instead of relinking). After a reset the socket is CLOSED; after
  // the peer's FIN it is CLOSE_WAIT — unless our own FIN went first: then the
  // socket moves on to TIME_WAIT, which Linux also reports as CLOSED, and an end
  // of stream is the peer's.
  bool was_reset() {
    if (finished_sending_) return false;
#ifdef __linux__
    tcp_info info{};
    socklen_t length = sizeof info;
    if (getsockopt(stream_.lowest_layer().native_handle(), IPPROTO_TCP, TCP_INFO, &info, &length) == 0) {
      return info.tcpi_state == TCP_CLOSE;
    }
#endif
    return false;
  }

  template <typename Buffers>
  asio::awaitable<void> write_all(const Buffers& buffers) {
    auto [ec, written] = co_await asio::async_write(stream_, buffers, asio::as_tuple(asio::use_awaitable));
    (void)written;
    if (ec) throw LinkError("sending to " + peer_name_ + " failed: " + ec.message());
  }

  static FrameHeaderBytes encode_end_of_stream() {
    return encode_frame_header(kEndOfStreamLabel, kEndOfStreamLength);
  }

  std::size_t buffered() const { return in_end_ - in_begin_; }

  // A read that ended before a whole header arrived (buffered() bytes of it).
  [[noreturn]] void fail_reading_header(const boost::system::error_code& ec) {
    const std::size_t have = buffered();
    if (ec == asio::error::eof && was_reset()) {
      throw LinkError("receiving from " + peer_name_ + " failed: the connection was reset");
    }
    if (ec == asio::error::eof && have == 0) throw PeerError(peer_name_ + " closed the connection");
    if (ec == asio::error::eof) {
      throw ProtocolError(peer_name_ + " sent a truncated frame header: " + std::to_string(have) + " of " +
                          std::to_string(kFrameHeaderSize) + " bytes before closing the connection");
    }
    if (ec == asio::ssl::error::stream_truncated && was_reset()) {
      throw LinkError("receiving from " + peer_name_ + " failed: the connection was reset");
    }
    if (ec == asio::ssl::error::stream_truncated) {
      throw PeerError(peer_name_ + " closed the connection without ending the TLS stream");
    }
    throw LinkError("receiving from " + peer_name_ + " failed: " + ec.message());
  }

  // One read of whatever has arrived into the buffer's free end (the unread rest
  // moved to its front first).
  asio::awaitable<std::tuple<boost::system::error_code, std::size_t>> fill_buffer() {
    if (in_begin_ > 0) {
      std::copy(in_.data() + in_begin_, in_.data() + in_end_, in_.data());
      in_end_ -= in_begin_;
      in_begin_ = 0;
    }
    auto [ec, got] = co_await stream_.async_read_some(asio::buffer(in_.data() + in_end_, in_.size() - in_end_),
                                                      asio::as_tuple(asio::use_awaitable));
    in_end_ += got;
    co_return std::tuple<boost::system::error_code, std::size_t>{ec, got};
  }

  Stream stream_;
  // Bytes read ahead of the frame being parsed: in_[in_begin_, in_end_).
  std::array<std::byte, kReadBuffer> in_{};
  std::size_t in_begin_ = 0;
  std::size_t in_end_ = 0;
  std::size_t peer_;
  std::string peer_name_;
  std::size_t max_frame_;
  LinkRoute route_;
  bool finished_sending_ = false;
};

using TcpLink = StreamLink<asio::ip::tcp::socket>;
extern template class StreamLink<asio::ip::tcp::socket>;

}  // namespace meshmpc::net
