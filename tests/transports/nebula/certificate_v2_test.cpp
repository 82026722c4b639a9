// Nebula v2 certificates (ASN.1 DER, Nebula 1.10+) and P-256 certificates of
// both versions: known answers against a real nebula-cert 1.11's print -json,
// verification and every refusal with its fault, the P-256 blocklist's two
// fingerprint forms, host keys of both curves, mixed CA bundles, and the strict
// DER reader's refusals of malformed input.
#include <gtest/gtest.h>
#include <openssl/bn.h>
#include <openssl/ec.h>
#include <openssl/obj_mac.h>

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

using test::CaSpec;
using test::Pki;
using test::TempDir;

using Bytes = std::vector<std::byte>;

// Made with nebula-cert 1.11.0 (Debian sid), 2026-12-04:
//   nebula-cert ca -name v2ca -groups mpc,admin -networks 10.213.0.0/16,fd00:213::/64
//     -unsafe-networks 192.168.0.0/16
//   nebula-cert sign -name alice -networks 10.213.0.11/16,fd00:213::11/64 -groups mpc
//   nebula-cert ca -curve P256 -name p256ca; nebula-cert sign -name bob -networks 10.1.0.2/24
// The values below are what `nebula-cert print -json` printed for them.
constexpr std::string_view kV2Ca = R"(-----BEGIN NEBULA CERTIFICATE V2-----
MIGuoEiABHYyY2GhGgQFCtUAABAEEf0AAhMAAAAAAAAAAAAAAABAogcEBcCoAAAQ
owwMA21wYwwFYWRtaW6EAf+FBGsSI9mGBGzzV1mCIAt7UaFTSm1AHC1Kve769r19
P2JS6ATJKqXKFGuFdYMrg0AAgQg8DkXHx71OcJtfVKfA2u75PKg4RTNFg1lCuHHc
P6tWJZcqWZQzn8Q4p7uSJhYXTcSVtUmzTUoU5tfGdgoF
-----END NEBULA CERTIFICATE V2-----
)";
constexpr std::string_view kV2Alice = R"(-----BEGIN NEBULA CERTIFICATE V2-----
MIG+oFiABWFsaWNloRoEBQrVAAsQBBH9AAITAAAAAAAAAAAAAAARQKMFDANtcGOF
BGsSI9mGBGzzV1iHIEMT7ZwR78PyPTvBc5DLQE7r5fEnIPZUuzrWQsZr2yrOgiBP
gJJE6pCqEIOonAoRDqWmscN4IoGMWASxCWnDep+hKINAcv335qVzlxCxTvC0WQOB
nE3ijN+SfNfAUDDDzKK0KsLbxnmcShwz6e6JxwemJu01QtSr6AsIxDDFGBK/Gvwt
AA==
-----END NEBULA CERTIFICATE V2-----
)";
constexpr std::string_view kP256Ca = R"(-----BEGIN NEBULA CERTIFICATE V2-----
MIGooBeABnAyNTZjYYQB/4UEaxIj4IYEbPNXYIEBAYJBBCoIU8B/qJyhkenlanGU
+qoV8MKJHgV6WeZP0eVvDT9vq1rFp1Qv/F5z4OiwVF6Q3ZuIJH2NK1wI33GYvObM
wzGDRzBFAiEA50Khfv3KgkgoTipGr97q5lKW6RR/fwAxIem0jUq7A9MCIEIRjJE2
y7Jz74D3khEujcLTQLl5uNH4iMN/6NgIDDWh
-----END NEBULA CERTIFICATE V2-----
)";
constexpr std::string_view kP256Bob = R"(-----BEGIN NEBULA CERTIFICATE V2-----
MIHNoDyAA2JvYqEHBAUKAQACGIUEaxIj4IYEbPNXX4cgdFQAOHmeJWuI5tS128l9
+3EK0sLfyiqHuma1EWEarO+BAQGCQQSt9NREOGASsxAj2XOJIfnC6ZQ32Uf1QQ4E
dGos76uV6Q5iDR6L4SMl4D3s0cWHwXo10pDLepEH0vYdbcHNhghCg0cwRQIhAO47
F5lFLeWYXAGbbKJJXtBZ1At+1psivDOXjfLXj10CAiBZ0YkQbdsIAJvNxNRr3GLH
T6m8M3xweDJUnnzuJjDGBQ==
-----END NEBULA CERTIFICATE V2-----
)";
const UnixSeconds kKnownNow{std::chrono::seconds(1796400000)};  // 2026-12-04T16:00:00Z, inside all four

using test::expect_fault;
using test::fault_of;

Bytes body_of(std::string_view pem) { return decode_pem(pem, "test").at(0).body; }
Certificate v2(std::span<const std::byte> body, const std::string& source = "test.crt") {
  return parse_certificate(body, CertificateVersion::v2, source);
}
void expect_malformed(std::span<const std::byte> body, std::initializer_list<std::string> parts) {
  expect_fault(CertificateFault::malformed, [&] { v2(body, "bad.crt"); }, parts);
}

