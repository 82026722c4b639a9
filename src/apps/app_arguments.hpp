#pragma once
// What meshmpc's small programs (meshmpc-keygen, meshmpc-rendezvous) share on
// their command lines: a bad one is one line and exit status 2, and a stray word
// is named rather than ignored (not installed).
#include <boost/program_options.hpp>

#include <charconv>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <vector>

namespace meshmpc::apps {

// A bad command line: the program says so in one line and exits 2.
class UsageError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// The options of `description` in `args` (argv without the program name).
// Throws UsageError naming an unknown option, a bad value or a stray word.
inline boost::program_options::variables_map parse_arguments(
    const boost::program_options::options_description& description, const std::vector<std::string>& args) {
  namespace po = boost::program_options;
  po::variables_map vm;
  try {
    // Stray words land in a hidden option, so that the message can name them.
    po::options_description all;
    all.add(description).add_options()("unexpected-argument", po::value<std::vector<std::string>>());
    po::positional_options_description stray;
    stray.add("unexpected-argument", -1);
    po::store(po::command_line_parser(args).options(all).positional(stray).run(), vm);
    po::notify(vm);
  } catch (const po::error& e) {
    throw UsageError(std::string(e.what()) + " (see --help)");
  }
  if (vm.count("unexpected-argument") > 0) {
    throw UsageError("unexpected argument '" + vm["unexpected-argument"].as<std::vector<std::string>>().front() +
                     "' (see --help)");
  }
  return vm;
}

// `text` as a whole number in min..max; UsageError naming `what` otherwise.
inline std::uint64_t parse_number(const std::string& text, const std::string& what, std::uint64_t min, std::uint64_t max) {
  std::uint64_t value = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (text.empty() || ec == std::errc::invalid_argument || end != text.data() + text.size()) {
    throw UsageError(what + ": '" + text + "' is not a whole number");
  }
  if (ec == std::errc::result_out_of_range || value < min || value > max) {
    throw UsageError(what + ": " + text + " is out of range (" + std::to_string(min) + ".." + std::to_string(max) +
                     ")");
  }
  return value;
}

}  // namespace meshmpc::apps
