#include <meshmpc/rendezvous/messages.hpp>

#include <boost/json/array.hpp>
#include <boost/json/string.hpp>
#include <boost/json/value.hpp>
#include <charconv>
#include <cstdio>
#include <initializer_list>

#include <meshmpc/error.hpp>
#include <meshmpc/net/tls/fingerprint.hpp>

namespace meshmpc::rendezvous {

namespace json = boost::json;

namespace {

bool printable(char c) { return c >= 0x20 && c <= 0x7e; }

// "'x'" for a printable character, "byte 0x1f" for any other: never echo a raw
// control byte into a log line.
std::string char_text(char c) {
  if (printable(c)) return std::string("'") + c + "'";
  char text[16];
  std::snprintf(text, sizeof text, "byte 0x%02x", static_cast<unsigned>(static_cast<unsigned char>(c)));
  return text;
}

// Reads the fields of one object of message `type`, naming the type and the field
// (a path such as "parties[2].name") in every refusal.
class Reader {
 public:
  Reader(const json::object& object, std::string type, std::string prefix,
         std::initializer_list<std::string_view> known)
      : object_(object), type_(std::move(type)), prefix_(std::move(prefix)) {
    for (const auto& field : object_) {
      bool found = false;
      for (const std::string_view name : known) found = found || field.key() == name;
      if (!found) fail(std::string(field.key()).substr(0, 32), "is not a field of this message");
    }
  }

  [[noreturn]] void fail(std::string_view field, const std::string& what) const {
    throw ProtocolError(type_ + ": '" + prefix_ + std::string(field) + "' " + what);
  }

  const json::value& value(std::string_view field) const {
    const json::value* const found = object_.if_contains(field);
    if (found == nullptr) fail(field, "is missing");
    return *found;
  }

  // A string of at most max_chars bytes.
  std::string_view text(std::string_view field, std::size_t max_chars) const {
    return string_of(value(field), field, max_chars);
  }

  std::string_view string_of(const json::value& v, std::string_view field, std::size_t max_chars) const {
    if (!v.is_string()) fail(field, "is not a string");
    const json::string& s = v.get_string();
    if (s.size() > max_chars) {
      fail(field, "is " + std::to_string(s.size()) + " characters, at most " + std::to_string(max_chars));
    }
    return {s.data(), s.size()};
  }

  // Printable ASCII (and, when allowed, line breaks), at least min_chars long.
  std::string printable_text(std::string_view field, std::size_t min_chars, std::size_t max_chars,
                             bool line_breaks = false) const {
    return printable_of(value(field), field, min_chars, max_chars, line_breaks);
  }

  std::string printable_of(const json::value& v, std::string_view field, std::size_t min_chars,
                           std::size_t max_chars, bool line_breaks = false) const {
    const std::string_view s = string_of(v, field, max_chars);
    if (s.size() < min_chars) fail(field, "is empty");
    for (std::size_t i = 0; i < s.size(); ++i) {
      const bool ok = printable(s[i]) || (line_breaks && (s[i] == '\n' || s[i] == '\r'));
      if (!ok) fail(field, "holds " + char_text(s[i]) + " at " + std::to_string(i) + ", not printable ASCII");
    }
    return std::string(s);
  }

  // A whole number in min..max (a parsed message holds int64, a built one may hold uint64).
  std::size_t number(std::string_view field, std::size_t min, std::size_t max) const {
    const json::value& v = value(field);
    if (v.is_int64() && v.get_int64() < 0) {
      fail(field, "is " + std::to_string(v.get_int64()) + ", not in " + std::to_string(min) + ".." +
                      std::to_string(max));
    }
    if (!v.is_int64() && !v.is_uint64()) fail(field, "is not a whole number");
    const std::uint64_t n = v.is_int64() ? static_cast<std::uint64_t>(v.get_int64()) : v.get_uint64();
    if (n < min || n > max) {
      fail(field, "is " + std::to_string(n) + ", not in " + std::to_string(min) + ".." + std::to_string(max));
    }
    return static_cast<std::size_t>(n);
  }