// DER pieces for malformed inputs: one element, and a concatenation.
Bytes tlv(std::uint8_t tag, std::span<const std::byte> content) {
  Bytes out{std::byte{tag}};
  const std::size_t n = content.size();
  if (n < 0x80) {
    out.push_back(static_cast<std::byte>(n));
  } else if (n < 0x100) {
    out.insert(out.end(), {std::byte{0x81}, static_cast<std::byte>(n)});
  } else {
    out.insert(out.end(), {std::byte{0x82}, static_cast<std::byte>(n >> 8), static_cast<std::byte>(n)});
  }
  out.insert(out.end(), content.begin(), content.end());
  return out;
}
Bytes cat(std::initializer_list<Bytes> parts) {
  Bytes out;
  for (const Bytes& p : parts) out.insert(out.end(), p.begin(), p.end());
  return out;
}
Bytes bytes(std::initializer_list<int> values) {
  Bytes out;
  for (int v : values) out.push_back(static_cast<std::byte>(v));
  return out;
}
// A certificate from its parts (details element, optional curve element, key,
// signature), as Nebula lays them out.
Bytes assemble(const Bytes& details, const Bytes& curve, const Bytes& key, const Bytes& signature) {
  return tlv(0x30, cat({details, curve, tlv(0x82, key), tlv(0x83, signature)}));
}
// The certificate re-encoded after a test changed its fields (the old signature
// kept: for what the reader must refuse before any signature check).
Bytes reencoded(Certificate c) {
  c.details = encode_details(c);
  return encode_certificate(c);
}

std::string curve_name(Curve curve) { return curve == Curve::p256 ? "P256" : "CURVE25519"; }

std::vector<std::string> strings_of(const boost::json::value& v) {
  std::vector<std::string> out;
  if (v.is_null()) return out;
  for (const auto& s : v.as_array()) out.emplace_back(s.as_string());
  return out;
}
std::vector<std::string> strings_of(const std::vector<IpNetwork>& networks) {
  std::vector<std::string> out;
  for (const IpNetwork& n : networks) out.push_back(n.to_string());
  return out;
}

// Every field meshmpc reads equals what nebula-cert 1.10+ prints (v2: key and
// curve beside the details; v1: inside them).
void expect_as_printed(const Certificate& c, const boost::json::object& printed) {
  SCOPED_TRACE(c.describe());
  const auto& d = printed.at("details").as_object();
  const bool is_v1 = c.version == CertificateVersion::v1;
  EXPECT_EQ(printed.at("version").as_int64(), is_v1 ? 1 : 2);
  EXPECT_EQ(c.fingerprint_hex(), printed.at("fingerprint").as_string());
  EXPECT_EQ(to_hex(c.signature), printed.at("signature").as_string());
  EXPECT_EQ(curve_name(c.curve), (is_v1 ? d : printed).at("curve").as_string());
  EXPECT_EQ(to_hex(c.public_key), (is_v1 ? d : printed).at("publicKey").as_string());
  EXPECT_EQ(c.name, d.at("name").as_string());
  EXPECT_EQ(strings_of(c.networks), strings_of(d.at("networks")));
  EXPECT_EQ(strings_of(c.unsafe_networks), strings_of(d.at("unsafeNetworks")));
  EXPECT_EQ(c.groups, strings_of(d.at("groups")));
  EXPECT_EQ(to_string(c.not_before), d.at("notBefore").as_string());
  EXPECT_EQ(to_string(c.not_after), d.at("notAfter").as_string());
  EXPECT_EQ(c.is_ca, d.at("isCa").as_bool());
  EXPECT_EQ(c.issuer_hex(), d.at("issuer").as_string());
}

TEST(KnownV2Certificate, DecodesWhatNebulaCert111Printed) {
  const Certificate ca = parse_certificates(kV2Ca, "v2ca.crt").at(0);
  const Certificate alice = parse_certificates(kV2Alice, "alice.crt").at(0);
  EXPECT_EQ(ca.version, CertificateVersion::v2);
  EXPECT_EQ(ca.curve, Curve::curve25519);
  EXPECT_TRUE(ca.is_ca);
  EXPECT_EQ(ca.name, "v2ca");
  EXPECT_EQ(strings_of(ca.networks), (std::vector<std::string>{"10.213.0.0/16", "fd00:213::/64"}));
  EXPECT_EQ(strings_of(ca.unsafe_networks), std::vector<std::string>{"192.168.0.0/16"});
  EXPECT_EQ(ca.groups, (std::vector<std::string>{"mpc", "admin"}));
  EXPECT_EQ(ca.fingerprint_hex(), "4313ed9c11efc3f23d3bc17390cb404eebe5f12720f654bb3ad642c66bdb2ace");
  EXPECT_EQ(to_hex(ca.public_key), "0b7b51a1534a6d401c2d4abdeefaf6bd7d3f6252e804c92aa5ca146b8575832b");
  EXPECT_EQ(alice.name, "alice");
  EXPECT_FALSE(alice.is_ca);
  EXPECT_EQ(strings_of(alice.networks), (std::vector<std::string>{"10.213.0.11/16", "fd00:213::11/64"}));
  EXPECT_TRUE(alice.unsafe_networks.empty());
  EXPECT_EQ(alice.groups, std::vector<std::string>{"mpc"});
  EXPECT_EQ(to_string(alice.not_before), "2026-12-04T02:22:17Z");
  EXPECT_EQ(to_string(alice.not_after), "2027-12-04T02:22:16Z");
  EXPECT_EQ(alice.issuer_hex(), ca.fingerprint_hex());
  EXPECT_EQ(alice.fingerprint_hex(), "174acfa9011dba9a369575d16989d2ea05a85db9e679f5e4fe2be8cd917d2e65");
  // The details element is signed and hashed whole, tag and length included.
  EXPECT_EQ(alice.details.size(), 2u + 0x58u);
  EXPECT_EQ(alice.details[0], std::byte{0xa0});

  const Certificate p256_ca = parse_certificates(kP256Ca, "p256ca.crt").at(0);
  const Certificate bob = parse_certificates(kP256Bob, "bob.crt").at(0);
  EXPECT_EQ(bob.curve, Curve::p256);
  EXPECT_EQ(bob.public_key.size(), 65u);
  EXPECT_EQ(bob.fingerprint_hex(), "d42b4e111201671f5d7e79b72254a5b07640eceda43f9a35d2108beec5129653");
  EXPECT_EQ(to_hex(bob.signature), "3045022100ee3b1799452de5985c019b6ca2495ed059d40b7ed69b22bc33978df2d78f5d02022059d1"
                                   "89106ddb08009bcdc4d46bdc62c74fa9bc337c707832549e7cee2630c605");
  EXPECT_EQ(bob.issuer_hex(), "74540038799e256b88e6d4b5dbc97dfb710ad2c2dfca2a87ba66b511611aacef");
  EXPECT_EQ(p256_ca.fingerprint_hex(), bob.issuer_hex());
  EXPECT_TRUE(bob.groups.empty());
  for (std::string_view pem : {kV2Ca, kV2Alice, kP256Ca, kP256Bob}) {
    const Bytes body = body_of(pem);
    EXPECT_EQ(encode_certificate(v2(body)), body);
  }
}

