#pragma once
// A client of tailscaled's LocalAPI: HTTP/1.1 (Boost.Beast), one request per
// connection, each within a deadline. Read-only: status and whois, which every
// local user may call. Two ways to reach it:
// - its Unix socket (Linux, the open-source macOS daemon, NAS packages): no token,
//   tailscaled checks who connects from the socket's peer credentials;
// - loopback TCP with a token (the macOS App Store and standalone apps, whose
//   tailscaled cannot offer a socket from its sandbox): HTTP Basic auth, empty user,
//   the token as password (local_api_token.hpp).
#include <boost/asio/awaitable.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <meshmpc/asio.hpp>
#include <meshmpc/tailscale/local_api_token.hpp>
#include <meshmpc/tailscale/status.hpp>

namespace meshmpc::tailscale {

// Overrides the socket path when no --tailscale-socket is given.
inline constexpr const char* kSocketEnvironment = "MESHMPC_TAILSCALE_SOCKET";

// Where tailscaled puts its socket, in the order tried: the Linux default (and its
// /run twin, the packaged systemd unit's), the open-source macOS daemon's (Homebrew's
// or a self-built tailscaled; the macOS apps have no socket), then Synology DSM 7
// and 6, QNAP, gokrazy. No two platforms share a path, so the order only matters
// where several exist at once.
std::vector<std::string> default_socket_paths();

// The socket to use: `given` (an option) if set, else $MESHMPC_TAILSCALE_SOCKET if set,
// else the first of default_socket_paths() that exists. Throws ConfigError listing
// every path tried when none exists (tailscaled is not running here).
std::string choose_socket(const std::optional<std::string>& given);

class LocalApi {
 public:
  // Over the Unix socket at `socket_path`.
  explicit LocalApi(std::string socket_path, std::chrono::milliseconds timeout = std::chrono::seconds(5));
  // Over TCP to `loopback` (which must be a loopback address: the token is not sent
  // anywhere else), each request with `token` (none when null: then tailscaled's
  // 401 is reported as a missing token). Throws ConfigError for another address.
  LocalApi(asio::ip::tcp::endpoint loopback, std::shared_ptr<const LocalApiToken> token,
           std::chrono::milliseconds timeout = std::chrono::seconds(5));

  // The socket path, or "127.0.0.1:PORT": for messages.
  const std::string& where() const { return where_; }
  // where(), and for TCP where the token came from (never the token).
  std::string describe() const;

  struct Response {
    unsigned status = 0;
    std::string body;
  };
  // GET `target` whatever the status. Throws ConfigError naming the socket when
  // tailscaled cannot be reached or does not answer within the timeout, and over
  // TCP when it refuses the token (401, or 403 "bad password") or wants one.
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
  std::string redact(std::string text) const { return token_ ? token_->redact(std::move(text)) : text; }

  std::optional<asio::ip::tcp::endpoint> loopback_;  // TCP when set, else the socket at where_
  std::shared_ptr<const LocalApiToken> token_;
  std::string where_;
  std::chrono::milliseconds timeout_;
};

// What the command line says about reaching tailscaled (at most one of `socket`
// and `loopback`; `token_file` only with `loopback`).
struct LocalApiOptions {
  std::optional<std::string> socket;      // --tailscale-socket PATH
  std::optional<std::string> loopback;    // --tailscale-localapi 127.0.0.1:PORT (or [::1]:PORT)
  std::optional<std::string> token_file;  // --tailscale-localapi-token-file PATH
  MacosPlaces macos = MacosPlaces::defaults();
};

// The LocalAPI to use, in this order: the socket given; the loopback port given,
// with the token from the file given or else from the macOS app's sameuserproof
// file for that port; $MESHMPC_TAILSCALE_SOCKET; the first default socket that
// exists; a macOS app found by its sameuserproof file. Throws ConfigError naming
// every place tried when none serves, or for a malformed or non-loopback address.
LocalApi choose_local_api(const LocalApiOptions& options, std::chrono::milliseconds timeout = std::chrono::seconds(5));

// "127.0.0.1:41112" or "[::1]:41112", a loopback address: else ConfigError naming
// `what` (the option).
asio::ip::tcp::endpoint parse_loopback(const std::string& text, const std::string& what);

}  // namespace meshmpc::tailscale
