// tailscaled's LocalAPI status body (tailscale/status.hpp), parsed with Boost.JSON.
#include <meshmpc/error.hpp>
#include <meshmpc/tailscale/status.hpp>

#include "fuzz_input.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace meshmpc;
  try {
    const tailscale::Status status = tailscale::parse_status(fuzz::text_of(data, size), "/localapi/v0/status");
    (void)status.self.machine_name();
    for (const tailscale::Node& peer : status.peers) (void)peer.machine_name();
  } catch (const ConfigError&) {
  }
  return 0;
}