TEST(KnownV2Certificate, VerifiesUnderItsCaOnlyInsideItsValidity) {
  const CaPool pool(parse_certificates(std::string(kV2Ca) + std::string(kP256Ca), "bundle"));
  const Certificate alice = parse_certificates(kV2Alice, "alice.crt").at(0);
  const Certificate bob = parse_certificates(kP256Bob, "bob.crt").at(0);
  EXPECT_EQ(pool.verify(alice, kKnownNow).name, "v2ca");
  EXPECT_EQ(pool.verify(bob, kKnownNow).name, "p256ca");
  EXPECT_EQ(pool.verify(alice, alice.not_after).name, "v2ca");
  expect_fault(CertificateFault::expired, [&] { pool.verify(alice, alice.not_after + std::chrono::seconds(1)); },
               {"certificate 'alice'", "has expired", "2027-12-04T02:22:16Z"});
  expect_fault(CertificateFault::expired, [&] { pool.verify(bob, bob.not_before - std::chrono::hours(1)); },
               {"p256ca", "is not valid"});
}

TEST(KnownV2Certificate, ATamperedDetailsByteOrKeyByteBreaksTheSignature) {
  const CaPool pool(parse_certificates(std::string(kV2Ca) + std::string(kP256Ca), "bundle"));
  for (std::string_view pem : {kV2Alice, kP256Bob}) {
    Bytes body = body_of(pem);
    const Certificate original = v2(body);
    // The name's first byte: the details start at 3 (30 81 len), the name's content at 3 + 2 + 2.
    Bytes renamed = body;
    renamed[7] = std::byte{'X'};
    const Certificate forged = v2(renamed, "forged.crt");
    EXPECT_EQ(forged.name[0], 'X');
    EXPECT_NE(forged.fingerprint, original.fingerprint);
    expect_fault(CertificateFault::bad_signature, [&] { pool.verify(forged, kKnownNow); },
                 {"forged.crt", "signature does not match"});
    // v2 signs the public key too, outside the details.
    Bytes rekeyed = body;
    const auto key_end = body.size() - (original.signature.size() + 2);
    rekeyed[key_end - 1] ^= std::byte{0x01};
    expect_fault(CertificateFault::bad_signature, [&] { pool.verify(v2(rekeyed, "rekeyed.crt"), kKnownNow); },
                 {"rekeyed.crt", "signature does not match"});
  }
}

// The curve element is read before the key and the signature, so a wrong curve
// is refused for what it is and not as a key or signature of the wrong size.
TEST(KnownV2Certificate, ATamperedCurveIsRefusedByName) {
  const Certificate bob = v2(body_of(kP256Bob));
  const Bytes details = bob.details;
  expect_malformed(assemble(details, bytes({0x81, 0x01, 0x00}), bob.public_key, bob.signature),
                   {"bad.crt", "curve: Curve25519 written out"});
  expect_malformed(assemble(details, bytes({0x81, 0x01, 0x02}), bob.public_key, bob.signature),
                   {"curve: 2 is unknown"});
  expect_malformed(assemble(details, bytes({0x81, 0x02, 0x00, 0x01}), bob.public_key, bob.signature),
                   {"curve: 2 bytes"});
  // The curve removed: a P-256 key under the Curve25519 default.
  expect_malformed(assemble(details, {}, bob.public_key, bob.signature),
                   {"the public key has 65 bytes", "X25519", "Curve25519"});
  // A Curve25519 certificate claiming P-256.
  const Certificate alice = v2(body_of(kV2Alice));
  expect_malformed(assemble(alice.details, bytes({0x81, 0x01, 0x01}), alice.public_key, alice.signature),
                   {"the public key has 32 bytes", "P-256"});
  // A P-256 certificate naming a Curve25519 CA as its issuer: refused as a curve
  // mismatch before the (now broken) signature is looked at.
  Certificate crossed = bob;
  const Certificate v2ca = parse_certificates(kV2Ca, "v2ca.crt").at(0);
  crossed.issuer.assign(v2ca.fingerprint.begin(), v2ca.fingerprint.end());
  const CaPool pool(parse_certificates(std::string(kV2Ca) + std::string(kP256Ca), "bundle"));
  expect_fault(CertificateFault::curve_mismatch, [&] { pool.verify(v2(reencoded(crossed), "crossed.crt"), kKnownNow); },
               {"crossed.crt", "uses P-256", "v2ca", "uses Curve25519"});
}

