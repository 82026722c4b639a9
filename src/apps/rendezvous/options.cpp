#include "options.hpp"

#include <boost/program_options.hpp>
#include <charconv>
#include <sstream>

namespace meshmpc::rendezvous_app {

namespace po = boost::program_options;

namespace {

// Beyond these a typo is likelier than intent (and memory use grows with them).
constexpr std::uint64_t kMaxConnectionsLimit = 1'000'000;
constexpr std::uint64_t kMaxWaitSeconds = 7 * 24 * 3600;

// host:port; "*" or "" for every address, IPv6 in brackets, port 0 for any free one.
net::Endpoint parse_listen(const std::string& text) {
  const std::string where = "--listen '" + text + "'";
  const std::size_t colon = text.rfind(':');
  if (colon == std::string::npos) throw UsageError(where + ": expected host:port (e.g. 0.0.0.0:11400)");
  std::string host = text.substr(0, colon);
  if (!host.empty() && host.front() == '[') {
    if (host.size() < 3 || host.back() != ']') throw UsageError(where + ": missing ']' after the IPv6 address");
    host = host.substr(1, host.size() - 2);
  } else if (host.find(':') != std::string::npos) {
    throw UsageError(where + ": an IPv6 address goes in brackets, e.g. [::]:11400");
  }
  if (host == "*") host.clear();
  for (const char c : host) {
    if (c <= ' ' || c > '~' || c == '/') throw UsageError(where + ": '" + std::string(1, c) + "' in the host");
  }
  const auto port = apps::parse_number(text.substr(colon + 1), where + ": port", 0, 65535);
  return net::Endpoint{host, static_cast<std::uint16_t>(port)};
}

spdlog::level::level_enum parse_level(const std::string& text) {
  for (const auto level : {spdlog::level::trace, spdlog::level::debug, spdlog::level::info, spdlog::level::warn,
                           spdlog::level::err, spdlog::level::critical, spdlog::level::off}) {
    if (text == spdlog::level::to_string_view(level)) return level;
  }
  if (text == "warning") return spdlog::level::warn;
  if (text == "error") return spdlog::level::err;
  throw UsageError("--log-level: '" + text + "' is not one of trace, debug, info, warn, error, critical, off");
}

}  // namespace

Options parse_options(const std::vector<std::string>& args) {
  po::options_description description("Options");
  // Values are strings: the numbers are checked here, with messages that name the
  // option ("-1" would otherwise wrap into an unsigned).
  description.add_options()
      ("help,h", "print this help and exit")
      ("listen,l", po::value<std::string>()->value_name("host:port"),
       "where to listen (required); '*:11400' for every address, port 0 for any free port")
      ("max-connections", po::value<std::string>()->value_name("N"), "connections at once (default 1024)")
      ("max-per-address", po::value<std::string>()->value_name("N"),
       "connections at once from one IP address (default 64)")
      ("wait-timeout", po::value<std::string>()->value_name("S"),
       "seconds a session may wait for its parties (default 600)")
      ("log-level", po::value<std::string>()->value_name("LEVEL"),
       "trace, debug, info (default), warn, error, critical, off");

  const po::variables_map vm = apps::parse_arguments(description, args);

  Options o;
  if (vm.count("help") > 0) {
    std::ostringstream help;
    help << "Usage: meshmpc-rendezvous --listen host:port [options]\n"
            "The rendezvous server: parties that know a session name meet here, get a\n"
            "roster, exchange their round messages and, when no direct path works,\n"
            "relay through it. It never sees a share or a secret.\n\n"
         << description;
    o.help = true;
    o.help_text = help.str();
    return o;
  }
  if (vm.count("listen") == 0) throw UsageError("--listen host:port is required (see --help)");
  o.listen = parse_listen(vm["listen"].as<std::string>());
  if (vm.count("max-connections") > 0) {
    o.server.max_connections = apps::parse_number(vm["max-connections"].as<std::string>(), "--max-connections", 1,
                                            kMaxConnectionsLimit);
  }
  if (vm.count("max-per-address") > 0) {
    o.server.max_per_address = apps::parse_number(vm["max-per-address"].as<std::string>(), "--max-per-address", 1,
                                            kMaxConnectionsLimit);
  }
  if (vm.count("wait-timeout") > 0) {
    o.server.wait_timeout = std::chrono::seconds(
        apps::parse_number(vm["wait-timeout"].as<std::string>(), "--wait-timeout", 1, kMaxWaitSeconds));
  }
  if (vm.count("log-level") > 0) o.log_level = parse_level(vm["log-level"].as<std::string>());
  return o;
}

}  // namespace meshmpc::rendezvous_app
