#include "raw_tls.hpp"

#include <meshmpc/net/tls/credentials.hpp>

#include <boost/asio/use_awaitable.hpp>

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/pem.h>

#include <stdexcept>
#include <string>

namespace rawnet {

namespace asio = boost::asio;

namespace {

[[noreturn]] void fail(const std::string& what) {
  const unsigned long code = ERR_get_error();
  char text[256] = "no OpenSSL error queued";
  if (code != 0) ERR_error_string_n(code, text, sizeof text);
  throw std::runtime_error("tls: " + what + ": " + text);
}

SSL_CTX* tls13_context(const SSL_METHOD* method) {
  SSL_CTX* ctx = SSL_CTX_new(method);
  if (!ctx || SSL_CTX_set_min_proto_version(ctx, TLS1_3_VERSION) != 1 ||
      SSL_CTX_set_max_proto_version(ctx, TLS1_3_VERSION) != 1)
    fail("a TLS 1.3 context");
  SSL_CTX_set_num_tickets(ctx, 0);  // as meshmpc's links: no post-handshake messages
  SSL_CTX_set_mode(ctx, SSL_MODE_ENABLE_PARTIAL_WRITE | SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER);
  return ctx;
}

// SSL_ERROR_WANT_* as the socket readiness to wait for; anything else is an error.
asio::socket_base::wait_type wait_for(SSL* ssl, int result, const char* op) {
  switch (SSL_get_error(ssl, result)) {
    case SSL_ERROR_WANT_READ:
      return asio::socket_base::wait_read;
    case SSL_ERROR_WANT_WRITE:
      return asio::socket_base::wait_write;
    default:
      fail(op);
  }
}

}  // namespace

TlsContexts::TlsContexts() : server_(tls13_context(TLS_server_method())), client_(tls13_context(TLS_client_method())) {
  const std::string key_pem = meshmpc::net::tls::generate_private_key(meshmpc::net::tls::KeyType::ed25519);
  meshmpc::net::tls::CertificateSpec spec;
  spec.common_name = "rawnet";
  const std::string cert_pem = meshmpc::net::tls::self_signed_certificate(key_pem, spec);
  BIO* key_bio = BIO_new_mem_buf(key_pem.data(), static_cast<int>(key_pem.size()));
  BIO* cert_bio = BIO_new_mem_buf(cert_pem.data(), static_cast<int>(cert_pem.size()));
  EVP_PKEY* key = key_bio ? PEM_read_bio_PrivateKey(key_bio, nullptr, nullptr, nullptr) : nullptr;
  X509* cert = cert_bio ? PEM_read_bio_X509(cert_bio, nullptr, nullptr, nullptr) : nullptr;
  const bool ok = key && cert && SSL_CTX_use_certificate(server_, cert) == 1 && SSL_CTX_use_PrivateKey(server_, key) == 1;
  EVP_PKEY_free(key);
  X509_free(cert);
  BIO_free(key_bio);
  BIO_free(cert_bio);
  if (!ok) fail("the server's key and certificate");
}

TlsContexts::~TlsContexts() {
  SSL_CTX_free(server_);
  SSL_CTX_free(client_);
}

void TlsContexts::connect_pair(asio::ip::tcp::socket& server_side, asio::ip::tcp::socket& client_side, Ssl& server,
                               Ssl& client) {
  server.reset(SSL_new(server_));
  client.reset(SSL_new(client_));
  if (!server || !client || SSL_set_fd(server.get(), server_side.native_handle()) != 1 ||
      SSL_set_fd(client.get(), client_side.native_handle()) != 1)
    fail("SSL objects on the socket pair");
  server_side.non_blocking(true);
  client_side.non_blocking(true);
  SSL_set_accept_state(server.get());
  SSL_set_connect_state(client.get());
  // Over loopback each step either finishes or waits on the other end's next one.
  bool server_done = false, client_done = false;
  for (int step = 0; step < 10000 && !(server_done && client_done); ++step) {
    for (auto [ssl, done] : {std::pair{client.get(), &client_done}, std::pair{server.get(), &server_done}}) {
      if (*done) continue;
      const int result = SSL_do_handshake(ssl);
      if (result == 1) {
        *done = true;
      } else {
        (void)wait_for(ssl, result, "the handshake");
      }
    }
  }
  if (!(server_done && client_done)) throw std::runtime_error("tls: the handshake did not finish in 10000 steps");
}

namespace {

// Moves all of `bytes` with `step` (SSL_write_ex or SSL_read_ex), waiting on the
// socket whenever OpenSSL asks for it.
template <class Bytes, class Step>
asio::awaitable<void> move_all(asio::ip::tcp::socket& socket, SSL* ssl, Bytes bytes, Step step, const char* what) {
  while (!bytes.empty()) {
    std::size_t done = 0;
    const int result = step(ssl, bytes.data(), bytes.size(), &done);
    if (result == 1) {
      bytes = bytes.subspan(done);
      continue;
    }
    co_await socket.async_wait(wait_for(ssl, result, what), asio::use_awaitable);
  }
}

}  // namespace

asio::awaitable<void> tls_write_all(asio::ip::tcp::socket& socket, SSL* ssl, std::span<const char> bytes) {
  co_await move_all(socket, ssl, bytes, SSL_write_ex, "writing");
}

asio::awaitable<void> tls_read_all(asio::ip::tcp::socket& socket, SSL* ssl, std::span<char> bytes) {
  co_await move_all(socket, ssl, bytes, SSL_read_ex, "reading");
}

}  // namespace rawnet
