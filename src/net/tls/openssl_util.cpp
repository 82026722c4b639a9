#include "openssl_util.hpp"

#include <openssl/err.h>
#include <openssl/pem.h>

#include <climits>

#include <meshmpc/error.hpp>

namespace meshmpc::net::tls::detail {

std::string openssl_errors() {
  std::string text;
  while (const unsigned long code = ERR_get_error()) {
    char buffer[256];
    ERR_error_string_n(code, buffer, sizeof buffer);
    if (!text.empty()) text += "; ";
    text += buffer;
  }
  return text;
}

std::string openssl_suffix() {
  const std::string errors = openssl_errors();
  return errors.empty() ? std::string() : " (" + errors + ")";
}

BioPtr bio_of(std::string_view text) {
  if (text.size() > static_cast<std::size_t>(INT_MAX)) throw ConfigError("PEM text too large");
  BioPtr bio(BIO_new_mem_buf(text.data(), static_cast<int>(text.size())));
  if (!bio) throw Error("out of memory (BIO_new_mem_buf)" + openssl_suffix());
  return bio;
}

X509Ptr certificate_from_pem(std::string_view pem, std::string_view where) {
  const BioPtr bio = bio_of(pem);
  X509Ptr cert(PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr));
  if (!cert) {
    throw ConfigError(std::string(where) + ": no PEM certificate ('-----BEGIN CERTIFICATE-----') found" +
                      openssl_suffix());
  }
  return cert;
}

namespace {
// Refuses to decrypt: without this, OpenSSL would prompt on the terminal.
int no_passphrase(char*, int, int, void*) { return -1; }
}  // namespace

PkeyPtr private_key_from_pem(std::string_view pem, std::string_view where) {
  const BioPtr bio = bio_of(pem);
  PkeyPtr key(PEM_read_bio_PrivateKey(bio.get(), nullptr, no_passphrase, nullptr));
  if (!key) {
    const std::string errors = openssl_suffix();
    if (pem.find("ENCRYPTED") != std::string_view::npos) {
      throw ConfigError(std::string(where) + ": the private key is encrypted; meshmpc reads unencrypted keys only "
                        "(keep the file mode 0600 instead)" + errors);
    }
    throw ConfigError(std::string(where) + ": no PEM private key ('-----BEGIN PRIVATE KEY-----') found" + errors);
  }
  return key;
}

std::vector<std::byte> der_of(X509* cert, std::string_view where) {
  const int length = i2d_X509(cert, nullptr);
  if (length <= 0) throw ConfigError(std::string(where) + ": cannot DER-encode the certificate" + openssl_suffix());
  std::vector<std::byte> der(static_cast<std::size_t>(length));
  auto* out = reinterpret_cast<unsigned char*>(der.data());
  if (i2d_X509(cert, &out) != length) {
    throw ConfigError(std::string(where) + ": cannot DER-encode the certificate" + openssl_suffix());
  }
  return der;
}

}  // namespace meshmpc::net::tls::detail
