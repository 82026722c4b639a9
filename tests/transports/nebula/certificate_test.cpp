// Nebula v1 certificates: parsing (against nebula-cert's own print -json and a
// certificate decoded byte by byte), verification against the CA at a given
// time, and one test per way a certificate can be refused.
#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <functional>
#include <initializer_list>

#include <meshmpc/hex.hpp>
#include <meshmpc/nebula/ca_pool.hpp>
#include <meshmpc/nebula/host_key.hpp>
#include "certificate_fault.hpp"
#include "pki.hpp"

namespace meshmpc::nebula {
namespace {

using test::Pki;
using test::TempDir;

// Made with nebula-cert 1.6.1 and decoded byte by byte (docs/transports/nebula.md):
// the CA mpc-ca (groups mpc, admin; 192.168.100.0/24) and host p1 signed by it.
constexpr std::string_view kKnownCa = R"(-----BEGIN NEBULA CERTIFICATE-----
ClAKBm1wYy1jYRIKgMihhQyA/v//DyIDbXBjIgVhZG1pbiiflpjYBjCf/ZznBjog
qXjCmEjU3D7/iib3h5ZB9GTvpds/FE7oins74/eN2RlAARJAb4CvcrybIMLwBbam
E2ZknU+EpXuCc30tQu2tzPAq+PnndP88PsajyaBE+PufNpLHems0gjw5rkBzhl3+
ePQiCA==
-----END NEBULA CERTIFICATE-----
)";
constexpr std::string_view kKnownHost = R"(-----BEGIN NEBULA CERTIFICATE-----
CmUKAnAxEgqCyKGFDID+//8PIgNtcGMon5aY2AYwn7md2AY6ICA48Ge9RYTuKNG7
A+bDUMJIVN38D6SKRlM0SkYZBN4FSiCYVIK+YN0HRIhqY7jpTBKH0wlsG9mPNkbI
1o/K5jwYxxJApls+CpeBeoaxIuVGOaTiZQljnq9giAj4nCw0nH6La67KFaDjVrlQ
9+u1zqWOiPFfXnBFPECTQ2RMzcTTOeASAA==
-----END NEBULA CERTIFICATE-----
)";
const UnixSeconds kKnownNow{std::chrono::seconds(1795600000)};  // inside p1's day of validity

using test::expect_fault;
using test::fault_of;

TEST(KnownCertificate, DecodesEveryField) {
  const Certificate ca = parse_certificates(kKnownCa, "ca").at(0);
  const Certificate p1 = parse_certificates(kKnownHost, "p1").at(0);
  EXPECT_EQ(ca.name, "mpc-ca");
  EXPECT_TRUE(ca.is_ca);
  EXPECT_EQ(ca.groups, (std::vector<std::string>{"mpc", "admin"}));
  ASSERT_EQ(ca.networks.size(), 1u);
  EXPECT_EQ(to_string(ca.networks[0]), "192.168.100.0/24");
  EXPECT_EQ(ca.fingerprint_hex(), "985482be60dd0744886a63b8e94c1287d3096c1bd98f3646c8d68fcae63c18c7");
  EXPECT_EQ(ca.not_before.time_since_epoch().count(), 1795558175);
  EXPECT_EQ(ca.not_after.time_since_epoch().count(), 1827094175);
  EXPECT_EQ(p1.name, "p1");
  EXPECT_FALSE(p1.is_ca);
  EXPECT_EQ(to_string(p1.networks.at(0)), "192.168.100.2/24");
  EXPECT_EQ(p1.groups, std::vector<std::string>{"mpc"});
  EXPECT_EQ(p1.issuer_hex(), ca.fingerprint_hex());
  EXPECT_EQ(p1.fingerprint_hex(), "2bd57991970481c7b503d76ac22efa682c59a3da8cd40574aeebee54b1b64e83");
  EXPECT_EQ(to_string(p1.not_after), "2026-11-25T22:09:35Z");
  EXPECT_EQ(p1.details.size(), 101u);
}

