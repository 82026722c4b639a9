#include <meshmpc/tailscale/local_api.hpp>

#include <boost/asio/local/stream_protocol.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http.hpp>
#include <cctype>
#include <charconv>
#include <cstdlib>
#include <filesystem>

#include <meshmpc/error.hpp>
#include <meshmpc/net/deadline.hpp>

namespace meshmpc::tailscale {

namespace {

namespace http = boost::beast::http;
using Clock = std::chrono::steady_clock;

// tailscaled answers 403 to any other Host (DNS-rebinding protection); it also
// refuses requests carrying Origin or Referer, so we send neither.
constexpr const char* kHost = "local-tailscaled.sock";
// Status of a large tailnet is a few hundred KiB; anything far beyond is not tailscaled.
constexpr std::uint64_t kMaxBody = 16u << 20;

std::string percent_encode(std::string_view text) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (const char c : text) {
    const auto u = static_cast<unsigned char>(c);
    if (std::isalnum(u) || c == '.' || c == '-' || c == '_' || c == ':') {
      out += c;
    } else {
      out += '%';
      out += kHex[u >> 4];
      out += kHex[u & 15];
    }
  }
  return out;
}

std::string first_line(std::string_view text) {
  const std::string_view line = text.substr(0, text.find('\n'));
  return std::string(line.substr(0, 300));
}

// One request on a connected stream (Unix or TCP), then close.
template <typename Stream>
asio::awaitable<LocalApi::Response> exchange(Stream& socket, const std::string& target, const LocalApiToken* token) {
  http::request<http::empty_body> request(http::verb::get, target, 11);
  request.set(http::field::host, kHost);
  request.set(http::field::user_agent, "meshmpc");
  request.set(http::field::connection, "close");
  if (token != nullptr) request.set(http::field::authorization, token->authorization());
  co_await http::async_write(socket, request, asio::use_awaitable);

  boost::beast::flat_buffer buffer;
  http::response_parser<http::string_body> parser;
  parser.body_limit(kMaxBody);
  co_await http::async_read(socket, buffer, parser, asio::use_awaitable);
  boost::system::error_code ignored;
  socket.close(ignored);
  co_return LocalApi::Response{parser.get().result_int(), std::move(parser.get().body())};
}

asio::awaitable<LocalApi::Response> round_trip(const std::string& socket_path, const std::string& target) {
  asio::local::stream_protocol::socket socket(co_await asio::this_coro::executor);
  co_await socket.async_connect(asio::local::stream_protocol::endpoint(socket_path), asio::use_awaitable);
  co_return co_await exchange(socket, target, nullptr);
}

asio::awaitable<LocalApi::Response> round_trip(const asio::ip::tcp::endpoint& loopback, const std::string& target,
                                               const LocalApiToken* token) {
  asio::ip::tcp::socket socket(co_await asio::this_coro::executor);
  co_await socket.async_connect(loopback, asio::use_awaitable);
  co_return co_await exchange(socket, target, token);
}

// "ip:port", IPv6 in brackets: as tailscaled's whois wants it and as messages show it.
std::string endpoint_text(const asio::ip::tcp::endpoint& endpoint) {
  const std::string ip = endpoint.address().to_string();
  return (endpoint.address().is_v6() ? "[" + ip + "]" : ip) + ":" + std::to_string(endpoint.port());
}

std::string join(const std::vector<std::string>& lines, const std::string& separator) {
  std::string out;
  for (const std::string& line : lines) out += (out.empty() ? "" : separator) + line;
  return out;
}

std::optional<std::string> existing_default_socket(std::string& tried) {
  for (const std::string& path : default_socket_paths()) {
    std::error_code error;
    if (std::filesystem::exists(path, error)) return path;
    tried += (tried.empty() ? "" : ", ") + path;
  }
  return std::nullopt;
}

}  // namespace

std::vector<std::string> default_socket_paths() {
  return {"/var/run/tailscale/tailscaled.sock",
          "/run/tailscale/tailscaled.sock",
          "/var/run/tailscaled.socket",
          "/var/packages/Tailscale/var/tailscaled.sock",
          "/var/packages/Tailscale/etc/tailscaled.sock",
          "/tmp/tailscale/tailscaled.sock",
          "/perm/tailscaled/tailscaled.sock"};
}

