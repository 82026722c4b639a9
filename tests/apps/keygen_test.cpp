// meshmpc-keygen as a user runs it: the files it leaves (names, modes, contents),
// the roster line it prints (parsed back and matched against the certificate),
// CA mode checked with OpenSSL's verifier, and the refusals with their exit codes.
#include <openssl/x509v3.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <sstream>

#include <meshmpc/net/tls/credentials.hpp>
#include <meshmpc/net/tls/fingerprint.hpp>

#include "../cli/process.hpp"
#include "../net/tls_test_util.hpp"

namespace meshmpc {
namespace {

using namespace std::chrono_literals;
using net::tls::test::mode_of;
using net::tls::test::slurp;
using net::tls::test::TempDir;
namespace tls = net::tls;

struct KeygenRun {
  int status = -1;
  std::string out;
  std::string err;
  std::vector<std::string> lines;  // stdout
};

KeygenRun keygen(std::vector<std::string> args) {
  args.insert(args.begin(), MESHMPC_KEYGEN_EXE);
  cli::test::Process p(args);
  const auto status = p.finish(60s);
  KeygenRun r;
  r.out = p.out();
  r.err = p.err();
  if (!status) {
    ADD_FAILURE() << "meshmpc-keygen did not finish\n" << r.err;
    return r;
  }
  r.status = WIFEXITED(*status) ? WEXITSTATUS(*status) : 128 + WTERMSIG(*status);
  std::istringstream in(r.out);
  for (std::string line; std::getline(in, line);) r.lines.push_back(line);
  return r;
}

std::string this_host() {
  char name[256] = {};
  ::gethostname(name, sizeof name - 1);
  return name;
}

// "host:port FINGERPRINT": the fingerprint parses and is the certificate's.
void expect_roster_line(const std::string& line, const std::string& endpoint, const std::string& cert_path) {
  const std::size_t space = line.find(' ');
  ASSERT_NE(space, std::string::npos) << line;
  EXPECT_EQ(line.substr(0, space), endpoint);
  const tls::Fingerprint printed = tls::parse_fingerprint(line.substr(space + 1), "printed line");
  EXPECT_EQ(printed, tls::fingerprint_of_pem(slurp(cert_path), cert_path)) << line;
  EXPECT_EQ(line.substr(space + 1), tls::format_fingerprint(printed)) << "not in the dashed form";
}

TEST(Keygen, MakesAPartyAndPrintsItsRosterLine) {
  const TempDir dir;
  const std::string d = dir / ".config";
  const KeygenRun r = keygen({"--index", "2", "--dir", d, "--endpoint", "alice.example.org:4002"});
  ASSERT_EQ(r.status, 0) << r.err;
  ASSERT_EQ(r.lines.size(), 1u) << r.out;
  expect_roster_line(r.lines[0], "alice.example.org:4002", d + "/party_2.crt");
  EXPECT_EQ(mode_of(d + "/party_2.key"), 0600u);
  EXPECT_EQ(mode_of(d + "/party_2.crt"), 0644u);
  EXPECT_EQ(tls::common_name(slurp(d + "/party_2.crt"), "test"), "party2");
  {
    // The endpoint's host is in the subjectAltName.
    const std::string pem = slurp(d + "/party_2.crt");
    std::unique_ptr<BIO, decltype(&BIO_free)> bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())), &BIO_free);
    std::unique_ptr<X509, decltype(&X509_free)> cert(PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr), &X509_free);
    ASSERT_TRUE(cert);
    EXPECT_EQ(X509_check_host(cert.get(), "alice.example.org", 0, 0, nullptr), 1);
  }
  const std::string key = tls::read_private_key_file(d + "/party_2.key");
  EXPECT_NE(key.find("BEGIN PRIVATE KEY"), std::string::npos);
  // stderr: one line naming both files.
  EXPECT_NE(r.err.find(d + "/party_2.key"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find(d + "/party_2.crt"), std::string::npos) << r.err;
  EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << r.err;
}

TEST(Keygen, DefaultsToThisHostAndBasePortPlusIndex) {
  const TempDir dir;
  const KeygenRun r = keygen({"-I", "3", "--dir", dir / "c", "--type", "p256", "--name", "carol", "--days", "10"});
  ASSERT_EQ(r.status, 0) << r.err;
  ASSERT_EQ(r.lines.size(), 1u) << r.out;
  expect_roster_line(r.lines[0], this_host() + ":11368", dir / "c/party_3.crt");
  const std::string cert = slurp(dir / "c/party_3.crt");
  EXPECT_EQ(tls::common_name(cert, "test"), "carol");
  // --days 10 (the window opens an hour early for clocks a little behind).
  const tls::Validity v = tls::validity(cert, "test");
  std::tm before{};
  std::tm after{};
  ASSERT_NE(strptime(v.not_before.c_str(), "%Y-%m-%dT%H:%M:%SZ", &before), nullptr);
  ASSERT_NE(strptime(v.not_after.c_str(), "%Y-%m-%dT%H:%M:%SZ", &after), nullptr);
  EXPECT_EQ(::timegm(&after) - ::timegm(&before), 10 * 86400 + 3600);
  const std::string key = slurp(dir / "c/party_3.key");
  EXPECT_NE(key.find("BEGIN PRIVATE KEY"), std::string::npos);
}

