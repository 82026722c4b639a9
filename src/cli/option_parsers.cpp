#include "option_parsers.hpp"

#include <charconv>
#include <cmath>
#include <iterator>
#include <sstream>
#include <string_view>
#include <system_error>

#include <meshmpc/cli/options.hpp>
#include <meshmpc/error.hpp>

namespace meshmpc::cli {

namespace po = boost::program_options;

namespace {

// The names --log-level takes, in spdlog's order (trace = 0 .. off = 6).
constexpr std::string_view kLogLevels[] = {"trace", "debug", "info", "warn", "error", "critical", "off"};

std::string known_transports() {
  std::string list;
  for (const TransportPlugin* plugin : transport_plugins()) {
    list += (list.empty() ? "" : ", ") + std::string(plugin->name());
  }
  return list + ", " + std::string(kInMemoryTransport);
}

}  // namespace

std::string transports_help() {
  std::string text = "how parties reach each other:";
  for (const TransportPlugin* plugin : transport_plugins()) {
    text += " " + std::string(plugin->name()) + " (" + std::string(plugin->summary()) + "),";
  }
  return text + " " + std::string(kInMemoryTransport) + " (all parties as threads of this process)";
}

LogLevel parse_log_level(const std::string& text) {
  for (std::size_t i = 0; i < std::size(kLogLevels); ++i) {
    if (text == kLogLevels[i]) return static_cast<LogLevel>(i);
  }
  std::string known;
  for (std::string_view name : kLogLevels) known += (known.empty() ? "" : ", ") + std::string(name);
  throw ConfigError("--log-level: unknown level '" + text + "'; known: " + known);
}

MulProtocol parse_mul(const std::string& text) {
  try {
    return mul_protocol_from_string(text);
  } catch (const ConfigError& e) {
    throw ConfigError(std::string("--mul: ") + e.what());
  }
}

Truncation parse_truncation(const std::string& text) {
  try {
    return truncation_from_string(text);
  } catch (const ConfigError& e) {
    throw ConfigError(std::string("--truncation: ") + e.what());
  }
}

Randomness parse_randomness(const po::variables_map& vm) {
  Randomness r;
  try {
    r = randomness_from_string(vm["randomness"].as<std::string>());
  } catch (const ConfigError& e) {
    throw ConfigError(std::string("--randomness: ") + e.what());
  }
  if (!vm["no-prss"].as<bool>()) return r;
  if (!vm["randomness"].defaulted() && r != Randomness::extraction)
    throw ConfigError("--no-prss means --randomness extraction, but --randomness " + to_string(r) +
                      " was given too: give one of them");
  return Randomness::extraction;
}

namespace {

// A decimal number in [lo, hi]; the error names the option, the unit and the range.
double parse_number(const std::string& text, const std::string& option, const std::string& unit, double lo,
                    double hi) {
  double value = 0;
  const char* const end = text.data() + text.size();
  const auto [ptr, ec] = std::from_chars(text.data(), end, value);
  if (text.empty() || ec != std::errc{} || ptr != end || !std::isfinite(value)) {
    throw ConfigError(option + ": '" + text + "' is not a number of " + unit);
  }
  if (value < lo || value > hi) {
    std::ostringstream range;
    range << lo << ".." << hi;
    throw ConfigError(option + ": " + text + " " + unit + " is out of range (" + range.str() + ")");
  }
  return value;
}

}  // namespace

std::chrono::milliseconds parse_timeout(const std::string& text) {
  // At least a millisecond; at most a day, which no network wait should need.
  const double seconds = parse_number(text, "--timeout", "seconds", 0.001, 86400);
  return std::chrono::milliseconds(std::llround(seconds * 1000));
}

net::LinkEmulation parse_emulation(const boost::program_options::variables_map& vm) {
  net::LinkEmulation emulation;
  // Up to ten seconds of round trip and down to 1 kbit/s: slower than any link a
  // session could finish on within its timeout is a typo.
  if (vm.count("emulate-rtt")) {
    const double ms = parse_number(vm["emulate-rtt"].as<std::string>(), "--emulate-rtt", "milliseconds", 0, 10000);
    emulation.rtt = std::chrono::microseconds(std::llround(ms * 1000));
  }
  if (vm.count("emulate-rate")) {
    const double mbit = parse_number(vm["emulate-rate"].as<std::string>(), "--emulate-rate", "Mbit/s", 0.001, 1e6);
    emulation.rate_bits_per_second = mbit * 1e6;
  }
  return emulation;
}

const TransportPlugin* check_transport(const std::string& name) {
  if (name == kInMemoryTransport) return nullptr;
  const TransportPlugin* plugin = find_transport_plugin(name);
  if (const OmittedTransport* omitted = plugin ? nullptr : find_omitted_transport(name)) {
    throw ConfigError("--transport: transport '" + name + "' is not built into this program (" +
                      std::string(omitted->option) + "=OFF); built: " + known_transports());
  }
  if (!plugin) throw ConfigError("--transport: unknown transport '" + name + "'; known: " + known_transports());
  return plugin;
}

std::string omitted_transports_note() {
  std::string note;
  for (const OmittedTransport& omitted : omitted_transports()) {
    note += (note.empty() ? "; this program is built without the " : ", the ") + std::string(omitted.name) +
            " transport (" + std::string(omitted.option) + "=OFF)";
  }
  return note;
}

}  // namespace meshmpc::cli