TEST(KnownCertificate, VerifiesOnlyInsideItsValidity) {
  const CaPool pool(parse_certificates(kKnownCa, "ca"));
  const Certificate p1 = parse_certificates(kKnownHost, "p1").at(0);
  EXPECT_EQ(pool.verify(p1, kKnownNow).name, "mpc-ca");
  EXPECT_EQ(pool.verify(p1, p1.not_after).name, "mpc-ca");  // both bounds inclusive
  EXPECT_EQ(pool.verify(p1, p1.not_before).name, "mpc-ca");
  expect_fault(CertificateFault::expired, [&] { pool.verify(p1, p1.not_after + std::chrono::seconds(1)); },
               {"has expired", "2026-11-25T22:09:35Z"});
  // p1 was signed the second its CA was made: before that, the CA is not valid either.
  expect_fault(CertificateFault::expired, [&] { pool.verify(p1, p1.not_before - std::chrono::seconds(1)); },
               {"mpc-ca", "is not valid at 2026-11-24T22:09:34Z"});
}

TEST(KnownCertificate, EncodesBackToTheSameBytes) {
  const auto blocks = decode_pem(kKnownHost, "p1");
  const Certificate p1 = parse_certificate(blocks.at(0).body, CertificateVersion::v1, "p1");
  EXPECT_EQ(encode_certificate(p1), blocks.at(0).body);
  EXPECT_EQ(encode_details(p1), p1.details);
}

TEST(KnownCertificate, OneFlippedByteBreaksTheSignature) {
  const CaPool pool(parse_certificates(kKnownCa, "ca"));
  auto body = decode_pem(kKnownHost, "p1").at(0).body;
  body[4] = std::byte{'q'};  // "p1" -> "q1"
  const Certificate forged = parse_certificate(body, CertificateVersion::v1, "forged");
  EXPECT_EQ(forged.name, "q1");
  expect_fault(CertificateFault::bad_signature, [&] { pool.verify(forged, kKnownNow); },
               {"signature does not match", "q1"});
}

