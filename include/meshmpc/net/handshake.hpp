#pragma once
// The handshake at the start of every new link (docs/net.md). It reveals nothing a
// stranger could replay and lets no one take a party's place without proving that
// it belongs to the session:
//
//   1. both sides send a hello {magic "MMPC", u16 version, u32 claimed party id,
//      u32 n, 32-byte random nonce} (46 bytes, little-endian) — no session id;
//   2. the dialler checks the acceptor's hello and sends a verdict; on accept the
//      verdict carries its proof: HMAC-SHA256 under the session key (below) over
//      the role, both hellos (so both nonces, both ids and n);
//   3. the acceptor checks the proof *before* it looks at the claim (so an unproven
//      caller reserves no slot and learns nothing about the roster), then the
//      claim, and answers with its verdict — on accept with its own proof;
//   4. the dialler checks that proof.
//
// A verdict is {u8 status (0 accept, 1 refuse), u16 length, reason text}. The
// session key is HMAC-SHA256 keyed by the session secret (Roster::secret; 32
// zero bytes when the parties share none) over a label and the session id: without
// a secret the proof shows only that the peer knows the session id, which no
// longer crosses the wire — with one, that it knows the secret.
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

#include <meshmpc/asio.hpp>
#include <meshmpc/error.hpp>
#include <meshmpc/net/deadline.hpp>
#include <meshmpc/net/roster.hpp>

