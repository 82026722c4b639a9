// v1 certificates: the protobuf RawNebulaCertificate of nebula cert_v1.proto
// (docs/transports/nebula.md, "v1 certificate wire format"), read and written
// with protobuf.hpp. Nebula re-encodes the parsed details before it verifies the
// signature, so only its own encoding can ever verify; this reader accepts exactly
// that encoding (checked by re-encoding) and names the first byte that departs
// from it.
#include <bit>
#include <optional>

#include "certificate_codec.hpp"
#include "protobuf.hpp"

namespace meshmpc::nebula::detail {

namespace {

// Field numbers of RawNebulaCertificate(Details).
enum : std::uint64_t {
  kDetails = 1, kSignature = 2,
  kName = 1, kIps = 2, kSubnets = 3, kGroups = 4, kNotBefore = 5, kNotAfter = 6,
  kPublicKey = 7, kIsCa = 8, kIssuer = 9, kCurve = 100,
};

using protobuf::kLengthDelimited;
using protobuf::kVarint;
using protobuf::put_bytes;
using protobuf::put_tag;
using protobuf::put_varint;
using protobuf::Reader;

std::span<const std::byte> as_bytes(std::string_view text) { return std::as_bytes(std::span(text)); }

std::uint32_t mask_of(int prefix) { return prefix == 0 ? 0 : ~std::uint32_t{0} << (32 - prefix); }

// v1 stores each network as (address, mask), both big-endian IPv4 words.
void put_networks(std::vector<std::byte>& out, std::uint64_t field, const std::vector<IpNetwork>& networks) {
  if (networks.empty()) return;
  std::vector<std::byte> packed;
  for (const IpNetwork& n : networks) {
    put_varint(packed, n.v4_address());
    put_varint(packed, mask_of(n.prefix));
  }
  put_bytes(out, field, packed);
}

std::string dotted(std::uint32_t word) { return IpNetwork::v4(word, 32).address_string(); }

std::vector<IpNetwork> parse_networks(Reader& outer, const char* what) {
  const std::size_t start = outer.offset();
  const auto packed = outer.bytes();
  Reader reader = outer.inside(packed);
  std::vector<std::pair<std::uint32_t, std::size_t>> values;  // word, offset
  while (!reader.done()) {
    const std::size_t at = reader.offset();
    const std::uint64_t v = reader.varint();
    if (v > 0xffffffffu) outer.fail(std::string(what) + ": value " + std::to_string(v) + " is not a 32-bit IPv4 word", at);
    values.emplace_back(static_cast<std::uint32_t>(v), at);
  }
  if (values.size() % 2 != 0) {
    outer.fail(std::string(what) + ": encoded IPs should be in pairs, an odd number was found", start);
  }
  std::vector<IpNetwork> out;
  for (std::size_t i = 0; i < values.size(); i += 2) {
    const auto [mask, at] = values[i + 1];
    const int ones = std::countl_one(mask);
    // Nebula reads a mask that is not ones-then-zeros as /0 and then re-encodes it
    // as 0.0.0.0, so such a certificate never verifies: refuse it here, by name.
    if (ones != 32 && (mask << ones) != 0) {
      outer.fail(std::string(what) + ": mask " + dotted(mask) + " of " + dotted(values[i].first) +
                     " is not contiguous (leading ones, then zeros)",
                 at);
    }
    out.push_back(IpNetwork::v4(values[i].first, ones));
  }
  return out;
}

struct Positions {
  std::size_t details = 0;
  std::size_t public_key = 0;
  std::size_t first_ip = 0;
};

// Nebula writes fields in order, each once (groups repeat): anything else is
// an encoding Nebula would re-encode differently and refuse.
void check_field_header(const Reader& reader, std::uint64_t field, std::uint64_t wire, std::uint64_t last_field,
                        std::size_t tag_at) {
  if (field < last_field || (field == last_field && field != kGroups)) {
    reader.fail("field " + std::to_string(field) + " out of order or repeated", tag_at);
  }
  const std::uint64_t expected_wire =
      (field == kNotBefore || field == kNotAfter || field == kIsCa || field == kCurve) ? kVarint : kLengthDelimited;
  if (field < kName || (field > kIssuer && field != kCurve)) {
    reader.fail("field " + std::to_string(field) + " is not part of a v1 certificate", tag_at);
  }
  if (wire != expected_wire) {
    reader.fail("field " + std::to_string(field) + " has wire type " + std::to_string(wire), tag_at);
  }
}

std::vector<std::byte> read_issuer(Reader& reader) {
  const std::size_t issuer_at = reader.offset();
  const auto issuer = reader.bytes();
  if (issuer.size() != 32) {
    reader.fail("Issuer has " + std::to_string(issuer.size()) + " bytes, expected 32 (a SHA-256 fingerprint)",
                issuer_at);
  }
  return {issuer.begin(), issuer.end()};
}

// Only P-256 may be written: proto3 omits the default, Curve25519.
Curve read_curve(Reader& reader, std::size_t tag_at) {
  const std::uint64_t curve = reader.varint();
  if (curve != static_cast<std::uint64_t>(Curve::p256)) {
    reader.fail("curve " + std::to_string(curve) +
                    (curve == 0 ? " (Curve25519) written out: Nebula omits the default"
                                : " is unknown (0 is Curve25519, 1 is P-256)"),
                tag_at);
  }
  return Curve::p256;
}

UnixSeconds read_time(Reader& reader) {
  return UnixSeconds(std::chrono::seconds(static_cast<std::int64_t>(reader.varint())));
}

// One field's value, its header already checked; `at` keeps where the fields
// that are judged later begin, for their messages.
void read_field(Certificate& c, Reader& reader, std::uint64_t field, std::size_t tag_at, Positions& at) {
  switch (field) {
    case kName: {
      const auto name = reader.bytes();
      c.name.assign(reinterpret_cast<const char*>(name.data()), name.size());
      break;
    }
    case kIps:
      at.first_ip = reader.offset();
      c.networks = parse_networks(reader, "Ips");
      break;
    case kSubnets: c.unsafe_networks = parse_networks(reader, "Subnets"); break;
    case kGroups: {
      const auto group = reader.bytes();
      c.groups.emplace_back(reinterpret_cast<const char*>(group.data()), group.size());
      break;
    }
    case kNotBefore: c.not_before = read_time(reader); break;
    case kNotAfter: c.not_after = read_time(reader); break;
    case kPublicKey: {
      at.public_key = reader.offset();
      const auto key = reader.bytes();
      c.public_key.assign(key.begin(), key.end());
      break;
    }
    case kIsCa: c.is_ca = reader.varint() != 0; break;
    case kIssuer: c.issuer = read_issuer(reader); break;
    case kCurve: c.curve = read_curve(reader, tag_at); break;
  }
}

Positions parse_details(Certificate& c, std::span<const std::byte> details, std::size_t base) {
  Reader reader(details, base, c.source, malformed);
  Positions at{base, base, base};
  std::uint64_t last_field = 0;
  bool seen_key = false;
  while (!reader.done()) {
    const std::size_t tag_at = reader.offset();
    const std::uint64_t tag = reader.varint();
    const std::uint64_t field = tag >> 3;
    check_field_header(reader, field, tag & 7, last_field, tag_at);
    last_field = field;
    read_field(c, reader, field, tag_at, at);
    seen_key = seen_key || field == kPublicKey;
  }
  if (!seen_key) reader.fail("no PublicKey (field 7)", base);
  return at;
}

}  // namespace

// What Nebula's marshalling of the parsed details produces (proto3: defaults omitted).
std::vector<std::byte> encode_details_v1(const Certificate& c) {
  std::vector<std::byte> out;
  if (!c.name.empty()) put_bytes(out, kName, as_bytes(c.name));
  put_networks(out, kIps, c.networks);
  put_networks(out, kSubnets, c.unsafe_networks);
  for (const std::string& group : c.groups) put_bytes(out, kGroups, as_bytes(group));
  if (const auto t = c.not_before.time_since_epoch().count(); t != 0) {
    put_tag(out, kNotBefore, kVarint);
    put_varint(out, static_cast<std::uint64_t>(t));
  }
  if (const auto t = c.not_after.time_since_epoch().count(); t != 0) {
    put_tag(out, kNotAfter, kVarint);
    put_varint(out, static_cast<std::uint64_t>(t));
  }
  if (!c.public_key.empty()) put_bytes(out, kPublicKey, c.public_key);
  if (c.is_ca) {
    put_tag(out, kIsCa, kVarint);
    put_varint(out, 1);
  }
  if (!c.issuer.empty()) put_bytes(out, kIssuer, c.issuer);
  if (c.curve != Curve::curve25519) {
    put_tag(out, kCurve, kVarint);
    put_varint(out, static_cast<std::uint64_t>(c.curve));
  }
  return out;
}

std::vector<std::byte> encode_certificate_v1(const Certificate& c) {
  std::vector<std::byte> out;
  put_bytes(out, kDetails, encode_details_v1(c));
  put_bytes(out, kSignature, c.signature);
  return out;
}

Certificate parse_certificate_v1(std::span<const std::byte> body, const std::string& source) {
  Certificate c;
  c.version = CertificateVersion::v1;
  c.source = source;
  Reader reader(body, 0, c.source, malformed);
  if (reader.done()) reader.fail("empty certificate");
  std::size_t at = reader.offset();
  if (reader.varint() != (kDetails << 3 | kLengthDelimited)) reader.fail("expected the Details field (0x0a) first", at);
  const auto details = reader.bytes();
  const std::size_t details_offset = reader.offset() - details.size();
  c.details.assign(details.begin(), details.end());
  at = reader.offset();
  if (reader.done() || reader.varint() != (kSignature << 3 | kLengthDelimited)) {
    reader.fail("expected the Signature field (0x12) after the Details", at);
  }
  const std::size_t signature_at = reader.offset();
  const auto signature = reader.bytes();
  c.signature.assign(signature.begin(), signature.end());
  if (!reader.done()) reader.fail("unexpected bytes after the Signature");
  // The curve (field 100) is the last field of the details: read them all before
  // judging the key and the signature by the curve's sizes.
  const Positions positions = parse_details(c, details, details_offset);
  check_public_key(c, c.public_key, positions.public_key);
  check_signature_form(c, c.signature, signature_at);
  // Nebula's validate() for v1: IPv4 only (the format cannot say otherwise), a
  // host has an address, no network uses the zero address.
  if (!c.is_ca && c.networks.empty()) reader.fail("a host certificate without Ips (Nebula needs one)", details_offset);
  for (const IpNetwork& n : c.networks) {
    if (n.is_unspecified()) reader.fail("Ips: the zero address " + n.to_string() + " is not allowed", positions.first_ip);
  }
  if (encode_details_v1(c) != c.details) {
    reader.fail("the details are not encoded the way Nebula encodes them (Nebula would refuse this certificate)",
                details_offset);
  }
  return c;
}

}  // namespace meshmpc::nebula::detail
