#include "mesh_state.hpp"

#include <exception>

#include <meshmpc/net/deadline.hpp>

namespace meshmpc::net::detail {

namespace {

bool is_loopback(const asio::ip::address& address) {
  if (address.is_v6() && address.to_v6().is_v4_mapped()) {
    return asio::ip::make_address_v4(asio::ip::v4_mapped, address.to_v6()).is_loopback();
  }
  return address.is_loopback();
}

}  // namespace

std::optional<std::string> plaintext_fault(const TcpOptions& options, const asio::ip::address& remote) {
  if (options.tls || options.plaintext != Plaintext::loopback_only || is_loopback(remote)) return std::nullopt;
  return remote.to_string() + " is not on this machine, and without TLS every share and key would cross the "
         "network in clear: give every party --ssl (keys from meshmpc-keygen), or use --transport tailscale or "
         "--transport nebula; --insecure-plaintext allows it on a network you trust";
}

asio::awaitable<IdentityVerdict> identity_verdict(const TcpOptions& options, const asio::ip::tcp::endpoint& remote,
                                                  Clock::time_point deadline) {
  if (!options.identity_check) co_return IdentityVerdict{};
  std::string failure;
  try {
    std::optional<IdentityVerdict> verdict = co_await until_deadline(options.identity_check(remote), deadline);
    if (verdict && *verdict) co_return std::move(*verdict);
    failure = verdict ? "the identity check gave no verdict" : "the identity check did not finish before the deadline";
  } catch (const std::exception& error) {
    failure = error.what();
  }
  co_return [failure](const PartyInfo&) -> std::optional<std::string> { return failure; };
}

std::optional<std::string> identity_fault(const IdentityVerdict& verdict, const PartyInfo& party) {
  if (!verdict) return std::nullopt;
  return verdict(party);
}

}  // namespace meshmpc::net::detail
