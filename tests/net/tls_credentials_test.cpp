// Keys and certificates made with credentials.hpp, checked with OpenSSL itself
// (X509_verify_cert, the openssl command line) rather than with our own readers,
// and the key file rules: 0600 written, shared modes refused, nothing overwritten.
#include <meshmpc/net/tls/credentials.hpp>

#include <openssl/pem.h>
#include <openssl/x509v3.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <cstdio>
#include <ctime>
#include <functional>

#include <meshmpc/error.hpp>

#include "tls_test_util.hpp"

namespace meshmpc::net::tls {
namespace {

using namespace std::chrono_literals;
using test::TempDir;

using X509Ptr = std::unique_ptr<X509, decltype(&X509_free)>;
using PkeyPtr = std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)>;

X509Ptr parse_cert(const std::string& pem) {
  std::unique_ptr<BIO, decltype(&BIO_free)> bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())), &BIO_free);
  return X509Ptr(PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr), &X509_free);
}

PkeyPtr parse_key(const std::string& pem) {
  std::unique_ptr<BIO, decltype(&BIO_free)> bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())), &BIO_free);
  return PkeyPtr(PEM_read_bio_PrivateKey(bio.get(), nullptr, nullptr, nullptr), &EVP_PKEY_free);
}

CertificateSpec spec(const std::string& cn, bool is_ca = false) {
  CertificateSpec s;
  s.common_name = cn;
  s.is_ca = is_ca;
  return s;
}

// A CA (key and certificate) for the issuing tests.
struct Ca {
  std::string key = generate_private_key(KeyType::ed25519);
  std::string cert = self_signed_certificate(key, spec("test CA", true));
};

std::string error_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const ConfigError& e) {
    return e.what();
  }
  return "";
}

std::chrono::system_clock::time_point utc(int year, int month, int day, int hour, int minute, int second) {
  std::tm tm{};
  tm.tm_year = year - 1900;
  tm.tm_mon = month - 1;
  tm.tm_mday = day;
  tm.tm_hour = hour;
  tm.tm_min = minute;
  tm.tm_sec = second;
  return std::chrono::system_clock::from_time_t(::timegm(&tm));
}

bool have_program(const std::string& name) {
  const char* path = std::getenv("PATH");
  if (path == nullptr) return false;
  std::string dirs(path);
  for (std::size_t start = 0; start <= dirs.size();) {
    const std::size_t end = std::min(dirs.find(':', start), dirs.size());
    if (::access((dirs.substr(start, end - start) + "/" + name).c_str(), X_OK) == 0) return true;
    start = end + 1;
  }
  return false;
}

std::string hex_of(const Fingerprint& fp) {
  std::string hex;
  char two[3];
  for (std::byte b : fp) {
    std::snprintf(two, sizeof two, "%02x", std::to_integer<unsigned>(b));
    hex += two;
  }
  return hex;
}

TEST(TlsCredentials, GeneratesBothKeyTypesAsPkcs8) {
  for (const KeyType type : {KeyType::ed25519, KeyType::p256}) {
    const std::string pem = generate_private_key(type);
    EXPECT_EQ(pem.rfind("-----BEGIN PRIVATE KEY-----\n", 0), 0u) << pem;
    const PkeyPtr key = parse_key(pem);
    ASSERT_TRUE(key) << to_string(type);
    if (type == KeyType::ed25519) {
      EXPECT_TRUE(EVP_PKEY_is_a(key.get(), "ED25519"));
    } else {
      EXPECT_TRUE(EVP_PKEY_is_a(key.get(), "EC"));
      char group[64] = {};
      ASSERT_EQ(EVP_PKEY_get_group_name(key.get(), group, sizeof group, nullptr), 1);
      EXPECT_STREQ(group, "prime256v1");
    }
    EXPECT_NE(pem, generate_private_key(type)) << "two keys alike";
  }
}

TEST(TlsCredentials, ParsesKeyTypeNames) {
  EXPECT_EQ(key_type_from_string("ed25519"), KeyType::ed25519);
  EXPECT_EQ(key_type_from_string("Ed25519"), KeyType::ed25519);
  EXPECT_EQ(key_type_from_string("p256"), KeyType::p256);
  EXPECT_EQ(key_type_from_string("P-256"), KeyType::p256);
  EXPECT_EQ(key_type_from_string(to_string(KeyType::p256)), KeyType::p256);
  EXPECT_NE(error_of([] { key_type_from_string("rsa"); }).find("'rsa': expected ed25519 or p256"), std::string::npos);
}

