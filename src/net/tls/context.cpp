#include <meshmpc/net/tls/context.hpp>

#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <ctime>

#include <meshmpc/error.hpp>
#include <meshmpc/net/deadline.hpp>

namespace meshmpc::net::tls {

namespace {

std::string iso_time(const ASN1_TIME* time) {
  std::tm tm{};
  if (time == nullptr || ASN1_TIME_to_tm(time, &tm) != 1) return "?";
  char text[32];
  std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return text;
}

std::string openssl_reason(const boost::system::error_code& error) {
  // Asio reports OpenSSL's errors in its ssl category; the message is the
  // library's reason string ("certificate verify failed", "wrong version number").
  return error.message();
}

PeerCertificate read_peer(SSL* ssl) {
  PeerCertificate peer;
  X509* const cert = SSL_get0_peer_certificate(ssl);
  if (cert == nullptr) throw PeerError("no certificate");  // verify_fail_if_no_peer_cert prevents this
  unsigned char* der = nullptr;
  const int length = i2d_X509(cert, &der);
  if (length <= 0) throw PeerError("peer certificate cannot be encoded");
  peer.fingerprint = fingerprint_of_der(std::span(reinterpret_cast<const std::byte*>(der), static_cast<std::size_t>(length)));
  OPENSSL_free(der);
  char cn[256] = {};
  const int cn_length = X509_NAME_get_text_by_NID(X509_get_subject_name(cert), NID_commonName, cn, sizeof cn);
  if (cn_length > 0) peer.common_name.assign(cn, static_cast<std::size_t>(cn_length));
  peer.not_before = iso_time(X509_get0_notBefore(cert));
  peer.not_after = iso_time(X509_get0_notAfter(cert));
  peer.not_yet_valid = X509_cmp_current_time(X509_get0_notBefore(cert)) >= 0;
  peer.expired = X509_cmp_current_time(X509_get0_notAfter(cert)) <= 0;
  return peer;
}

// A peer name printable in one line: certificate text is the peer's.
std::string printable(const std::string& text) {
  std::string out;
  for (char c : text.substr(0, 64)) out += (c >= 0x20 && c < 0x7f) ? c : '?';
  return text.size() > 64 ? out + "..." : out;
}

}  // namespace

Context::Context(const Settings& settings)
    : context_(asio::ssl::context::tls), ca_mode_(!settings.ca_pem.empty()) {
  SSL_CTX* const native = context_.native_handle();
  // TLS 1.3 only: forward secrecy and encrypted certificates, no legacy suites.
  if (SSL_CTX_set_min_proto_version(native, TLS1_3_VERSION) != 1 ||
      SSL_CTX_set_max_proto_version(native, TLS1_3_VERSION) != 1) {
    throw ConfigError("TLS: OpenSSL refuses TLS 1.3");
  }
  // Links live for one session: no resumption tickets to store or leak.
  SSL_CTX_set_num_tickets(native, 0);
  SSL_CTX_set_session_cache_mode(native, SSL_SESS_CACHE_OFF);
  context_.set_options(asio::ssl::context::no_compression);
  boost::system::error_code error;
  if (context_.use_certificate_chain(asio::buffer(settings.cert_pem), error)) {
    throw ConfigError("TLS: cannot use this party's certificate: " + openssl_reason(error));
  }
  if (context_.use_private_key(asio::buffer(settings.key_pem), asio::ssl::context::pem, error)) {
    throw ConfigError("TLS: cannot use this party's private key with its certificate (the key and the "
                      "certificate must be one pair): " + openssl_reason(error));
  }
  if (SSL_CTX_check_private_key(native) != 1) {
    ERR_clear_error();
    throw ConfigError("TLS: this party's private key does not belong to its certificate (the key and the "
                      "certificate must be one pair)");
  }
  if (ca_mode_ && context_.add_certificate_authority(asio::buffer(settings.ca_pem), error)) {
    throw ConfigError("TLS: cannot use the CA certificate: " + openssl_reason(error));
  }
  context_.set_verify_mode(asio::ssl::verify_peer | asio::ssl::verify_fail_if_no_peer_cert);
  own_fingerprint_ = fingerprint_of_pem(settings.cert_pem, "this party's certificate");
}

void check_roster(const Context& context, const Roster& roster, std::size_t self) {
  if (context.ca_mode()) return;
  for (const PartyInfo& party : roster.parties) {
    if (party.id == self || party.tls_fingerprint) continue;
    throw ConfigError("TLS: " + net::describe(party) +
                      " has no certificate fingerprint in the roster and no CA is given, so an impostor could "
                      "not be told from it: pin it (the roster line 'host:port FINGERPRINT' that meshmpc-keygen "
                      "prints) or name a CA (--ssl-ca)");
  }
}

std::optional<std::string> identity_fault(const Context& context, const PeerCertificate& peer,
                                          const PartyInfo& party) {
  if (party.tls_fingerprint && *party.tls_fingerprint != peer.fingerprint) {
    return "its certificate " + format_fingerprint(peer.fingerprint) + " is not the one the roster pins for " +
           net::describe(party) + " (" + format_fingerprint(*party.tls_fingerprint) + ")";
  }
  if (context.ca_mode() && peer.common_name != party.name) {
    return "its certificate is issued to '" + printable(peer.common_name) + "', not to '" + party.name +
           "' as " + net::describe(party) + " must be";
  }
  if (peer.expired) return "its certificate expired at " + peer.not_after;
  if (peer.not_yet_valid) return "its certificate is not valid before " + peer.not_before;
  return std::nullopt;
}

std::vector<std::size_t> parties_of(const Context& context, const PeerCertificate& peer, const Roster& roster) {
  std::vector<std::size_t> matches;
  for (const PartyInfo& party : roster.parties) {
    if (!party.tls_fingerprint && !context.ca_mode()) continue;
    if (!identity_fault(context, peer, party)) matches.push_back(party.id);
  }
  return matches;
}

std::string unmatched_reason(const Context& context, const PeerCertificate& peer, const Roster& roster) {
  for (const PartyInfo& party : roster.parties) {
    const bool named = party.tls_fingerprint ? *party.tls_fingerprint == peer.fingerprint
                                             : context.ca_mode() && peer.common_name == party.name;
    if (!named) continue;
    if (auto fault = identity_fault(context, peer, party)) return "it presented the certificate of " + net::describe(party) + ", but " + *fault;
  }
  return "it presented " + describe(peer) + ", which is no party's of this roster";
}

std::string describe(const PeerCertificate& peer) {
  return "certificate " + format_fingerprint(peer.fingerprint) + ", CN '" + printable(peer.common_name) +
         "', valid " + peer.not_before + ".." + peer.not_after;
}

asio::awaitable<PeerCertificate> handshake(Stream& stream, Context& context, bool client, const std::string& remote,
                                           std::chrono::steady_clock::time_point deadline) {
  // The chain's verification error, kept for the message (OpenSSL's own error
  // only says "certificate verify failed").
  const auto chain_error = std::make_shared<std::string>();
  const bool ca_mode = context.ca_mode();
  stream.set_verify_callback([chain_error, ca_mode](bool preverified, asio::ssl::verify_context& verify) {
    // Pinned mode: self-signed certificates are expected; the fingerprint, checked
    // after the handshake, is the identity.
    if (!ca_mode) return true;
    if (!preverified && chain_error->empty()) {
      X509_STORE_CTX* const store = verify.native_handle();
      *chain_error = std::string(X509_verify_cert_error_string(X509_STORE_CTX_get_error(store))) +
                     " (certificate at depth " + std::to_string(X509_STORE_CTX_get_error_depth(store)) + ")";
    }
    return preverified;
  });
  const auto type = client ? asio::ssl::stream_base::client : asio::ssl::stream_base::server;
  auto work = [&]() -> asio::awaitable<boost::system::error_code> {
    auto [error] = co_await stream.async_handshake(type, asio::as_tuple(asio::use_awaitable));
    co_return error;
  };
  const std::optional<boost::system::error_code> outcome = co_await until_deadline(work(), deadline);
  if (!outcome) {
    boost::system::error_code ignored;
    stream.lowest_layer().close(ignored);
    throw PeerError("the TLS handshake with " + remote + " did not finish before the deadline");
  }
  const boost::system::error_code error = *outcome;
  if (error) {
    boost::system::error_code ignored;
    stream.lowest_layer().close(ignored);
    // A reset or end of stream before any TLS record: a dialler may retry.
    if (error.category() != asio::error::get_ssl_category()) throw boost::system::system_error(error, remote);
    std::string reason = "the TLS handshake with " + remote + " failed: " + openssl_reason(error);
    if (!chain_error->empty()) reason += ": its certificate does not chain to the CA: " + *chain_error;
    const int code = ERR_GET_REASON(static_cast<unsigned long>(error.value()));
    if (code == SSL_R_WRONG_VERSION_NUMBER || code == SSL_R_PACKET_LENGTH_TOO_LONG) {
      reason += " (the peer does not speak TLS: every party must run with --ssl, or none)";
    } else if (code >= SSL_AD_REASON_OFFSET) {
      reason += " (the peer refused our certificate or TLS settings)";
    }
    throw PeerError(reason);
  }
  co_return read_peer(stream.native_handle());
}

}  // namespace meshmpc::net::tls
