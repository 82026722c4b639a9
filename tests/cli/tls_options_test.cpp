// The TLS options and the plaintext rule on the command line: what is refused,
// with which message, before any party starts.
#include <gtest/gtest.h>

#include "parse_util.hpp"
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include <meshmpc/cli/options.hpp>
#include <meshmpc/cli/transport_plugin.hpp>
#include <meshmpc/error.hpp>
#include <meshmpc/net/tls/credentials.hpp>

namespace meshmpc::cli {
namespace {

using test::contains;
using test::error_of;
using test::parse;

namespace fs = std::filesystem;
namespace tls = net::tls;

// A temporary directory with a key pair for party 0 and one pinned peer.
struct KeyDir {
  KeyDir() {
    std::string pattern = (fs::temp_directory_path() / "meshmpc-tls-options-XXXXXX").string();
    if (::mkdtemp(pattern.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
    dir = pattern;
    key = (dir / "party_0.key").string();
    cert = (dir / "party_0.crt").string();
    const std::string key_pem = tls::generate_private_key(tls::KeyType::ed25519);
    tls::CertificateSpec spec;
    spec.common_name = "party0";
    tls::write_private_key_file(key, key_pem);
    tls::write_certificate_file(cert, tls::self_signed_certificate(key_pem, spec));
    tls::CertificateSpec peer_spec;
    peer_spec.common_name = "party1";
    peer = tls::format_fingerprint(tls::fingerprint_of_pem(
        tls::self_signed_certificate(tls::generate_private_key(tls::KeyType::p256), peer_spec), "peer"));
  }
  ~KeyDir() {
    std::error_code ignored;
    fs::remove_all(dir, ignored);
  }
  fs::path dir;
  std::string key, cert, peer;
};

TEST(TlsOptions, PlaintextToAnotherHostIsRefusedNamingTheAddressAndTheWayOut) {
  const std::string m = error_of({"-I", "0", "-P", "127.0.0.1:5000", "-P", "192.0.2.7:5001"});
  EXPECT_TRUE(contains(m, "party 1 (party1) at 192.0.2.7:5001 is not on this machine")) << m;
  EXPECT_TRUE(contains(m, "--ssl")) << m;
  EXPECT_TRUE(contains(m, "--transport tailscale")) << m;
  EXPECT_TRUE(contains(m, "--insecure-plaintext")) << m;
  // A name is not known to be local either.
  EXPECT_TRUE(contains(error_of({"-I", "0", "-P", "localhost:5000", "-P", "bob.example:5001"}), "bob.example:5001"));
}

TEST(TlsOptions, LoopbackStaysPlaintextAndInsecurePlaintextIsAskedForByName) {
  EXPECT_FALSE(parse({"-I", "0", "-P", "127.0.0.1:5000", "-P", "localhost:5001", "-P", "[::1]:5002"}).ssl);
  const RunOptions o = parse({"-I", "0", "-P", "127.0.0.1:5000", "-P", "192.0.2.7:5001", "--insecure-plaintext"});
  EXPECT_TRUE(o.insecure_plaintext);
  EXPECT_FALSE(o.ssl);
  EXPECT_FALSE(parse({"-M", "3"}).ssl);  // a local launch: loopback, fast
}

TEST(TlsOptions, RosterLineWithFingerprintPinsThePartyAndImpliesTls) {
  const KeyDir keys;
  const RunOptions o = parse({"-I", "0", "-P", ":5000", "-P", "192.0.2.7:5001 " + keys.peer, "--ssl-key", keys.key,
                              "--ssl-cert", keys.cert});
  EXPECT_TRUE(o.ssl);
  ASSERT_TRUE(o.addresses[1].tls_fingerprint.has_value());
  EXPECT_EQ(tls::format_fingerprint(*o.addresses[1].tls_fingerprint), keys.peer);
  EXPECT_EQ(o.addresses[1].endpoints.front().host, "192.0.2.7");
}

TEST(TlsOptions, FingerprintTypoIsReportedAsATypoInTheRosterLine) {
  const KeyDir keys;
  std::string typo = keys.peer;
  typo[3] = typo[3] == 'A' ? 'B' : 'A';
  const std::string m = error_of({"-I", "0", "-P", ":5000", "-P", "192.0.2.7:5001 " + typo});
  EXPECT_TRUE(contains(m, "-P/--party '192.0.2.7:5001 " + typo + "'")) << m;
  EXPECT_TRUE(contains(m, "typo")) << m;
}

TEST(TlsOptions, UnpinnedPeerWithoutCaIsRefused) {
  const KeyDir keys;
  const std::string m = error_of({"--ssl", "-I", "0", "-P", ":5000", "-P", "192.0.2.7:5001", "--ssl-key", keys.key,
                                  "--ssl-cert", keys.cert});
  EXPECT_TRUE(contains(m, "party 1 (party1) has no certificate fingerprint in the roster and no CA is given")) << m;
}

TEST(TlsOptions, WorldReadableKeyIsRefusedNamingTheFileAndTheFix) {
  const KeyDir keys;
  ASSERT_EQ(::chmod(keys.key.c_str(), 0644), 0);
  const std::string m = error_of({"-I", "0", "-P", ":5000", "-P", "192.0.2.7:5001 " + keys.peer, "--ssl-key",
                                  keys.key, "--ssl-cert", keys.cert});
  EXPECT_TRUE(contains(m, "--ssl-key")) << m;
  EXPECT_TRUE(contains(m, keys.key)) << m;
  EXPECT_TRUE(contains(m, "chmod 600")) << m;
}

TEST(TlsOptions, MissingAndMalformedKeyFilesAreRefusedNamingTheFile) {
  const KeyDir keys;
  const std::vector<std::string> base{"-I", "0", "-P", ":5000", "-P", "192.0.2.7:5001 " + keys.peer, "--ssl-cert",
                                      keys.cert};
  std::vector<std::string> missing = base;
  missing.insert(missing.end(), {"--ssl-key", (keys.dir / "nothing.key").string()});
  const std::string m1 = error_of(missing);
  EXPECT_TRUE(contains(m1, "--ssl-key")) << m1;
  EXPECT_TRUE(contains(m1, "nothing.key")) << m1;

  const std::string garbage = (keys.dir / "garbage.key").string();
  std::ofstream(garbage) << "-----BEGIN PRIVATE KEY-----\nnot a key\n-----END PRIVATE KEY-----\n";
  ASSERT_EQ(::chmod(garbage.c_str(), 0600), 0);
  std::vector<std::string> malformed = base;
  malformed.insert(malformed.end(), {"--ssl-key", garbage});
  const std::string m2 = error_of(malformed);
  EXPECT_TRUE(contains(m2, "garbage.key")) << m2;

  // Another pair's key with this certificate.
  const std::string other = (keys.dir / "other.key").string();
  tls::write_private_key_file(other, tls::generate_private_key(tls::KeyType::ed25519));
  std::vector<std::string> mismatched = base;
  mismatched.insert(mismatched.end(), {"--ssl-key", other});
  EXPECT_TRUE(contains(error_of(mismatched), "must be one pair"));
}

TEST(TlsOptions, ContradictionsAreRefused) {
  EXPECT_TRUE(contains(error_of({"-M", "3", "--ssl", "--insecure-plaintext"}), "contradicts TLS"));
  EXPECT_TRUE(contains(error_of({"-M", "3", "--ssl-key", "mine.key"}), "starts every party here"));
  if (find_transport_plugin("nebula")) {  // built without it, it is refused as such (transport_list_test.cpp)
    EXPECT_TRUE(contains(error_of({"-M", "3", "--ssl", "--transport", "nebula"}), "already encrypts"));
  }
}

TEST(TlsOptions, ConfigFileCarriesThePin) {
  const KeyDir keys;
  const std::string file = (keys.dir / "parties.ini").string();
  std::ofstream(file) << "[alice]\nhost =\nport = 5000\n\n[bob]\nhost = 192.0.2.7\nport = 5001\nfingerprint = "
                      << keys.peer << "\n";
  const RunOptions o = parse({"-C", file, "--ssl-key", keys.key, "--ssl-cert", keys.cert});
  EXPECT_TRUE(o.ssl);
  ASSERT_TRUE(o.addresses[1].tls_fingerprint.has_value());
  EXPECT_EQ(tls::format_fingerprint(*o.addresses[1].tls_fingerprint), keys.peer);

  std::ofstream(file) << "[alice]\nhost =\nport = 5000\n\n[bob]\nhost = 192.0.2.7\nport = 5001\nfingerprint = nonsense\n";
  const std::string m = error_of({"-C", file});
  EXPECT_TRUE(contains(m, "[bob]: field 'fingerprint'")) << m;
}

}  // namespace
}  // namespace meshmpc::cli
