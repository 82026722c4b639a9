#pragma once
// A client of tailscaled's LocalAPI: HTTP/1.1 (Boost.Beast) over its Unix socket,
// one request per connection, each within a deadline. Read-only: status and whois,
// which every local user may call (no token on Linux).
#include <boost/asio/awaitable.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "meshmpc/tailscale/status.hpp"

namespace meshmpc::tailscale {

namespace asio = boost::asio;

// Overrides the socket path when no --tailscale-socket is given.
inline constexpr const char* kSocketEnvironment = "MESHMPC_TAILSCALE_SOCKET";

// Where tailscaled puts its socket, in the order tried: the Linux default (and its
// /run twin, the packaged systemd unit's), then Synology DSM 7 and 6, QNAP, gokrazy.
std::vector<std::string> default_socket_paths();

// The socket to use: `given` (an option) if set, else $MESHMPC_TAILSCALE_SOCKET if set,
// else the first of default_socket_paths() that exists. Throws ConfigError listing
// every path tried when none exists (tailscaled is not running here).
std::string choose_socket(const std::optional<std::string>& given);

class LocalApi {
 public:
  explicit LocalApi(std::string socket_path, std::chrono::milliseconds timeout = std::chrono::seconds(5));

  const std::string& socket_path() const { return socket_path_; }

  struct Response {
    unsigned status = 0;
    std::string body;
  };
  // GET `target` whatever the status. Throws ConfigError naming the socket when
  // tailscaled cannot be reached or does not answer within the timeout.
  asio::awaitable<Response> request(std::string target) const;

  // The body of GET `target` (e.g. "/localapi/v0/status"). Throws ConfigError naming
  // the socket when tailscaled cannot be reached or does not answer in time, and
  // for any status but 200 (with tailscaled's message).
  asio::awaitable<std::string> get(std::string target) const;

  asio::awaitable<Status> status() const;
  // Who is at `remote` (ip:port of an accepted or dialled connection). Throws
  // PeerError when tailscaled knows no node there (404) or refuses to say.
  asio::awaitable<WhoIs> whois(const asio::ip::tcp::endpoint& remote) const;

 private:
  std::string socket_path_;
  std::chrono::milliseconds timeout_;
};

}  // namespace meshmpc::tailscale
