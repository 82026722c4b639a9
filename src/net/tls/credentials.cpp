// Key generation and X.509 certificates (the file side is credential_files.cpp).
#include <meshmpc/net/tls/credentials.hpp>

#include <openssl/asn1.h>
#include <openssl/buffer.h>
#include <openssl/crypto.h>
#include <openssl/pem.h>

#include <cstdint>
#include <ctime>

#include <meshmpc/error.hpp>

#include "openssl_util.hpp"

namespace meshmpc::net::tls {

namespace {

using detail::openssl_suffix;

// RFC 5280 ub-common-name: a longer CN would make a certificate other stacks reject.
constexpr std::size_t kMaxCommonName = 64;
// RFC 5280 asks for serials of at most 20 octets; 128 random bits keep a CA's
// serials unique without bookkeeping.
constexpr int kSerialBits = 128;

struct OpensslFree {
  void operator()(unsigned char* p) const noexcept { OPENSSL_free(p); }
};

std::string lower(std::string_view text) {
  std::string out(text);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

// Ed25519 signs the message itself (RFC 8410: no separate digest); the others
// hash with SHA-256.
const EVP_MD* digest_for(EVP_PKEY* key) {
  return EVP_PKEY_is_a(key, "ED25519") || EVP_PKEY_is_a(key, "ED448") ? nullptr : EVP_sha256();
}

void check_spec(const CertificateSpec& spec) {
  if (spec.common_name.empty()) throw ConfigError("certificate: the common name (CN) is empty");
  if (spec.common_name.size() > kMaxCommonName) {
    throw ConfigError("certificate: the common name '" + spec.common_name + "' is longer than " +
                      std::to_string(kMaxCommonName) + " bytes");
  }
  if (spec.common_name.find('\0') != std::string::npos) {
    throw ConfigError("certificate: the common name contains a NUL character");
  }
  if (spec.not_after <= spec.not_before) {
    throw ConfigError("certificate '" + spec.common_name + "': not_after is not later than not_before");
  }
}

void set_time(ASN1_TIME* field, std::chrono::system_clock::time_point when, const char* what) {
  if (ASN1_TIME_set(field, std::chrono::system_clock::to_time_t(when)) == nullptr) {
    throw ConfigError(std::string("certificate: cannot set ") + what + openssl_suffix());
  }
}

void set_serial(X509* cert) {
  const detail::BignumPtr serial(BN_new());
  if (!serial) throw Error("out of memory (BN_new)" + openssl_suffix());
  do {
    if (BN_rand(serial.get(), kSerialBits, BN_RAND_TOP_ANY, BN_RAND_BOTTOM_ANY) != 1) {
      throw Error("certificate serial: no random bytes" + openssl_suffix());
    }
  } while (BN_is_zero(serial.get()));  // RFC 5280: positive
  if (BN_to_ASN1_INTEGER(serial.get(), X509_get_serialNumber(cert)) == nullptr) {
    throw Error("certificate serial: cannot encode" + openssl_suffix());
  }
}

void add_extension(X509* cert, X509V3_CTX* ctx, int nid, const char* value) {
  const detail::X509ExtensionPtr extension(X509V3_EXT_conf_nid(nullptr, ctx, nid, value));
  if (!extension || X509_add_ext(cert, extension.get(), -1) != 1) {
    throw ConfigError(std::string("certificate: cannot add ") + OBJ_nid2sn(nid) + " '" + value + "'" +
                      openssl_suffix());
  }
}

void push_name(GENERAL_NAMES* names, int type, void* value) {
  detail::GeneralNamePtr name(GENERAL_NAME_new());
  if (!name) {
    ASN1_STRING_free(static_cast<ASN1_STRING*>(value));
    throw Error("out of memory (GENERAL_NAME_new)" + openssl_suffix());
  }
  GENERAL_NAME_set0_value(name.get(), type, value);  // owns value from here
  if (sk_GENERAL_NAME_push(names, name.get()) <= 0) throw Error("out of memory (subjectAltName)" + openssl_suffix());
  static_cast<void>(name.release());  // the stack owns it now
}

bool is_dns_name(std::string_view name) {
  if (name.empty() || name.size() > 253) return false;
  for (char c : name) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
                    c == '.' || c == '*' || c == '_';
    if (!ok) return false;
  }
  return true;
}

// Built as a GENERAL_NAMES value rather than the "DNS:a,IP:b" config text, so that
// a name can never smuggle in another entry.
void add_alt_names(X509* cert, const CertificateSpec& spec) {
  if (spec.dns_names.empty() && spec.ip_addresses.empty()) return;
  const detail::GeneralNamesPtr names(GENERAL_NAMES_new());
  if (!names) throw Error("out of memory (GENERAL_NAMES_new)" + openssl_suffix());
  for (const std::string& dns : spec.dns_names) {
    if (!is_dns_name(dns)) throw ConfigError("certificate subjectAltName: '" + dns + "' is not a DNS name");
    detail::Asn1StringPtr text(ASN1_IA5STRING_new());
    if (!text || ASN1_STRING_set(text.get(), dns.data(), static_cast<int>(dns.size())) != 1) {
      throw Error("out of memory (subjectAltName)" + openssl_suffix());
    }
    push_name(names.get(), GEN_DNS, text.release());
  }
  for (const std::string& ip : spec.ip_addresses) {
    ASN1_OCTET_STRING* address = a2i_IPADDRESS(ip.c_str());
    if (address == nullptr) {
      detail::openssl_errors();
      throw ConfigError("certificate subjectAltName: '" + ip + "' is not an IPv4 or IPv6 address");
    }
    push_name(names.get(), GEN_IPADD, address);
  }
  if (X509_add1_ext_i2d(cert, NID_subject_alt_name, names.get(), 0, X509V3_ADD_DEFAULT) != 1) {
    throw ConfigError("certificate: cannot add subjectAltName" + openssl_suffix());
  }
}

// One certificate for subject_key: self-signed when issuer is null (signed by
// subject_key), else issued by `issuer` and signed by issuer_key.
std::string make_certificate(EVP_PKEY* subject_key, const CertificateSpec& spec, X509* issuer, EVP_PKEY* issuer_key) {
  check_spec(spec);
  const detail::X509Ptr cert(X509_new());
  if (!cert) throw Error("out of memory (X509_new)" + openssl_suffix());
  if (X509_set_version(cert.get(), X509_VERSION_3) != 1) throw Error("X509_set_version" + openssl_suffix());
  set_serial(cert.get());
  set_time(X509_getm_notBefore(cert.get()), spec.not_before, "not_before");
  set_time(X509_getm_notAfter(cert.get()), spec.not_after, "not_after");

  X509_NAME* subject = X509_get_subject_name(cert.get());  // owned by cert
  if (X509_NAME_add_entry_by_txt(subject, "CN", MBSTRING_UTF8,
                                 reinterpret_cast<const unsigned char*>(spec.common_name.data()),
                                 static_cast<int>(spec.common_name.size()), -1, 0) != 1) {
    throw ConfigError("certificate: bad common name '" + spec.common_name + "'" + openssl_suffix());
  }
  if (X509_set_issuer_name(cert.get(), issuer != nullptr ? X509_get_subject_name(issuer) : subject) != 1) {
    throw Error("X509_set_issuer_name" + openssl_suffix());
  }
  // Only the public half goes in.
  if (X509_set_pubkey(cert.get(), subject_key) != 1) throw ConfigError("certificate: bad public key" + openssl_suffix());

  X509V3_CTX ctx;
  X509V3_set_ctx(&ctx, issuer != nullptr ? issuer : cert.get(), cert.get(), nullptr, nullptr, 0);
  if (spec.is_ca) {
    add_extension(cert.get(), &ctx, NID_basic_constraints, "critical,CA:TRUE");
    add_extension(cert.get(), &ctx, NID_key_usage, "critical,keyCertSign,cRLSign,digitalSignature");
  } else {
    // A party is TLS server and client at once (both ends authenticate).
    add_extension(cert.get(), &ctx, NID_basic_constraints, "critical,CA:FALSE");
    add_extension(cert.get(), &ctx, NID_key_usage, "critical,digitalSignature");
    add_extension(cert.get(), &ctx, NID_ext_key_usage, "serverAuth,clientAuth");
  }
  add_extension(cert.get(), &ctx, NID_subject_key_identifier, "hash");
  if (issuer != nullptr) add_extension(cert.get(), &ctx, NID_authority_key_identifier, "keyid");
  add_alt_names(cert.get(), spec);

  if (X509_sign(cert.get(), issuer_key, digest_for(issuer_key)) <= 0) {
    throw ConfigError("certificate '" + spec.common_name + "': signing failed" + openssl_suffix());
  }
  const detail::BioPtr out(BIO_new(BIO_s_mem()));
  if (!out || PEM_write_bio_X509(out.get(), cert.get()) != 1) throw Error("PEM_write_bio_X509" + openssl_suffix());
  BUF_MEM* memory = nullptr;
  BIO_get_mem_ptr(out.get(), &memory);
  return std::string(memory->data, memory->length);
}

std::string subject_cn(X509* cert, std::string_view where) {
  X509_NAME* name = X509_get_subject_name(cert);
  const int index = X509_NAME_get_index_by_NID(name, NID_commonName, -1);
  if (index < 0) return "";
  const ASN1_STRING* data = X509_NAME_ENTRY_get_data(X509_NAME_get_entry(name, index));
  unsigned char* utf8 = nullptr;
  const int length = ASN1_STRING_to_UTF8(&utf8, data);
  const std::unique_ptr<unsigned char, OpensslFree> owned(utf8);
  if (length < 0) throw ConfigError(std::string(where) + ": the subject CN is not valid text" + openssl_suffix());
  return std::string(reinterpret_cast<const char*>(utf8), static_cast<std::size_t>(length));
}

std::string iso8601(const ASN1_TIME* time, std::string_view where) {
  std::tm tm{};
  if (ASN1_TIME_to_tm(time, &tm) != 1) throw ConfigError(std::string(where) + ": bad validity time" + openssl_suffix());
  char text[32];
  if (std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%SZ", &tm) == 0) {
    throw ConfigError(std::string(where) + ": validity time out of range");
  }
  return text;
}

}  // namespace

KeyType key_type_from_string(std::string_view text) {
  const std::string name = lower(text);
  if (name == "ed25519") return KeyType::ed25519;
  if (name == "p256" || name == "p-256") return KeyType::p256;
  throw ConfigError("key type '" + std::string(text) + "': expected ed25519 or p256");
}

std::string to_string(KeyType type) { return type == KeyType::ed25519 ? "ed25519" : "p256"; }

std::string generate_private_key(KeyType type) {
  const detail::PkeyPtr key(type == KeyType::ed25519 ? EVP_PKEY_Q_keygen(nullptr, nullptr, "ED25519")
                                                     : EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-256"));
  if (!key) throw Error("cannot generate a " + to_string(type) + " key" + openssl_suffix());
  // Secure memory: the BIO wipes its buffer when freed.
  const detail::BioPtr out(BIO_new(BIO_s_secmem()));
  if (!out || PEM_write_bio_PKCS8PrivateKey(out.get(), key.get(), nullptr, nullptr, 0, nullptr, nullptr) != 1) {
    throw Error("cannot encode the " + to_string(type) + " key as PKCS#8" + openssl_suffix());
  }
  BUF_MEM* memory = nullptr;
  BIO_get_mem_ptr(out.get(), &memory);
  return std::string(memory->data, memory->length);
}

std::string self_signed_certificate(std::string_view key_pem, const CertificateSpec& spec) {
  const detail::PkeyPtr key = detail::private_key_from_pem(key_pem, "self-signed certificate: key");
  return make_certificate(key.get(), spec, nullptr, key.get());
}

std::string issue_certificate(std::string_view subject_key_pem, const CertificateSpec& spec,
                              std::string_view ca_key_pem, std::string_view ca_cert_pem) {
  const detail::PkeyPtr subject = detail::private_key_from_pem(subject_key_pem, "certificate '" + spec.common_name + "': subject key");
  const detail::PkeyPtr ca_key = detail::private_key_from_pem(ca_key_pem, "CA key");
  const detail::X509Ptr ca = detail::certificate_from_pem(ca_cert_pem, "CA certificate");
  const std::string ca_name = "CA certificate '" + subject_cn(ca.get(), "CA certificate") + "'";
  // EXFLAG_CA is basicConstraints CA:TRUE; a keyUsage, when present, must allow
  // signing certificates. Anything else would issue certificates no verifier takes.
  const std::uint32_t flags = X509_get_extension_flags(ca.get());
  if ((flags & EXFLAG_CA) == 0) {
    throw ConfigError(ca_name + " is not a CA certificate (no basicConstraints CA:TRUE)");
  }
  if ((flags & EXFLAG_KUSAGE) != 0 && (X509_get_key_usage(ca.get()) & KU_KEY_CERT_SIGN) == 0) {
    throw ConfigError(ca_name + " may not sign certificates (its keyUsage lacks keyCertSign)");
  }
  if (X509_check_private_key(ca.get(), ca_key.get()) != 1) {
    detail::openssl_errors();
    throw ConfigError("the CA key does not belong to " + ca_name);
  }
  return make_certificate(subject.get(), spec, ca.get(), ca_key.get());
}

std::string common_name(std::string_view cert_pem, std::string_view where) {
  const detail::X509Ptr cert = detail::certificate_from_pem(cert_pem, where);
  return subject_cn(cert.get(), where);
}

Validity validity(std::string_view cert_pem, std::string_view where) {
  const detail::X509Ptr cert = detail::certificate_from_pem(cert_pem, where);
  return {iso8601(X509_get0_notBefore(cert.get()), where), iso8601(X509_get0_notAfter(cert.get()), where)};
}

}  // namespace meshmpc::net::tls
