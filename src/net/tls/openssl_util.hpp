#pragma once
// What credentials.cpp and fingerprint.cpp share: owning handles for OpenSSL
// objects (each freed by its own function, whatever path leaves the scope), the
// error queue as text for messages, and PEM parsing with a `where` for errors.
// Private to src/net/tls: the public headers hold no OpenSSL types.
#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/evp.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <cstddef>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include <meshmpc/c_deleter.hpp>

namespace meshmpc::net::tls::detail {

template <auto Free>
using Deleter = CDeleter<Free>;

using BioPtr = std::unique_ptr<BIO, Deleter<BIO_free_all>>;
using PkeyPtr = std::unique_ptr<EVP_PKEY, Deleter<EVP_PKEY_free>>;
using X509Ptr = std::unique_ptr<X509, Deleter<X509_free>>;
using BignumPtr = std::unique_ptr<BIGNUM, Deleter<BN_free>>;
using Asn1IntegerPtr = std::unique_ptr<ASN1_INTEGER, Deleter<ASN1_INTEGER_free>>;
using X509NamePtr = std::unique_ptr<X509_NAME, Deleter<X509_NAME_free>>;
using X509ExtensionPtr = std::unique_ptr<X509_EXTENSION, Deleter<X509_EXTENSION_free>>;
using GeneralNamesPtr = std::unique_ptr<GENERAL_NAMES, Deleter<GENERAL_NAMES_free>>;
using GeneralNamePtr = std::unique_ptr<GENERAL_NAME, Deleter<GENERAL_NAME_free>>;
using Asn1StringPtr = std::unique_ptr<ASN1_STRING, Deleter<ASN1_STRING_free>>;
using Asn1OctetStringPtr = std::unique_ptr<ASN1_OCTET_STRING, Deleter<ASN1_OCTET_STRING_free>>;
using X509StorePtr = std::unique_ptr<X509_STORE, Deleter<X509_STORE_free>>;
using X509StoreCtxPtr = std::unique_ptr<X509_STORE_CTX, Deleter<X509_STORE_CTX_free>>;

// Drains OpenSSL's error queue of this thread into one line ("" when empty), so
// that an old error never shows up in a later, unrelated message.
std::string openssl_errors();
// The reason after ": " when there is one, for appending to a message.
std::string openssl_suffix();

// A read-only memory BIO over `text` (no copy: `text` must outlive it).
BioPtr bio_of(std::string_view text);

// The first certificate in PEM text; ConfigError naming `where` when there is none.
X509Ptr certificate_from_pem(std::string_view pem, std::string_view where);
// The first private key in PEM text (never prompts for a passphrase: an encrypted
// key is refused); ConfigError naming `where` when there is none.
PkeyPtr private_key_from_pem(std::string_view pem, std::string_view where);
// The DER encoding of a certificate.
std::vector<std::byte> der_of(X509* cert, std::string_view where);

}  // namespace meshmpc::net::tls::detail
