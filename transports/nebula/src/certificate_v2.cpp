// v2 certificates (Nebula 1.10+): ASN.1 DER per nebula cert/cert_v2.asn1, read
// with der.hpp's strict reader. The shape, with the tags Nebula writes:
//
//   SEQUENCE {                                   0x30
//     details [0] SEQUENCE {                     0xa0  (signed and hashed whole)
//       name [0] 1..253 bytes                    0x80
//       networks [1] SEQUENCE OF OCTET STRING    0xa1  (4 or 16 address bytes + prefix) OPTIONAL
//       unsafeNetworks [2] same                  0xa2  OPTIONAL
//       groups [3] SEQUENCE OF UTF8String        0xa3  OPTIONAL
//       isCA [4] BOOLEAN DEFAULT false           0x84
//       notBefore [5] INTEGER, notAfter [6]      0x85, 0x86 (Unix seconds)
//       issuer [7] OCTET STRING OPTIONAL         0x87
//       ... }
//     curve [1] ENUMERATED DEFAULT curve25519    0x81
//     publicKey [2] OCTET STRING                 0x82
//     signature [3] OCTET STRING                 0x83
//   }
//
// Stricter than Nebula where Nebula tolerates what its own writer never makes:
// bytes after the outer SEQUENCE or after the signature, empty lists, defaults
// written out, a BOOLEAN other than 0xff, unsorted networks (Nebula sorts them
// after checking the signature, so its idea of a host's first network would
// differ from the signed order), and fields after the issuer (the extension
// marker: unknown fields could carry constraints this reader cannot enforce, so
// it fails closed). Everything accepted re-encodes to the same bytes.
#include <algorithm>

#include "certificate_codec.hpp"
#include "der.hpp"

