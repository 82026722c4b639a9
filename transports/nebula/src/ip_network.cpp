#include <meshmpc/nebula/ip_network.hpp>

#include <arpa/inet.h>

#include <algorithm>
#include <charconv>
#include <cstring>

namespace meshmpc::nebula {

IpNetwork IpNetwork::v4(std::uint32_t address, int prefix) {
  IpNetwork n;
  for (int i = 0; i < 4; ++i) n.bytes[i] = static_cast<std::uint8_t>(address >> (24 - 8 * i));
  n.prefix = prefix;
  return n;
}

std::optional<IpNetwork> IpNetwork::parse(std::string_view cidr) {
  const auto slash = cidr.find('/');
  if (slash == std::string_view::npos) return std::nullopt;
  const std::string address(cidr.substr(0, slash));
  const std::string_view bits = cidr.substr(slash + 1);
  IpNetwork n;
  n.v6 = address.find(':') != std::string::npos;
  if (::inet_pton(n.v6 ? AF_INET6 : AF_INET, address.c_str(), n.bytes.data()) != 1) return std::nullopt;
  const auto [end, ec] = std::from_chars(bits.data(), bits.data() + bits.size(), n.prefix);
  if (bits.empty() || ec != std::errc() || end != bits.data() + bits.size() || n.prefix < 0 ||
      n.prefix > n.address_bits()) {
    return std::nullopt;
  }
  return n;
}

std::uint32_t IpNetwork::v4_address() const {
  return std::uint32_t{bytes[0]} << 24 | std::uint32_t{bytes[1]} << 16 | std::uint32_t{bytes[2]} << 8 | bytes[3];
}

bool IpNetwork::is_unspecified() const {
  return std::all_of(bytes.begin(), bytes.begin() + address_bits() / 8, [](std::uint8_t b) { return b == 0; });
}

bool IpNetwork::is_v4_mapped() const {
  static constexpr std::uint8_t kPrefix[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
  return v6 && std::memcmp(bytes.data(), kPrefix, sizeof kPrefix) == 0;
}

bool IpNetwork::contains(const IpNetwork& other) const {
  if (v6 != other.v6 || other.prefix < prefix) return false;
  const int whole = prefix / 8;
  if (!std::equal(bytes.begin(), bytes.begin() + whole, other.bytes.begin())) return false;
  if (const int rest = prefix % 8; rest != 0) {
    const auto mask = static_cast<std::uint8_t>(0xff << (8 - rest));
    return (bytes[whole] & mask) == (other.bytes[whole] & mask);
  }
  return true;
}

std::string IpNetwork::address_string() const {
  if (!v6) {
    return std::to_string(bytes[0]) + "." + std::to_string(bytes[1]) + "." + std::to_string(bytes[2]) + "." +
           std::to_string(bytes[3]);
  }
  // RFC 5952 by hand rather than inet_ntop: glibc prints some all-zero-prefixed
  // addresses in dotted form (::1.2.3.4), Go's netip never does, and messages
  // and tests compare against nebula-cert's output.
  std::array<unsigned, 8> groups{};
  for (int i = 0; i < 8; ++i) groups[i] = unsigned{bytes[2 * i]} << 8 | bytes[2 * i + 1];
  int best_start = -1;
  int best_length = 1;  // a single zero group is never shortened
  for (int i = 0; i < 8;) {
    if (groups[i] != 0) {
      ++i;
      continue;
    }
    int j = i;
    while (j < 8 && groups[j] == 0) ++j;
    if (j - i > best_length) {
      best_start = i;
      best_length = j - i;
    }
    i = j;
  }
  std::string out;
  char hex[8];
  for (int i = 0; i < 8; ++i) {
    if (i == best_start) {
      out += "::";
      i += best_length - 1;
      continue;
    }
    if (!out.empty() && out.back() != ':') out += ':';
    const auto [end, ec] = std::to_chars(hex, hex + sizeof hex, groups[i], 16);
    out.append(hex, end);
  }
  return out;
}

std::string IpNetwork::to_string() const { return address_string() + "/" + std::to_string(prefix); }

std::strong_ordering IpNetwork::operator<=>(const IpNetwork& other) const {
  if (v6 != other.v6) return v6 ? std::strong_ordering::greater : std::strong_ordering::less;
  if (const int c = std::memcmp(bytes.data(), other.bytes.data(), bytes.size()); c != 0) {
    return c < 0 ? std::strong_ordering::less : std::strong_ordering::greater;
  }
  return prefix <=> other.prefix;
}

std::string to_string(const IpNetwork& network) { return network.to_string(); }

}  // namespace meshmpc::nebula
