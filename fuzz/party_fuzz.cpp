// A -P value (cli/parties.hpp): "host:port" or the roster line meshmpc-keygen
// prints, "host:port FINGERPRINT", and the --session-id text. A fingerprint that
// parses prints back to a text that parses to it.
#include <meshmpc/cli/parties.hpp>
#include <meshmpc/error.hpp>

#include "fuzz_input.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace meshmpc;
  const std::string_view text = fuzz::text_of(data, size);
  try {
    const cli::RosterLine line = cli::parse_roster_line(text, "-P/--party");
    (void)net::to_string(line.endpoint);
    if (line.fingerprint) {
      const std::string printed = net::tls::format_fingerprint(*line.fingerprint);
      fuzz::require(net::tls::parse_fingerprint(printed, "printed") == *line.fingerprint,
                    "parse_fingerprint(format_fingerprint(f)) == f");
    }
  } catch (const ConfigError&) {
  }
  try {
    const net::SessionId id = cli::session_id_from_hex(text);
    fuzz::require(cli::session_id_from_hex(cli::session_id_to_hex(id)) == id, "session id hex round trip");
  } catch (const ConfigError&) {
  }
  return 0;
}
