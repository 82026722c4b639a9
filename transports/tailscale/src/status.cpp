#include <meshmpc/tailscale/status.hpp>

#include <algorithm>
#include <boost/json/parse.hpp>
#include <boost/json/value.hpp>
#include <charconv>

#include <meshmpc/error.hpp>

namespace meshmpc::tailscale {

namespace json = boost::json;

namespace {

// Reads fields of one JSON object; every error names the source and the path of
// the field ("Peer[nodekey:2b3c…].TailscaleIPs").
class Fields {
 public:
  Fields(const json::value& value, std::string_view source, std::string path)
      : source_(source), path_(std::move(path)) {
    if (!value.is_object()) fail("", "an object", value);
    object_ = &value.as_object();
  }

  [[noreturn]] void fail(std::string_view key, std::string_view expected, const json::value& got) const {
    const char* kind = got.is_null() ? "null" : got.is_string() ? "a string" : got.is_bool() ? "a boolean"
                       : got.is_number() ? "a number" : got.is_array() ? "an array" : "an object";
    throw ConfigError("tailscale: " + std::string(source_) + ": " + where(key) + " should be " +
                      std::string(expected) + ", got " + kind);
  }
  [[noreturn]] void missing(std::string_view key) const {
    throw ConfigError("tailscale: " + std::string(source_) + ": " + where(key) + " is missing");
  }

  const json::value* find(std::string_view key) const {
    const json::value* value = object_->if_contains(key);
    return value == nullptr || value->is_null() ? nullptr : value;
  }
  const json::value& required(std::string_view key) const {
    const json::value* value = find(key);
    if (value == nullptr) missing(key);
    return *value;
  }

  std::string string(std::string_view key, bool needed = false) const {
    const json::value* value = needed ? &required(key) : find(key);
    if (value == nullptr) return {};
    if (!value->is_string()) fail(key, "a string", *value);
    return std::string(value->as_string());
  }
  bool boolean(std::string_view key) const {
    const json::value* value = find(key);
    if (value == nullptr) return false;
    if (!value->is_bool()) fail(key, "a boolean", *value);
    return value->as_bool();
  }
  // Node and user ids may exceed 2^53: read as integers, never as doubles.
  std::int64_t integer(std::string_view key) const {
    const json::value* value = find(key);
    if (value == nullptr) return 0;
    if (value->is_int64()) return value->as_int64();
    if (value->is_uint64() && value->as_uint64() <= static_cast<std::uint64_t>(INT64_MAX)) {
      return static_cast<std::int64_t>(value->as_uint64());
    }
    fail(key, "an integer", *value);
  }
  std::vector<std::string> strings(std::string_view key) const {
    std::vector<std::string> out;
    const json::value* value = find(key);
    if (value == nullptr) return out;
    if (!value->is_array()) fail(key, "an array of strings", *value);
    for (const json::value& item : value->as_array()) {
      if (!item.is_string()) fail(key, "an array of strings", item);
      out.emplace_back(item.as_string());
    }
    return out;
  }
  const json::object& object() const { return *object_; }
  std::string where(std::string_view key) const {
    if (key.empty()) return path_.empty() ? "the document" : path_;
    return path_.empty() ? std::string(key) : path_ + "." + std::string(key);
  }

 private:
  std::string_view source_;
  std::string path_;
  const json::object* object_ = nullptr;
};

json::value parse_json(std::string_view text, std::string_view source) {
  boost::system::error_code error;
  json::value value = json::parse(text, error);
  if (error) {
    throw ConfigError("tailscale: " + std::string(source) + ": malformed JSON (" + error.message() + ")");
  }
  return value;
}

std::string without_trailing_dot(std::string name) {
  if (!name.empty() && name.back() == '.') name.pop_back();
  return name;
}

Node parse_node(const json::value& value, std::string_view source, const std::string& path) {
  const Fields f(value, source, path);
  Node node;
  node.stable_id = f.string("ID", true);
  if (node.stable_id.empty()) throw ConfigError("tailscale: " + std::string(source) + ": " + f.where("ID") + " is empty");
  node.host_name = f.string("HostName");
  node.dns_name = without_trailing_dot(f.string("DNSName"));
  node.user_id = f.integer("UserID");
  node.ips = f.strings("TailscaleIPs");
  node.tags = f.strings("Tags");
  node.online = f.boolean("Online");
  node.active = f.boolean("Active");
  node.expired = f.boolean("Expired");
  node.sharee = f.boolean("ShareeNode");
  node.cur_addr = f.string("CurAddr");
  node.relay = f.string("Relay");
  node.peer_relay = f.string("PeerRelay");
  return node;
}

}  // namespace

std::string Node::machine_name() const {
  if (!dns_name.empty()) return dns_name.substr(0, dns_name.find('.'));
  return host_name;
}

bool Node::has_tag(std::string_view tag) const { return std::find(tags.begin(), tags.end(), tag) != tags.end(); }

std::string WhoIs::describe() const { return "node " + stable_id + " (" + name + ")"; }

Status parse_status(std::string_view text, std::string_view source) {
  const json::value document = parse_json(text, source);
  const Fields f(document, source, "");
  Status status;
  status.version = f.string("Version");
  status.backend_state = f.string("BackendState", true);
  status.auth_url = f.string("AuthURL");
  if (const json::value* tun = f.find("TUN")) {
    if (!tun->is_bool()) f.fail("TUN", "a boolean", *tun);
    status.tun = tun->as_bool();
  }
  // Self is null until the node has logged in: only a Running node needs it.
  if (f.find("Self") == nullptr) {
    if (status.backend_state == "Running") f.missing("Self");
    return status;
  }
  status.self = parse_node(f.required("Self"), source, "Self");
  if (const json::value* peers = f.find("Peer")) {
    if (!peers->is_object()) f.fail("Peer", "an object", *peers);
    for (const auto& [key, peer] : peers->as_object()) {
      status.peers.push_back(parse_node(peer, source, "Peer[" + std::string(key) + "]"));
    }
  }
  if (const json::value* users = f.find("User")) {
    if (!users->is_object()) f.fail("User", "an object", *users);
    for (const auto& [key, user] : users->as_object()) {
      std::int64_t id = 0;
      const auto [end, error] = std::from_chars(key.data(), key.data() + key.size(), id);
      if (error != std::errc() || end != key.data() + key.size()) {
        throw ConfigError("tailscale: " + std::string(source) + ": User key '" + std::string(key) +
                          "' is not a decimal user id");
      }
      status.user_logins[id] = Fields(user, source, "User[" + std::string(key) + "]").string("LoginName");
    }
  }
  return status;
}

WhoIs parse_whois(std::string_view text, std::string_view source) {
  const json::value document = parse_json(text, source);
  const Fields f(document, source, "");
  const Fields node(f.required("Node"), source, "Node");
  WhoIs whois;
  whois.stable_id = node.string("StableID", true);
  whois.name = node.string("ComputedName");
  if (whois.name.empty()) {
    const std::string name = node.string("Name");
    whois.name = name.substr(0, name.find('.'));
  }
  whois.tags = node.strings("Tags");
  if (f.find("UserProfile") != nullptr) whois.login = Fields(f.required("UserProfile"), source, "UserProfile").string("LoginName");
  return whois;
}

}  // namespace meshmpc::tailscale
