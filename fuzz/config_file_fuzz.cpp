// The -C config file (cli/parties.hpp): MPyC's INI layout, one section per party,
// read with Boost.PropertyTree, then the roster checks make_roster applies.
#include <meshmpc/cli/parties.hpp>
#include <meshmpc/error.hpp>

#include "fuzz_input.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace meshmpc;
  try {
    net::Roster roster;
    roster.parties = cli::parse_config_file(fuzz::text_of(data, size), "config file 'fuzz.ini'");
    fuzz::require(!roster.parties.empty(), "a config file has parties");
    for (std::size_t i = 0; i < roster.parties.size(); ++i) {
      fuzz::require(roster.parties[i].id == i && roster.parties[i].endpoints.size() == 1, "one endpoint per party, in order");
    }
    roster.validate();
  } catch (const ConfigError&) {
  }
  return 0;
}