TEST(Keygen, CaModeIssuesCertificatesThatVerify) {
  const TempDir dir;
  const KeygenRun ca = keygen({"--ca", "--dir", dir / "ca"});
  ASSERT_EQ(ca.status, 0) << ca.err;
  EXPECT_TRUE(ca.out.empty()) << ca.out;
  EXPECT_EQ(mode_of(dir / "ca/meshmpc_ca.key"), 0600u);
  EXPECT_EQ(mode_of(dir / "ca/meshmpc_ca.crt"), 0644u);
  const std::string ca_cert = slurp(dir / "ca/meshmpc_ca.crt");
  EXPECT_EQ(tls::common_name(ca_cert, "test"), "meshmpc CA");

  const KeygenRun parties = keygen({"-M", "3", "--ca-dir", dir / "ca", "--dir", dir / "p", "--type", "p256"});
  ASSERT_EQ(parties.status, 0) << parties.err;
  ASSERT_EQ(parties.lines.size(), 3u) << parties.out;
  for (std::size_t i = 0; i < 3; ++i) {
    const std::string cert_path = dir / ("p/party_" + std::to_string(i) + ".crt");
    expect_roster_line(parties.lines[i], this_host() + ":" + std::to_string(11365 + i), cert_path);
    EXPECT_EQ(net::tls::test::verify_with_openssl(slurp(cert_path), ca_cert), X509_V_OK) << cert_path;
    EXPECT_EQ(tls::common_name(slurp(cert_path), "test"), "party" + std::to_string(i));
    EXPECT_EQ(mode_of(dir / ("p/party_" + std::to_string(i) + ".key")), 0600u);
  }
  // A self-signed party is not vouched for by the CA.
  ASSERT_EQ(keygen({"-I", "0", "--dir", dir / "self"}).status, 0);
  EXPECT_NE(net::tls::test::verify_with_openssl(slurp(dir / "self/party_0.crt"), ca_cert), X509_V_OK);
}

TEST(Keygen, RefusesACaKeyOthersCanRead) {
  const TempDir dir;
  ASSERT_EQ(keygen({"--ca", "--dir", dir / "ca", "--name", "Org CA"}).status, 0);
  ::chmod((dir / "ca/meshmpc_ca.key").c_str(), 0640);
  const KeygenRun r = keygen({"-I", "0", "--ca-dir", dir / "ca", "--dir", dir / "p"});
  EXPECT_EQ(r.status, 1) << r.err;
  EXPECT_NE(r.err.find("chmod 600 " + (dir / "ca/meshmpc_ca.key")), std::string::npos) << r.err;
  EXPECT_FALSE(std::filesystem::exists(dir / "p/party_0.key")) << "made a key despite the refusal";
}

TEST(Keygen, RefusesANonCaDirectory) {
  const TempDir dir;
  // A party's files renamed as a CA's: the certificate is not a CA.
  ASSERT_EQ(keygen({"-I", "0", "--dir", dir / "x"}).status, 0);
  std::filesystem::rename(dir / "x/party_0.key", dir / "x/meshmpc_ca.key");
  std::filesystem::rename(dir / "x/party_0.crt", dir / "x/meshmpc_ca.crt");
  const KeygenRun r = keygen({"-I", "1", "--ca-dir", dir / "x", "--dir", dir / "p"});
  EXPECT_EQ(r.status, 1);
  EXPECT_NE(r.err.find("is not a CA certificate"), std::string::npos) << r.err;
  const KeygenRun missing = keygen({"-I", "1", "--ca-dir", dir / "nowhere", "--dir", dir / "p"});
  EXPECT_EQ(missing.status, 1);
  EXPECT_NE(missing.err.find("meshmpc_ca.key' does not exist"), std::string::npos) << missing.err;
}

TEST(Keygen, FingerprintReprintsTheLine) {
  const TempDir dir;
  const KeygenRun made = keygen({"-I", "0", "--dir", dir / "d", "--endpoint", "[::1]:5000"});
  ASSERT_EQ(made.status, 0) << made.err;
  const KeygenRun printed = keygen({"--fingerprint", dir / "d/party_0.crt"});
  ASSERT_EQ(printed.status, 0) << printed.err;
  ASSERT_EQ(printed.lines.size(), 1u);
  EXPECT_EQ("[::1]:5000 " + printed.lines[0], made.lines.at(0));
  const KeygenRun garbage = keygen({"--fingerprint", dir / "d/party_0.key"});
  EXPECT_EQ(garbage.status, 1);
  EXPECT_NE(garbage.err.find("no PEM certificate"), std::string::npos) << garbage.err;
}

