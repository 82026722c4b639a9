#include "localapi_standin.hpp"

#include <stdlib.h>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/local/stream_protocol.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <filesystem>
#include <fstream>
#include <algorithm>
#include <cctype>
#include <mutex>
#include <sstream>
#include <stdexcept>

namespace meshmpc::tailscale::testing {

namespace asio = boost::asio;
namespace http = boost::beast::http;
namespace json = boost::json;
using stream = asio::local::stream_protocol;

namespace {

json::object read_fixture(const std::string& name) {
  const std::string path = std::string(MESHMPC_TAILSCALE_FIXTURES) + "/" + name;
  std::ifstream in(path);
  if (!in) throw std::runtime_error("cannot read fixture " + path);
  std::stringstream text;
  text << in.rdbuf();
  return json::parse(text.str()).as_object();
}

// A 64-hex-digit key that differs per node: the fixture's keys with the node's
// name hashed into the front.
std::string key_for(const std::string& prefix, const std::string& name) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string hex(64, '0');
  std::size_t h = std::hash<std::string>{}(prefix + name);
  for (std::size_t i = 0; i < 64; ++i) {
    hex[i] = kHex[(h >> (4 * (i % 16))) & 15];
    if (i % 16 == 15) h = std::hash<std::string>{}(hex.substr(0, i + 1));
  }
  return prefix + hex;
}

std::string percent_decode(std::string_view text) {
  std::string out;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '%' && i + 2 < text.size()) {
      out += static_cast<char>(std::stoi(std::string(text.substr(i + 1, 2)), nullptr, 16));
      i += 2;
    } else {
      out += text[i];
    }
  }
  return out;
}

}  // namespace

Tailnet Tailnet::from_fixture(unsigned first_octet, bool keep_ipv6) {
  return from_file("status.json", first_octet, keep_ipv6);
}

Tailnet Tailnet::from_file(const std::string& status_fixture, unsigned first_octet, bool keep_ipv6) {
  Tailnet tailnet;
  tailnet.document_ = read_fixture(status_fixture);
  tailnet.whois_template_ = read_fixture("whois.json");
  tailnet.nodes_.push_back(tailnet.document_.at("Self").as_object());
  for (const auto& [key, peer] : tailnet.document_.at("Peer").as_object()) {
    (void)key;
    tailnet.nodes_.push_back(peer.as_object());
  }
  for (std::size_t k = 0; k < tailnet.nodes_.size(); ++k) {
    json::array& ips = tailnet.nodes_[k].at("TailscaleIPs").as_array();
    ips[0] = "127.0.0." + std::to_string(first_octet + k);
    if (!keep_ipv6) ips.resize(1);
  }
  return tailnet;
}

void Tailnet::add_node(std::size_t from, const std::string& name, const std::string& stable_id,
                       const std::string& ipv4) {
  json::object node = nodes_.at(from);
  node["ID"] = stable_id;
  node["NodeID"] = static_cast<std::int64_t>(6184225873451300 + nodes_.size());
  node["PublicKey"] = key_for("nodekey:", name);
  node["HostName"] = name;
  node["DNSName"] = name + ".tail1234.ts.net.";
  node["TailscaleIPs"] = json::array{json::string(ipv4)};
  nodes_.push_back(std::move(node));
}

std::string Tailnet::ipv4(std::size_t k) const {
  return std::string(nodes_.at(k).at("TailscaleIPs").as_array().at(0).as_string());
}

std::string Tailnet::status_for(std::size_t self) const {
  json::object status = document_;
  status["Self"] = nodes_.at(self);
  status["TailscaleIPs"] = nodes_.at(self).at("TailscaleIPs");
  json::object peers;
  for (std::size_t k = 0; k < nodes_.size(); ++k) {
    if (k != self) peers[nodes_[k].at("PublicKey").as_string()] = nodes_[k];
  }
  status["Peer"] = std::move(peers);
  return json::serialize(status);
}

std::string Tailnet::whois_of(std::size_t k) const {
  const json::object& node = nodes_.at(k);
  json::object whois = whois_template_;
  json::object& out = whois.at("Node").as_object();
  out["ID"] = node.at("NodeID");
  out["StableID"] = node.at("ID");
  out["Name"] = node.at("DNSName");
  out["User"] = node.at("UserID");
  out["Key"] = node.at("PublicKey");
  json::array addresses;
  for (const json::value& ip : node.at("TailscaleIPs").as_array()) {
    const std::string text(ip.as_string());
    addresses.emplace_back(text + (text.find(':') == std::string::npos ? "/32" : "/128"));
  }
  out["Addresses"] = addresses;
  out["AllowedIPs"] = addresses;
  if (const json::value* tags = node.if_contains("Tags")) {
    out["Tags"] = *tags;
  } else {
    out.erase("Tags");
  }
  const std::string dns(node.at("DNSName").as_string());
  out["ComputedName"] = dns.substr(0, dns.find('.'));
  out["ComputedNameWithHost"] = out["ComputedName"];
  out["Hostinfo"].as_object()["Hostname"] = node.at("HostName");
  const std::string user = std::to_string(node.at("UserID").to_number<std::int64_t>());
  if (const json::value* profile = document_.at("User").as_object().if_contains(user)) whois["UserProfile"] = *profile;
  return json::serialize(whois);
}