TEST(MalformedV2, EveryTruncationIsRefused) {
  for (std::string_view pem : {kV2Alice, kP256Bob, kV2Ca}) {
    const Bytes body = body_of(pem);
    for (std::size_t n = 0; n < body.size(); ++n) {
      const Bytes cut(body.begin(), body.begin() + static_cast<std::ptrdiff_t>(n));
      std::string message;
      EXPECT_EQ(fault_of([&] { v2(cut, "cut.crt"); }, &message), CertificateFault::malformed) << n;
      EXPECT_NE(message.find("cut.crt: malformed certificate at byte "), std::string::npos) << message;
    }
  }
}

TEST(MalformedV2, NonCanonicalDerIsRefused) {
  const Bytes body = body_of(kV2Alice);
  const Certificate alice = v2(body);
  const Bytes inner(body.begin() + 3, body.end());  // after 30 81 be
  // Long-form lengths where the short form fits, and a leading zero.
  Bytes details_long = alice.details;
  details_long.insert(details_long.begin() + 1, std::byte{0x81});
  expect_malformed(assemble(details_long, {}, alice.public_key, alice.signature),
                   {"at byte 4", "details: long-form length 88 where the short form fits"});
  expect_malformed(cat({bytes({0x30, 0x82, 0x00, 0xbe}), inner}), {"at byte 1", "leading zero"});
  // BER's indefinite length.
  expect_malformed(cat({bytes({0x30, 0x80}), inner, bytes({0x00, 0x00})}), {"indefinite length"});
  // Lengths that overflow or run past the end.
  expect_malformed(cat({bytes({0x30, 0x85, 0xff, 0xff, 0xff, 0xff, 0xff}), inner}), {"a length of 5 bytes overflows"});
  expect_malformed(cat({bytes({0x30, 0x84, 0x7f, 0xff, 0xff, 0xff}), inner}), {"runs past the end"});
  expect_malformed(cat({bytes({0x30, 0x81, 0xbf}), inner}), {"a length of 191 runs past the end (190 bytes left)"});
  // Trailing bytes after the certificate, and inside it after the signature.
  expect_malformed(cat({body, bytes({0x00})}), {"at byte 193", "1 unexpected bytes after the certificate"});
  expect_malformed(tlv(0x30, cat({inner, bytes({0x84, 0x00})})), {"unexpected bytes after the signature"});
  // A multi-byte tag where the name belongs.
  Bytes big_tag = body;
  big_tag[5] = std::byte{0x9f};
  expect_malformed(big_tag, {"at byte 5", "multi-byte tag"});
  // Wrong tags, empty input, and more than Nebula's 65,536 bytes.
  expect_malformed(cat({bytes({0x31}), Bytes(body.begin() + 1, body.end())}), {"expected tag 0x30, found 0x31"});
  expect_malformed({}, {"empty certificate"});
  Bytes huge = body;
  huge.resize(kMaxCertificateBytes + 1);
  expect_malformed(huge, {"65537 bytes", "at most 65536"});
  // Signature missing, or of the wrong size for Ed25519.
  expect_malformed(tlv(0x30, cat({alice.details, tlv(0x82, alice.public_key)})), {"signature: missing"});
  expect_malformed(assemble(alice.details, {}, alice.public_key, Bytes(alice.signature.begin(), alice.signature.end() - 1)),
                   {"the signature has 63 bytes", "Ed25519"});
}

