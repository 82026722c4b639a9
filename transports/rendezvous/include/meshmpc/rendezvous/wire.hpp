#pragma once
// The rendezvous wire framing (notes/rendezvous-protocol.md, "Framing"): every
// message is a 4-byte big-endian length L, then L bytes of UTF-8 JSON holding one
// object. The length is checked against the limit before the body is read or
// allocated, so a peer cannot make us reserve memory by announcing a large frame.
#include <array>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/json/object.hpp>
#include <chrono>
#include <cstddef>
#include <span>
#include <string>
#include <string_view>

#include <meshmpc/asio.hpp>

namespace meshmpc::rendezvous {

using tcp = asio::ip::tcp;

inline constexpr std::size_t kLengthBytes = 4;
// What a client may send and what the server accepts (64 KiB): a join with a
// certificate (8 KiB) and 16 endpoints, or a post (48 KiB of data), fits.
inline constexpr std::size_t kMaxMessageBytes = 64 * 1024;
// What the server may send: a roster of kMaxExpect (256) parties with 8 KiB
// certificates (~2.5 MB), or a round of 256 posts of 48 KiB printable ASCII, each
// at most doubled by JSON escaping (~25 MB). A client reading from the server
// passes this as read_message's limit; nothing larger is ever written.
inline constexpr std::size_t kMaxServerMessageBytes = 32 * 1024 * 1024;

// The 4-byte header of a body of `size` bytes.
std::array<std::byte, kLengthBytes> encode_length(std::size_t size);
// The body length a header announces. Throws ProtocolError naming `peer`, the
// length and the limit when it is 0 or above `limit`.
std::size_t decode_length(std::span<const std::byte, kLengthBytes> header, std::string_view peer,
                          std::size_t limit = kMaxMessageBytes);
// The JSON object a body holds. Throws ProtocolError naming `peer` when it is not
// JSON or not an object.
boost::json::object parse_body(std::string_view body, std::string_view peer);
// Header and body of `message`. Throws ProtocolError when the body exceeds
// kMaxServerMessageBytes (we never send what no reader would accept).
std::string frame(const boost::json::object& message);

// One message from `peer` (its name in errors: "127.0.0.1:5000", "the rendezvous
// server"), the whole of it by `deadline`. Throws PeerError "<peer> closed the
// connection" on a clean end of stream, PeerError on a timeout or a broken
// connection, ProtocolError on a bad length, bad JSON or a non-object.
asio::awaitable<boost::json::object> read_message(tcp::socket& socket, std::chrono::steady_clock::time_point deadline,
                                                  std::string_view peer, std::size_t limit = kMaxMessageBytes);
// Writes one message by `deadline` (the message is framed before this returns,
// so a temporary is fine). Throws PeerError on a timeout or a broken connection.
asio::awaitable<void> write_message(tcp::socket& socket, const boost::json::object& message,
                                    std::chrono::steady_clock::time_point deadline);
// As write_message, for a frame already made (the server sends one frame to many).
asio::awaitable<void> write_frame(tcp::socket& socket, std::string frame,
                                  std::chrono::steady_clock::time_point deadline);

}  // namespace meshmpc::rendezvous
