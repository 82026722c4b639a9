#include "meshmpc/nebula/certificate.hpp"

#include <sodium.h>

#include <algorithm>
#include <bit>
#include <optional>

#include "meshmpc/nebula/pem.hpp"

namespace meshmpc::nebula {

namespace {

constexpr std::string_view kCertificateBanner = "NEBULA CERTIFICATE";

// Field numbers of RawNebulaCertificate(Details) (nebula cert.proto, v1).
enum : std::uint64_t {
  kDetails = 1, kSignature = 2,
  kName = 1, kIps = 2, kSubnets = 3, kGroups = 4, kNotBefore = 5, kNotAfter = 6,
  kPublicKey = 7, kIsCa = 8, kIssuer = 9, kCurve = 100,
};
enum : std::uint64_t { kVarint = 0, kLengthDelimited = 2 };

// A protobuf reader over one message; offsets in messages are relative to the
// certificate body so that a user can find the byte with a hex dump.
class Reader {
 public:
  Reader(std::span<const std::byte> bytes, std::size_t base, const std::string& source)
      : bytes_(bytes), base_(base), source_(source) {}

  bool done() const { return pos_ >= bytes_.size(); }
  const std::string& source() const { return source_; }
  std::size_t offset() const { return base_ + pos_; }

  [[noreturn]] void fail(const std::string& why, std::optional<std::size_t> at = std::nullopt) const {
    throw CertificateError(CertificateFault::malformed, source_ + ": malformed certificate at byte " +
                                                            std::to_string(at.value_or(offset())) + ": " + why);
  }

  std::uint64_t varint() {
    const std::size_t start = offset();
    std::uint64_t value = 0;
    for (unsigned shift = 0; shift < 64; shift += 7) {
      if (done()) fail("truncated varint", start);
      const auto b = std::to_integer<std::uint64_t>(bytes_[pos_++]);
      value |= (b & 0x7f) << shift;
      if ((b & 0x80) == 0) return value;
    }
    fail("varint longer than 10 bytes", start);
  }

  // A length-delimited payload and the offset where it starts.
  std::span<const std::byte> bytes() {
    const std::size_t start = offset();
    const std::uint64_t length = varint();
    if (length > bytes_.size() - pos_) {
      fail("a length of " + std::to_string(length) + " runs past the end (" + std::to_string(bytes_.size() - pos_) +
               " bytes left)",
           start);
    }
    const auto out = bytes_.subspan(pos_, static_cast<std::size_t>(length));
    pos_ += static_cast<std::size_t>(length);
    return out;
  }