TEST(MalformedV2, DetailsOutsideNebulasRulesAreRefused) {
  const Certificate alice = v2(body_of(kV2Alice));
  const auto refused = [&](Certificate c, std::initializer_list<std::string> parts) {
    expect_malformed(reencoded(std::move(c)), parts);
  };
  const IpNetwork v4 = *IpNetwork::parse("10.213.0.11/16");
  const IpNetwork v6 = *IpNetwork::parse("fd00:213::11/64");
  Certificate c = alice;
  c.networks = {v6, v4};
  refused(c, {"details.networks[1]: 10.213.0.11/16 is out of order"});
  c.networks = {v4, v4};
  refused(c, {"details.networks[1]: 10.213.0.11/16 is listed twice"});
  c.networks = {*IpNetwork::parse("::ffff:10.213.0.11/120")};
  refused(c, {"IPv4-mapped"});
  c.networks = {*IpNetwork::parse("0.0.0.0/16")};
  refused(c, {"the zero address 0.0.0.0/16"});
  c.networks = {};
  refused(c, {"a host certificate needs at least one"});
  c.networks = {v4};
  c.unsafe_networks = {*IpNetwork::parse("fd01::/64")};
  refused(c, {"details.unsafeNetworks: fd01::/64 needs an IPv6 address"});
  c = alice;
  c.name = std::string(254, 'n');
  refused(c, {"details.name: 254 bytes, expected 1 to 253"});
  c.name = "";
  refused(c, {"details.name: 0 bytes"});
  c = alice;
  c.issuer.pop_back();
  refused(c, {"details.issuer: 31 bytes, expected 32"});
  c = alice;
  c.groups = {"mpc", ""};
  refused(c, {"details.groups[1]: an empty group name"});

  // Hand-made details for what the encoder never writes.
  const Bytes name = tlv(0x80, bytes({'a'}));
  const Bytes networks = tlv(0xa1, tlv(0x04, bytes({10, 213, 0, 11, 16})));
  const Bytes before = tlv(0x85, bytes({0x6b, 0x12, 0x23, 0xd9}));
  const Bytes after = tlv(0x86, bytes({0x6c, 0xf3, 0x57, 0x58}));
  const Bytes issuer = tlv(0x87, alice.issuer);
  const auto with_details = [&](std::initializer_list<Bytes> fields) {
    return assemble(tlv(0xa0, cat(fields)), {}, alice.public_key, alice.signature);
  };
  // The hand-made fields parse when nothing is wrong with them (only the signature no longer matches).
  EXPECT_NO_THROW(v2(with_details({name, networks, before, after, issuer})));
  expect_malformed(with_details({name, networks, tlv(0x84, bytes({0x00})), before, after, issuer}),
                   {"details.isCA: false written out"});
  expect_malformed(with_details({name, networks, tlv(0x84, bytes({0x01})), before, after, issuer}),
                   {"details.isCA: not a DER BOOLEAN TRUE"});
  expect_malformed(with_details({name, tlv(0xa1, {}), before, after, issuer}), {"details.networks: present but empty"});
  expect_malformed(with_details({name, tlv(0xa1, tlv(0x04, bytes({10, 213, 0, 11, 33}))), before, after, issuer}),
                   {"details.networks[0]: prefix length 33 exceeds 32"});
  expect_malformed(with_details({name, tlv(0xa1, tlv(0x04, bytes({10, 213, 0, 11}))), before, after, issuer}),
                   {"details.networks[0]: 4 bytes, expected 5"});
  expect_malformed(with_details({name, networks, tlv(0x85, bytes({0x00, 0x6b, 0x12, 0x23, 0xd9})), after, issuer}),
                   {"details.notBefore: INTEGER with a redundant leading byte"});
  expect_malformed(with_details({name, networks, tlv(0x85, bytes({0xff})), after, issuer}),
                   {"details.notBefore: -1 is before 1970"});
  expect_malformed(with_details({name, networks, tlv(0x85, Bytes(9, std::byte{0x7f})), after, issuer}),
                   {"does not fit in 64 bits"});
  expect_malformed(with_details({name, networks, after, before, issuer}), {"details.notBefore: expected tag 0x85"});
  expect_malformed(with_details({name, networks, before, after, issuer, tlv(0x88, bytes({0x01}))}),
                   {"unexpected bytes after details.issuer", "fails closed"});
  // A P-256 signature that is not one DER SEQUENCE of two positive INTEGERs.
  const Certificate bob = v2(body_of(kP256Bob));
  const Bytes p256_curve = bytes({0x81, 0x01, 0x01});
  Bytes sig_trailing = bob.signature;
  sig_trailing.push_back(std::byte{0});
  expect_malformed(assemble(bob.details, p256_curve, bob.public_key, sig_trailing),
                   {"unexpected bytes after the P-256 signature"});
  Bytes sig_negative = bob.signature;
  sig_negative[4] = std::byte{0x80};  // 30 45 02 21 [00 -> 80]: r negative
  expect_malformed(assemble(bob.details, p256_curve, bob.public_key, sig_negative), {"P-256 signature r: a negative"});
  Bytes key_compressed = bob.public_key;
  key_compressed[0] = std::byte{0x02};
  expect_malformed(assemble(bob.details, p256_curve, key_compressed, bob.signature), {"not an uncompressed point"});
}

// A fixture for what needs a nebula-cert 1.10+ to run.
class WithNewerNebulaCert : public testing::Test {
 protected:
  void SetUp() override {
    program_ = test::newer_nebula_cert();
    if (program_.empty()) GTEST_SKIP() << test::kNoNewerNebulaCert;
    // nebula-cert prints times in the local zone; the model prints UTC.
    ::setenv("TZ", "UTC", 1);
  }
  boost::json::array print(const std::string& path) const {
    return boost::json::parse(test::run({program_, "print", "-json", "-path", path})).as_array();
  }
  std::string program_;
};

