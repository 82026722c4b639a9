// The signed roster: its encoding changes with every field, the field digests name
// what differs, and signatures verify only over the hash and with the key signed.
#include <gtest/gtest.h>

#include <meshmpc/error.hpp>
#include <meshmpc/net/tls/credentials.hpp>
#include <meshmpc/rendezvous/roster_document.hpp>

namespace meshmpc::rendezvous {
namespace {

using net::tls::KeyType;

struct Identity {
  std::string key, cert;
  net::tls::Fingerprint fingerprint{};
};

Identity make_identity(KeyType type, const std::string& name) {
  Identity id;
  id.key = net::tls::generate_private_key(type);
  net::tls::CertificateSpec spec;
  spec.common_name = name;
  id.cert = net::tls::self_signed_certificate(id.key, spec);
  id.fingerprint = net::tls::fingerprint_of_pem(id.cert, name);
  return id;
}

RosterDocument roster_of(const std::vector<Identity>& ids) {
  RosterDocument roster;
  roster.session = "office-party";
  for (std::size_t i = 0; i < ids.size(); ++i) {
    RosterEntry entry;
    entry.name = "p" + std::to_string(i);
    entry.certificate_pem = ids[i].cert;
    entry.fingerprint = ids[i].fingerprint;
    entry.endpoints = {{"192.168.1." + std::to_string(10 + i), static_cast<std::uint16_t>(4000 + i)}};
    entry.reflexive = net::Endpoint{"203.0.113." + std::to_string(i + 1), static_cast<std::uint16_t>(5000 + i)};
    roster.parties.push_back(entry);
  }
  return roster;
}

class RosterDocumentTest : public testing::Test {
 protected:
  std::vector<Identity> ids{make_identity(KeyType::ed25519, "a"), make_identity(KeyType::p256, "b"),
                            make_identity(KeyType::ed25519, "c")};
  RosterDocument roster = roster_of(ids);
};

TEST_F(RosterDocumentTest, EveryFieldChangesTheHashAndIsNamed) {
  const RosterHash base = roster_hash(roster);
  EXPECT_EQ(roster_hash(roster), base);  // deterministic
  const auto header = header_digest(roster);
  const auto digests = field_digests(roster);
  EXPECT_EQ(describe_difference(roster, header, digests), "");

  const std::vector<std::pair<std::function<void(RosterDocument&)>, std::string>> changes{
      {[](RosterDocument& r) { r.session = "other"; }, "the session name or the number of parties"},
      {[](RosterDocument& r) { r.parties.pop_back(); }, "the session name or the number of parties"},
      {[](RosterDocument& r) { r.parties[1].fingerprint[0] ^= std::byte{1}; }, "party 1's key"},
      {[](RosterDocument& r) { r.parties[2].name = "mallory"; }, "party 2's name"},
      {[](RosterDocument& r) { r.parties[0].endpoints[0].port = 1; }, "party 0's endpoints"},
      {[](RosterDocument& r) { r.parties[0].endpoints.push_back({"10.0.0.1", 9}); }, "party 0's endpoints"},
      {[](RosterDocument& r) { r.parties[1].reflexive.reset(); }, "party 1's reflexive address"},
  };
  for (const auto& [change, named] : changes) {
    RosterDocument theirs = roster;
    change(theirs);
    EXPECT_NE(roster_hash(theirs), base) << named;
    EXPECT_EQ(describe_difference(roster, header_digest(theirs), field_digests(theirs)), named);
  }
  // Two fields at once are both named.
  RosterDocument theirs = roster;
  theirs.parties[0].name = "x";
  theirs.parties[2].endpoints.clear();
  EXPECT_EQ(describe_difference(roster, header_digest(theirs), field_digests(theirs)),
            "party 0's name, party 2's endpoints");
}

// Length prefixes: moving a character from one field to the next changes the hash.
TEST_F(RosterDocumentTest, FieldsCannotShiftIntoEachOther) {
  RosterDocument a = roster, b = roster;
  a.session = "ab";
  a.parties[0].name = "c";
  b.session = "a";
  b.parties[0].name = "bc";
  EXPECT_NE(roster_hash(a), roster_hash(b));
}

TEST_F(RosterDocumentTest, SignaturesVerifyOnlyOverTheirHashWithTheirKey) {
  const RosterHash hash = roster_hash(roster);
  for (std::size_t i = 0; i < ids.size(); ++i) {
    const auto signature = sign_roster(hash, ids[i].key);
    EXPECT_TRUE(verify_roster(hash, signature, ids[i].cert)) << i;
    EXPECT_FALSE(verify_roster(hash, signature, ids[(i + 1) % ids.size()].cert)) << i;  // another key
    RosterHash other = hash;
    other[31] ^= std::byte{0x80};
    EXPECT_FALSE(verify_roster(other, signature, ids[i].cert)) << i;  // another roster
    auto forged = signature;
    forged[forged.size() / 2] ^= std::byte{1};
    EXPECT_FALSE(verify_roster(hash, forged, ids[i].cert)) << i;
    EXPECT_FALSE(verify_roster(hash, {}, ids[i].cert)) << i;
  }
  EXPECT_FALSE(verify_roster(hash, sign_roster(hash, ids[0].key), "not a certificate"));
  EXPECT_THROW(sign_roster(hash, "not a key"), ConfigError);
}

}  // namespace
}  // namespace meshmpc::rendezvous
