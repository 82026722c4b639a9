#include <meshmpc/cli/parties.hpp>

#include <sys/random.h>

#include <cerrno>
#include <cstring>

#include <meshmpc/error.hpp>
#include <meshmpc/hex.hpp>
#include "number.hpp"

namespace meshmpc::cli {

namespace {

bool is_name_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' || c == '-' ||
         c == '_';
}

// Inside brackets: an IPv6 address, possibly with a zone (fe80::1%eth0).
bool is_ipv6_char(char c) { return is_name_char(c) || c == ':' || c == '%'; }

int hex_digit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

}  // namespace

net::Endpoint parse_endpoint(std::string_view text, std::string_view where) {
  const auto fail = [&](const std::string& why) {
    throw ConfigError(std::string(where) + " '" + std::string(text) + "': " + why);
  };
  if (text.empty()) fail("empty address; expected host:port");

  net::Endpoint endpoint;
  std::string_view rest;  // what follows the host: "" or ":port"
  if (text.front() == '[') {
    const std::size_t close = text.find(']');
    if (close == std::string_view::npos) fail("missing ']' after the IPv6 address");
    const std::string_view host = text.substr(1, close - 1);
    if (host.empty()) fail("empty IPv6 address between brackets");
    for (char c : host) {
      if (!is_ipv6_char(c)) fail("'" + std::string(1, c) + "' cannot appear in an IPv6 address");
    }
    endpoint.host = std::string(host);
    rest = text.substr(close + 1);
    if (!rest.empty() && rest.front() != ':') fail("expected ':port' after ']'");
  } else {
    const std::size_t colon = text.find(':');
    if (colon != std::string_view::npos && text.find(':', colon + 1) != std::string_view::npos) {
      fail("an IPv6 address goes in brackets, e.g. [::1]:11365");
    }
    const std::string_view host = text.substr(0, colon);
    for (char c : host) {
      if (!is_name_char(c)) fail("'" + std::string(1, c) + "' cannot appear in a host name");
    }
    endpoint.host = std::string(host);
    if (colon != std::string_view::npos) rest = text.substr(colon);
  }
  if (!rest.empty()) {
    if (rest.size() == 1) fail("missing port after ':'");
    endpoint.port = detail::parse_port(rest.substr(1), std::string(where) + " '" + std::string(text) + "': port");
  }
  if (endpoint.host.empty() && endpoint.port == 0) fail("an empty host (this party) needs a port: ':port'");
  return endpoint;
}

RosterLine parse_roster_line(std::string_view text, std::string_view where) {
  const std::size_t space = text.find_first_of(" \t");
  RosterLine line;
  line.endpoint = parse_endpoint(text.substr(0, space), where);
  if (space == std::string_view::npos) return line;
  const std::size_t start = text.find_first_not_of(" \t", space);
  if (start == std::string_view::npos) return line;
  line.fingerprint = net::tls::parse_fingerprint(text.substr(start), std::string(where) + " '" + std::string(text) + "'");
  return line;
}

std::string session_id_to_hex(const net::SessionId& id) { return to_hex(id); }

net::SessionId session_id_from_hex(std::string_view hex) {
  net::SessionId id{};
  if (hex.size() != 2 * id.size()) {
    throw ConfigError("--session-id '" + std::string(hex) + "': expected " + std::to_string(2 * id.size()) +
                      " hex digits, got " + std::to_string(hex.size()) + " characters");
  }
  for (std::size_t i = 0; i < id.size(); ++i) {
    const int hi = hex_digit(hex[2 * i]);
    const int lo = hex_digit(hex[2 * i + 1]);
    if (hi < 0 || lo < 0) {
      throw ConfigError("--session-id '" + std::string(hex) + "': character " + std::to_string(hi < 0 ? 2 * i : 2 * i + 1) +
                        " is not a hex digit");
    }
    id[i] = static_cast<std::byte>(hi * 16 + lo);
  }
  return id;
}

net::SessionId random_session_id() {
  net::SessionId id{};
  std::size_t filled = 0;
  while (filled < id.size()) {
    const ssize_t got = getrandom(id.data() + filled, id.size() - filled, 0);
    if (got < 0) {
      if (errno == EINTR) continue;
      throw Error(std::string("random session id: getrandom failed: ") + std::strerror(errno));
    }
    filled += static_cast<std::size_t>(got);
  }
  return id;
}

net::Roster make_roster(const RunOptions& options) {
  net::Roster roster;
  roster.session_id = options.session_id.value_or(net::session_id_from_text(options.program));
  const std::size_t base = options.effective_base_port();
  const auto base_port_of = [&](std::size_t id) {
    if (base + id > 65535) {
      throw ConfigError("roster: party " + std::to_string(id) + ": base port " + std::to_string(base) + " + " +
                        std::to_string(id) + " exceeds the largest port 65535");
    }
    return static_cast<std::uint16_t>(base + id);
  };
  if (options.addresses.empty()) {
    for (std::size_t i = 0; i < options.parties; ++i) {
      roster.parties.push_back({i, "party" + std::to_string(i), {{"127.0.0.1", base_port_of(i)}}, "", std::nullopt});
    }
  } else {
    roster.parties = options.addresses;
    for (net::PartyInfo& party : roster.parties) {
      if (party.name.empty()) party.name = "party" + std::to_string(party.id);
      for (net::Endpoint& endpoint : party.endpoints) {
        if (endpoint.port == 0) endpoint.port = base_port_of(party.id);
      }
    }
  }
  roster.validate();
  return roster;
}

std::string output_file_name(const RunOptions& options, std::size_t party) {
  return "party" + std::to_string(options.parties) + "_" + std::to_string(party) + ".log";
}

}  // namespace meshmpc::cli