TEST(TlsCredentials, SelfSignedCertificateMatchesItsKeyAndName) {
  for (const KeyType type : {KeyType::ed25519, KeyType::p256}) {
    const std::string key = generate_private_key(type);
    const std::string pem = self_signed_certificate(key, spec("party1"));
    const X509Ptr cert = parse_cert(pem);
    ASSERT_TRUE(cert);
    const PkeyPtr pkey = parse_key(key);
    EXPECT_EQ(X509_check_private_key(cert.get(), pkey.get()), 1);
    EXPECT_EQ(X509_get_version(cert.get()), X509_VERSION_3);
    // Signed by itself: its own public key verifies it.
    EXPECT_EQ(X509_verify(cert.get(), X509_get0_pubkey(cert.get())), 1);
    EXPECT_EQ(X509_get_signature_nid(cert.get()), type == KeyType::ed25519 ? NID_ED25519 : NID_ecdsa_with_SHA256);
    EXPECT_EQ(common_name(pem, "test"), "party1");
    EXPECT_EQ(X509_check_ca(cert.get()), 0) << "a party certificate must not be a CA";
    const std::uint32_t usage = X509_get_extended_key_usage(cert.get());
    EXPECT_TRUE((usage & XKU_SSL_SERVER) && (usage & XKU_SSL_CLIENT));
  }
}

TEST(TlsCredentials, CommonNameRoundTripsUtf8) {
  const std::string key = generate_private_key(KeyType::ed25519);
  EXPECT_EQ(common_name(self_signed_certificate(key, spec("Zoë's party №2")), "test"), "Zoë's party №2");
  EXPECT_NE(error_of([&] { self_signed_certificate(key, spec("")); }).find("common name (CN) is empty"),
            std::string::npos);
  EXPECT_NE(error_of([&] { self_signed_certificate(key, spec(std::string(65, 'x'))); }).find("longer than 64"),
            std::string::npos);
}

TEST(TlsCredentials, SerialsAreRandomAndPositive) {
  const std::string key = generate_private_key(KeyType::ed25519);
  const X509Ptr a = parse_cert(self_signed_certificate(key, spec("a")));
  const X509Ptr b = parse_cert(self_signed_certificate(key, spec("a")));
  const ASN1_INTEGER* sa = X509_get0_serialNumber(a.get());
  EXPECT_NE(ASN1_INTEGER_cmp(sa, X509_get0_serialNumber(b.get())), 0);
  std::unique_ptr<BIGNUM, decltype(&BN_free)> bn(ASN1_INTEGER_to_BN(sa, nullptr), &BN_free);
  EXPECT_FALSE(BN_is_negative(bn.get()));
  EXPECT_LE(BN_num_bits(bn.get()), 128);
}

TEST(TlsCredentials, FingerprintEqualsOpensslCommandLine) {
  if (!have_program("openssl") || !have_program("sha256sum")) {
    GTEST_SKIP() << "openssl or sha256sum not in PATH (Debian: apt install openssl coreutils)";
  }
  const TempDir dir;
  const std::string path = dir / "party.crt";
  const std::string pem = self_signed_certificate(generate_private_key(KeyType::p256), spec("party0"));
  test::spit(path, pem, 0644);
  const std::string command = "openssl x509 -in '" + path + "' -outform DER | sha256sum";
  std::unique_ptr<FILE, decltype(&pclose)> pipe(::popen(command.c_str(), "r"), &pclose);
  ASSERT_TRUE(pipe);
  char line[128] = {};
  ASSERT_NE(std::fgets(line, sizeof line, pipe.get()), nullptr);
  EXPECT_EQ(std::string(line).substr(0, 64), hex_of(fingerprint_of_pem(pem, path)));
}