  const json::array& array(std::string_view field, std::size_t min_count, std::size_t max_count) const {
    const json::value& v = value(field);
    if (!v.is_array()) fail(field, "is not an array");
    const json::array& a = v.get_array();
    if (a.size() > max_count) {
      fail(field, "has " + std::to_string(a.size()) + " entries, at most " + std::to_string(max_count));
    }
    if (a.size() < min_count) {
      fail(field, "has " + std::to_string(a.size()) + " entries, at least " + std::to_string(min_count));
    }
    return a;
  }

  // The object at a[index], with its own Reader naming "field[index].".
  Reader entry(const json::array& a, std::string_view field, std::size_t index,
               std::initializer_list<std::string_view> known) const {
    const std::string where = std::string(field) + "[" + std::to_string(index) + "]";
    if (!a[index].is_object()) fail(where, "is not an object");
    return Reader(a[index].get_object(), type_, prefix_ + where + ".", known);
  }

  // The string at a[index].
  std::string entry_text(const json::array& a, std::string_view field, std::size_t index,
                         std::size_t max_chars) const {
    const std::string where = std::string(field) + "[" + std::to_string(index) + "]";
    return printable_of(a[index], where, 0, max_chars);
  }

  std::vector<net::Endpoint> endpoints(std::string_view field, std::size_t min_count) const {
    const json::array& a = array(field, min_count, kMaxEndpoints);
    std::vector<net::Endpoint> out;
    for (std::size_t i = 0; i < a.size(); ++i) {
      const std::string where = std::string(field) + "[" + std::to_string(i) + "]";
      out.push_back(endpoint(a[i], where));
    }
    return out;
  }

  net::Endpoint endpoint(const json::value& v, std::string_view where) const {
    if (!v.is_string()) fail(where, "is not a string");
    const json::string& s = v.get_string();
    return parse_endpoint({s.data(), s.size()}, type_ + ": '" + prefix_ + std::string(where) + "'");
  }

  void version() const {
    const std::size_t v = number("version", 0, 1u << 30);
    if (v != kProtocolVersion) {
      fail("version", "is " + std::to_string(v) + "; this rendezvous speaks version " +
                          std::to_string(kProtocolVersion));
    }
  }

  void session(std::string_view field, std::string& out) const {
    out = std::string(text(field, kMaxSessionName));
    check_session_name(out, type_ + ": '" + prefix_ + std::string(field) + "'");
  }

 private:
  const json::object& object_;
  std::string type_;
  std::string prefix_;
};

// The Reader of a top-level message, after checking its "type".
Reader top(const json::object& message, const char* type, std::initializer_list<std::string_view> known) {
  const std::string actual = message_type(message);
  if (actual != type) {
    throw ProtocolError(std::string("expected a '") + type + "' message, got '" + actual.substr(0, 32) + "'");
  }
  return Reader(message, type, "", known);
}

json::array endpoint_array(const std::vector<net::Endpoint>& endpoints) {
  json::array out;
  for (const net::Endpoint& e : endpoints) out.emplace_back(endpoint_text(e));
  return out;
}

std::string token_text(const Reader& reader, std::string_view field) {
  std::string token(reader.text(field, kTokenHexChars));
  if (token.size() != kTokenHexChars) {
    reader.fail(field, "is " + std::to_string(token.size()) + " characters, not " + std::to_string(kTokenHexChars));
  }
  for (std::size_t i = 0; i < token.size(); ++i) {
    const char c = token[i];
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) {
      reader.fail(field, "holds " + char_text(c) + " at " + std::to_string(i) + ", not a lower-case hex digit");
    }
  }
  return token;
}

}  // namespace

void check_session_name(std::string_view name, std::string_view where) {
  if (name.empty()) throw ProtocolError(std::string(where) + " is empty");
  if (name.size() > kMaxSessionName) {
    throw ProtocolError(std::string(where) + " is " + std::to_string(name.size()) + " characters, at most " +
                        std::to_string(kMaxSessionName));
  }
  for (std::size_t i = 0; i < name.size(); ++i) {
    const char c = name[i];
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
                    c == '_' || c == '-';
    if (!ok) {
      throw ProtocolError(std::string(where) + " holds " + char_text(c) + " at " + std::to_string(i) +
                          " (a session name is letters, digits, '.', '_' and '-')");
    }
  }
}