std::optional<std::string> Tailnet::whois_for(std::string_view ip) const {
  for (std::size_t k = 0; k < nodes_.size(); ++k) {
    for (const json::value& own : nodes_[k].at("TailscaleIPs").as_array()) {
      if (own.as_string() == ip) return whois_of(k);
    }
  }
  return std::nullopt;
}

std::string whois_ip(std::string_view target) {
  const std::size_t at = target.find("addr=");
  if (at == std::string_view::npos) return {};
  std::string addr = percent_decode(target.substr(at + 5, target.find('&', at) - (at + 5)));
  if (!addr.empty() && addr.front() == '[') return addr.substr(1, addr.find(']') - 1);
  if (std::count(addr.begin(), addr.end(), ':') == 1) addr.resize(addr.find(':'));
  return addr;
}

Handler node_handler(Tailnet tailnet, std::size_t self) {
  return [tailnet = std::move(tailnet), self](std::string_view target) -> Reply {
    if (target == "/localapi/v0/status") return {200, tailnet.status_for(self)};
    if (target.starts_with("/localapi/v0/whois?")) {
      const std::string ip = whois_ip(target);
      if (ip.empty()) return {400, "missing 'addr' parameter\n", "text/plain"};
      if (auto whois = tailnet.whois_for(ip)) return {200, std::move(*whois)};
      return {404, "no match for IP:port\n", "text/plain"};
    }
    return {404, "404 page not found\n", "text/plain"};
  };
}

namespace {

// Standard base64 (RFC 4648, padded), as Go's r.BasicAuth decodes it; nullopt when
// malformed.
std::optional<std::string> base64_decode(std::string_view text) {
  static constexpr std::string_view kAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  if (text.size() % 4 != 0) return std::nullopt;
  std::string out;
  for (std::size_t i = 0; i < text.size(); i += 4) {
    std::uint32_t group = 0;
    int padding = 0;
    for (std::size_t k = 0; k < 4; ++k) {
      const char c = text[i + k];
      std::size_t value = 0;
      if (c == '=' && i + 4 == text.size() && k >= 2) {
        ++padding;
      } else if (padding != 0 || (value = kAlphabet.find(c)) == std::string_view::npos) {
        return std::nullopt;
      }
      group = (group << 6) | static_cast<std::uint32_t>(value);
    }
    out += static_cast<char>(group >> 16);
    if (padding < 2) out += static_cast<char>((group >> 8) & 0xff);
    if (padding < 1) out += static_cast<char>(group & 0xff);
  }
  return out;
}

// The password of an "Authorization: Basic ..." header, as Go's r.BasicAuth reads it.
std::optional<std::string> basic_password(std::string_view header) {
  constexpr std::string_view kPrefix = "basic ";
  if (header.size() < kPrefix.size()) return std::nullopt;
  for (std::size_t i = 0; i < kPrefix.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(header[i])) != kPrefix[i]) return std::nullopt;
  }
  const auto decoded = base64_decode(header.substr(kPrefix.size()));
  if (!decoded || decoded->find(':') == std::string::npos) return std::nullopt;
  return decoded->substr(decoded->find(':') + 1);
}

bool same_secret(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  unsigned char diff = 0;
  for (std::size_t i = 0; i < a.size(); ++i) diff |= static_cast<unsigned char>(a[i] ^ b[i]);
  return diff == 0;
}

}  // namespace

struct LocalApiStandIn::Server {
  Server(const std::string& path, Handler handler_in) : handler(std::move(handler_in)) {
    unix_acceptor.emplace(io, stream::endpoint(path));
  }
  Server(Handler handler_in, std::string token_in) : handler(std::move(handler_in)), token(std::move(token_in)) {
    tcp_acceptor.emplace(io, asio::ip::tcp::endpoint(asio::ip::address_v4::loopback(), 0));
  }

  // tailscaled's validHost: its own name or none; with a password also
  // localhost:port or a loopback ip:port.
  bool valid_host(std::string_view host) const {
    if (host.empty() || host == "local-tailscaled.sock") return true;
    if (token.empty()) return false;
    const std::size_t colon = host.rfind(':');
    if (colon == std::string_view::npos) return false;
    std::string name(host.substr(0, colon));
    if (name == "localhost") return true;
    if (name.size() >= 2 && name.front() == '[' && name.back() == ']') name = name.substr(1, name.size() - 2);
    boost::system::error_code error;
    const auto address = asio::ip::make_address(name, error);
    return !error && address.is_loopback();
  }

