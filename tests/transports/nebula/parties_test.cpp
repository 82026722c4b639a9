// Who takes part in a Nebula session (load_parties): the roster file, the nebula
// config, and every way they can be refused, on certificates from the real
// nebula-cert whose "overlay" IPs are loopback addresses (127.0.0.x).
#include <gtest/gtest.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <sstream>

#include "meshmpc/nebula/nebula_parties.hpp"
#include "pki.hpp"

namespace meshmpc::nebula {
namespace {

namespace asio = boost::asio;
using namespace std::chrono_literals;
using test::Pki;
using test::TempDir;

std::uint16_t free_port() {
  asio::io_context io;
  asio::ip::tcp::acceptor a(io, asio::ip::tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0));
  return a.local_endpoint().port();
}

// n parties with certificates for 127.0.0.(11+i) and a roster listing them.
struct LoopbackPki {
  LoopbackPki(const TempDir& dir, std::size_t n, const std::string& last_groups = "mpc")
      : pki(dir.path(), "loop-ca", "mpc,admin", ""), roster(dir / "roster.txt"), port(free_port()) {
    std::string text = "# test roster\n";
    for (std::size_t i = 0; i < n; ++i) {
      const std::string name = "p" + std::to_string(i);
      pki.sign(name, "127.0.0." + std::to_string(11 + i) + "/8", i + 1 == n ? last_groups : "mpc");
      text += name + ".crt " + std::to_string(port) + "  # party " + std::to_string(i) + "\n";
    }
    test::write_file(roster, text);
  }
  NebulaOptions options(std::size_t i) const {
    NebulaOptions o;
    o.ca_file = pki.ca_crt();
    o.cert_file = pki.crt("p" + std::to_string(i));
    o.key_file = pki.key("p" + std::to_string(i));
    o.roster_file = roster;
    o.session_id = net::session_id_from_text("nebula-loopback");
    o.require_overlay_ip_here = false;
    return o;
  }
  Pki pki;
  std::string roster;
  std::uint16_t port;
};

CertificateFault fault_of(const std::function<void()>& f, std::string& message) {
  try {
    f();
  } catch (const CertificateError& e) {
    message = e.what();
    return e.fault();
  }
  message = "no CertificateError";
  return CertificateFault::unreadable;
}

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
  EXPECT_EQ(fault_of([&] { load_parties(lab.options(0), now_seconds()); }, message), CertificateFault::missing_group);
  EXPECT_NE(message.find("line 4 (party 2)"), std::string::npos) << message;
  EXPECT_NE(message.find("certificate 'p2'"), std::string::npos) << message;
  EXPECT_NE(message.find("lacks the group 'mpc'"), std::string::npos) << message;
  // Party 2 itself is refused before it reads the roster.
  EXPECT_EQ(fault_of([&] { load_parties(lab.options(2), now_seconds()); }, message), CertificateFault::missing_group);
  // Asking for another group: now p0 is the one without it.
  NebulaOptions admin = lab.options(0);
  admin.group = "admin";
  EXPECT_EQ(fault_of([&] { load_parties(admin, now_seconds()); }, message), CertificateFault::missing_group)
      << "p0 lacks admin";
}

TEST_F(PartiesFromRoster, RefusesRosterFaultsByName) {
  TempDir dir;
  const LoopbackPki lab(dir, 3);
  std::string message;
  NebulaOptions o = lab.options(0);
  // Our overlay IP must be on an interface here: 127.0.0.11 is not assigned (lo has 127.0.0.1).
  o.require_overlay_ip_here = true;
  EXPECT_EQ(fault_of([&] { load_parties(o, now_seconds()); }, message), CertificateFault::no_overlay_ip);
  EXPECT_NE(message.find("overlay IP 127.0.0.11"), std::string::npos) << message;
  EXPECT_NE(message.find("is nebula running"), std::string::npos) << message;
  // A certificate missing from the roster, and a duplicate.
  test::write_file(dir / "short.txt", "p1.crt\np2.crt\n");
  o = lab.options(0);
  o.roster_file = dir / "short.txt";
  EXPECT_EQ(fault_of([&] { load_parties(o, now_seconds()); }, message), CertificateFault::roster);
  EXPECT_NE(message.find("does not list this host's certificate 'p0'"), std::string::npos) << message;
  test::write_file(dir / "twice.txt", "p0.crt\np1.crt\np1.crt\n");
  o.roster_file = dir / "twice.txt";
  EXPECT_EQ(fault_of([&] { load_parties(o, now_seconds()); }, message), CertificateFault::roster);
  EXPECT_NE(message.find("line 3 (party 2)"), std::string::npos) << message;
  EXPECT_NE(message.find("same name 'p1' as party 1"), std::string::npos) << message;
  test::write_file(dir / "bad.txt", "p0.crt 70000\n");
  o.roster_file = dir / "bad.txt";
  EXPECT_EQ(fault_of([&] { load_parties(o, now_seconds()); }, message), CertificateFault::malformed);
  EXPECT_NE(message.find("line 1: port '70000'"), std::string::npos) << message;
  test::write_file(dir / "missing.txt", "p0.crt\nnobody.crt\n");
  o.roster_file = dir / "missing.txt";
  EXPECT_EQ(fault_of([&] { load_parties(o, now_seconds()); }, message), CertificateFault::unreadable);
  EXPECT_NE(message.find("nobody.crt"), std::string::npos) << message;
  // A certificate of another CA in the roster.
  const Pki other(dir.path() / "other", "other-ca", "mpc", "");
  other.sign("stranger", "127.0.0.50/8");
  test::write_file(dir / "stranger.txt", "p0.crt\nother/stranger.crt\n");
  o.roster_file = dir / "stranger.txt";
  EXPECT_EQ(fault_of([&] { load_parties(o, now_seconds()); }, message), CertificateFault::unknown_ca);
  EXPECT_NE(message.find("does not trust"), std::string::npos) << message;
  // Expired, seen from a later "now".
  EXPECT_EQ(fault_of([&] { load_parties(lab.options(0), now_seconds() + std::chrono::hours(24 * 400)); }, message),
            CertificateFault::expired);
  // Our key must match our certificate.
  o = lab.options(0);
  o.key_file = lab.pki.key("p1");
  EXPECT_EQ(fault_of([&] { load_parties(o, now_seconds()); }, message), CertificateFault::key_mismatch);
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
  EXPECT_EQ(fault_of([&] { load_parties(o, now_seconds()); }, message), CertificateFault::blocklisted);
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
  EXPECT_EQ(fault_of([&] { load_parties(o, now_seconds()); }, message), CertificateFault::malformed);
  EXPECT_NE(message.find("pki.key is missing"), std::string::npos) << message;
  test::write_file(dir / "broken.yml", "pki:\n  ca: [unclosed\n");
  o.config_file = dir / "broken.yml";
  EXPECT_EQ(fault_of([&] { load_parties(o, now_seconds()); }, message), CertificateFault::malformed);
  EXPECT_NE(message.find("broken.yml', line"), std::string::npos) << message;
}

}  // namespace
}  // namespace meshmpc::nebula