std::string choose_socket(const std::optional<std::string>& given) {
  if (given && !given->empty()) return *given;
  if (const char* env = std::getenv(kSocketEnvironment); env != nullptr && *env != '\0') return env;
  std::string tried;
  if (auto found = existing_default_socket(tried)) return *found;
  throw ConfigError("tailscale: tailscaled does not seem to run on this machine: no LocalAPI socket at " + tried +
                    " (start tailscaled, or give its socket with --tailscale-socket or $" +
                    std::string(kSocketEnvironment) + ")");
}

LocalApi::LocalApi(std::string socket_path, std::chrono::milliseconds timeout)
    : where_(std::move(socket_path)), timeout_(timeout) {}

LocalApi::LocalApi(asio::ip::tcp::endpoint loopback, std::shared_ptr<const LocalApiToken> token,
                   std::chrono::milliseconds timeout)
    : loopback_(loopback), token_(std::move(token)), where_(endpoint_text(loopback)), timeout_(timeout) {
  if (!loopback.address().is_loopback()) {
    throw ConfigError("tailscale: the LocalAPI address " + where_ +
                      " is not a loopback address: the macOS app listens on 127.0.0.1 only, and its token is "
                      "never sent elsewhere");
  }
}

std::string LocalApi::describe() const {
  if (!loopback_) return where_;
  return where_ + (token_ ? " (token from " + token_->source() + ")" : " (no token)");
}

asio::awaitable<LocalApi::Response> LocalApi::request(std::string target) const {
  const std::string where = "tailscaled's LocalAPI at " + where_ + " (GET " + target + ")";
  std::optional<Response> response;
  try {
    // Two statements, not one conditional expression holding two co_awaits: built
    // with GCC 12 that form sent Unix-socket requests down the TCP branch
    // ("Address family not supported").
    if (loopback_) {
      response = co_await net::until_deadline(round_trip(*loopback_, target, token_.get()), Clock::now() + timeout_);
    } else {
      response = co_await net::until_deadline(round_trip(where_, target), Clock::now() + timeout_);
    }
  } catch (const boost::system::system_error& error) {
    const auto code = error.code();
    const bool absent = code == boost::system::errc::no_such_file_or_directory ||
                        code == boost::system::errc::connection_refused;
    std::string hint;
    if (absent && loopback_) {
      hint = " (is the Tailscale app running? it takes a new port each time it starts";
      hint += token_ ? "; this one came from " + token_->source() + ")" : ")";
    } else if (absent) {
      hint = " (is tailscaled running? give its socket with --tailscale-socket)";
    }
    throw ConfigError("tailscale: cannot reach " + where + ": " + code.message() + hint);
  }
  if (!response) {
    throw ConfigError("tailscale: " + where + " did not answer within " + std::to_string(timeout_.count()) + " ms");
  }
  // tailscaled with a password (the macOS apps) answers 401 "auth required" to a
  // request without Basic auth and 403 "bad password" to a wrong one
  // (ipn/localapi/localapi.go). Neither is about this request: no endpoint works.
  if (loopback_) {
    const std::string said = redact(first_line(response->body));
    if (response->status == 401 && !token_) {
      throw ConfigError("tailscale: " + where + " wants a token (HTTP 401: " + said +
                        "): give it with --tailscale-localapi-token-file, or leave that out to have it read from "
                        "the macOS app's sameuserproof file");
    }
    if (response->status == 401 || (response->status == 403 && token_ && said.starts_with("bad password"))) {
      throw ConfigError("tailscale: " + where + " refused the token from " + token_->source() + " (HTTP " +
                        std::to_string(response->status) + ": " + said +
                        "): the Tailscale app makes a new token each time it starts; read the current one");
    }
  }
  co_return std::move(*response);
}

asio::awaitable<std::string> LocalApi::get(std::string target) const {
  Response response = co_await request(target);
  if (response.status != 200) {
    throw ConfigError("tailscale: tailscaled's LocalAPI at " + where_ + " answered GET " + target + " with HTTP " +
                      std::to_string(response.status) + ": " + redact(first_line(response.body)));
  }
  co_return std::move(response.body);
}

asio::awaitable<Status> LocalApi::status() const {
  const std::string body = co_await get("/localapi/v0/status");
  co_return parse_status(body, where_ + " /localapi/v0/status");
}