TEST(Malformed, EveryKindNamesTheSourceAndPlace) {
  auto body = decode_pem(kKnownHost, "p1").at(0).body;
  const std::vector<std::byte> truncated(body.begin(), body.begin() + 50);
  expect_fault(CertificateFault::malformed, [&] { parse_certificate(truncated, CertificateVersion::v1, "cut.crt"); },
               {"cut.crt", "runs past the end"});
  expect_fault(CertificateFault::malformed, [&] { parse_certificates("no pem here", "x.crt"); },
               {"x.crt", "no '-----BEGIN"});
  expect_fault(CertificateFault::malformed,
               [&] { parse_certificates("-----BEGIN NEBULA CERTIFICATE-----\nCmUK\n", "open.crt"); },
               {"open.crt", "has no END"});
  expect_fault(CertificateFault::malformed,
               [&] {
                 parse_certificates("-----BEGIN NEBULA CERTIFICATE-----\n!!!!\n-----END NEBULA CERTIFICATE-----\n",
                                    "b64.crt");
               },
               {"b64.crt", "base64"});
  // An empty block: an empty body, then refused as a certificate (found by fuzzing,
  // fuzz/corpus/nebula_pem/empty_block: libsodium was handed a null output pointer).
  const std::string empty_block = "-----BEGIN NEBULA CERTIFICATE-----\n-----END NEBULA CERTIFICATE-----\n";
  const auto empty = decode_pem(empty_block, "empty.crt");
  ASSERT_EQ(empty.size(), 1u);
  EXPECT_TRUE(empty[0].body.empty());
  expect_fault(CertificateFault::malformed, [&] { parse_certificates(empty_block, "empty.crt"); }, {"empty.crt"});
  expect_fault(
      CertificateFault::malformed,
      [&] { parse_certificates(test::to_pem("NEBULA X25519 PRIVATE KEY", std::vector<std::byte>(32)), "k.key"); },
      {"found 'NEBULA X25519 PRIVATE KEY'"});
  // A field Nebula does not write (number 11): refused, as Nebula's re-encoding would.
  auto extra = body;
  extra[1] = std::byte{0x67};
  const std::vector<std::byte> tail{std::byte{0x58}, std::byte{0x01}};
  extra.insert(extra.begin() + 2 + 0x65, tail.begin(), tail.end());
  expect_fault(CertificateFault::malformed, [&] { parse_certificate(extra, CertificateVersion::v1, "extra.crt"); }, {"field 11"});
  // The same details with a default written out (IsCA = false): not canonical.
  auto defaulted = body;
  defaulted[1] = std::byte{0x67};
  const std::vector<std::byte> is_ca_false{std::byte{0x40}, std::byte{0x00}};
  defaulted.insert(defaulted.begin() + 2 + 0x43, is_ca_false.begin(), is_ca_false.end());  // before Issuer (0x4a)
  expect_fault(CertificateFault::malformed, [&] { parse_certificate(defaulted, CertificateVersion::v1, "default.crt"); },
               {"not encoded the way"});
  // A mask that is not ones-then-zeros (255.0.255.0, the same varint length as
  // p1's 255.255.255.0): Nebula would read /0 and never verify it; refused by name.
  auto holes = body;
  const std::vector<std::byte> mask{std::byte{0x80}, std::byte{0xfe}, std::byte{0x83}, std::byte{0xf8}, std::byte{0x0f}};
  std::copy(mask.begin(), mask.end(), holes.begin() + 13);
  expect_fault(CertificateFault::malformed, [&] { parse_certificate(holes, CertificateVersion::v1, "holes.crt"); },
               {"holes.crt", "at byte 13", "mask 255.0.255.0 of 192.168.100.2 is not contiguous"});
  // A P-256 curve (field 100) with p1's 32-byte X25519 key: refused for the key's
  // size under that curve, not for the 64-byte signature.
  auto p256 = body;
  p256[1] = std::byte{0x68};
  const std::vector<std::byte> curve{std::byte{0xa0}, std::byte{0x06}, std::byte{0x01}};
  p256.insert(p256.begin() + 2 + 0x65, curve.begin(), curve.end());
  expect_fault(CertificateFault::malformed, [&] { parse_certificate(p256, CertificateVersion::v1, "p256.crt"); },
               {"p256.crt", "the public key has 32 bytes; a P-256 key (P-256) has 65"});
  expect_fault(CertificateFault::unreadable, [&] { read_certificate("/nonexistent/meshmpc/p1.crt"); },
               {"cannot read certificate file '/nonexistent/meshmpc/p1.crt'"});
}

class WithNebulaCert : public testing::Test {
 protected:
  void SetUp() override {
    if (!test::have_program("nebula-cert")) GTEST_SKIP() << "nebula-cert is not installed (apt-get install nebula)";
  }
};

TEST_F(WithNebulaCert, ParsesWhatNebulaCertPrints) {
  TempDir dir;
  const Pki pki(dir.path());
  const std::string path = pki.sign("alice", "10.213.0.11/16", "mpc,admin", "48h");
  const Certificate alice = read_certificate(path);
  const Certificate ca = read_certificate(pki.ca_crt());
  const auto printed = boost::json::parse(test::run({"nebula-cert", "print", "-json", "-path", path})).as_object();
  const auto& details = printed.at("details").as_object();
  EXPECT_EQ(alice.name, details.at("name").as_string());
  EXPECT_EQ(alice.fingerprint_hex(), printed.at("fingerprint").as_string());
  EXPECT_EQ(to_hex(alice.signature), printed.at("signature").as_string());
  EXPECT_EQ(to_hex(alice.public_key), details.at("publicKey").as_string());
  EXPECT_EQ(alice.issuer_hex(), details.at("issuer").as_string());
  EXPECT_EQ(alice.issuer_hex(), ca.fingerprint_hex());
  EXPECT_EQ(to_string(alice.not_before), details.at("notBefore").as_string());
  EXPECT_EQ(to_string(alice.not_after), details.at("notAfter").as_string());
  EXPECT_EQ(details.at("isCa").as_bool(), alice.is_ca);
  ASSERT_EQ(details.at("ips").as_array().size(), 1u);
  EXPECT_EQ(to_string(alice.networks.at(0)), details.at("ips").as_array()[0].as_string());
  std::vector<std::string> groups;
  for (const auto& g : details.at("groups").as_array()) groups.emplace_back(g.as_string());
  EXPECT_EQ(alice.groups, groups);
  EXPECT_EQ(alice.not_after - alice.not_before, std::chrono::hours(48));
}