 private:
  std::span<const std::byte> bytes_;
  std::size_t pos_ = 0;
  std::size_t base_;
  const std::string& source_;
};

void put_varint(std::vector<std::byte>& out, std::uint64_t value) {
  while (value >= 0x80) {
    out.push_back(static_cast<std::byte>((value & 0x7f) | 0x80));
    value >>= 7;
  }
  out.push_back(static_cast<std::byte>(value));
}

void put_tag(std::vector<std::byte>& out, std::uint64_t field, std::uint64_t wire_type) {
  put_varint(out, field << 3 | wire_type);
}

void put_bytes(std::vector<std::byte>& out, std::uint64_t field, std::span<const std::byte> bytes) {
  put_tag(out, field, kLengthDelimited);
  put_varint(out, bytes.size());
  out.insert(out.end(), bytes.begin(), bytes.end());
}

std::span<const std::byte> as_bytes(std::string_view text) { return std::as_bytes(std::span(text)); }

void put_networks(std::vector<std::byte>& out, std::uint64_t field, const std::vector<Ipv4Network>& networks) {
  if (networks.empty()) return;
  std::vector<std::byte> packed;
  for (const Ipv4Network& n : networks) {
    put_varint(packed, n.address);
    put_varint(packed, n.mask);
  }
  put_bytes(out, field, packed);
}

}  // namespace

// What Nebula's marshalling of the parsed details produces (proto3: defaults omitted).
std::vector<std::byte> encode_details(const Certificate& c) {
  std::vector<std::byte> out;
  if (!c.name.empty()) put_bytes(out, kName, as_bytes(c.name));
  put_networks(out, kIps, c.ips);
  put_networks(out, kSubnets, c.subnets);
  for (const std::string& group : c.groups) put_bytes(out, kGroups, as_bytes(group));
  if (const auto t = c.not_before.time_since_epoch().count(); t != 0) {
    put_tag(out, kNotBefore, kVarint);
    put_varint(out, static_cast<std::uint64_t>(t));
  }
  if (const auto t = c.not_after.time_since_epoch().count(); t != 0) {
    put_tag(out, kNotAfter, kVarint);
    put_varint(out, static_cast<std::uint64_t>(t));
  }
  put_bytes(out, kPublicKey, c.public_key);
  if (c.is_ca) {
    put_tag(out, kIsCa, kVarint);
    put_varint(out, 1);
  }
  if (!c.issuer.empty()) put_bytes(out, kIssuer, c.issuer);
  return out;
}

std::vector<std::byte> encode_certificate(const Certificate& c) {
  std::vector<std::byte> out;
  put_bytes(out, kDetails, encode_details(c));
  put_bytes(out, kSignature, c.signature);
  return out;
}

namespace {

std::vector<Ipv4Network> parse_networks(Reader& outer, const char* what) {
  const std::size_t start = outer.offset();
  const auto packed = outer.bytes();
  Reader reader(packed, outer.offset() - packed.size(), outer.source());
  std::vector<std::uint64_t> values;
  while (!reader.done()) {
    const std::size_t at = reader.offset();
    const std::uint64_t v = reader.varint();
    if (v > 0xffffffffu) outer.fail(std::string(what) + ": value " + std::to_string(v) + " is not a 32-bit IPv4 word", at);
    values.push_back(v);
  }
  if (values.size() % 2 != 0) {
    outer.fail(std::string(what) + ": encoded IPs should be in pairs, an odd number was found", start);
  }
  std::vector<Ipv4Network> out;
  for (std::size_t i = 0; i < values.size(); i += 2) {
    out.push_back({static_cast<std::uint32_t>(values[i]), static_cast<std::uint32_t>(values[i + 1])});
  }
  return out;
}

template <std::size_t N>
std::array<std::byte, N> fixed(Reader& reader, const char* what) {
  const std::size_t start = reader.offset();
  const auto bytes = reader.bytes();
  if (bytes.size() != N) {
    reader.fail(std::string(what) + " has " + std::to_string(bytes.size()) + " bytes, expected " + std::to_string(N),
                start);
  }
  std::array<std::byte, N> out;
  std::copy(bytes.begin(), bytes.end(), out.begin());
  return out;
}

void parse_details(Certificate& c, std::span<const std::byte> details, std::size_t base) {
  Reader reader(details, base, c.source);
  std::uint64_t last_field = 0;
  bool seen_key = false;
  while (!reader.done()) {
    const std::size_t at = reader.offset();
    const std::uint64_t tag = reader.varint();
    const std::uint64_t field = tag >> 3;
    const std::uint64_t wire = tag & 7;
    // Nebula writes fields in order, each once (groups repeat): anything else is
    // an encoding Nebula would re-encode differently and refuse.
    if (field < last_field || (field == last_field && field != kGroups)) {
      reader.fail("field " + std::to_string(field) + " out of order or repeated", at);
    }
    last_field = field;
    const std::uint64_t expected_wire =
        (field == kNotBefore || field == kNotAfter || field == kIsCa || field == kCurve) ? kVarint : kLengthDelimited;
    if (field < kName || (field > kIssuer && field != kCurve)) {
      reader.fail("field " + std::to_string(field) + " is not part of a v1 certificate", at);
    }
    if (wire != expected_wire) reader.fail("field " + std::to_string(field) + " has wire type " + std::to_string(wire), at);
    switch (field) {
      case kName: {
        const auto name = reader.bytes();
        c.name.assign(reinterpret_cast<const char*>(name.data()), name.size());
        break;
      }
      case kIps: c.ips = parse_networks(reader, "Ips"); break;
      case kSubnets: c.subnets = parse_networks(reader, "Subnets"); break;
      case kGroups: {
        const auto group = reader.bytes();
        c.groups.emplace_back(reinterpret_cast<const char*>(group.data()), group.size());
        break;
      }
      case kNotBefore: c.not_before = UnixSeconds(std::chrono::seconds(static_cast<std::int64_t>(reader.varint()))); break;
      case kNotAfter: c.not_after = UnixSeconds(std::chrono::seconds(static_cast<std::int64_t>(reader.varint()))); break;
      case kPublicKey:
        c.public_key = fixed<32>(reader, "PublicKey");
        seen_key = true;
        break;
      case kIsCa: c.is_ca = reader.varint() != 0; break;
      case kIssuer: {
        const auto issuer = fixed<32>(reader, "Issuer");
        c.issuer.assign(issuer.begin(), issuer.end());
        break;
      }
      case kCurve:
        if (const std::uint64_t curve = reader.varint(); curve != 0) {
          reader.fail("curve " + std::to_string(curve) + " (P-256) is not supported; only Curve25519 certificates are",
                      at);
        }
        break;
    }
  }
  if (!seen_key) reader.fail("no PublicKey (field 7)", base);
  if (encode_details(c) != std::vector<std::byte>(details.begin(), details.end())) {
    reader.fail("the details are not encoded the way Nebula encodes them (Nebula would refuse this certificate)", base);
  }
}

}  // namespace

int Ipv4Network::prefix_length() const {
  const int ones = std::countl_one(mask);
  return (ones == 32 || (mask << ones) == 0) ? ones : -1;
}

bool Ipv4Network::contains(const Ipv4Network& other) const {
  const int mine = prefix_length();
  const int theirs = other.prefix_length();
  return mine >= 0 && theirs >= mine && (other.address & mask) == (address & mask);
}

std::string address_to_string(std::uint32_t a) {
  return std::to_string(a >> 24) + "." + std::to_string((a >> 16) & 255) + "." + std::to_string((a >> 8) & 255) + "." +
         std::to_string(a & 255);
}

std::string to_string(const Ipv4Network& network) {
  const int prefix = network.prefix_length();
  return address_to_string(network.address) + "/" +
         (prefix >= 0 ? std::to_string(prefix) : "mask " + address_to_string(network.mask));
}

std::string to_hex(std::span<const std::byte> bytes) {
  constexpr char kDigits[] = "0123456789abcdef";
  std::string hex;
  for (std::byte b : bytes) {
    const auto v = std::to_integer<unsigned>(b);
    hex += kDigits[v >> 4];
    hex += kDigits[v & 15];
  }
  return hex;
}

std::string to_string(UnixSeconds time) {
  const auto day = std::chrono::floor<std::chrono::days>(time);
  const std::chrono::year_month_day ymd(day);
  const std::chrono::hh_mm_ss hms(time - day);
  char text[40];
  std::snprintf(text, sizeof text, "%04d-%02u-%02uT%02ld:%02ld:%02lldZ", static_cast<int>(ymd.year()),
                static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()),
                static_cast<long>(hms.hours().count()), static_cast<long>(hms.minutes().count()),
                static_cast<long long>(hms.seconds().count()));
  return text;
}

