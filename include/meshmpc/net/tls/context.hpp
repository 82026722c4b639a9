#pragma once
// TLS for links (docs/security.md): TLS 1.3 only, both sides present a
// certificate, and a peer is accepted as a roster party only when its certificate
// is that party's: the SHA-256 fingerprint the roster pins (PartyInfo::
// tls_fingerprint; self-signed certificates are fine), or, in CA mode, a
// certificate that chains to the CA and whose subject CN is the party's name —
// both, when the roster pins and a CA is given. One Context serves every link of
// a connect, as client when dialling and as server when accepting.
#include <boost/asio/awaitable.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/ssl/stream.hpp>
#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <meshmpc/asio.hpp>
#include <meshmpc/net/roster.hpp>
#include <meshmpc/net/tls/fingerprint.hpp>

namespace meshmpc::net::tls {

using Stream = asio::ssl::stream<asio::ip::tcp::socket>;

struct Settings {
  std::string key_pem;   // this party's private key (credentials.hpp reads it from a file)
  std::string cert_pem;  // this party's certificate, then any intermediate CA certificates
  // CA mode: the certificates a peer's certificate must chain to. Empty: every
  // peer must be pinned by fingerprint in the roster.
  std::string ca_pem;
};

// What the peer's certificate says, read once its handshake is done.
struct PeerCertificate {
  Fingerprint fingerprint{};
  std::string common_name;
  std::string not_before;  // ISO 8601 UTC
  std::string not_after;
  bool expired = false;
  bool not_yet_valid = false;
};

class Context {
 public:
  // Throws ConfigError naming what is unusable: a key or certificate OpenSSL
  // cannot load, a key that does not match the certificate, a bad CA bundle.
  explicit Context(const Settings& settings);

  bool ca_mode() const { return ca_mode_; }
  asio::ssl::context& native() { return context_; }

  // Our own certificate's fingerprint, for messages and the roster line.
  const Fingerprint& own_fingerprint() const { return own_fingerprint_; }

 private:
  asio::ssl::context context_;
  bool ca_mode_;
  Fingerprint own_fingerprint_{};
};

// Checks that this roster can be authenticated with `context`: every party but
// `self` is pinned, or the context has a CA. Throws ConfigError naming the first
// party that could not be told from an impostor.
void check_roster(const Context& context, const Roster& roster, std::size_t self);

// Why a peer with this certificate cannot be `party`, or nullopt when it is.
// Validity (dates) is checked here in both modes; in CA mode the chain was
// checked during the handshake.
std::optional<std::string> identity_fault(const Context& context, const PeerCertificate& peer,
                                          const PartyInfo& party);

// Every party `peer` may be (normally one; none: a stranger).
std::vector<std::size_t> parties_of(const Context& context, const PeerCertificate& peer, const Roster& roster);

// Why a peer that is none of the roster's parties (parties_of is empty) is
// refused: the fault against the party its certificate names (expired, not yet
// valid), or that it is no party's at all.
std::string unmatched_reason(const Context& context, const PeerCertificate& peer, const Roster& roster);

// "certificate AAAA…-…, CN party1, valid 2026-12-01T00:00:00Z..2029-03-06T00:00:00Z".
std::string describe(const PeerCertificate& peer);

// The TLS handshake on a connected stream, as client (we dialled) or server,
// within the deadline. Returns the peer's certificate; throws PeerError naming
// `remote` and the reason when the handshake fails (with the chain's verification
// error in CA mode, and a hint when the peer does not speak TLS at all), and
// boost::system::system_error when the connection broke before any TLS record
// arrived (worth a retry).
asio::awaitable<PeerCertificate> handshake(Stream& stream, Context& context, bool client,
                                           const std::string& remote,
                                           std::chrono::steady_clock::time_point deadline);

}  // namespace meshmpc::net::tls
