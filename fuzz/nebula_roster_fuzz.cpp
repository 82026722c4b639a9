// The roster file of a Nebula session (nebula/roster_file.hpp): one certificate
// path and an optional port per line.
#include <meshmpc/nebula/certificate.hpp>
#include <meshmpc/nebula/roster_file.hpp>

#include "fuzz_input.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace meshmpc::nebula;
  try {
    const std::vector<RosterEntry> entries = parse_roster(meshmpc::fuzz::text_of(data, size), "roster.txt", "/etc/mpc");
    meshmpc::fuzz::require(!entries.empty(), "a roster has entries");
    for (const RosterEntry& e : entries) meshmpc::fuzz::require(!e.certificate.empty(), "every entry names a file");
  } catch (const CertificateError&) {
  }
  return 0;
}
