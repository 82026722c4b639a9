// Who takes part in a Nebula session (load_parties): the roster file, the nebula
// config, and every way they can be refused, on certificates from the real
// nebula-cert whose "overlay" IPs are loopback addresses (127.0.0.x).
#include <gtest/gtest.h>

#include <sstream>

#include <meshmpc/nebula/nebula_parties.hpp>
#include "nebula_new.hpp"
#include "certificate_fault.hpp"
#include "loopback_pki.hpp"

namespace meshmpc::nebula {
namespace {

using namespace std::chrono_literals;
using test::LoopbackPki;
using test::Pki;
using test::TempDir;

using test::fault_of;

class PartiesFromRoster : public testing::Test {
 protected:
  void SetUp() override {
    if (!test::have_program("nebula-cert")) GTEST_SKIP() << "nebula-cert is not installed (apt-get install nebula)";
  }
};



TEST_F(PartiesFromRoster, RefusesAPartyWithoutTheGroup) {
  TempDir dir;
  const LoopbackPki lab(dir, 3, "admin");
  std::string message;
  EXPECT_EQ(fault_of([&] { load_parties(lab.options(0), now_seconds()); }, &message), CertificateFault::missing_group);
  EXPECT_NE(message.find("line 4 (party 2)"), std::string::npos) << message;
  EXPECT_NE(message.find("certificate 'p2'"), std::string::npos) << message;
  EXPECT_NE(message.find("lacks the group 'mpc'"), std::string::npos) << message;
  // Party 2 itself is refused before it reads the roster.
  EXPECT_EQ(fault_of([&] { load_parties(lab.options(2), now_seconds()); }, &message), CertificateFault::missing_group);
  // Asking for another group: now p0 is the one without it.
  NebulaOptions admin = lab.options(0);
  admin.group = "admin";
  EXPECT_EQ(fault_of([&] { load_parties(admin, now_seconds()); }, &message), CertificateFault::missing_group)
      << "p0 lacks admin";
}

TEST_F(PartiesFromRoster, RefusesRosterFaultsByName) {
  TempDir dir;
  const LoopbackPki lab(dir, 3);
  std::string message;
  NebulaOptions o = lab.options(0);
  // Our overlay IP must be on an interface here: 127.0.0.11 is not assigned (lo has 127.0.0.1).
  o.require_overlay_ip_here = true;
  EXPECT_EQ(fault_of([&] { load_parties(o, now_seconds()); }, &message), CertificateFault::no_overlay_ip);
  EXPECT_NE(message.find("overlay IP 127.0.0.11"), std::string::npos) << message;
  EXPECT_NE(message.find("is nebula running"), std::string::npos) << message;
  // A certificate missing from the roster, and a duplicate.
  test::write_file(dir / "short.txt", "p1.crt\np2.crt\n");
  o = lab.options(0);
  o.roster_file = dir / "short.txt";
  EXPECT_EQ(fault_of([&] { load_parties(o, now_seconds()); }, &message), CertificateFault::roster);
  EXPECT_NE(message.find("does not list this host's certificate 'p0'"), std::string::npos) << message;
  test::write_file(dir / "twice.txt", "p0.crt\np1.crt\np1.crt\n");
  o.roster_file = dir / "twice.txt";
  EXPECT_EQ(fault_of([&] { load_parties(o, now_seconds()); }, &message), CertificateFault::roster);
  EXPECT_NE(message.find("line 3 (party 2)"), std::string::npos) << message;
  EXPECT_NE(message.find("same name 'p1' as party 1"), std::string::npos) << message;
  test::write_file(dir / "bad.txt", "p0.crt 70000\n");
  o.roster_file = dir / "bad.txt";
  EXPECT_EQ(fault_of([&] { load_parties(o, now_seconds()); }, &message), CertificateFault::malformed);
  EXPECT_NE(message.find("line 1: port '70000'"), std::string::npos) << message;
  test::write_file(dir / "missing.txt", "p0.crt\nnobody.crt\n");
  o.roster_file = dir / "missing.txt";
  EXPECT_EQ(fault_of([&] { load_parties(o, now_seconds()); }, &message), CertificateFault::unreadable);
  EXPECT_NE(message.find("nobody.crt"), std::string::npos) << message;
  // A certificate of another CA in the roster.
  const Pki other(dir.path() / "other", "other-ca", "mpc", "");
  other.sign("stranger", "127.0.0.50/8");
  test::write_file(dir / "stranger.txt", "p0.crt\nother/stranger.crt\n");
  o.roster_file = dir / "stranger.txt";
  EXPECT_EQ(fault_of([&] { load_parties(o, now_seconds()); }, &message), CertificateFault::unknown_ca);
  EXPECT_NE(message.find("does not trust"), std::string::npos) << message;
  // Expired, seen from a later "now".
  EXPECT_EQ(fault_of([&] { load_parties(lab.options(0), now_seconds() + std::chrono::hours(24 * 400)); }, &message),
            CertificateFault::expired);
  // Our key must match our certificate.
  o = lab.options(0);
  o.key_file = lab.pki.key("p1");
  EXPECT_EQ(fault_of([&] { load_parties(o, now_seconds()); }, &message), CertificateFault::key_mismatch);
}

TEST_F(PartiesFromRoster, ReadsThePkiFromTheNebulaConfig) {
  TempDir dir;
  const LoopbackPki lab(dir, 3);
  test::write_file(dir / "config.yml", "pki:\n  ca: " + lab.pki.ca_crt() + "\n  cert: " + lab.pki.crt("p1") +
                                           "\n  key: " + lab.pki.key("p1") + "\ntun:\n  dev: neb7\n");
  // pki.blocklist: the roster's p2 is refused by fingerprint; an entry that is
  // no fingerprint matches nothing (as in Nebula) and does not stop the others.
  test::write_file(dir / "blocked.yml", "pki:\n  ca: " + lab.pki.ca_crt() + "\n  cert: " + lab.pki.crt("p1") +
                                            "\n  key: " + lab.pki.key("p1") + "\n  blocklist: [typo, " +
                                            read_certificate(lab.pki.crt("p2")).fingerprint_hex() + "]\n");
  test::write_file(dir / "typo.yml", "pki:\n  ca: " + lab.pki.ca_crt() + "\n  cert: " + lab.pki.crt("p1") +
                                         "\n  key: " + lab.pki.key("p1") + "\n  blocklist: [typo]\n");
  NebulaOptions o = lab.options(0);
  o.ca_file = o.cert_file = o.key_file = "";
  std::string message;
  o.config_file = dir / "blocked.yml";
  EXPECT_EQ(fault_of([&] { load_parties(o, now_seconds()); }, &message), CertificateFault::blocklisted);
  EXPECT_NE(message.find("line 4 (party 2): certificate 'p2'"), std::string::npos) << message;
  o.config_file = dir / "typo.yml";
  const NebulaParties typo = load_parties(o, now_seconds());
  ASSERT_EQ(typo.warnings.size(), 1u);
  EXPECT_NE(typo.warnings[0].find("entry 'typo' is not a fingerprint"), std::string::npos) << typo.warnings[0];
  // A PKCS#11 URI for the key, by option: refused by name, not read as a path.
  NebulaOptions hsm = lab.options(0);
  hsm.key_file = "pkcs11:object=p0";
  try {
    load_parties(hsm, now_seconds());
    ADD_FAILURE() << "a pkcs11: key was taken";
  } catch (const ConfigError& e) {
    EXPECT_NE(std::string(e.what()).find("PKCS#11 keys are not supported by meshmpc (--nebula-key)"),
              std::string::npos)
        << e.what();
  }
  o.config_file = dir / "config.yml";
  const NebulaParties p = load_parties(o, now_seconds());
  EXPECT_EQ(p.self, 1u);
  EXPECT_EQ(p.tun_dev, "neb7");
  // Inline PEM, as Nebula also allows.
  std::string ca_block;
  std::istringstream ca_text(test::read_text_file_or_empty(lab.pki.ca_crt()));
  for (std::string line; std::getline(ca_text, line);) ca_block += "    " + line + "\n";
  test::write_file(dir / "inline.yml", "pki:\n  ca: |\n" + ca_block + "  cert: " + lab.pki.crt("p2") + "\n  key: " +
                                           lab.pki.key("p2") + "\n");
  o.config_file = dir / "inline.yml";
  EXPECT_EQ(load_parties(o, now_seconds()).self, 2u);
  test::write_file(dir / "nokey.yml", "pki:\n  ca: x\n  cert: y\n");
  o.config_file = dir / "nokey.yml";
  EXPECT_EQ(fault_of([&] { load_parties(o, now_seconds()); }, &message), CertificateFault::malformed);
  EXPECT_NE(message.find("pki.key is missing"), std::string::npos) << message;
  test::write_file(dir / "broken.yml", "pki:\n  ca: [unclosed\n");
  o.config_file = dir / "broken.yml";
  EXPECT_EQ(fault_of([&] { load_parties(o, now_seconds()); }, &message), CertificateFault::malformed);
  EXPECT_NE(message.find("broken.yml', line"), std::string::npos) << message;
}

// Certificates from nebula-cert 1.10+ (v2, IPv6, several networks, two CAs).
class PartiesWithNewerNebula : public testing::Test {
 protected:
  void SetUp() override {
    tool = meshmpc::test::newer_nebula_tool("nebula-cert");
    if (tool.empty()) GTEST_SKIP() << meshmpc::test::kNoNewerNebula;
  }
  // nebula-cert sign for an existing public key (one key, two certificates).
  void sign_pub(const Pki& ca, const std::string& name, const std::string& networks, const std::string& pub,
                const std::string& out) const {
    test::run({tool, "sign", "-ca-crt", ca.ca_crt(), "-ca-key", ca.ca_key(), "-name", name, "-networks", networks,
               "-groups", "mpc", "-in-pub", pub, "-out-crt", out});
  }
  NebulaOptions options(const TempDir& dir, const std::string& ca, const std::string& cert, const std::string& key,
                        const std::string& roster) const {
    NebulaOptions o;
    o.ca_file = ca;
    o.cert_file = cert;
    o.key_file = key;
    o.roster_file = roster;
    o.session_id = net::session_id_from_text("nebula-v2");
    o.require_overlay_ip_here = false;
    (void)dir;
    return o;
  }
  std::string tool;
};

TEST_F(PartiesWithNewerNebula, Ipv6OnlyHostsAreDialledOnIpv6AndSeveralNetworksAllCount) {
  TempDir dir;
  test::CaSpec spec;
  spec.networks = "10.213.0.0/16,fd42:213::/64";
  const Pki pki(dir.path(), tool, spec);
  pki.sign("p0", "fd42:213::10/64");
  pki.sign("p1", "fd42:213::11/64");
  pki.sign("p2", "10.213.0.12/16,fd42:213::12/64");  // dual-stack
  pki.sign("p3", "10.213.0.13/16");                  // IPv4 only
  test::write_file(dir / "six.txt", "p0.crt\np1.crt\np2.crt 7000\n");
  const NebulaParties six = load_parties(options(dir, pki.ca_crt(), pki.crt("p2"), pki.key("p2"), dir / "six.txt"),
                                         now_seconds());
  EXPECT_EQ(six.self, 2u);
  EXPECT_EQ(six.initiating_version, CertificateVersion::v2);
  EXPECT_EQ(six.roster.party(0).endpoints.at(0).host, "fd42:213::10");
  EXPECT_EQ(six.roster.party(0).endpoints.size(), 1u);
  // Every party has IPv6, not every one IPv4: the dual-stack host listens on IPv6,
  // and its IPv4 address still identifies it.
  ASSERT_EQ(six.roster.party(2).endpoints.size(), 2u);
  EXPECT_EQ(six.roster.party(2).endpoints[0].host, "fd42:213::12");
  EXPECT_EQ(six.roster.party(2).endpoints[0].port, 7000);
  EXPECT_EQ(six.roster.party(2).endpoints[1].host, "10.213.0.12");
  // With an IPv4-only host in the roster, the dual-stack one is dialled on IPv4 ...
  test::write_file(dir / "four.txt", "p2.crt\np3.crt\n");
  const NebulaParties four = load_parties(options(dir, pki.ca_crt(), pki.crt("p3"), pki.key("p3"), dir / "four.txt"),
                                          now_seconds());
  EXPECT_EQ(four.roster.party(0).endpoints.at(0).host, "10.213.0.12");
  EXPECT_EQ(four.roster.party(0).endpoints.at(1).host, "fd42:213::12");
  // ... and IPv6-only and IPv4-only hosts have no family in common.
  test::write_file(dir / "apart.txt", "p0.crt\np3.crt\n");
  std::string message;
  EXPECT_EQ(fault_of([&] { load_parties(options(dir, pki.ca_crt(), pki.crt("p0"), pki.key("p0"), dir / "apart.txt"),
                                        now_seconds()); },
                     &message),
            CertificateFault::roster);
  EXPECT_NE(message.find("party 0's certificate 'p0'"), std::string::npos) << message;
  EXPECT_NE(message.find("has only IPv6 overlay networks and party 1's certificate 'p3'"), std::string::npos)
      << message;
  // A second network that collides with another party's address is refused.
  pki.sign("p4", "10.213.0.14/16,fd42:213::10/64");
  test::write_file(dir / "clash.txt", "p0.crt\np4.crt\n");
  EXPECT_EQ(fault_of([&] { load_parties(options(dir, pki.ca_crt(), pki.crt("p0"), pki.key("p0"), dir / "clash.txt"),
                                        now_seconds()); },
                     &message),
            CertificateFault::roster);
  EXPECT_NE(message.find("same overlay IP fd42:213::10 as party 0"), std::string::npos) << message;
  // Our own IPv6 overlay address must be on an interface here: fd42:213::10 is not.
  NebulaOptions here = options(dir, pki.ca_crt(), pki.crt("p0"), pki.key("p0"), dir / "six.txt");
  here.require_overlay_ip_here = true;
  EXPECT_EQ(fault_of([&] { load_parties(here, now_seconds()); }, &message), CertificateFault::no_overlay_ip);
  EXPECT_NE(message.find("the overlay IP fd42:213::10 of certificate 'p0'"), std::string::npos) << message;
  EXPECT_TRUE(address_is_local(*IpNetwork::parse("::1/128")));
  EXPECT_TRUE(address_is_local(*IpNetwork::parse("127.0.0.1/8")));
  EXPECT_FALSE(address_is_local(*IpNetwork::parse("fd42:213::10/64")));
}

// Halfway through a v1 -> v2 migration: a v1 and a v2 CA in one bundle, hosts
// with a v1 and a v2 certificate for one key in pki.cert, a v1-only host, and a
// roster mixing both versions.
TEST_F(PartiesWithNewerNebula, MigrationBundlesAndTheCertificateNebulaInitiatesWith) {
  TempDir dir;
  test::CaSpec spec;
  spec.name = "ca-v1";
  spec.version = "1";
  const Pki v1(dir.path() / "v1", tool, spec);
  spec.name = "ca-v2";
  spec.version = "";
  const Pki v2(dir.path() / "v2", tool, spec);
  test::write_file(dir / "ca.crt", test::read_text_file_or_empty(v1.ca_crt()) +
                                        test::read_text_file_or_empty(v2.ca_crt()));
  for (const std::string name : {"p0", "p1"}) {
    test::run({tool, "keygen", "-out-key", dir / (name + ".key"), "-out-pub", dir / (name + ".pub")});
    const std::string ip = name == "p0" ? "10.213.0.10/16" : "10.213.0.11/16";
    sign_pub(v1, name, ip, dir / (name + ".pub"), dir / (name + "-v1.crt"));
    sign_pub(v2, name, ip, dir / (name + ".pub"), dir / (name + "-v2.crt"));
    test::write_file(dir / (name + ".crt"), test::read_text_file_or_empty(dir / (name + "-v1.crt")) +
                                                test::read_text_file_or_empty(dir / (name + "-v2.crt")));
  }
  v1.sign("p2", "10.213.0.12/16", "mpc", "", {"-version", "1"});
  test::write_file(dir / "roster.txt", "p0-v2.crt\np1-v2.crt\n" + v1.crt("p2") + "\n");
  const auto with_config = [&](const std::string& name, const std::string& cert, const std::string& extra) {
    test::write_file(dir / (name + ".yml"), "pki:\n  ca: " + (dir / "ca.crt") + "\n  cert: " + cert + "\n  key: " +
                                                (dir / (name + ".key")) + "\n" + extra);
    NebulaOptions o = options(dir, "", "", "", dir / "roster.txt");
    o.config_file = dir / (name + ".yml");
    return o;
  };
  // Without pki.initiating_version Nebula initiates with v1 when there is one;
  // the roster lists p0's v2 certificate, and either finds p0.
  NebulaParties p = load_parties(with_config("p0", dir / "p0.crt", ""), now_seconds());
  EXPECT_EQ(p.self, 0u);
  EXPECT_EQ(p.initiating_version, CertificateVersion::v1);
  EXPECT_EQ(p.certificates[0].version, CertificateVersion::v2);
  EXPECT_EQ(p.certificates[2].version, CertificateVersion::v1);
  EXPECT_EQ(p.roster.party(1).endpoints.at(0).host, "10.213.0.11");
  p = load_parties(with_config("p1", dir / "p1.crt", "  initiating_version: 2\n"), now_seconds());
  EXPECT_EQ(p.self, 1u);
  EXPECT_EQ(p.initiating_version, CertificateVersion::v2);
  // The v1-only host reads the same mixed roster under the same bundle.
  NebulaOptions only = options(dir, dir / "ca.crt", v1.crt("p2"), v1.key("p2"), dir / "roster.txt");
  EXPECT_EQ(load_parties(only, now_seconds()).self, 2u);
  // Version 1 without a v1 certificate: refused, as by Nebula.
  std::string message;
  EXPECT_EQ(fault_of([&] { load_parties(with_config("p0", dir / "p0-v2.crt", "  initiating_version: 1\n"),
                                        now_seconds()); },
                     &message),
            CertificateFault::malformed);
  EXPECT_NE(message.find("pki.initiating_version is 1 but"), std::string::npos) << message;
  // A v1 and a v2 certificate of different keys are no pair.
  test::write_file(dir / "odd.crt", test::read_text_file_or_empty(dir / "p0-v1.crt") +
                                        test::read_text_file_or_empty(dir / "p1-v2.crt"));
  EXPECT_EQ(fault_of([&] { load_parties(with_config("p0", dir / "odd.crt", ""), now_seconds()); }, &message),
            CertificateFault::key_mismatch);
  EXPECT_NE(message.find("have different public keys"), std::string::npos) << message;
  // Two v2 certificates are not what Nebula takes either.
  test::write_file(dir / "twice.crt", test::read_text_file_or_empty(dir / "p0-v2.crt") +
                                          test::read_text_file_or_empty(dir / "p0-v2.crt"));
  EXPECT_EQ(fault_of([&] { load_parties(with_config("p0", dir / "twice.crt", ""), now_seconds()); }, &message),
            CertificateFault::malformed);
  EXPECT_NE(message.find("holds two v2 certificates"), std::string::npos) << message;
}

}  // namespace
}  // namespace meshmpc::nebula
