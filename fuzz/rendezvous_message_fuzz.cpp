// The rendezvous wire codec (rendezvous/wire.hpp, messages.hpp) on what a client
// or a server could send: the first 4 bytes as a frame header, the rest as a
// frame body, decoded as a message of every type. Only ProtocolError may escape
// a decoder; whatever one accepts re-encodes and decodes to the same JSON, and
// holds no more than the limits promise. The whole input is also tried as an
// endpoint and a session name.
#include <boost/json/value.hpp>
#include <functional>
#include <string>

#include <meshmpc/error.hpp>
#include <meshmpc/rendezvous/messages.hpp>
#include <meshmpc/rendezvous/wire.hpp>

#include "fuzz_input.hpp"

namespace {

using namespace meshmpc;
using namespace meshmpc::rendezvous;
namespace json = boost::json;

// decode, encode, decode again: the second decode must accept what encode made
// and give the same JSON.
template <typename Decode>
void round_trip(const json::object& message, Decode decode) {
  try {
    const auto decoded = decode(message);
    const json::object again = encode(decoded);
    fuzz::require(json::value(encode(decode(again))) == json::value(again), "a decoded message round-trips");
    fuzz::require(frame(again).size() <= kLengthBytes + kMaxServerMessageBytes, "an accepted message can be framed");
  } catch (const ProtocolError&) {
  }
}

void fuzz_message(const json::object& message) {
  try {
    const std::string type = message_type(message);
    fuzz::require(type.size() <= 32, "a type is cut to 32 characters");
  } catch (const ProtocolError&) {
  }
  round_trip(message, decode_join);
  round_trip(message, decode_post);
  round_trip(message, decode_relay);
  round_trip(message, decode_waiting);
  round_trip(message, decode_roster);
  round_trip(message, decode_round);
  round_trip(message, decode_relay_ready);
  round_trip(message, decode_error);
  try {
    const Join join = decode_join(message);
    fuzz::require(join.session.size() <= kMaxSessionName && join.name.size() <= kMaxPartyName &&
                      join.certificate.size() <= kMaxCertificatePem && join.endpoints.size() <= kMaxEndpoints &&
                      join.expect >= kMinExpect && join.expect <= kMaxExpect,
                  "a join is within its limits");
  } catch (const ProtocolError&) {
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text = fuzz::text_of(data, size);
  if (size >= kLengthBytes) {
    const auto header = fuzz::bytes_of(data, kLengthBytes);
    try {
      const std::size_t length = decode_length(std::span<const std::byte, kLengthBytes>(header.data(), kLengthBytes), "fuzz");
      fuzz::require(length >= 1 && length <= kMaxMessageBytes, "a frame length is within the limit");
    } catch (const ProtocolError&) {
    }
    try {
      fuzz_message(parse_body(text.substr(kLengthBytes), "fuzz"));
    } catch (const ProtocolError&) {
    }
  }
  try {
    const net::Endpoint endpoint = parse_endpoint(text, "fuzz");
    fuzz::require(parse_endpoint(endpoint_text(endpoint), "fuzz").host == endpoint.host, "an endpoint round-trips");
  } catch (const ProtocolError&) {
  }
  try {
    check_session_name(text, "fuzz");
    fuzz::require(!text.empty() && text.size() <= kMaxSessionName, "a session name is 1..64 characters");
  } catch (const ProtocolError&) {
  }
  return 0;
}
