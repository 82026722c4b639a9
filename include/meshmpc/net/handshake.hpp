#pragma once
// The handshake at the start of every new link (docs/net.md). Each side sends a
// hello {magic "MMPC", u16 protocol version, 16-byte session id, u32 claimed party
// id, u32 n} (30 bytes, little-endian), checks the other's against its roster, and
// sends a verdict {u8 status (0 accept, 1 refuse), u16 length, reason text}. A link
// is up only when both verdicts accept; a refusal closes the socket and both sides
// get a PeerError whose message names both ends.
#include <array>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/buffer.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "meshmpc/error.hpp"
#include "meshmpc/net/deadline.hpp"
#include "meshmpc/net/roster.hpp"

namespace meshmpc::net {

namespace asio = boost::asio;

inline constexpr std::array<std::byte, 4> kHandshakeMagic{std::byte{'M'}, std::byte{'M'},
                                                          std::byte{'P'}, std::byte{'C'}};
inline constexpr std::uint16_t kProtocolVersion = 1;
inline constexpr std::size_t kHelloSize = 4 + 2 + 16 + 4 + 4;
inline constexpr std::size_t kVerdictHeaderSize = 3;
// A refusal reason is one error message; anything longer is not a meshmpc peer.
inline constexpr std::size_t kMaxRefusalReason = 2048;

struct Hello {
  std::uint16_t version = kProtocolVersion;
  SessionId session_id{};
  std::uint32_t party = 0;
  std::uint32_t parties = 0;
};

using HelloBytes = std::array<std::byte, kHelloSize>;

HelloBytes encode_hello(const Hello& hello);
// nullopt when the magic is wrong: whatever sent it is not a meshmpc party.
std::optional<Hello> decode_hello(std::span<const std::byte, kHelloSize> bytes);
// True when the bytes begin like a TLS record (handshake or alert, version 3.x):
// a TLS party talking to one that runs without TLS.
bool looks_like_tls(std::span<const std::byte> bytes);

// Decides, for this link, whether a claimed id (already known to be a valid id
// other than ours) may connect: nullopt accepts, a string is the reason to refuse.
// The TCP plumbing uses it for the dial rule, duplicates and plugins' identity checks.
using ClaimCheck = std::function<std::optional<std::string>(std::size_t claimed)>;

// What is wrong with a received hello (wrong magic, version, session, n, an
// unknown id, our own id, or what `check` refuses), or nullopt if nothing is.
std::optional<std::string> hello_fault(const std::optional<Hello>& hello, const Roster& roster,
                                       std::size_t self, const ClaimCheck& check);

// {status, length, reason}: status 0 without a reason accepts.
std::vector<std::byte> encode_verdict(const std::optional<std::string>& refusal);

namespace detail {

std::optional<std::string> decode_verdict_header(std::span<const std::byte, kVerdictHeaderSize> bytes,
                                                 std::size_t& reason_length,
                                                 std::string_view from);

template <typename Stream>
asio::awaitable<std::size_t> handshake_steps(Stream& stream, const Roster& roster, std::size_t self,
                                             const std::string& remote, const ClaimCheck& check) {
  const Hello ours{kProtocolVersion, roster.session_id, static_cast<std::uint32_t>(self),
                   static_cast<std::uint32_t>(roster.size())};
  const HelloBytes our_bytes = encode_hello(ours);
  co_await asio::async_write(stream, asio::buffer(our_bytes), asio::use_awaitable);

  HelloBytes their_bytes{};
  auto [read_error, got] = co_await asio::async_read(stream, asio::buffer(their_bytes),
                                                     asio::as_tuple(asio::use_awaitable));
  if (read_error) {
    // A TLS party refusing our plaintext hello answers with an alert and hangs up.
    if (looks_like_tls(std::span(their_bytes).first(got))) {
      throw PeerError(describe(roster.party(self)) + ": " + remote +
                      " answered in TLS: every party must run with --ssl, or none");
    }
    throw boost::system::system_error(read_error);
  }
  const std::optional<Hello> theirs = decode_hello(their_bytes);
  std::optional<std::string> fault = hello_fault(theirs, roster, self, check);
  if (!theirs && looks_like_tls(their_bytes)) {
    fault = "the peer speaks TLS and this party does not: every party must run with --ssl, or none";
  }

  std::optional<std::string> refusal;
  if (fault) refusal = describe(roster.party(self)) + " refused a connection from " + remote + ": " + *fault;
  const std::vector<std::byte> verdict = encode_verdict(refusal);
  try {
    co_await asio::async_write(stream, asio::buffer(verdict), asio::use_awaitable);
  } catch (const boost::system::system_error&) {
    if (!refusal) throw;  // when refusing, the peer may already be gone: refuse anyway
  }
  if (refusal) {
    boost::system::error_code ignored;
    stream.lowest_layer().close(ignored);
    throw PeerError(*refusal);
  }

  std::array<std::byte, kVerdictHeaderSize> verdict_header{};
  co_await asio::async_read(stream, asio::buffer(verdict_header), asio::use_awaitable);
  std::size_t reason_length = 0;
  const std::optional<std::string> refused_with =
      decode_verdict_header(verdict_header, reason_length, remote);
  std::string reason(reason_length, '\0');
  if (reason_length > 0) {
    co_await asio::async_read(stream, asio::buffer(reason), asio::use_awaitable);
  }
  if (refused_with) {
    boost::system::error_code ignored;
    stream.lowest_layer().close(ignored);
    throw PeerError(describe(roster.party(self)) + ": " + remote + " refused our connection: " + reason);
  }
  co_return theirs->party;
}

}  // namespace detail

// Runs the handshake on a connected stream and returns the peer's party id. Both
// ends call it. `remote` names the other end in messages ("127.0.0.1:4711", or
// "party 0 (alice) at 127.0.0.1:4000" when dialling). Throws PeerError for a
// refusal either way and when the deadline passes (the stream is then closed);
// I/O failures (the peer hung up) propagate as boost::system::system_error, which
// a dialler may treat as worth a retry.
template <typename Stream>
asio::awaitable<std::size_t> run_handshake(Stream& stream, const Roster& roster, std::size_t self,
                                           std::string remote, ClaimCheck check,
                                           std::chrono::steady_clock::time_point deadline) {
  const std::optional<std::size_t> peer =
      co_await until_deadline(detail::handshake_steps(stream, roster, self, remote, check), deadline);
  if (!peer) {
    boost::system::error_code ignored;
    stream.lowest_layer().close(ignored);
    throw PeerError(describe(roster.party(self)) + ": the handshake with " + remote +
                    " did not finish before the deadline");
  }
  co_return *peer;
}

}  // namespace meshmpc::net