TEST_F(WithNebulaCert, VerifiesAHostAndItsKey) {
  TempDir dir;
  const Pki pki(dir.path());
  const Certificate alice = read_certificate(pki.sign("alice", "10.213.0.11/16"));
  const CaPool pool = CaPool::from_file(pki.ca_crt());
  EXPECT_EQ(pool.verify(alice, now_seconds()).name, "mpc-ca");
  require_group(alice, "mpc");
  EXPECT_EQ(overlay_address(alice).address_string(), "10.213.0.11");
  check_host_key(alice, read_text_file(pki.key("alice"), "key"), pki.key("alice"));
  pki.sign("bob", "10.213.0.12/16");
  expect_fault(CertificateFault::key_mismatch,
               [&] { check_host_key(alice, read_text_file(pki.key("bob"), "key"), "bob.key"); },
               {"bob.key", "does not belong to certificate 'alice'"});
  expect_fault(CertificateFault::malformed,
               [&] { check_host_key(alice, read_text_file(pki.ca_key(), "key"), "ca.key"); },
               {"NEBULA ED25519 PRIVATE KEY"});
}

TEST_F(WithNebulaCert, ExpiresWithItsDurationAndItsCa) {
  TempDir dir;
  const Pki pki(dir.path(), "short-ca", "mpc", "", "2h");
  const Certificate alice = read_certificate(pki.sign("alice", "10.213.0.11/16", "mpc", "1h"));
  const CaPool pool = CaPool::from_file(pki.ca_crt());
  const UnixSeconds now = now_seconds();
  EXPECT_NO_THROW(pool.verify(alice, now));
  expect_fault(CertificateFault::expired, [&] { pool.verify(alice, now + std::chrono::minutes(61)); },
               {"has expired", "certificate 'alice'"});
  expect_fault(CertificateFault::expired, [&] { pool.verify(alice, now + std::chrono::minutes(121)); },
               {"short-ca", "is not valid"});
}

TEST_F(WithNebulaCert, RefusesACertificateExpiredWhenSigned) {
  // nebula-cert cannot backdate: sign ourselves with the CA key.
  TempDir dir;
  const Pki pki(dir.path());
  Certificate alice = read_certificate(pki.sign("alice", "10.213.0.11/16"));
  const Certificate ca = read_certificate(pki.ca_crt());
  alice.not_before = ca.not_before;
  alice.not_after = ca.not_before + std::chrono::seconds(1);
  test::write_file(dir / "old.crt", test::resign(alice, pki.ca_key()));
  const Certificate old = read_certificate(dir / "old.crt");
  const CaPool pool = CaPool::from_file(pki.ca_crt());
  EXPECT_NO_THROW(pool.verify(old, ca.not_before));
  if (now_seconds() > old.not_after) {
    expect_fault(CertificateFault::expired, [&] { pool.verify(old, now_seconds()); }, {"has expired"});
  }
  expect_fault(CertificateFault::expired, [&] { pool.verify(old, ca.not_before + std::chrono::seconds(2)); },
               {"has expired", to_string(old.not_after).c_str()});
  // Valid only from tomorrow on, inside its CA's validity.
  Certificate future = alice;
  future.not_before = now_seconds() + std::chrono::hours(24);
  future.not_after = ca.not_after;
  test::write_file(dir / "future.crt", test::resign(future, pki.ca_key()));
  const Certificate tomorrow = read_certificate(dir / "future.crt");
  expect_fault(CertificateFault::expired, [&] { pool.verify(tomorrow, now_seconds()); },
               {"certificate 'alice'", "is not valid yet", to_string(tomorrow.not_before).c_str()});
  EXPECT_NO_THROW(pool.verify(tomorrow, tomorrow.not_before));
}