bool Certificate::has_group(std::string_view group) const {
  return std::find(groups.begin(), groups.end(), group) != groups.end();
}

std::string Certificate::fingerprint_hex() const { return to_hex(fingerprint); }
std::string Certificate::issuer_hex() const { return to_hex(issuer); }

std::string Certificate::describe() const {
  return std::string(is_ca ? "CA certificate '" : "certificate '") + name + "' (" + source + ")";
}

Certificate parse_certificate(std::span<const std::byte> body, const std::string& source) {
  Certificate c;
  c.source = source;
  Reader reader(body, 0, c.source);
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
  c.signature = fixed<64>(reader, "Signature");
  if (!reader.done()) reader.fail("unexpected bytes after the Signature");
  parse_details(c, details, details_offset);
  crypto_hash_sha256(reinterpret_cast<unsigned char*>(c.fingerprint.data()),
                     reinterpret_cast<const unsigned char*>(body.data()), body.size());
  return c;
}

std::vector<Certificate> parse_certificates(std::string_view pem, const std::string& source) {
  std::vector<Certificate> out;
  for (const PemBlock& block : decode_pem(pem, source)) {
    const std::string where = source + ", block at line " + std::to_string(block.line);
    if (block.banner != kCertificateBanner) {
      throw CertificateError(CertificateFault::malformed,
                             where + ": found '" + block.banner + "' where a '" + std::string(kCertificateBanner) +
                                 "' belongs" +
                                 (block.banner == "NEBULA CERTIFICATE V2" ? " (v2 certificates are not supported)" : ""));
    }
    out.push_back(parse_certificate(block.body, where));
  }
  if (out.empty()) {
    throw CertificateError(CertificateFault::malformed,
                           source + ": no '-----BEGIN " + std::string(kCertificateBanner) + "-----' block");
  }
  return out;
}

std::vector<Certificate> read_certificates(const std::string& path) {
  return parse_certificates(read_text_file(path, "certificate file"), path);
}

Certificate read_certificate(const std::string& path) {
  std::vector<Certificate> all = read_certificates(path);
  if (all.size() != 1) {
    throw CertificateError(CertificateFault::malformed, path + ": holds " + std::to_string(all.size()) +
                                                            " certificates; expected exactly one");
  }
  return std::move(all.front());
}

}  // namespace meshmpc::nebula