TEST_F(WithNewerNebulaCert, EveryVersionAndCurveReadsAsNebulaCertPrintsIt) {
  TempDir dir;
  struct Case {
    std::string label;
    CaSpec spec;
    std::string host_networks;
    std::vector<std::string> extra;
  };
  const std::vector<Case> cases = {
      {"v2-25519", test::ca_spec("v2-ca", "mpc,admin", "10.213.0.0/16,fd00:213::/64", "192.168.0.0/16,fd01::/48"),
       "10.213.0.11/16,fd00:213::11/64", {"-unsafe-networks", "192.168.7.0/24,fd01::/56"}},
      {"v2-p256", test::ca_spec("p256-ca", "mpc", "fd00:214::/64", "", "8760h", "P256"), "fd00:214::5/64", {}},
      {"v1-p256", test::ca_spec("v1-p256-ca", "mpc", "10.214.0.0/16", "", "8760h", "P256", "1"), "10.214.0.5/16", {}},
      {"v1-25519", test::ca_spec("v1-ca", "mpc", "10.215.0.0/16", "192.168.0.0/16", "8760h", "", "1"), "10.215.0.5/16",
       {"-unsafe-networks", "192.168.3.0/24"}},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.label);
    const Pki pki(dir.path() / c.label, program_, c.spec);
    const std::string host = pki.sign("host", c.host_networks, "mpc", "", c.extra);
    for (const std::string& path : {pki.ca_crt(), host}) {
      const Certificate cert = read_certificate(path);
      const boost::json::array printed = print(path);
      ASSERT_EQ(printed.size(), 1u);
      expect_as_printed(cert, printed[0].as_object());
      EXPECT_EQ(cert.version, c.spec.version == "1" ? CertificateVersion::v1 : CertificateVersion::v2);
      EXPECT_EQ(cert.curve, c.spec.curve == "P256" ? Curve::p256 : Curve::curve25519);
      EXPECT_EQ(encode_certificate(cert), decode_pem(test::read_text_file_or_empty(path), path).at(0).body);
    }
    const Certificate cert = read_certificate(host);
    EXPECT_EQ(CaPool::from_file(pki.ca_crt()).verify(cert, now_seconds()).name, c.spec.name);
    check_host_key(cert, read_text_file(pki.key("host"), "key"), pki.key("host"));
  }
}

TEST_F(WithNewerNebulaCert, HostKeysOfBothCurvesMatchOnlyTheirCertificates) {
  TempDir dir;
  const Pki p256(dir.path() / "p256", program_, test::ca_spec("p256-ca", "mpc", "10.1.0.0/16", "", "8760h", "P256"));
  const Pki ed(dir.path() / "ed", program_, test::ca_spec("ed-ca", "mpc", "10.2.0.0/16"));
  const Certificate bob = read_certificate(p256.sign("bob", "10.1.0.2/16"));
  p256.sign("carol", "10.1.0.3/16");
  ed.sign("dave", "10.2.0.4/16");
  EXPECT_EQ(decode_pem(read_text_file(p256.key("bob"), "key"), "bob.key").at(0).banner,
            "NEBULA P256 PRIVATE KEY");
  EXPECT_NO_THROW(check_host_key(bob, read_text_file(p256.key("bob"), "key"), "bob.key"));
  expect_fault(CertificateFault::key_mismatch,
               [&] { check_host_key(bob, read_text_file(p256.key("carol"), "key"), "carol.key"); },
               {"carol.key", "does not belong to certificate 'bob'"});
  expect_fault(CertificateFault::key_mismatch,
               [&] { check_host_key(bob, read_text_file(ed.key("dave"), "key"), "dave.key"); },
               {"dave.key", "a Curve25519 key", "is a P-256 certificate"});
  // A scalar that is not below the group order is no P-256 key at all.
  const std::string all_ones = test::to_pem("NEBULA P256 PRIVATE KEY", Bytes(32, std::byte{0xff}));
  expect_fault(CertificateFault::malformed, [&] { check_host_key(bob, all_ones, "ones.key"); },
               {"ones.key", "not a P-256 private key"});
  expect_fault(CertificateFault::malformed, [&] { check_host_key(bob, read_text_file(p256.ca_key(), "key"), "ca.key"); },
               {"ca.key", "NEBULA ECDSA P256 PRIVATE KEY"});
}

TEST_F(WithNewerNebulaCert, RefusesAV2CertificateOfAnotherCaUnlessBundled) {
  TempDir dir;
  const Pki ours(dir.path() / "ours", program_, test::ca_spec("ours", "mpc", "10.213.0.0/16"));
  const Pki theirs(dir.path() / "theirs", program_, test::ca_spec("theirs", "mpc", "10.213.0.0/16"));
  const Certificate mallory = read_certificate(theirs.sign("mallory", "10.213.0.66/16"));
  const CaPool pool = CaPool::from_file(ours.ca_crt());
  expect_fault(CertificateFault::unknown_ca, [&] { pool.verify(mallory, now_seconds()); },
               {"certificate 'mallory'", "does not trust", mallory.issuer_hex()});
  test::write_file(dir / "bundle.crt",
                   test::read_text_file_or_empty(ours.ca_crt()) + test::read_text_file_or_empty(theirs.ca_crt()));
  EXPECT_EQ(CaPool::from_file(dir / "bundle.crt").verify(mallory, now_seconds()).name, "theirs");
}