TEST(TlsCredentials, IssuedCertificateVerifiesAgainstTheCa) {
  const Ca ca;
  for (const KeyType type : {KeyType::ed25519, KeyType::p256}) {
    const std::string key = generate_private_key(type);
    const std::string pem = issue_certificate(key, spec("party2"), ca.key, ca.cert);
    EXPECT_EQ(test::verify_with_openssl(pem, ca.cert), X509_V_OK) << to_string(type);
    EXPECT_EQ(common_name(pem, "test"), "party2");
    // Only the subject's public key is in it.
    EXPECT_EQ(X509_check_private_key(parse_cert(pem).get(), parse_key(key).get()), 1);
  }
  // A P-256 CA signs with ECDSA-SHA256.
  Ca p256_ca;
  p256_ca.key = generate_private_key(KeyType::p256);
  p256_ca.cert = self_signed_certificate(p256_ca.key, spec("p256 CA", true));
  const std::string pem = issue_certificate(generate_private_key(KeyType::ed25519), spec("x"), p256_ca.key, p256_ca.cert);
  EXPECT_EQ(test::verify_with_openssl(pem, p256_ca.cert), X509_V_OK);
  // And another CA does not vouch for it.
  EXPECT_EQ(test::verify_with_openssl(pem, ca.cert), X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY);
  // Nor does it vouch for a self-signed party certificate.
  const std::string self = self_signed_certificate(generate_private_key(KeyType::ed25519), spec("self"));
  EXPECT_NE(test::verify_with_openssl(self, ca.cert), X509_V_OK);
}

TEST(TlsCredentials, ValidityWindowIsHonoured) {
  const std::string key = generate_private_key(KeyType::ed25519);
  CertificateSpec s = spec("dated");
  s.not_before = utc(2030, 1, 2, 3, 4, 5);
  s.not_after = utc(2031, 6, 7, 8, 9, 10);
  const Validity v = validity(self_signed_certificate(key, s), "test");
  EXPECT_EQ(v.not_before, "2030-01-02T03:04:05Z");
  EXPECT_EQ(v.not_after, "2031-06-07T08:09:10Z");

  const Ca ca;
  const auto now = std::chrono::system_clock::now();
  CertificateSpec expired = spec("expired");
  expired.not_before = now - 48h;
  expired.not_after = now - 24h;
  EXPECT_EQ(test::verify_with_openssl(issue_certificate(key, expired, ca.key, ca.cert), ca.cert),
            X509_V_ERR_CERT_HAS_EXPIRED);
  CertificateSpec early = spec("early");
  early.not_before = now + 24h;
  early.not_after = now + 48h;
  const std::string early_pem = issue_certificate(key, early, ca.key, ca.cert);
  EXPECT_EQ(test::verify_with_openssl(early_pem, ca.cert), X509_V_ERR_CERT_NOT_YET_VALID);
  EXPECT_EQ(test::verify_with_openssl(early_pem, ca.cert, now + 36h), X509_V_OK);

  CertificateSpec backwards = spec("backwards");
  backwards.not_after = backwards.not_before - 1s;
  EXPECT_NE(error_of([&] { self_signed_certificate(key, backwards); }).find("not_after is not later"),
            std::string::npos);
}

TEST(TlsCredentials, SubjectAltNamesAreWrittenAndChecked) {
  const std::string key = generate_private_key(KeyType::ed25519);
  CertificateSpec s = spec("alt");
  s.dns_names = {"party0.example.org"};
  s.ip_addresses = {"192.0.2.7", "2001:db8::1"};
  const X509Ptr cert = parse_cert(self_signed_certificate(key, s));
  std::unique_ptr<GENERAL_NAMES, decltype(&GENERAL_NAMES_free)> names(
      static_cast<GENERAL_NAMES*>(X509_get_ext_d2i(cert.get(), NID_subject_alt_name, nullptr, nullptr)),
      &GENERAL_NAMES_free);
  ASSERT_TRUE(names);
  ASSERT_EQ(sk_GENERAL_NAME_num(names.get()), 3);
  EXPECT_EQ(X509_check_host(cert.get(), "party0.example.org", 0, 0, nullptr), 1);
  EXPECT_EQ(X509_check_ip_asc(cert.get(), "192.0.2.7", 0), 1);
  EXPECT_EQ(X509_check_ip_asc(cert.get(), "2001:db8::1", 0), 1);

  s.ip_addresses = {"300.1.1.1"};
  EXPECT_NE(error_of([&] { self_signed_certificate(key, s); }).find("'300.1.1.1' is not an IPv4 or IPv6 address"),
            std::string::npos);
  s.ip_addresses.clear();
  s.dns_names = {"a.example,IP:10.0.0.1"};  // never spliced into config text
  EXPECT_NE(error_of([&] { self_signed_certificate(key, s); }).find("is not a DNS name"), std::string::npos);
}