net::Endpoint parse_endpoint(std::string_view text, std::string_view where) {
  const auto fail = [&](const std::string& what) -> void {
    throw ProtocolError(std::string(where) + " " + what);
  };
  if (text.size() > kMaxEndpointText) {
    fail("is " + std::to_string(text.size()) + " characters, at most " + std::to_string(kMaxEndpointText));
  }
  const std::size_t colon = text.rfind(':');
  if (colon == std::string_view::npos) fail("is not host:port");
  std::string_view host = text.substr(0, colon);
  const std::string_view port_text = text.substr(colon + 1);
  if (!host.empty() && host.front() == '[') {
    if (host.size() < 3 || host.back() != ']') fail("has no ']' after its IPv6 address");
    host = host.substr(1, host.size() - 2);
    if (host.find(':') == std::string_view::npos) fail("has brackets around a host that is not IPv6");
  } else if (host.find(':') != std::string_view::npos) {
    fail("has an IPv6 address without brackets ([::1]:port)");
  }
  if (host.empty()) fail("has an empty host");
  for (std::size_t i = 0; i < host.size(); ++i) {
    const char c = host[i];
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
                    c == '-' || c == '_' || c == ':' || c == '%';
    if (!ok) fail("holds " + char_text(c) + " in its host");
  }
  unsigned port = 0;
  const auto [end, ec] = std::from_chars(port_text.data(), port_text.data() + port_text.size(), port);
  if (port_text.empty() || port_text.size() > 5 || ec != std::errc() || end != port_text.data() + port_text.size() ||
      port < 1 || port > 65535) {
    fail("has port '" + std::string(port_text.substr(0, 8)) + "', not a number in 1..65535");
  }
  return net::Endpoint{std::string(host), static_cast<std::uint16_t>(port)};
}

std::string endpoint_text(const net::Endpoint& endpoint) { return net::to_string(endpoint); }

std::string message_type(const json::object& message) {
  const json::value* const type = message.if_contains("type");
  if (type == nullptr) throw ProtocolError("a rendezvous message has no 'type'");
  if (!type->is_string()) throw ProtocolError("a rendezvous message's 'type' is not a string");
  const json::string& s = type->get_string();
  // Only the known types matter; a long or strange one is cut before it is named.
  std::string out(s.data(), std::min<std::size_t>(s.size(), 32));
  for (char& c : out) {
    if (!printable(c)) c = '?';
  }
  return out;
}

json::object encode(const Join& m) {
  return {{"type", "join"},       {"version", kProtocolVersion}, {"session", m.session},
          {"expect", m.expect},   {"name", m.name},              {"certificate", m.certificate},
          {"endpoints", endpoint_array(m.endpoints)}};
}

json::object encode(const Post& m) { return {{"type", "post"}, {"round", m.round}, {"data", m.data}}; }

json::object encode(const Relay& m) {
  return {{"type", "relay"}, {"version", kProtocolVersion}, {"session", m.session}, {"token", m.token},
          {"peer", m.peer}};
}

json::object encode(const Waiting& m) {
  json::array joined;
  for (const WaitingParty& p : m.joined) joined.push_back(json::object{{"name", p.name}, {"fingerprint", p.fingerprint}});
  return {{"type", "waiting"}, {"expect", m.expect}, {"joined", std::move(joined)}};
}

json::object encode(const RosterMsg& m) {
  json::array parties;
  for (const RosterParty& p : m.parties) {
    parties.push_back(json::object{{"name", p.name},
                                   {"certificate", p.certificate},
                                   {"endpoints", endpoint_array(p.endpoints)},
                                   {"reflexive", endpoint_text(p.reflexive)}});
  }
  return {{"type", "roster"}, {"session", m.session}, {"token", m.token}, {"parties", std::move(parties)}};
}