TEST_F(WithNewerNebulaCert, ExpiredV2CertificatesAndCasAreRefused) {
  TempDir dir;
  const Pki pki(dir.path(), program_, test::ca_spec("short-ca", "mpc", "fd00:1::/64", "", "2h", "P256"));
  const Certificate bob = read_certificate(pki.sign("bob", "fd00:1::2/64", "mpc", "1h"));
  const CaPool pool = CaPool::from_file(pki.ca_crt());
  const UnixSeconds now = now_seconds();
  EXPECT_NO_THROW(pool.verify(bob, now));
  expect_fault(CertificateFault::expired, [&] { pool.verify(bob, now + std::chrono::minutes(61)); },
               {"certificate 'bob'", "has expired"});
  expect_fault(CertificateFault::expired, [&] { pool.verify(bob, now + std::chrono::minutes(121)); },
               {"short-ca", "is not valid"});
  // Backdated by the test-only signer (ECDSA with the CA key, v2 re-encoded):
  // valid for one second at the CA's start, expired ever after.
  const Certificate ca = read_certificate(pki.ca_crt());
  Certificate old = bob;
  old.not_before = ca.not_before;
  old.not_after = ca.not_before + std::chrono::seconds(1);
  test::write_file(dir / "old.crt", test::resign(old, pki.ca_key()));
  const Certificate backdated = read_certificate(dir / "old.crt");
  EXPECT_NO_THROW(pool.verify(backdated, ca.not_before));
  expect_fault(CertificateFault::expired, [&] { pool.verify(backdated, ca.not_before + std::chrono::seconds(2)); },
               {"has expired", to_string(backdated.not_after)});
}

// (r, s) -> (r, n − s), computed here independently of the library's own.
Bytes other_form(const Bytes& signature) {
  const unsigned char* in = reinterpret_cast<const unsigned char*>(signature.data());
  ECDSA_SIG* sig = d2i_ECDSA_SIG(nullptr, &in, static_cast<long>(signature.size()));
  EC_GROUP* group = EC_GROUP_new_by_curve_name(NID_X9_62_prime256v1);
  BIGNUM* s = BN_new();
  BN_sub(s, EC_GROUP_get0_order(group), ECDSA_SIG_get0_s(sig));
  ECDSA_SIG_set0(sig, BN_dup(ECDSA_SIG_get0_r(sig)), s);
  Bytes out(static_cast<std::size_t>(i2d_ECDSA_SIG(sig, nullptr)));
  unsigned char* write = reinterpret_cast<unsigned char*>(out.data());
  i2d_ECDSA_SIG(sig, &write);
  ECDSA_SIG_free(sig);
  EC_GROUP_free(group);
  return out;
}

TEST_F(WithNewerNebulaCert, BlocklistMatchesEitherFormOfAP256Signature) {
  TempDir dir;
  for (const std::string version : {"2", "1"}) {
    SCOPED_TRACE("v" + version);
    const Pki pki(dir.path() / version, program_,
                  test::ca_spec("p256-ca", "mpc", "10.9.0.0/16", "", "8760h", "P256", version));
    const Certificate bob = read_certificate(pki.sign("bob", "10.9.0.2/16"));
    const Certificate alice = read_certificate(pki.sign("alice", "10.9.0.1/16"));
    // The same certificate with the other form of its signature: still valid
    // under the CA (ECDSA accepts both), with a different fingerprint.
    Certificate twin_fields = bob;
    twin_fields.signature = other_form(bob.signature);
    const Certificate twin = parse_certificate(encode_certificate(twin_fields),
                                               version == "1" ? CertificateVersion::v1 : CertificateVersion::v2,
                                               "twin.crt");
    ASSERT_NE(twin.fingerprint, bob.fingerprint);
    ASSERT_EQ(alternate_fingerprint(bob), twin.fingerprint);
    ASSERT_EQ(alternate_fingerprint(twin), bob.fingerprint);
    CaPool by_printed = CaPool::from_file(pki.ca_crt());
    EXPECT_NO_THROW(by_printed.verify(twin, now_seconds()));
    by_printed.block(bob.fingerprint_hex());
    EXPECT_NO_THROW(by_printed.verify(alice, now_seconds()));
    expect_fault(CertificateFault::blocklisted, [&] { by_printed.verify(bob, now_seconds()); },
                 {"certificate 'bob'", "blocklist", bob.fingerprint_hex()});
    expect_fault(CertificateFault::blocklisted, [&] { by_printed.verify(twin, now_seconds()); },
                 {"twin.crt", "other form of its P-256 signature", bob.fingerprint_hex()});
    CaPool by_other = CaPool::from_file(pki.ca_crt());
    by_other.block(twin.fingerprint_hex());
    expect_fault(CertificateFault::blocklisted, [&] { by_other.verify(bob, now_seconds()); },
                 {"certificate 'bob'", "other form", twin.fingerprint_hex()});
  }
}

TEST_F(WithNewerNebulaCert, RequiresTheSessionGroup) {
  TempDir dir;
  const Pki pki(dir.path(), program_, test::ca_spec("ca", "mpc,admin", "10.213.0.0/16"));
  const Certificate ops = read_certificate(pki.sign("ops", "10.213.0.99/16", "admin"));
  EXPECT_NO_THROW(CaPool::from_file(pki.ca_crt()).verify(ops, now_seconds()));
  expect_fault(CertificateFault::missing_group, [&] { require_group(ops, "mpc"); },
               {"certificate 'ops'", "lacks the group 'mpc'", "its groups: admin"});
}

