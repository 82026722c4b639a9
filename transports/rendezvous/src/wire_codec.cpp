// The pure side of the framing (no sockets): what the fuzz targets exercise.
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include <meshmpc/error.hpp>
#include <meshmpc/rendezvous/wire.hpp>

namespace meshmpc::rendezvous {

std::array<std::byte, kLengthBytes> encode_length(std::size_t size) {
  return {static_cast<std::byte>(size >> 24), static_cast<std::byte>(size >> 16), static_cast<std::byte>(size >> 8),
          static_cast<std::byte>(size)};
}

std::size_t decode_length(std::span<const std::byte, kLengthBytes> header, std::string_view peer,
                          std::size_t limit) {
  std::size_t size = 0;
  for (const std::byte b : header) size = (size << 8) | static_cast<std::size_t>(b);
  if (size == 0) throw ProtocolError(std::string(peer) + " sent an empty message (length 0)");
  if (size > limit) {
    throw ProtocolError(std::string(peer) + " announced a message of " + std::to_string(size) +
                        " bytes, more than the limit of " + std::to_string(limit));
  }
  return size;
}

boost::json::object parse_body(std::string_view body, std::string_view peer) {
  boost::system::error_code error;
  boost::json::value value = boost::json::parse(body, error);
  if (error) throw ProtocolError(std::string(peer) + " sent a message that is not JSON: " + error.message());
  if (!value.is_object()) throw ProtocolError(std::string(peer) + " sent JSON that is not an object");
  return std::move(value.as_object());
}

std::string frame(const boost::json::object& message) {
  const std::string body = boost::json::serialize(message);
  if (body.size() > kMaxServerMessageBytes) {
    throw ProtocolError("a rendezvous message of " + std::to_string(body.size()) + " bytes is over the limit of " +
                        std::to_string(kMaxServerMessageBytes));
  }
  const auto header = encode_length(body.size());
  std::string out(reinterpret_cast<const char*>(header.data()), header.size());
  return out + body;
}

}  // namespace meshmpc::rendezvous
