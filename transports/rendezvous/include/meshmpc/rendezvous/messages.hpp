#pragma once
// The rendezvous messages (notes/rendezvous-protocol.md, "Messages"): one struct
// per message type, encode() to the JSON object the wire carries and decode_*()
// back. A decoder trusts nothing: every field's presence, type, size, count and
// characters are checked, unknown fields are refused, and each refusal is a
// ProtocolError naming the message type and the field
// ("join: 'session' is 300 characters, at most 64").
#include <boost/json/object.hpp>
#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include <meshmpc/net/roster.hpp>

namespace meshmpc::rendezvous {

inline constexpr std::size_t kProtocolVersion = 1;
inline constexpr std::size_t kMaxSessionName = 64;         // [A-Za-z0-9._-]+
inline constexpr std::size_t kMaxPartyName = 64;           // printable ASCII
inline constexpr std::size_t kMaxCertificatePem = 8 * 1024;
inline constexpr std::size_t kMaxEndpoints = 16;           // per party
inline constexpr std::size_t kMaxEndpointText = 80;        // "host:port", IPv6 in brackets
inline constexpr std::size_t kMinExpect = 2;               // parties per rendezvous session
inline constexpr std::size_t kMaxExpect = 256;
inline constexpr std::size_t kMaxRounds = 4;               // round numbers 1..kMaxRounds
inline constexpr std::size_t kMaxPostBytes = 48 * 1024;    // printable ASCII (base64, hex, JSON text)
inline constexpr std::size_t kTokenHexChars = 64;          // 32 random bytes, lower-case hex
// An error's text: enough for a waiting session's expiry listing its parties.
inline constexpr std::size_t kMaxErrorText = 16 * 1024;

// Client -> server, the first message of a control connection.
struct Join {
  std::string session;
  std::size_t expect = 0;
  std::string name;
  std::string certificate;  // PEM
  std::vector<net::Endpoint> endpoints;
};

// Client -> server, on the control connection once the roster is out.
struct Post {
  std::size_t round = 0;
  std::string data;  // opaque to the server
};

// Client -> server, the first message of a new connection to be piped to `peer`
// (its index in the roster).
struct Relay {
  std::string session;
  std::string token;
  std::size_t peer = 0;
};

struct WaitingParty {
  std::string name;
  std::string fingerprint;  // net::tls::format_fingerprint text
};

// Server -> every member of a waiting session, on every join and leave.
struct Waiting {
  std::size_t expect = 0;
  std::vector<WaitingParty> joined;
};

struct RosterParty {
  std::string name;
  std::string certificate;
  std::vector<net::Endpoint> endpoints;
  net::Endpoint reflexive;  // where the server saw its control connection come from
};

// Server -> each member once the session is fixed; parties sorted by certificate
// fingerprint (that order is the party index), token the receiver's own.
struct RosterMsg {
  std::string session;
  std::string token;
  std::vector<RosterParty> parties;
};

// Server -> every member once all posted a round: the posts in roster order.
struct Round {
  std::size_t round = 0;
  std::vector<std::string> data;
};

// Server -> both ends of a relay; from then on the socket is a byte pipe.
struct RelayReady {};

// Server -> client, then the server closes the connection.
struct ErrorMsg {
  std::string message;
};

// The "type" field. Throws ProtocolError when it is missing or not a string.
std::string message_type(const boost::json::object& message);

boost::json::object encode(const Join& message);
boost::json::object encode(const Post& message);
boost::json::object encode(const Relay& message);
boost::json::object encode(const Waiting& message);
boost::json::object encode(const RosterMsg& message);
boost::json::object encode(const Round& message);
boost::json::object encode(const RelayReady& message);
boost::json::object encode(const ErrorMsg& message);

// Each throws ProtocolError naming the type and the field when anything is off
// (including a "type" other than its own and a field it does not know).
Join decode_join(const boost::json::object& message);
Post decode_post(const boost::json::object& message);
Relay decode_relay(const boost::json::object& message);
Waiting decode_waiting(const boost::json::object& message);
RosterMsg decode_roster(const boost::json::object& message);
Round decode_round(const boost::json::object& message);
RelayReady decode_relay_ready(const boost::json::object& message);
ErrorMsg decode_error(const boost::json::object& message);

// "host:port" (IPv6 in brackets, port 1..65535, at most kMaxEndpointText
// characters, no spaces or control characters). Throws ProtocolError naming `where`.
net::Endpoint parse_endpoint(std::string_view text, std::string_view where);
// The inverse: "127.0.0.1:4000", "[::1]:4000".
std::string endpoint_text(const net::Endpoint& endpoint);

// Throws ProtocolError naming `where` unless `name` is 1..kMaxSessionName of [A-Za-z0-9._-].
void check_session_name(std::string_view name, std::string_view where);

}  // namespace meshmpc::rendezvous