namespace meshmpc::nebula::detail {

namespace {

using der::Element;
using der::Reader;

constexpr std::uint8_t kCertificate = der::kSequence;
constexpr std::uint8_t kDetails = der::kContext | der::kConstructed | 0;
constexpr std::uint8_t kCurve = der::kContext | 1;
constexpr std::uint8_t kPublicKey = der::kContext | 2;
constexpr std::uint8_t kSignature = der::kContext | 3;

constexpr std::uint8_t kName = der::kContext | 0;
constexpr std::uint8_t kNetworks = der::kContext | der::kConstructed | 1;
constexpr std::uint8_t kUnsafeNetworks = der::kContext | der::kConstructed | 2;
constexpr std::uint8_t kGroups = der::kContext | der::kConstructed | 3;
constexpr std::uint8_t kIsCa = der::kContext | 4;
constexpr std::uint8_t kNotBefore = der::kContext | 5;
constexpr std::uint8_t kNotAfter = der::kContext | 6;
constexpr std::uint8_t kIssuer = der::kContext | 7;

constexpr std::size_t kMaxNameBytes = 253;  // a DNS name's limit (cert_v2.asn1 Name)

std::string text_of(std::span<const std::byte> bytes) {
  return std::string(reinterpret_cast<const char*>(bytes.data()), bytes.size());
}

// One network: 4 or 16 address bytes, then the prefix length.
IpNetwork parse_network(const Reader& reader, const Element& e, const std::string& field) {
  const auto c = e.content;
  if (c.size() != 5 && c.size() != 17) {
    reader.fail(e.offset, field + ": " + std::to_string(c.size()) +
                              " bytes, expected 5 (IPv4 + prefix) or 17 (IPv6 + prefix)");
  }
  IpNetwork n;
  n.v6 = c.size() == 17;
  for (std::size_t i = 0; i + 1 < c.size(); ++i) n.bytes[i] = std::to_integer<std::uint8_t>(c[i]);
  n.prefix = std::to_integer<int>(c.back());
  if (n.prefix > n.address_bits()) {
    reader.fail(e.content_offset() + c.size() - 1, field + ": prefix length " + std::to_string(n.prefix) +
                                                       " exceeds " + std::to_string(n.address_bits()));
  }
  return n;
}

// A present list is never empty (Nebula omits an empty one), holds at most
// what fits in the certificate, and is in Nebula's order without repeats.
std::vector<IpNetwork> parse_networks(const Reader& outer, const Element& list, const std::string& field) {
  if (list.content.empty()) outer.fail(list.offset, field + ": present but empty (Nebula omits an empty list)");
  Reader reader = outer.inside(list);
  std::vector<IpNetwork> out;
  while (!reader.done()) {
    const std::string item = field + "[" + std::to_string(out.size()) + "]";
    const Element e = reader.read(der::kOctetString, item);
    IpNetwork n = parse_network(reader, e, item);
    if (!out.empty() && !(out.back() < n)) {
      reader.fail(e.offset, item + ": " + n.to_string() +
                                (out.back() == n ? " is listed twice"
                                                 : " is out of order (Nebula lists IPv4 before IPv6, then by address "
                                                   "and prefix, after " +
                                                       out.back().to_string() + ")"));
    }
    out.push_back(n);
  }
  return out;
}

UnixSeconds parse_time(const Reader& reader, const Element& e, const std::string& field) {
  const std::int64_t seconds = der::read_int64(reader, e, field);
  if (seconds < 0) reader.fail(e.content_offset(), field + ": " + std::to_string(seconds) + " is before 1970");
  return UnixSeconds(std::chrono::seconds(seconds));
}

std::string parse_name(Reader& d) {
  const Element name = d.read(kName, "details.name");
  if (name.content.empty() || name.content.size() > kMaxNameBytes) {
    d.fail(name.offset, "details.name: " + std::to_string(name.content.size()) + " bytes, expected 1 to " +
                            std::to_string(kMaxNameBytes));
  }
  return text_of(name.content);
}

std::vector<std::string> parse_groups(const Reader& d, const Element& list) {
  if (list.content.empty()) d.fail(list.offset, "details.groups: present but empty (Nebula omits an empty list)");
  Reader reader = d.inside(list);
  std::vector<std::string> groups;
  while (!reader.done()) {
    const std::string item = "details.groups[" + std::to_string(groups.size()) + "]";
    const Element g = reader.read(der::kUtf8String, item);
    if (g.content.empty()) reader.fail(g.offset, item + ": an empty group name");
    groups.push_back(text_of(g.content));
  }
  return groups;
}

// Only TRUE may be written: DER omits a DEFAULT value, and Nebula writes 0xff.
void check_is_ca(const Reader& d, const Element& is_ca) {
  const auto v = is_ca.content;
  if (v.size() != 1 || v[0] != std::byte{0xff}) {
    d.fail(is_ca.offset, v.size() == 1 && v[0] == std::byte{0}
                             ? "details.isCA: false written out (DER omits a DEFAULT value)"
                             : "details.isCA: not a DER BOOLEAN TRUE (one byte 0xff)");
  }
}

std::vector<std::byte> parse_issuer(const Reader& d, const Element& issuer) {
  if (issuer.content.size() != 32) {
    d.fail(issuer.offset, "details.issuer: " + std::to_string(issuer.content.size()) +
                              " bytes, expected 32 (a SHA-256 fingerprint)");
  }
  return {issuer.content.begin(), issuer.content.end()};
}

// Nebula's validate(): a host has a network; no network is the zero address or
// an IPv4-mapped IPv6 address; a host's unsafe networks of a family need an
// address of that family.
void validate_networks(const Certificate& c, const Reader& d, std::size_t networks_at, std::size_t unsafe_at) {
  if (!c.is_ca && c.networks.empty()) d.fail(networks_at, "details.networks: a host certificate needs at least one");
  bool has_v4 = false;
  bool has_v6 = false;
  for (const IpNetwork& n : c.networks) {
    if (n.is_unspecified()) d.fail(networks_at, "details.networks: the zero address " + n.to_string() + " is not allowed");
    if (n.is_v4_mapped()) {
      d.fail(networks_at, "details.networks: " + n.to_string() + " is an IPv4-mapped IPv6 address (not allowed)");
    }
    (n.v6 ? has_v6 : has_v4) = true;
  }
  if (!c.is_ca) {
    for (const IpNetwork& n : c.unsafe_networks) {
      if (!(n.v6 ? has_v6 : has_v4)) {
        d.fail(unsafe_at, "details.unsafeNetworks: " + n.to_string() + " needs an " + (n.v6 ? "IPv6" : "IPv4") +
                              " address among the networks");
      }
    }
  }
}

void parse_details(Certificate& c, const Reader& outer, const Element& details) {
  Reader d = outer.inside(details);
  c.name = parse_name(d);
  const std::size_t networks_at = d.offset();
  if (const auto list = d.read_optional(kNetworks, "details.networks")) {
    c.networks = parse_networks(d, *list, "details.networks");
  }
  const std::size_t unsafe_at = d.offset();
  if (const auto list = d.read_optional(kUnsafeNetworks, "details.unsafeNetworks")) {
    c.unsafe_networks = parse_networks(d, *list, "details.unsafeNetworks");
  }
  if (const auto list = d.read_optional(kGroups, "details.groups")) c.groups = parse_groups(d, *list);
  if (const auto is_ca = d.read_optional(kIsCa, "details.isCA")) {
    check_is_ca(d, *is_ca);
    c.is_ca = true;
  }
  c.not_before = parse_time(d, d.read(kNotBefore, "details.notBefore"), "details.notBefore");
  c.not_after = parse_time(d, d.read(kNotAfter, "details.notAfter"), "details.notAfter");
  if (const auto issuer = d.read_optional(kIssuer, "details.issuer")) c.issuer = parse_issuer(d, *issuer);
  d.expect_done("after details.issuer (fields this reader does not know: it fails closed rather than ignore them)");
  validate_networks(c, d, networks_at, unsafe_at);
}

std::span<const std::byte> as_bytes(std::string_view text) { return std::as_bytes(std::span(text)); }

void put_networks(std::vector<std::byte>& out, std::uint8_t tag, const std::vector<IpNetwork>& networks) {
  if (networks.empty()) return;
  std::vector<std::byte> list;
  for (const IpNetwork& n : networks) {
    std::vector<std::byte> item;
    for (int i = 0; i < n.address_bits() / 8; ++i) item.push_back(std::byte{n.bytes[i]});
    item.push_back(static_cast<std::byte>(n.prefix));
    der::put(list, der::kOctetString, item);
  }
  der::put(out, tag, list);
}

}  // namespace

std::vector<std::byte> encode_details_v2(const Certificate& c) {
  std::vector<std::byte> fields;
  der::put(fields, kName, as_bytes(c.name));
  put_networks(fields, kNetworks, c.networks);
  put_networks(fields, kUnsafeNetworks, c.unsafe_networks);
  if (!c.groups.empty()) {
    std::vector<std::byte> list;
    for (const std::string& g : c.groups) der::put(list, der::kUtf8String, as_bytes(g));
    der::put(fields, kGroups, list);
  }
  if (c.is_ca) der::put(fields, kIsCa, std::vector<std::byte>{std::byte{0xff}});
  der::put(fields, kNotBefore, der::int64_content(c.not_before.time_since_epoch().count()));
  der::put(fields, kNotAfter, der::int64_content(c.not_after.time_since_epoch().count()));
  if (!c.issuer.empty()) der::put(fields, kIssuer, c.issuer);
  std::vector<std::byte> out;
  der::put(out, kDetails, fields);
  return out;
}

std::vector<std::byte> encode_certificate_v2(const Certificate& c) {
  std::vector<std::byte> inner = c.details;
  if (c.curve != Curve::curve25519) {
    der::put(inner, kCurve, std::vector<std::byte>{static_cast<std::byte>(c.curve)});
  }
  der::put(inner, kPublicKey, c.public_key);
  der::put(inner, kSignature, c.signature);
  std::vector<std::byte> out;
  der::put(out, kCertificate, inner);
  return out;
}

Certificate parse_certificate_v2(std::span<const std::byte> body, const std::string& source) {
  Certificate c;
  c.version = CertificateVersion::v2;
  c.source = source;
  if (body.empty()) malformed(c.source, 0, "empty certificate");
  if (body.size() > kMaxCertificateBytes) {
    malformed(c.source, 0, std::to_string(body.size()) + " bytes; a v2 certificate has at most " +
                               std::to_string(kMaxCertificateBytes));
  }
  Reader top(body, 0, c.source, &malformed);
  const Element certificate = top.read(kCertificate, "certificate (SEQUENCE)");
  top.expect_done("after the certificate");
  Reader in = top.inside(certificate);
  const Element details = in.read(kDetails, "details");
  c.details.assign(details.whole.begin(), details.whole.end());
  // The curve comes before the key and the signature, and is judged first, so
  // that their sizes are checked against the right curve.
  if (const auto curve = in.read_optional(kCurve, "curve")) {
    if (curve->content.size() != 1) {
      in.fail(curve->offset, "curve: " + std::to_string(curve->content.size()) + " bytes, expected 1");
    }
    const auto value = std::to_integer<unsigned>(curve->content[0]);
    if (value == 0) in.fail(curve->offset, "curve: Curve25519 written out (DER omits a DEFAULT value)");
    if (value != static_cast<unsigned>(Curve::p256)) {
      in.fail(curve->content_offset(), "curve: " + std::to_string(value) + " is unknown (0 is Curve25519, 1 is P-256)");
    }
    c.curve = Curve::p256;
  }
  const Element key = in.read(kPublicKey, "publicKey");
  c.public_key.assign(key.content.begin(), key.content.end());
  const Element signature = in.read(kSignature, "signature");
  c.signature.assign(signature.content.begin(), signature.content.end());
  in.expect_done("after the signature");
  parse_details(c, in, details);
  check_public_key(c, key.content, key.content_offset());
  check_signature_form(c, signature.content, signature.content_offset());
  return c;
}

}  // namespace meshmpc::nebula::detail