TEST_F(WithNewerNebulaCert, CaConstraintsCoverIpv6NetworksUnsafeNetworksAndGroups) {
  TempDir dir;
  const Pki pki(dir.path(), program_, test::ca_spec("ca", "mpc", "10.213.0.0/16,fd00:213::/64", "fd01::/48"));
  const CaPool pool = CaPool::from_file(pki.ca_crt());
  const Certificate alice = read_certificate(pki.sign("alice", "10.213.0.11/16,fd00:213::11/64"));
  EXPECT_NO_THROW(pool.verify(alice, now_seconds()));
  const auto refused = [&](Certificate c, const std::string& name, std::initializer_list<std::string> parts) {
    test::write_file(dir / name, test::resign(std::move(c), pki.ca_key()));
    expect_fault(CertificateFault::ca_constraint, [&] { pool.verify(read_certificate(dir / name), now_seconds()); },
                 parts);
  };
  Certificate c = alice;
  c.networks = {*IpNetwork::parse("10.213.0.11/16"), *IpNetwork::parse("fd00:214::11/64")};
  refused(c, "outside.crt", {"network fd00:214::11/64 lies outside", "fd00:213::/64"});
  c.networks = {*IpNetwork::parse("10.213.0.11/16"), *IpNetwork::parse("fd00:213::11/48")};
  refused(c, "wider.crt", {"network fd00:213::11/48 lies outside"});
  c = alice;
  c.unsafe_networks = {*IpNetwork::parse("fd02::/64")};
  refused(c, "unsafe.crt", {"unsafe network fd02::/64 lies outside", "fd01::/48"});
  c = alice;
  c.groups = {"mpc", "other"};
  refused(c, "group.crt", {"group 'other'"});
  c = alice;
  c.unsafe_networks = {*IpNetwork::parse("fd01:0:0:5::/64")};
  test::write_file(dir / "inside.crt", test::resign(c, pki.ca_key()));
  EXPECT_NO_THROW(pool.verify(read_certificate(dir / "inside.crt"), now_seconds()));
}

// During a migration every host's pki.ca holds the v1 CA and the v2 CA (and
// possibly an expired one): whichever CA the issuer names decides, the others
// are never in the way.
TEST_F(WithNewerNebulaCert, MixedBundleOfV1V2AndExpiredCasVerifiesEachHost) {
  TempDir dir;
  const bool have_161 = test::have_program("nebula-cert");
  const Pki v1 = have_161 ? Pki(dir.path() / "v1")
                          : Pki(dir.path() / "v1", program_,
                                test::ca_spec("mpc-ca", "mpc,admin", "10.213.0.0/16", "", "8760h", "", "1"));
  const Pki v2ca(dir.path() / "v2", program_, test::ca_spec("v2-ca", "mpc", "10.213.0.0/16,fd00:213::/64"));
  const Pki p256(dir.path() / "p256", program_, test::ca_spec("p256-ca", "mpc", "", "", "8760h", "P256"));
  // Short enough to expire within the test, long enough for nebula-cert to sign with it first.
  const Pki old(dir.path() / "old", program_, test::ca_spec("old-ca", "mpc", "", "", "10s"));
  const Certificate v1_host = read_certificate(v1.sign("one", "10.213.0.1/16"));
  const Certificate v2_host = read_certificate(v2ca.sign("two", "10.213.0.2/16,fd00:213::2/64"));
  // nebula-cert 1.10+ signs a v1 certificate with a v2 CA when asked (-version 1).
  const Certificate v1_by_v2 = read_certificate(v2ca.sign("three", "10.213.0.3/16", "mpc", "", {"-version", "1"}));
  const Certificate p256_host = read_certificate(p256.sign("four", "10.5.0.4/16"));
  const Certificate old_host = read_certificate(old.sign("five", "10.6.0.5/16"));
  std::string bundle;
  for (const Pki* pki : {&v1, &v2ca, &old, &p256}) bundle += test::read_text_file_or_empty(pki->ca_crt());
  test::write_file(dir / "pki.ca", bundle);
  const CaPool pool = CaPool::from_file(dir / "pki.ca");
  ASSERT_EQ(pool.cas().size(), 4u);
  EXPECT_EQ(pool.cas()[0].version, CertificateVersion::v1);
  EXPECT_EQ(pool.cas()[1].version, CertificateVersion::v2);
  EXPECT_EQ(v1_by_v2.version, CertificateVersion::v1);
  const UnixSeconds later = now_seconds() + std::chrono::minutes(1);  // the old CA has expired by then
  EXPECT_EQ(pool.verify(v1_host, later).name, "mpc-ca");
  EXPECT_EQ(pool.verify(v2_host, later).name, "v2-ca");
  EXPECT_EQ(pool.verify(v1_by_v2, later).name, "v2-ca");
  EXPECT_EQ(pool.verify(p256_host, later).name, "p256-ca");
  expect_fault(CertificateFault::expired, [&] { pool.verify(old_host, later); }, {"old-ca", "is not valid"});
}

}  // namespace
}  // namespace meshmpc::nebula