TEST(TlsCredentials, IssuingRequiresARealCaAndItsKey) {
  const Ca ca;
  const std::string subject = generate_private_key(KeyType::ed25519);
  // A party certificate (CA:FALSE) as the CA.
  const std::string party_key = generate_private_key(KeyType::ed25519);
  const std::string party_cert = self_signed_certificate(party_key, spec("party0"));
  EXPECT_NE(error_of([&] { issue_certificate(subject, spec("x"), party_key, party_cert); })
                .find("CA certificate 'party0' is not a CA certificate"),
            std::string::npos);
  // The CA certificate with some other key.
  EXPECT_NE(error_of([&] { issue_certificate(subject, spec("x"), party_key, ca.cert); })
                .find("the CA key does not belong to CA certificate 'test CA'"),
            std::string::npos);
  EXPECT_NE(error_of([&] { issue_certificate(subject, spec("x"), ca.key, "garbage"); }).find("CA certificate"),
            std::string::npos);
  EXPECT_NE(error_of([&] { issue_certificate("garbage", spec("x"), ca.key, ca.cert); }).find("subject key"),
            std::string::npos);
}

TEST(TlsCredentials, WritesKeyFilesWithMode0600WhateverTheUmask) {
  const TempDir dir;
  const std::string key = generate_private_key(KeyType::ed25519);
  const std::string cert = self_signed_certificate(key, spec("party0"));
  const mode_t old = ::umask(0);  // a umask that would leave 0666 / 0777
  write_private_key_file(dir / "a.key", key);
  write_certificate_file(dir / "a.crt", cert);
  ::umask(077);  // one that would take the certificate's read bits away
  write_certificate_file(dir / "b.crt", cert);
  ::umask(old);
  EXPECT_EQ(test::mode_of(dir / "a.key"), 0600u);
  EXPECT_EQ(test::mode_of(dir / "a.crt"), 0644u);
  EXPECT_EQ(test::mode_of(dir / "b.crt"), 0644u);
  EXPECT_EQ(read_private_key_file(dir / "a.key"), key);
  EXPECT_EQ(read_certificate_file(dir / "a.crt"), cert);
}

TEST(TlsCredentials, NeverOverwrites) {
  const TempDir dir;
  const std::string key = generate_private_key(KeyType::ed25519);
  write_private_key_file(dir / "a.key", key);
  const std::string other = generate_private_key(KeyType::ed25519);
  EXPECT_NE(error_of([&] { write_private_key_file(dir / "a.key", other); }).find("'" + (dir / "a.key") + "' already exists"),
            std::string::npos);
  EXPECT_EQ(test::slurp(dir / "a.key"), key);
  test::spit(dir / "a.crt", "old", 0644);
  EXPECT_NE(error_of([&] { write_certificate_file(dir / "a.crt", "new"); }).find("already exists"), std::string::npos);
  EXPECT_EQ(test::slurp(dir / "a.crt"), "old");
  // Nor writes through a symlink planted where the key goes.
  ASSERT_EQ(::symlink((dir / "target").c_str(), (dir / "link.key").c_str()), 0);
  EXPECT_NE(error_of([&] { write_private_key_file(dir / "link.key", key); }).find("already exists"), std::string::npos);
  EXPECT_FALSE(std::filesystem::exists(dir / "target"));
}

TEST(TlsCredentials, RefusesSharedKeyFilesWithTheFix) {
  const TempDir dir;
  const std::string key = generate_private_key(KeyType::p256);
  for (const unsigned mode : {0644u, 0640u, 0604u, 0620u, 0602u}) {
    const std::string path = dir / ("k" + std::to_string(mode) + ".key");
    test::spit(path, key, mode);
    char octal[8];
    std::snprintf(octal, sizeof octal, "%04o", mode);
    const std::string error = error_of([&] { read_private_key_file(path); });
    EXPECT_NE(error.find("'" + path + "' has mode " + octal), std::string::npos) << error;
    EXPECT_NE(error.find("chmod 600 " + path), std::string::npos) << error;
  }
  for (const unsigned mode : {0600u, 0400u}) {
    const std::string path = dir / ("ok" + std::to_string(mode) + ".key");
    test::spit(path, key, mode);
    EXPECT_EQ(read_private_key_file(path), key) << mode;
  }
}

