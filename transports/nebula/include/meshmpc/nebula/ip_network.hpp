#pragma once
// An IPv4 or IPv6 address with a prefix length, as a Nebula certificate holds its
// networks (v1: IPv4 address and contiguous mask; v2: 4 or 16 address bytes and a
// prefix byte). Host bits may be set: "10.213.0.11/16" is a host's address inside
// its /16, exactly as nebula-cert writes and prints it.
#include <array>
#include <compare>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace meshmpc::nebula {

struct IpNetwork {
  std::array<std::uint8_t, 16> bytes{};  // network byte order; IPv4 uses the first 4
  bool v6 = false;
  int prefix = 0;  // 0..32 for IPv4, 0..128 for IPv6

  // 192.168.100.2/24 is v4(0xC0A86402, 24).
  static IpNetwork v4(std::uint32_t address, int prefix);
  // "10.1.0.9/24", "fd00::11/64"; nullopt when not an address with a prefix in range.
  static std::optional<IpNetwork> parse(std::string_view cidr);

  int address_bits() const { return v6 ? 128 : 32; }
  // The IPv4 address as a big-endian number (only meaningful when !v6).
  std::uint32_t v4_address() const;
  bool is_unspecified() const;  // 0.0.0.0 or ::
  bool is_v4_mapped() const;    // ::ffff:a.b.c.d (Nebula refuses these as networks)

  // Same family, `other`'s address inside this network, and a prefix at least as
  // long as this one's: Nebula's CA constraint (netip.Prefix.Contains plus Bits).
  bool contains(const IpNetwork& other) const;

  // "192.168.100.2", "fd00:213::11" (RFC 5952, as Go's netip prints).
  std::string address_string() const;
  // "192.168.100.2/24".
  std::string to_string() const;

  // Nebula's order (v2 certificates must list networks in it): IPv4 before IPv6,
  // then by address, then by prefix length.
  std::strong_ordering operator<=>(const IpNetwork& other) const;
  bool operator==(const IpNetwork& other) const = default;
};

std::string to_string(const IpNetwork& network);

}  // namespace meshmpc::nebula