namespace meshmpc::net {

inline constexpr std::array<std::byte, 4> kHandshakeMagic{std::byte{'M'}, std::byte{'M'},
                                                          std::byte{'P'}, std::byte{'C'}};
// Version 1 sent the session id in clear and proved nothing; version 2 sent Fp64
// shares as canonical values (now their Montgomery residues, Field::to_wire).
inline constexpr std::uint16_t kProtocolVersion = 3;
inline constexpr std::size_t kNonceSize = 32;
inline constexpr std::size_t kHelloSize = 4 + 2 + 4 + 4 + kNonceSize;
inline constexpr std::size_t kProofSize = 32;
inline constexpr std::size_t kVerdictHeaderSize = 3;
// A refusal reason is one error message; anything longer is not a meshmpc peer.
inline constexpr std::size_t kMaxRefusalReason = 2048;

using Nonce = std::array<std::byte, kNonceSize>;
using Proof = std::array<std::byte, kProofSize>;
using HandshakeKey = std::array<std::byte, 32>;

// Which end of the connection: the dialler (TCP client) proves first.
enum class Role : std::uint8_t { dialler = 0, acceptor = 1 };

struct Hello {
  std::uint16_t version = kProtocolVersion;
  std::uint32_t party = 0;
  std::uint32_t parties = 0;
  Nonce nonce{};
};

using HelloBytes = std::array<std::byte, kHelloSize>;

HelloBytes encode_hello(const Hello& hello);
// nullopt when the magic is wrong: whatever sent it is not a meshmpc party.
std::optional<Hello> decode_hello(std::span<const std::byte, kHelloSize> bytes);
// A hello from `self` of `roster` with a fresh random nonce.
Hello make_hello(const Roster& roster, std::size_t self);
// True when the bytes begin like a TLS record (handshake or alert, version 3.x):
// a TLS party talking to one that runs without TLS.
bool looks_like_tls(std::span<const std::byte> bytes);

// The key both ends prove knowledge of: from Roster::secret and session_id.
HandshakeKey handshake_key(const Roster& roster);
// What `role` sends to prove it holds `key`, bound to this connection's hellos.
Proof make_proof(const HandshakeKey& key, Role role, const HelloBytes& dialler_hello,
                 const HelloBytes& acceptor_hello);
// Constant-time comparison with the proof `role` should have sent.
bool proof_holds(const HandshakeKey& key, Role role, const HelloBytes& dialler_hello,
                 const HelloBytes& acceptor_hello, std::span<const std::byte> proof);

// Decides, for this link, whether a claimed id (already known to be a valid id
// other than ours) may connect: nullopt accepts, a string is the reason to refuse.
// The TCP plumbing uses it for the dial rule, duplicates and plugins' identity checks.
using ClaimCheck = std::function<std::optional<std::string>(std::size_t claimed)>;

// What is wrong with a received hello's form: wrong magic or version, or nullopt.
// Checked before the proof (the proof's layout depends on the version).
std::optional<std::string> hello_form_fault(const std::optional<Hello>& hello);
// What is wrong with a well-formed hello's claim (n, an unknown id, our own id, or
// what `check` refuses), or nullopt if nothing is. Checked only after the proof.
std::optional<std::string> hello_claim_fault(const Hello& hello, const Roster& roster, std::size_t self,
                                             const ClaimCheck& check);

// {status, length, reason}: status 0 without a reason accepts.
std::vector<std::byte> encode_verdict(const std::optional<std::string>& refusal);

namespace detail {

// The reason length, and whether the verdict refuses; throws ProtocolError naming
// `from` for a malformed verdict.
bool decode_verdict_header(std::span<const std::byte, kVerdictHeaderSize> bytes, std::size_t& reason_length,
                           std::string_view from);

// A refusal reason as received: sanitised, since the peer wrote it.
std::string received_reason(std::span<const std::byte> bytes);

template <typename Stream>
void close_stream(Stream& stream) {
  boost::system::error_code ignored;
  stream.lowest_layer().close(ignored);
}

template <typename Stream>
asio::awaitable<void> send_bytes(Stream& stream, std::span<const std::byte> bytes) {
  co_await asio::async_write(stream, asio::buffer(bytes.data(), bytes.size()), asio::use_awaitable);
}

// Sends a refusal (best effort: the peer may be gone), closes, throws PeerError.
template <typename Stream>
asio::awaitable<void> refuse(Stream& stream, const std::string& refusal) {
  const std::vector<std::byte> verdict = encode_verdict(refusal);
  auto [ignored_error, ignored_size] = co_await asio::async_write(stream, asio::buffer(verdict),
                                                                  asio::as_tuple(asio::use_awaitable));
  (void)ignored_error;
  (void)ignored_size;
  close_stream(stream);
  throw PeerError(refusal);
}

// Reads the peer's verdict; throws PeerError with its reason when it refuses.
template <typename Stream>
asio::awaitable<void> await_verdict(Stream& stream, const std::string& self_name, const std::string& remote) {
  std::array<std::byte, kVerdictHeaderSize> header{};
  co_await asio::async_read(stream, asio::buffer(header), asio::use_awaitable);
  std::size_t reason_length = 0;
  const bool refused = decode_verdict_header(header, reason_length, remote);
  std::vector<std::byte> reason(reason_length);
  if (reason_length > 0) co_await asio::async_read(stream, asio::buffer(reason), asio::use_awaitable);
  if (refused) {
    close_stream(stream);
    throw PeerError(self_name + ": " + remote + " refused our connection: " + received_reason(reason));
  }
}

// Sends our hello and reads the peer's. A TLS party answering our plaintext is
// named as such.
template <typename Stream>
asio::awaitable<HelloBytes> swap_hellos(Stream& stream, const HelloBytes& our_hello, const std::string& self_name,
                                        const std::string& remote) {
  co_await send_bytes(stream, our_hello);
  HelloBytes their_hello{};
  auto [read_error, got] = co_await asio::async_read(stream, asio::buffer(their_hello),
                                                     asio::as_tuple(asio::use_awaitable));
  if (read_error) {
    // A TLS party refusing our plaintext hello answers with an alert and hangs up.
    if (looks_like_tls(std::span(their_hello).first(got))) {
      throw PeerError(self_name + ": " + remote + " answered in TLS: every party must run with --ssl, or none");
    }
    throw boost::system::system_error(read_error);
  }
  co_return their_hello;
}

// A verdict that accepts, followed by our proof (as `role`) that we hold the key.
template <typename Stream>
asio::awaitable<void> send_acceptance(Stream& stream, const HandshakeKey& key, Role role,
                                      const HelloBytes& dialler_hello, const HelloBytes& acceptor_hello) {
  std::vector<std::byte> message = encode_verdict(std::nullopt);
  const Proof proof = make_proof(key, role, dialler_hello, acceptor_hello);
  message.insert(message.end(), proof.begin(), proof.end());
  co_await send_bytes(stream, message);
}

// Reads the peer's proof and whether it holds for `peer_role`.
template <typename Stream>
asio::awaitable<bool> peer_proves(Stream& stream, const HandshakeKey& key, Role peer_role,
                                  const HelloBytes& dialler_hello, const HelloBytes& acceptor_hello) {
  Proof proof{};
  co_await asio::async_read(stream, asio::buffer(proof), asio::use_awaitable);
  co_return proof_holds(key, peer_role, dialler_hello, acceptor_hello, proof);
}

template <typename Stream>
asio::awaitable<std::size_t> handshake_steps(Stream& stream, const Roster& roster, std::size_t self, Role role,
                                             const std::string& remote, const ClaimCheck& check) {
  const std::string self_name = describe(roster.party(self));
  const HelloBytes our_hello = encode_hello(make_hello(roster, self));
  const HelloBytes their_hello = co_await swap_hellos(stream, our_hello, self_name, remote);
  const std::optional<Hello> theirs = decode_hello(their_hello);
  const std::string refusing = self_name + " refused a connection from " + remote + ": ";
  if (auto fault = hello_form_fault(theirs)) {
    if (!theirs && looks_like_tls(their_hello)) {
      *fault = "the peer speaks TLS and this party does not: every party must run with --ssl, or none";
    }
    co_await refuse(stream, refusing + *fault);
  }
  const HandshakeKey key = handshake_key(roster);
  const HelloBytes& dialler_hello = role == Role::dialler ? our_hello : their_hello;
  const HelloBytes& acceptor_hello = role == Role::dialler ? their_hello : our_hello;

  if (role == Role::dialler) {
    // The acceptor's claim can be checked now: it only answers the dial.
    if (auto fault = hello_claim_fault(*theirs, roster, self, check)) co_await refuse(stream, refusing + *fault);
    co_await send_acceptance(stream, key, role, dialler_hello, acceptor_hello);
    co_await await_verdict(stream, self_name, remote);
    const bool proved = co_await peer_proves(stream, key, Role::acceptor, dialler_hello, acceptor_hello);
    if (!proved) {
      close_stream(stream);
      throw PeerError(self_name + ": " + remote + " did not prove that it belongs to this session (another "
                      "session id or session secret): not a party of this session, or an impostor at its address");
    }
    co_return theirs->party;
  }

  co_await await_verdict(stream, self_name, remote);
  const bool proved = co_await peer_proves(stream, key, Role::dialler, dialler_hello, acceptor_hello);
  if (!proved) {
    // Nothing about the roster in the reason: the caller proved nothing.
    co_await refuse(stream, refusing + "the peer did not prove that it belongs to this session (another session "
                                       "id or session secret)");
  }
  if (auto fault = hello_claim_fault(*theirs, roster, self, check)) co_await refuse(stream, refusing + *fault);
  co_await send_acceptance(stream, key, role, dialler_hello, acceptor_hello);
  co_return theirs->party;
}

}  // namespace detail

// Runs the handshake on a connected stream and returns the peer's party id. Both
// ends call it, each with its role. `remote` names the other end in messages
// ("127.0.0.1:4711", or "party 0 (alice) at 127.0.0.1:4000" when dialling). Throws
// PeerError for a refusal either way, a failed proof and when the deadline passes
// (the stream is then closed); I/O failures (the peer hung up) propagate as
// boost::system::system_error, which a dialler may treat as worth a retry.
template <typename Stream>
asio::awaitable<std::size_t> run_handshake(Stream& stream, const Roster& roster, std::size_t self, Role role,
                                           std::string remote, ClaimCheck check,
                                           std::chrono::steady_clock::time_point deadline) {
  const std::optional<std::size_t> peer =
      co_await until_deadline(detail::handshake_steps(stream, roster, self, role, remote, check), deadline);
  if (!peer) {
    detail::close_stream(stream);
    throw PeerError(describe(roster.party(self)) + ": the handshake with " + remote +
                    " did not finish before the deadline");
  }
  co_return *peer;
}

}  // namespace meshmpc::net
