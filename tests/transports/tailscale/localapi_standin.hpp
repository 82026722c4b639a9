#pragma once
// Test support: a stand-in for tailscaled's LocalAPI (tailscaled cannot run in the
// test environment). A real HTTP/1.1 server (Boost.Beast) on a real Unix socket,
// serving status and whois shaped from the fixtures (fixtures/status.json,
// fixtures/whois.json, taken from tailscaled's source: see docs/transports/tailscale.md).
// It is strict where tailscaled is: a Host other than local-tailscaled.sock, or
// any Origin or Referer header, gets 403 "invalid localapi request".
// It can also play the macOS apps' LocalAPI: loopback TCP on a random port with a
// token, checked as tailscaled's ipn/localapi does (Host may then also be
// localhost:port or a loopback ip:port; no Basic auth -> 401 "auth required", a
// wrong password -> 403 "bad password", before any handler runs).
#include <boost/json/object.hpp>
#include <boost/json/value.hpp>
#include <atomic>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

namespace meshmpc::tailscale::testing {

// A made-up tailnet built from the fixture's nodes (alice, bob, carol, in that
// order, all tagged tag:mpc), each a PeerStatus JSON object that tests may edit.
// Their Tailscale IPv4s are replaced by distinct loopback addresses (127.0.0.11,
// .12, ...), so that parties on one machine have distinct "tailnet" addresses and
// real TCP between them.
class Tailnet {
 public:
  // The fixture's three nodes, with IPv4 127.0.0.<first_octet + k>. Their IPv6
  // addresses (fd7a:115c:a1e0::/48, not loopback) are dropped unless asked for, so
  // that no dial can leave the machine.
  static Tailnet from_fixture(unsigned first_octet = 11, bool keep_ipv6 = false);
  // The same from another status fixture (Self first, then its peers in the file's
  // order), e.g. "headscale_status.json": four tagged nodes of a Headscale tailnet
  // (decimal stable ids "2", "10", "9", "100", user tagged-devices).
  static Tailnet from_file(const std::string& status_fixture, unsigned first_octet = 11, bool keep_ipv6 = false);

  std::size_t size() const { return nodes_.size(); }
  boost::json::object& node(std::size_t k) { return nodes_[k]; }
  const boost::json::object& node(std::size_t k) const { return nodes_[k]; }
  // A copy of node `from`, renamed (ID, keys, names, addresses): an extra node.
  void add_node(std::size_t from, const std::string& name, const std::string& stable_id, const std::string& ipv4);
  std::string ipv4(std::size_t k) const;

  // GET /localapi/v0/status as node `self` sees it: Self is that node, Peer the others.
  std::string status_for(std::size_t self) const;
  // GET /localapi/v0/whois for a node's IP: its WhoIsResponse, or nullopt.
  std::optional<std::string> whois_for(std::string_view ip) const;
  // The WhoIsResponse of node k.
  std::string whois_of(std::size_t k) const;

 private:
  boost::json::object document_;  // the fixture status (for its other fields)
  boost::json::object whois_template_;
  std::vector<boost::json::object> nodes_;
};

struct Reply {
  unsigned status = 200;
  std::string body;
  std::string content_type = "application/json";
  bool chunked = false;  // tailscaled may send JSON with Transfer-Encoding: chunked
};

// Answers one request target ("/localapi/v0/whois?addr=127.0.0.12%3A4000").
using Handler = std::function<Reply(std::string_view target)>;

// The handler of a node: status_for(self) and whois by IP (404 "no match for IP:port"
// for an unknown one, as tailscaled says), 404 for other paths.
Handler node_handler(Tailnet tailnet, std::size_t self);

// The IP of a whois target's addr parameter (percent-decoded, port and brackets removed).
std::string whois_ip(std::string_view target);

class LocalApiStandIn {
 public:
  // Listens on `socket_path` (removed first if it exists) and serves on its own thread.
  LocalApiStandIn(std::string socket_path, Handler handler);
  // Listens on 127.0.0.1:<a free port> and requires HTTP Basic auth with `token`
  // as the password (the macOS apps' LocalAPI).
  static std::unique_ptr<LocalApiStandIn> on_loopback(Handler handler, std::string token);
  ~LocalApiStandIn();  // stops the thread and removes the socket
  LocalApiStandIn(const LocalApiStandIn&) = delete;
  LocalApiStandIn& operator=(const LocalApiStandIn&) = delete;

  const std::string& path() const { return path_; }  // "" on loopback TCP
  std::uint16_t port() const;                         // 0 on a Unix socket
  std::string address() const { return "127.0.0.1:" + std::to_string(port()); }
  std::size_t requests(std::string_view path_prefix) const;  // how many targets started so
  // Requests refused for their auth (401 or 403 "bad password").
  std::size_t auth_refusals() const;

 private:
  LocalApiStandIn() = default;
  void start();

  struct Server;
  std::string path_;
  std::unique_ptr<Server> server_;
  std::thread thread_;
};

// A fresh directory under /tmp for sockets, removed with everything in it.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  std::string file(const std::string& name) const { return path_ + "/" + name; }

 private:
  std::string path_;
};

}  // namespace meshmpc::tailscale::testing
