// The roster's fixed encoding, its hash and field digests (SHA-256, OpenSSL),
// and the signatures over it (OpenSSL EVP: Ed25519 or ECDSA P-256 with SHA-256).
#include <meshmpc/rendezvous/roster_document.hpp>

#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/sha.h>
#include <openssl/x509.h>

#include <algorithm>
#include <cstdint>
#include <memory>

#include <meshmpc/error.hpp>

namespace meshmpc::rendezvous {

namespace {

constexpr std::string_view kDomain = "meshmpc rendezvous roster v1";
constexpr std::string_view kSignatureDomain = "meshmpc rendezvous roster signature v1";

void put_u32(std::vector<std::byte>& out, std::size_t value) {
  for (int shift = 24; shift >= 0; shift -= 8) out.push_back(static_cast<std::byte>((value >> shift) & 0xff));
}

void put(std::vector<std::byte>& out, std::string_view text) {
  put_u32(out, text.size());
  for (const char c : text) out.push_back(static_cast<std::byte>(c));
}

void put(std::vector<std::byte>& out, std::span<const std::byte> bytes) {
  put_u32(out, bytes.size());
  out.insert(out.end(), bytes.begin(), bytes.end());
}

std::string reflexive_text(const RosterEntry& entry) {
  return entry.reflexive ? net::to_string(*entry.reflexive) : std::string();
}

// The encoding of one field of an entry (kRosterFields order).
std::vector<std::byte> encode_field(const RosterEntry& entry, std::size_t field) {
  std::vector<std::byte> out;
  switch (field) {
    case 0:
      put(out, std::span<const std::byte>(entry.fingerprint));
      break;
    case 1:
      put(out, entry.name);
      break;
    case 2:
      put_u32(out, entry.endpoints.size());
      for (const net::Endpoint& endpoint : entry.endpoints) put(out, net::to_string(endpoint));
      break;
    default:
      put(out, reflexive_text(entry));
      break;
  }
  return out;
}

std::vector<std::byte> encode_header(const RosterDocument& roster) {
  std::vector<std::byte> out;
  put(out, kDomain);
  put(out, roster.session);
  put_u32(out, roster.parties.size());
  return out;
}

RosterHash sha256(std::span<const std::byte> bytes) {
  RosterHash hash{};
  SHA256(reinterpret_cast<const unsigned char*>(bytes.data()), bytes.size(),
         reinterpret_cast<unsigned char*>(hash.data()));
  return hash;
}

std::array<std::byte, 8> short_digest(std::span<const std::byte> bytes) {
  const RosterHash full = sha256(bytes);
  std::array<std::byte, 8> out{};
  std::copy_n(full.begin(), out.size(), out.begin());
  return out;
}

struct BioFree {
  void operator()(BIO* bio) const { BIO_free(bio); }
};
struct PkeyFree {
  void operator()(EVP_PKEY* key) const { EVP_PKEY_free(key); }
};
struct X509Free {
  void operator()(X509* cert) const { X509_free(cert); }
};
struct MdCtxFree {
  void operator()(EVP_MD_CTX* ctx) const { EVP_MD_CTX_free(ctx); }
};

std::unique_ptr<BIO, BioFree> memory_bio(std::string_view text) {
  return std::unique_ptr<BIO, BioFree>(BIO_new_mem_buf(text.data(), static_cast<int>(text.size())));
}

// Ed25519 signs the message itself; ECDSA a SHA-256 digest of it.
const EVP_MD* digest_for(EVP_PKEY* key) { return EVP_PKEY_is_a(key, "ED25519") ? nullptr : EVP_sha256(); }

std::vector<unsigned char> signed_message(const RosterHash& hash) {
  std::vector<unsigned char> message(kSignatureDomain.begin(), kSignatureDomain.end());
  for (const std::byte b : hash) message.push_back(static_cast<unsigned char>(b));
  return message;
}

}  // namespace

std::vector<std::byte> encode(const RosterDocument& roster) {
  std::vector<std::byte> out = encode_header(roster);
  for (const RosterEntry& entry : roster.parties) {
    for (std::size_t field = 0; field < kRosterFields.size(); ++field) {
      const auto bytes = encode_field(entry, field);
      out.insert(out.end(), bytes.begin(), bytes.end());
    }
  }
  return out;
}

RosterHash roster_hash(const RosterDocument& roster) { return sha256(encode(roster)); }

std::vector<FieldDigests> field_digests(const RosterDocument& roster) {
  std::vector<FieldDigests> out;
  out.reserve(roster.parties.size());
  for (const RosterEntry& entry : roster.parties) {
    FieldDigests digests{};
    for (std::size_t field = 0; field < kRosterFields.size(); ++field) digests[field] = short_digest(encode_field(entry, field));
    out.push_back(digests);
  }
  return out;
}

std::array<std::byte, 8> header_digest(const RosterDocument& roster) { return short_digest(encode_header(roster)); }

std::string describe_difference(const RosterDocument& ours, const std::array<std::byte, 8>& their_header,
                                const std::vector<FieldDigests>& theirs) {
  if (their_header != header_digest(ours) || theirs.size() != ours.parties.size()) {
    return "the session name or the number of parties";
  }
  const auto mine = field_digests(ours);
  std::string text;
  for (std::size_t i = 0; i < mine.size(); ++i) {
    for (std::size_t field = 0; field < kRosterFields.size(); ++field) {
      if (mine[i][field] == theirs[i][field]) continue;
      if (!text.empty()) text += ", ";
      text += "party " + std::to_string(i) + "'s " + std::string(kRosterFields[field]);
    }
  }
  return text;
}

std::vector<std::byte> sign_roster(const RosterHash& hash, std::string_view key_pem) {
  const auto bio = memory_bio(key_pem);
  const std::unique_ptr<EVP_PKEY, PkeyFree> key(
      bio ? PEM_read_bio_PrivateKey(bio.get(), nullptr, nullptr, nullptr) : nullptr);
  if (!key) throw ConfigError("rendezvous: the TLS key cannot be read to sign the roster");
  const std::unique_ptr<EVP_MD_CTX, MdCtxFree> ctx(EVP_MD_CTX_new());
  const auto message = signed_message(hash);
  std::size_t length = 0;
  if (!ctx || EVP_DigestSignInit(ctx.get(), nullptr, digest_for(key.get()), nullptr, key.get()) != 1 ||
      EVP_DigestSign(ctx.get(), nullptr, &length, message.data(), message.size()) != 1) {
    throw ConfigError("rendezvous: the TLS key cannot sign (not Ed25519 or P-256?)");
  }
  std::vector<std::byte> signature(length);
  if (EVP_DigestSign(ctx.get(), reinterpret_cast<unsigned char*>(signature.data()), &length, message.data(),
                     message.size()) != 1) {
    throw ConfigError("rendezvous: signing the roster failed");
  }
  signature.resize(length);
  return signature;
}

bool verify_roster(const RosterHash& hash, std::span<const std::byte> signature, std::string_view certificate_pem) {
  const auto bio = memory_bio(certificate_pem);
  const std::unique_ptr<X509, X509Free> cert(bio ? PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr) : nullptr);
  if (!cert) return false;
  EVP_PKEY* key = X509_get0_pubkey(cert.get());  // owned by the certificate
  const std::unique_ptr<EVP_MD_CTX, MdCtxFree> ctx(EVP_MD_CTX_new());
  if (!key || !ctx || EVP_DigestVerifyInit(ctx.get(), nullptr, digest_for(key), nullptr, key) != 1) return false;
  const auto message = signed_message(hash);
  return EVP_DigestVerify(ctx.get(), reinterpret_cast<const unsigned char*>(signature.data()), signature.size(),
                          message.data(), message.size()) == 1;
}

}  // namespace meshmpc::rendezvous