json::object encode(const Round& m) {
  json::array data;
  for (const std::string& d : m.data) data.emplace_back(d);
  return {{"type", "round"}, {"round", m.round}, {"data", std::move(data)}};
}

json::object encode(const RelayReady&) { return {{"type", "relay_ready"}}; }

json::object encode(const ErrorMsg& m) { return {{"type", "error"}, {"message", m.message}}; }

Join decode_join(const json::object& message) {
  const Reader r = top(message, "join", {"type", "version", "session", "expect", "name", "certificate", "endpoints"});
  r.version();
  Join out;
  r.session("session", out.session);
  out.expect = r.number("expect", kMinExpect, kMaxExpect);
  out.name = r.printable_text("name", 1, kMaxPartyName);
  out.certificate = r.printable_text("certificate", 1, kMaxCertificatePem, true);
  out.endpoints = r.endpoints("endpoints", 0);
  return out;
}

Post decode_post(const json::object& message) {
  const Reader r = top(message, "post", {"type", "round", "data"});
  Post out;
  out.round = r.number("round", 1, kMaxRounds);
  out.data = r.printable_text("data", 0, kMaxPostBytes);
  return out;
}

Relay decode_relay(const json::object& message) {
  const Reader r = top(message, "relay", {"type", "version", "session", "token", "peer"});
  r.version();
  Relay out;
  r.session("session", out.session);
  out.token = token_text(r, "token");
  out.peer = r.number("peer", 0, kMaxExpect - 1);
  return out;
}

Waiting decode_waiting(const json::object& message) {
  const Reader r = top(message, "waiting", {"type", "expect", "joined"});
  Waiting out;
  out.expect = r.number("expect", kMinExpect, kMaxExpect);
  const json::array& joined = r.array("joined", 0, out.expect);
  for (std::size_t i = 0; i < joined.size(); ++i) {
    const Reader p = r.entry(joined, "joined", i, {"name", "fingerprint"});
    WaitingParty party;
    party.name = p.printable_text("name", 1, kMaxPartyName);
    party.fingerprint = p.printable_text("fingerprint", 1, 80);
    try {
      (void)net::tls::parse_fingerprint(party.fingerprint, "fingerprint");
    } catch (const ConfigError& e) {
      p.fail("fingerprint", std::string("is not a fingerprint: ") + e.what());
    }
    out.joined.push_back(std::move(party));
  }
  return out;
}

RosterMsg decode_roster(const json::object& message) {
  const Reader r = top(message, "roster", {"type", "session", "token", "parties"});
  RosterMsg out;
  r.session("session", out.session);
  out.token = token_text(r, "token");
  const json::array& parties = r.array("parties", kMinExpect, kMaxExpect);
  for (std::size_t i = 0; i < parties.size(); ++i) {
    const Reader p = r.entry(parties, "parties", i, {"name", "certificate", "endpoints", "reflexive"});
    RosterParty party;
    party.name = p.printable_text("name", 1, kMaxPartyName);
    party.certificate = p.printable_text("certificate", 1, kMaxCertificatePem, true);
    party.endpoints = p.endpoints("endpoints", 0);
    party.reflexive = p.endpoint(p.value("reflexive"), "reflexive");
    out.parties.push_back(std::move(party));
  }
  return out;
}

Round decode_round(const json::object& message) {
  const Reader r = top(message, "round", {"type", "round", "data"});
  Round out;
  out.round = r.number("round", 1, kMaxRounds);
  const json::array& data = r.array("data", kMinExpect, kMaxExpect);
  for (std::size_t i = 0; i < data.size(); ++i) out.data.push_back(r.entry_text(data, "data", i, kMaxPostBytes));
  return out;
}

RelayReady decode_relay_ready(const json::object& message) {
  top(message, "relay_ready", {"type"});
  return {};
}

ErrorMsg decode_error(const json::object& message) {
  const Reader r = top(message, "error", {"type", "message"});
  return {r.printable_text("message", 1, kMaxErrorText)};
}

}  // namespace meshmpc::rendezvous
