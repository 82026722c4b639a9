// A nebula config.yml (nebula/node_config.hpp), parsed with libyaml for its pki
// and tun sections.
#include <meshmpc/nebula/certificate.hpp>
#include <meshmpc/nebula/node_config.hpp>

#include "fuzz_input.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace meshmpc::nebula;
  try {
    const NodeConfig config = parse_node_config(meshmpc::fuzz::text_of(data, size), "config.yml");
    meshmpc::fuzz::require(!config.ca.empty() && !config.cert.empty() && !config.key.empty(),
                           "pki.ca, pki.cert and pki.key are required");
  } catch (const CertificateError&) {
  }
  return 0;
}
