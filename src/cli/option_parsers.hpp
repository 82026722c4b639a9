#pragma once
// One option's text made a value, its error naming the option (not installed:
// the parser's steps share them).
#include <chrono>
#include <string>

#include <boost/program_options/variables_map.hpp>
#include <meshmpc/cli/options.hpp>

#include <meshmpc/cli/transport_plugin.hpp>
#include <meshmpc/runtime/session_options.hpp>

namespace meshmpc::cli {

// --transport's help: each plugin's name and summary, and inmem.
std::string transports_help();

LogLevel parse_log_level(const std::string& text);

MulProtocol parse_mul(const std::string& text);

// --truncation: sum or bits.
Truncation parse_truncation(const std::string& text);

// --randomness, with MPyC's --no-prss as a synonym of --randomness extraction.
Randomness parse_randomness(const boost::program_options::variables_map& vm);

// --timeout in seconds, 0.001..86400.
std::chrono::milliseconds parse_timeout(const std::string& text);

// --emulate-rtt (milliseconds, 0..10000) and --emulate-rate (Mbit/s); neither: inactive.
net::LinkEmulation parse_emulation(const boost::program_options::variables_map& vm);

// The plugin named by --transport; nullptr for inmem.
const TransportPlugin* check_transport(const std::string& name);

// For an option this program does not know: the transports it was built without,
// whose options (--join, --nebula-config, …) it cannot know either; empty when none.
std::string omitted_transports_note();

}  // namespace meshmpc::cli