TEST(Keygen, NeverOverwritesExistingFiles) {
  const TempDir dir;
  ASSERT_EQ(keygen({"-I", "1", "--dir", dir / "d"}).status, 0);
  const std::string key = slurp(dir / "d/party_1.key");
  const std::string cert = slurp(dir / "d/party_1.crt");
  const KeygenRun again = keygen({"-M", "3", "--dir", dir / "d"});
  EXPECT_EQ(again.status, 1);
  EXPECT_TRUE(again.out.empty()) << again.out;
  EXPECT_NE(again.err.find(dir / "d/party_1.key"), std::string::npos) << again.err;
  EXPECT_NE(again.err.find("already exist"), std::string::npos) << again.err;
  EXPECT_NE(again.err.find("remove them first"), std::string::npos) << again.err;
  EXPECT_EQ(slurp(dir / "d/party_1.key"), key);
  EXPECT_EQ(slurp(dir / "d/party_1.crt"), cert);
  // All or nothing: party 0 and 2 were not made either.
  EXPECT_FALSE(std::filesystem::exists(dir / "d/party_0.key"));
  EXPECT_FALSE(std::filesystem::exists(dir / "d/party_2.key"));
  ASSERT_EQ(keygen({"--ca", "--dir", dir / "d"}).status, 0);
  EXPECT_EQ(keygen({"--ca", "--dir", dir / "d"}).status, 1);
}

TEST(Keygen, BadCommandLinesExit2WithOneLine) {
  const TempDir dir;
  const std::string d = dir / "d";
  const std::vector<std::pair<std::vector<std::string>, std::string>> cases = {
      {{}, "nothing to do"},
      {{"--bogus"}, "unrecognised option '--bogus'"},
      {{"-I", "x", "--dir", d}, "-I/--index: 'x' is not a whole number"},
      {{"-I", "-1", "--dir", d}, "-I/--index"},
      {{"-M", "2", "-I", "2", "--dir", d}, "-I/--index: 2 is out of range (0..1)"},
      {{"-M", "0", "--dir", d}, "-M/--parties: 0 is out of range"},
      {{"-M", "2", "--name", "x", "--dir", d}, "--name cannot be used with -M N"},
      {{"-M", "2", "--endpoint", "h:1", "--dir", d}, "--endpoint cannot be used with -M N"},
      {{"--ca", "-I", "0", "--dir", d}, "give one of"},
      {{"--ca", "--ca-dir", d, "--dir", d}, "--ca-dir cannot be used with --ca"},
      {{"--fingerprint", "x.crt", "--dir", d}, "--dir cannot be used with --fingerprint"},
      {{"-I", "0", "--type", "rsa", "--dir", d}, "--type: key type 'rsa': expected ed25519 or p256"},
      {{"-I", "0", "--endpoint", "hostonly", "--dir", d}, "expected host:port"},
      {{"-I", "0", "--endpoint", "h:70000", "--dir", d}, "port: 70000 is out of range"},
      {{"-I", "0", "--endpoint", "::1:80", "--dir", d}, "IPv6 address goes in brackets"},
      {{"-I", "0", "--days", "0", "--dir", d}, "--days: 0 is out of range"},
      {{"-I", "0", "--name", "", "--dir", d}, "--name: the common name is empty"},
      {{"-I", "1000", "--dir", d}, "-I/--index: 1000 is out of range (0..999)"},
      {{"-I", "0", "extra", "--dir", d}, "unexpected argument 'extra'"},
  };
  for (const auto& [args, expected] : cases) {
    const KeygenRun r = keygen(args);
    std::string shown;
    for (const std::string& a : args) shown += a + ' ';
    EXPECT_EQ(r.status, 2) << shown << "\n" << r.err;
    EXPECT_EQ(r.err.rfind("meshmpc-keygen: ", 0), 0u) << shown << "\n" << r.err;
    EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << shown << "\n" << r.err;
    EXPECT_NE(r.err.find(expected), std::string::npos) << shown << "\n" << r.err;
    EXPECT_TRUE(r.out.empty()) << shown << "\n" << r.out;
  }
  EXPECT_FALSE(std::filesystem::exists(d)) << "a bad command line wrote files";
}

TEST(Keygen, HelpNamesEveryOption) {
  const KeygenRun r = keygen({"--help"});
  ASSERT_EQ(r.status, 0) << r.err;
  for (const char* option : {"--index", "--parties", "--dir", "--type", "--name", "--endpoint", "--days", "--ca",
                             "--ca-dir", "--fingerprint"}) {
    EXPECT_NE(r.out.find(option), std::string::npos) << option;
  }
}

}  // namespace
}  // namespace meshmpc
