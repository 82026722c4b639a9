#include "meshmpc/tailscale/local_api.hpp"

#include <boost/asio/local/stream_protocol.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http.hpp>
#include <cctype>
#include <cstdlib>
#include <filesystem>

#include "meshmpc/error.hpp"
#include "meshmpc/net/deadline.hpp"

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

asio::awaitable<LocalApi::Response> round_trip(const std::string& socket_path, const std::string& target) {
  asio::local::stream_protocol::socket socket(co_await asio::this_coro::executor);
  co_await socket.async_connect(asio::local::stream_protocol::endpoint(socket_path), asio::use_awaitable);
  http::request<http::empty_body> request(http::verb::get, target, 11);
  request.set(http::field::host, kHost);
  request.set(http::field::user_agent, "meshmpc");
  request.set(http::field::connection, "close");
  co_await http::async_write(socket, request, asio::use_awaitable);

  boost::beast::flat_buffer buffer;
  http::response_parser<http::string_body> parser;
  parser.body_limit(kMaxBody);
  co_await http::async_read(socket, buffer, parser, asio::use_awaitable);
  boost::system::error_code ignored;
  socket.close(ignored);
  co_return LocalApi::Response{parser.get().result_int(), std::move(parser.get().body())};
}

}  // namespace

std::vector<std::string> default_socket_paths() {
  return {"/var/run/tailscale/tailscaled.sock",
          "/run/tailscale/tailscaled.sock",
          "/var/packages/Tailscale/var/tailscaled.sock",
          "/var/packages/Tailscale/etc/tailscaled.sock",
          "/tmp/tailscale/tailscaled.sock",
          "/perm/tailscaled/tailscaled.sock"};
}

std::string choose_socket(const std::optional<std::string>& given) {
  if (given && !given->empty()) return *given;
  if (const char* env = std::getenv(kSocketEnvironment); env != nullptr && *env != '\0') return env;
  std::string tried;
  for (const std::string& path : default_socket_paths()) {
    std::error_code error;
    if (std::filesystem::exists(path, error)) return path;
    tried += (tried.empty() ? "" : ", ") + path;
  }
  throw ConfigError("tailscale: tailscaled does not seem to run on this machine: no LocalAPI socket at " + tried +
                    " (start tailscaled, or give its socket with --tailscale-socket or $" +
                    std::string(kSocketEnvironment) + ")");
}

LocalApi::LocalApi(std::string socket_path, std::chrono::milliseconds timeout)
    : socket_path_(std::move(socket_path)), timeout_(timeout) {}

asio::awaitable<LocalApi::Response> LocalApi::request(std::string target) const {
  const std::string where = "tailscaled's LocalAPI at " + socket_path_ + " (GET " + target + ")";
  std::optional<Response> response;
  try {
    response = co_await net::until_deadline(round_trip(socket_path_, target), Clock::now() + timeout_);
  } catch (const boost::system::system_error& error) {
    const auto code = error.code();
    const bool absent = code == boost::system::errc::no_such_file_or_directory ||
                        code == boost::system::errc::connection_refused;
    throw ConfigError("tailscale: cannot reach " + where + ": " + code.message() +
                      (absent ? " (is tailscaled running? give its socket with --tailscale-socket)" : ""));
  }
  if (!response) {
    throw ConfigError("tailscale: " + where + " did not answer within " + std::to_string(timeout_.count()) + " ms");
  }
  co_return std::move(*response);
}

asio::awaitable<std::string> LocalApi::get(std::string target) const {
  Response response = co_await request(target);
  if (response.status != 200) {
    throw ConfigError("tailscale: tailscaled's LocalAPI at " + socket_path_ + " answered GET " + target +
                      " with HTTP " + std::to_string(response.status) + ": " + first_line(response.body));
  }
  co_return std::move(response.body);
}

asio::awaitable<Status> LocalApi::status() const {
  const std::string body = co_await get("/localapi/v0/status");
  co_return parse_status(body, socket_path_ + " /localapi/v0/status");
}

asio::awaitable<WhoIs> LocalApi::whois(const asio::ip::tcp::endpoint& remote) const {
  const std::string address = remote.address().is_v6()
                                  ? "[" + remote.address().to_string() + "]:" + std::to_string(remote.port())
                                  : remote.address().to_string() + ":" + std::to_string(remote.port());
  const std::string target = "/localapi/v0/whois?addr=" + percent_encode(address);
  const Response response = co_await request(target);
  if (response.status == 404) {
    throw PeerError("tailscaled knows no tailnet node at " + address + " (whois: " + first_line(response.body) + ")");
  }
  if (response.status != 200) {
    throw PeerError("tailscaled's whois for " + address + " answered HTTP " + std::to_string(response.status) + ": " +
                    first_line(response.body));
  }
  co_return parse_whois(response.body, socket_path_ + " whois " + address);
}

}  // namespace meshmpc::tailscale
