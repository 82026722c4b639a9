#pragma once
// TLS 1.3 straight on a socket for meshmpc-rawnet --tls: OpenSSL's own record
// layer reads and writes the socket (no Asio SSL stream, no BIO pair between), with
// the protocol and cipher meshmpc's links negotiate (TLS 1.3 only; its first
// suite, AES-256-GCM). The report sets meshmpc's TLS transport against it: what
// the same encrypted bytes cost by themselves on the same path.
#include <boost/asio/awaitable.hpp>
#include <boost/asio/ip/tcp.hpp>

#include <openssl/ssl.h>

#include <memory>
#include <span>

namespace rawnet {

struct SslFree {
  void operator()(SSL* ssl) const { SSL_free(ssl); }
};
using Ssl = std::unique_ptr<SSL, SslFree>;

// The two ends' contexts: the server's with a fresh Ed25519 key and a
// self-signed certificate, the client's without verification (a baseline, not a
// party: nothing but loopback and the lab's namespaces is ever reached).
class TlsContexts {
 public:
  TlsContexts();
  ~TlsContexts();
  TlsContexts(const TlsContexts&) = delete;
  TlsContexts& operator=(const TlsContexts&) = delete;

  // TLS on both ends of a connected pair of sockets, handshaken in this thread
  // (each end's steps in turn, bounded in count); the sockets become non-blocking.
  // Throws std::runtime_error naming the step that failed.
  void connect_pair(boost::asio::ip::tcp::socket& server_side, boost::asio::ip::tcp::socket& client_side,
                    Ssl& server, Ssl& client);

 private:
  SSL_CTX* server_ = nullptr;
  SSL_CTX* client_ = nullptr;
};

// All of `bytes` through `ssl` on `socket`, waiting on the socket when OpenSSL asks.
boost::asio::awaitable<void> tls_write_all(boost::asio::ip::tcp::socket& socket, SSL* ssl,
                                           std::span<const char> bytes);
boost::asio::awaitable<void> tls_read_all(boost::asio::ip::tcp::socket& socket, SSL* ssl, std::span<char> bytes);

}  // namespace rawnet