  // What tailscaled answers before any handler runs, if anything.
  std::optional<Reply> refusal(const http::request<http::string_body>& request) {
    if (!valid_host(request[http::field::host]) || request.count(http::field::origin) != 0 ||
        request.count(http::field::referer) != 0) {
      return Reply{403, "invalid localapi request\n", "text/plain"};
    }
    if (token.empty()) return std::nullopt;
    const auto password = basic_password(request[http::field::authorization]);
    const std::lock_guard lock(mutex);
    if (!password) {
      ++auth_refused;
      return Reply{401, "auth required\n", "text/plain"};
    }
    if (!same_secret(*password, token)) {
      ++auth_refused;
      return Reply{403, "bad password\n", "text/plain"};
    }
    return std::nullopt;
  }

  template <typename Socket>
  asio::awaitable<void> serve(Socket socket) {
    boost::beast::flat_buffer buffer;
    for (;;) {
      http::request<http::string_body> request;
      auto [read_error, read] = co_await http::async_read(socket, buffer, request, asio::as_tuple(asio::use_awaitable));
      (void)read;
      if (read_error) co_return;
      const std::string target(request.target());
      {
        const std::lock_guard lock(mutex);
        targets.push_back(target);
      }
      Reply reply;
      if (auto refused = refusal(request)) {
        reply = std::move(*refused);
      } else if (request.method() != http::verb::get) {
        reply = {405, "want GET\n", "text/plain"};
      } else {
        try {
          reply = handler(target);
        } catch (const std::exception& error) {  // e.g. a malformed %-escape: tailscaled says 400
          reply = {400, std::string(error.what()) + "\n", "text/plain"};
        }
      }
      http::response<http::string_body> response(static_cast<http::status>(reply.status), request.version());
      response.set(http::field::content_type, reply.content_type);
      response.set("Tailscale-Version", "1.86.2-standin");
      response.body() = reply.body;
      response.keep_alive(request.keep_alive());
      if (reply.chunked) {
        response.chunked(true);
      } else {
        response.prepare_payload();
      }
      auto [write_error, written] = co_await http::async_write(socket, response, asio::as_tuple(asio::use_awaitable));
      (void)written;
      if (write_error || !request.keep_alive()) co_return;
    }
  }

  template <typename Acceptor>
  asio::awaitable<void> accept_loop(Acceptor& acceptor) {
    for (;;) {
      auto [error, socket] = co_await acceptor.async_accept(asio::as_tuple(asio::use_awaitable));
      if (error) co_return;
      asio::co_spawn(io, serve(std::move(socket)), asio::detached);
    }
  }

  asio::io_context io;
  std::optional<stream::acceptor> unix_acceptor;
  std::optional<asio::ip::tcp::acceptor> tcp_acceptor;
  Handler handler;
  std::string token;  // required as the Basic auth password when set (loopback TCP)
  mutable std::mutex mutex;
  std::vector<std::string> targets;
  std::size_t auth_refused = 0;
};

LocalApiStandIn::LocalApiStandIn(std::string socket_path, Handler handler) : path_(std::move(socket_path)) {
  std::error_code ignored;
  std::filesystem::remove(path_, ignored);
  server_ = std::make_unique<Server>(path_, std::move(handler));
  start();
}

std::unique_ptr<LocalApiStandIn> LocalApiStandIn::on_loopback(Handler handler, std::string token) {
  std::unique_ptr<LocalApiStandIn> standin(new LocalApiStandIn());
  standin->server_ = std::make_unique<Server>(std::move(handler), std::move(token));
  standin->start();
  return standin;
}

void LocalApiStandIn::start() {
  if (server_->unix_acceptor) {
    asio::co_spawn(server_->io, server_->accept_loop(*server_->unix_acceptor), asio::detached);
  } else {
    asio::co_spawn(server_->io, server_->accept_loop(*server_->tcp_acceptor), asio::detached);
  }
  thread_ = std::thread([this] { server_->io.run(); });
}

LocalApiStandIn::~LocalApiStandIn() {
  server_->io.stop();
  thread_.join();
  if (!path_.empty()) {
    std::error_code ignored;
    std::filesystem::remove(path_, ignored);
  }
}

std::uint16_t LocalApiStandIn::port() const {
  return server_->tcp_acceptor ? server_->tcp_acceptor->local_endpoint().port() : 0;
}

std::size_t LocalApiStandIn::auth_refusals() const {
  const std::lock_guard lock(server_->mutex);
  return server_->auth_refused;
}

std::size_t LocalApiStandIn::requests(std::string_view path_prefix) const {
  const std::lock_guard lock(server_->mutex);
  return static_cast<std::size_t>(std::count_if(server_->targets.begin(), server_->targets.end(),
                                                [&](const std::string& t) { return t.starts_with(path_prefix); }));
}

TempDir::TempDir() {
  std::string pattern = (std::filesystem::temp_directory_path() / "meshmpc-tailscale-XXXXXX").string();
  if (::mkdtemp(pattern.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
  path_ = pattern;
}

TempDir::~TempDir() {
  std::error_code ignored;
  std::filesystem::remove_all(path_, ignored);
}

}  // namespace meshmpc::tailscale::testing
