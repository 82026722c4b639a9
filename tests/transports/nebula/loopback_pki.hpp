#pragma once
// n Nebula parties without nebula: certificates from the real nebula-cert whose
// "overlay" IPs are loopback addresses (127.0.0.x), and a roster listing them —
// what the loopback mesh tests and the load_parties tests both start from.
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <cstdint>
#include <string>

#include <meshmpc/nebula/nebula_parties.hpp>
#include "pki.hpp"

namespace meshmpc::nebula::test {

inline std::uint16_t free_port() {
  boost::asio::io_context io;
  boost::asio::ip::tcp::acceptor a(
      io, boost::asio::ip::tcp::endpoint(boost::asio::ip::make_address("127.0.0.1"), 0));
  return a.local_endpoint().port();
}

// n parties with certificates for 127.0.0.(11+i) and a roster listing them; the
// last party's groups are `last_groups`.
struct LoopbackPki {
  LoopbackPki(const TempDir& dir, std::size_t n, const std::string& last_groups = "mpc")
      : pki(dir.path(), "loop-ca", "mpc,admin", ""), roster(dir / "roster.txt"), port(free_port()) {
    std::string text = "# test roster\n";
    for (std::size_t i = 0; i < n; ++i) {
      const std::string name = "p" + std::to_string(i);
      pki.sign(name, "127.0.0." + std::to_string(11 + i) + "/8", i + 1 == n ? last_groups : "mpc");
      text += name + ".crt " + std::to_string(port) + "  # party " + std::to_string(i) + "\n";
    }
    write_file(roster, text);
  }
  NebulaOptions options(std::size_t i) const {
    NebulaOptions o;
    o.ca_file = pki.ca_crt();
    o.cert_file = pki.crt("p" + std::to_string(i));
    o.key_file = pki.key("p" + std::to_string(i));
    o.roster_file = roster;
    o.session_id = net::session_id_from_text("nebula-loopback");
    o.require_overlay_ip_here = false;
    return o;
  }
  Pki pki;
  std::string roster;
  std::uint16_t port;
};

}  // namespace meshmpc::nebula::test
