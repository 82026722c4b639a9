// The socket side of the framing: reads and writes with deadlines. The pure
// encoding (lengths, bodies) is in wire_codec.cpp, which the fuzz targets build.
#include <meshmpc/rendezvous/wire.hpp>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <cstdio>

#include <meshmpc/error.hpp>
#include <meshmpc/net/deadline.hpp>
#include <meshmpc/net/tcp_plumbing.hpp>

namespace meshmpc::rendezvous {

namespace {

std::string seconds_text(std::chrono::steady_clock::duration duration) {
  char text[32];
  std::snprintf(text, sizeof text, "%.3g s", std::chrono::duration<double>(duration).count());
  return text;
}

std::string remote_text(const tcp::socket& socket) {
  boost::system::error_code error;
  const tcp::endpoint remote = socket.remote_endpoint(error);
  return error ? std::string("the peer") : net::to_string(remote);
}

// Reads exactly buffer.size() bytes by the deadline: the byte count, or nullopt at
// the deadline; a failure is returned as its error code.
asio::awaitable<std::optional<std::pair<boost::system::error_code, std::size_t>>> read_exactly(
    tcp::socket& socket, std::span<std::byte> buffer, std::chrono::steady_clock::time_point deadline) {
  auto work = [&]() -> asio::awaitable<std::pair<boost::system::error_code, std::size_t>> {
    auto [error, count] = co_await asio::async_read(socket, asio::buffer(buffer.data(), buffer.size()),
                                                    asio::as_tuple(asio::use_awaitable));
    co_return std::pair{error, count};
  };
  co_return co_await net::until_deadline(work(), deadline);
}

// The coroutine behind read_message: `peer` is owned (GCC 12 may destroy a
// temporary a reference argument points at before the coroutine is done).
asio::awaitable<boost::json::object> read_message_owned(tcp::socket& socket,
                                                        std::chrono::steady_clock::time_point deadline,
                                                        std::string peer, std::size_t limit) {
  const auto start = std::chrono::steady_clock::now();
  std::array<std::byte, kLengthBytes> header{};
  const auto head = co_await read_exactly(socket, header, deadline);
  if (!head) throw PeerError(peer + " sent nothing for " + seconds_text(deadline - start));
  if (head->first == asio::error::eof && head->second == 0) throw PeerError(peer + " closed the connection");
  if (head->first) throw PeerError(peer + ": reading a message header failed: " + head->first.message());
  const std::size_t size = decode_length(header, peer, limit);

  std::string body(size, '\0');
  const auto rest = co_await read_exactly(socket, std::as_writable_bytes(std::span(body)), deadline);
  if (!rest) {
    throw PeerError(peer + " did not answer by the deadline (" + std::to_string(size) + "-byte message unfinished)");
  }
  if (rest->first) {
    throw PeerError(peer + " broke off a " + std::to_string(size) + "-byte message after " +
                    std::to_string(rest->second) + " bytes: " + rest->first.message());
  }
  co_return parse_body(body, peer);
}

}  // namespace

asio::awaitable<boost::json::object> read_message(tcp::socket& socket, std::chrono::steady_clock::time_point deadline,
                                                  std::string_view peer, std::size_t limit) {
  return read_message_owned(socket, deadline, std::string(peer), limit);
}

asio::awaitable<void> write_message(tcp::socket& socket, const boost::json::object& message,
                                    std::chrono::steady_clock::time_point deadline) {
  return write_frame(socket, frame(message), deadline);
}

asio::awaitable<void> write_frame(tcp::socket& socket, std::string frame,
                                  std::chrono::steady_clock::time_point deadline) {
  auto work = [&]() -> asio::awaitable<boost::system::error_code> {
    auto [error, count] = co_await asio::async_write(socket, asio::buffer(frame), asio::as_tuple(asio::use_awaitable));
    (void)count;
    co_return error;
  };
  const std::optional<boost::system::error_code> outcome = co_await net::until_deadline(work(), deadline);
  if (!outcome) throw PeerError(remote_text(socket) + " did not take a " + std::to_string(frame.size()) +
                                "-byte message by the deadline");
  if (*outcome) throw PeerError("writing to " + remote_text(socket) + " failed: " + outcome->message());
}

}  // namespace meshmpc::rendezvous
