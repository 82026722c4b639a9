// The addresses a party announces (getifaddrs: no portable Asio equivalent).
#include <ifaddrs.h>
#include <net/if.h>
#include <netinet/in.h>

#include <boost/asio/ip/address.hpp>

#include <algorithm>

#include <meshmpc/rendezvous/client.hpp>

namespace meshmpc::rendezvous {

namespace {

std::optional<asio::ip::address> address_of(const sockaddr* address) {
  if (!address) return std::nullopt;
  if (address->sa_family == AF_INET) {
    const auto* v4 = reinterpret_cast<const sockaddr_in*>(address);
    return asio::ip::address_v4(ntohl(v4->sin_addr.s_addr));
  }
  if (address->sa_family == AF_INET6) {
    const auto* v6 = reinterpret_cast<const sockaddr_in6*>(address);
    asio::ip::address_v6::bytes_type bytes{};
    std::copy_n(v6->sin6_addr.s6_addr, bytes.size(), bytes.begin());
    return asio::ip::address_v6(bytes);
  }
  return std::nullopt;
}

}  // namespace

std::vector<net::Endpoint> local_endpoints(const asio::ip::tcp::endpoint& listening, bool rendezvous_is_loopback) {
  const std::uint16_t port = listening.port();
  const asio::ip::address bound = listening.address();
  if (!bound.is_unspecified()) return {net::Endpoint{bound.to_string(), port}};
  if (rendezvous_is_loopback) return {net::Endpoint{"127.0.0.1", port}};
  std::vector<net::Endpoint> out;
  ifaddrs* list = nullptr;
  if (::getifaddrs(&list) != 0) return out;
  for (const ifaddrs* item = list; item; item = item->ifa_next) {
    if (!(item->ifa_flags & IFF_UP) || (item->ifa_flags & IFF_LOOPBACK)) continue;
    const auto address = address_of(item->ifa_addr);
    if (!address || address->is_loopback() || address->is_unspecified()) continue;
    if (address->is_v6() && (address->to_v6().is_link_local() || bound.is_v4())) continue;
    net::Endpoint endpoint{address->to_string(), port};
    const bool seen = std::any_of(out.begin(), out.end(), [&](const net::Endpoint& e) { return e.host == endpoint.host; });
    if (!seen && out.size() < 8) out.push_back(std::move(endpoint));
  }
  ::freeifaddrs(list);
  return out;
}

}  // namespace meshmpc::rendezvous