TEST(TlsCredentials, RefusesMissingDirectoryAndGarbageFiles) {
  const TempDir dir;
  EXPECT_NE(error_of([&] { read_private_key_file(dir / "none.key"); }).find("'" + (dir / "none.key") + "' does not exist"),
            std::string::npos);
  EXPECT_NE(error_of([&] { read_certificate_file(dir / "none.crt"); }).find("does not exist"), std::string::npos);
  std::filesystem::create_directory(dir / "d.key");
  EXPECT_NE(error_of([&] { read_private_key_file(dir / "d.key"); }).find("is a directory, not a file"),
            std::string::npos);
  EXPECT_NE(error_of([&] { read_certificate_file(dir / "d.key"); }).find("is a directory"), std::string::npos);
  test::spit(dir / "garbage.key", "hello, not a key\n", 0600);
  EXPECT_NE(error_of([&] { read_private_key_file(dir / "garbage.key"); })
                .find("private key file '" + (dir / "garbage.key") + "': no PEM private key"),
            std::string::npos);
  test::spit(dir / "garbage.crt", "-----BEGIN CERTIFICATE-----\nnot base64!\n-----END CERTIFICATE-----\n", 0644);
  EXPECT_NE(error_of([&] { read_certificate_file(dir / "garbage.crt"); })
                .find("certificate file '" + (dir / "garbage.crt") + "': no PEM certificate"),
            std::string::npos);
  // A certificate where the key should be is not a key.
  const std::string key = generate_private_key(KeyType::ed25519);
  test::spit(dir / "cert-as.key", self_signed_certificate(key, spec("p")), 0600);
  EXPECT_NE(error_of([&] { read_private_key_file(dir / "cert-as.key"); }).find("no PEM private key"), std::string::npos);
}

TEST(TlsCredentials, RefusesEncryptedKeysWithoutPrompting) {
  const TempDir dir;
  const PkeyPtr key = parse_key(generate_private_key(KeyType::ed25519));
  std::unique_ptr<BIO, decltype(&BIO_free)> out(BIO_new_file((dir / "enc.key").c_str(), "w"), &BIO_free);
  char passphrase[] = "secret";
  ASSERT_EQ(PEM_write_bio_PKCS8PrivateKey(out.get(), key.get(), EVP_aes_256_cbc(), passphrase, 6, nullptr, nullptr), 1);
  out.reset();
  ::chmod((dir / "enc.key").c_str(), 0600);
  EXPECT_NE(error_of([&] { read_private_key_file(dir / "enc.key"); }).find("encrypted"), std::string::npos);
}

// Root reads any file, so as root the check runs in a child that has become
// "nobody" (uid/gid 65534) first; its message comes back through a pipe.
TEST(TlsCredentials, RefusesUnreadableKeyFile) {
  const TempDir dir;
  test::spit(dir / "locked.key", generate_private_key(KeyType::ed25519), 0000);
  const auto message_as_reader = [&]() {
    return error_of([&] { read_private_key_file(dir / "locked.key"); });
  };
  if (::geteuid() != 0) {
    EXPECT_NE(message_as_reader().find("cannot read private key file"), std::string::npos);
    return;
  }
  ASSERT_EQ(::chmod(dir.path().c_str(), 0711), 0);  // nobody may pass through, not list
  int pipe_fds[2];
  ASSERT_EQ(::pipe(pipe_fds), 0);
  const pid_t child = ::fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    ::close(pipe_fds[0]);
    std::string message = "could not become nobody";
    if (::setresgid(65534, 65534, 65534) == 0 && ::setresuid(65534, 65534, 65534) == 0) message = message_as_reader();
    const ssize_t written = ::write(pipe_fds[1], message.data(), message.size());
    ::_exit(written == static_cast<ssize_t>(message.size()) ? 0 : 1);
  }
  ::close(pipe_fds[1]);
  std::string message;
  char buffer[512];
  for (ssize_t got; (got = ::read(pipe_fds[0], buffer, sizeof buffer)) > 0;) message.append(buffer, static_cast<std::size_t>(got));
  ::close(pipe_fds[0]);
  int status = 0;
  ::waitpid(child, &status, 0);
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
  EXPECT_NE(message.find("cannot read private key file"), std::string::npos) << message;
  EXPECT_NE(message.find("locked.key"), std::string::npos) << message;
}

}  // namespace
}  // namespace meshmpc::net::tls