TEST_F(WithNebulaCert, RefusesACertificateOfAnotherCaUnlessBundled) {
  TempDir dir;
  const Pki ours(dir.path() / "ours");
  const Pki theirs(dir.path() / "theirs", "other-ca");
  const Certificate mallory = read_certificate(theirs.sign("mallory", "10.213.0.66/16"));
  const CaPool pool = CaPool::from_file(ours.ca_crt());
  expect_fault(CertificateFault::unknown_ca, [&] { pool.verify(mallory, now_seconds()); },
               {"mallory", "does not trust", mallory.issuer_hex().c_str()});
  test::write_file(dir / "bundle.crt",
                   test::read_text_file_or_empty(ours.ca_crt()) + test::read_text_file_or_empty(theirs.ca_crt()));
  const CaPool bundle = CaPool::from_file(dir / "bundle.crt");
  EXPECT_EQ(bundle.verify(mallory, now_seconds()).name, "other-ca");
}

TEST_F(WithNebulaCert, RefusesWhatTheCaDoesNotAllow) {
  TempDir dir;
  const Pki pki(dir.path(), "mpc-ca", "mpc,admin", "10.213.0.0/16");
  const CaPool pool = CaPool::from_file(pki.ca_crt());
  Certificate alice = read_certificate(pki.sign("alice", "10.213.0.11/16"));
  Certificate outside = alice;
  outside.networks = {IpNetwork::v4(0x0A010009u, 24)};  // 10.1.0.9/24
  test::write_file(dir / "outside.crt", test::resign(outside, pki.ca_key()));
  expect_fault(CertificateFault::ca_constraint,
               [&] { pool.verify(read_certificate(dir / "outside.crt"), now_seconds()); },
               {"10.1.0.9/24", "outside", "10.213.0.0/16"});
  Certificate group = alice;
  group.groups = {"mpc", "other"};
  test::write_file(dir / "group.crt", test::resign(group, pki.ca_key()));
  expect_fault(CertificateFault::ca_constraint,
               [&] { pool.verify(read_certificate(dir / "group.crt"), now_seconds()); }, {"group 'other'"});
  Certificate late = alice;
  late.not_after = read_certificate(pki.ca_crt()).not_after + std::chrono::hours(1);
  test::write_file(dir / "late.crt", test::resign(late, pki.ca_key()));
  expect_fault(CertificateFault::ca_constraint, [&] { pool.verify(read_certificate(dir / "late.crt"), now_seconds()); },
               {"expires after"});
  expect_fault(CertificateFault::wrong_kind, [&] { pool.verify(read_certificate(pki.ca_crt()), now_seconds()); },
               {"is a CA certificate"});
  expect_fault(CertificateFault::wrong_kind, [&] { CaPool::from_file(pki.crt("alice")); }, {"not a CA certificate"});
}

TEST_F(WithNebulaCert, RefusesABlocklistedCertificate) {
  TempDir dir;
  const Pki pki(dir.path());
  const Certificate alice = read_certificate(pki.sign("alice", "10.213.0.11/16"));
  const Certificate bob = read_certificate(pki.sign("bob", "10.213.0.12/16"));
  CaPool pool = CaPool::from_file(pki.ca_crt());
  pool.block(bob.fingerprint_hex());
  EXPECT_NO_THROW(pool.verify(alice, now_seconds()));
  expect_fault(CertificateFault::blocklisted, [&] { pool.verify(bob, now_seconds()); },
               {"certificate 'bob'", "blocklist", bob.fingerprint_hex().c_str()});
  expect_fault(CertificateFault::malformed, [&] { pool.block("not-a-fingerprint"); }, {"64 lowercase hex digits"});
}

TEST_F(WithNebulaCert, RequiresTheSessionGroup) {
  TempDir dir;
  const Pki pki(dir.path());
  const Certificate admin = read_certificate(pki.sign("ops", "10.213.0.99/16", "admin"));
  const CaPool pool = CaPool::from_file(pki.ca_crt());
  EXPECT_NO_THROW(pool.verify(admin, now_seconds()));
  expect_fault(CertificateFault::missing_group, [&] { require_group(admin, "mpc"); },
               {"certificate 'ops'", "lacks the group 'mpc'", "its groups: admin"});
}

}  // namespace
}  // namespace meshmpc::nebula