asio::awaitable<WhoIs> LocalApi::whois(const asio::ip::tcp::endpoint& remote) const {
  const std::string address = endpoint_text(remote);
  const std::string target = "/localapi/v0/whois?addr=" + percent_encode(address);
  const Response response = co_await request(target);
  if (response.status == 404) {
    throw PeerError("tailscaled knows no tailnet node at " + address + " (whois: " + redact(first_line(response.body)) +
                    ")");
  }
  if (response.status != 200) {
    throw PeerError("tailscaled's whois for " + address + " answered HTTP " + std::to_string(response.status) + ": " +
                    redact(first_line(response.body)));
  }
  co_return parse_whois(response.body, where_ + " whois " + address);
}

}  // namespace meshmpc::tailscale

namespace meshmpc::tailscale {

asio::ip::tcp::endpoint parse_loopback(const std::string& text, const std::string& what) {
  const std::size_t colon = text.rfind(':');
  std::string host = colon == std::string::npos ? "" : text.substr(0, colon);
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
  boost::system::error_code error;
  const auto address = asio::ip::make_address(host, error);
  unsigned port = 0;
  const std::string port_text = colon == std::string::npos ? "" : text.substr(colon + 1);
  const auto [end, parse_error] = std::from_chars(port_text.data(), port_text.data() + port_text.size(), port);
  if (host.empty() || error || parse_error != std::errc() || end != port_text.data() + port_text.size() ||
      port == 0 || port > 65535) {
    throw ConfigError(what + " '" + text + "': expected the LocalAPI's loopback address and port, e.g. 127.0.0.1:41112");
  }
  if (!address.is_loopback()) {
    throw ConfigError(what + " '" + text +
                      "': not a loopback address (the macOS app's LocalAPI listens on 127.0.0.1 only, and its "
                      "token is never sent elsewhere)");
  }
  return {address, static_cast<std::uint16_t>(port)};
}

LocalApi choose_local_api(const LocalApiOptions& options, std::chrono::milliseconds timeout) {
  const bool socket_given = options.socket && !options.socket->empty();
  const bool loopback_given = options.loopback && !options.loopback->empty();
  if (socket_given && loopback_given) {
    throw ConfigError("tailscale: give either --tailscale-socket (a Unix socket) or --tailscale-localapi "
                      "(the macOS app's loopback port), not both");
  }
  if (options.token_file && !loopback_given) {
    throw ConfigError("tailscale: --tailscale-localapi-token-file goes with --tailscale-localapi 127.0.0.1:PORT "
                      "(a token is only used over loopback TCP)");
  }
  if (socket_given) return LocalApi(*options.socket, timeout);
  if (loopback_given) {
    const asio::ip::tcp::endpoint endpoint = parse_loopback(*options.loopback, "--tailscale-localapi");
    if (options.token_file) return LocalApi(endpoint, read_token_file(*options.token_file), timeout);
    std::vector<std::string> looked;
    if (auto found = find_macos_credentials(options.macos, endpoint.port(), looked)) {
      return LocalApi(endpoint, std::move(found->token), timeout);
    }
    throw ConfigError("tailscale: no token for the LocalAPI at " + endpoint_text(endpoint) +
                      ": give it with --tailscale-localapi-token-file; looked in " + join(looked, "; "));
  }
  if (const char* env = std::getenv(kSocketEnvironment); env != nullptr && *env != '\0') return LocalApi(env, timeout);
  std::string tried;
  if (auto found = existing_default_socket(tried)) return LocalApi(*found, timeout);
  std::vector<std::string> looked;
  if (auto found = find_macos_credentials(options.macos, std::nullopt, looked)) {
    return LocalApi(asio::ip::tcp::endpoint(asio::ip::address_v4::loopback(), found->port), std::move(found->token),
                    timeout);
  }
  throw ConfigError("tailscale: tailscaled does not seem to run on this machine: no LocalAPI socket at " + tried +
                    ", and no macOS Tailscale app found (" + join(looked, "; ") +
                    "). Start tailscaled, or give its socket with --tailscale-socket or $" +
                    std::string(kSocketEnvironment) + ", or the macOS app's port with --tailscale-localapi");
}

}  // namespace meshmpc::tailscale
