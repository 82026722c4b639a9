// tailscaled's LocalAPI whois body (tailscale/status.hpp), parsed with Boost.JSON:
// what names the peer behind every accepted or dialled link.
#include <meshmpc/error.hpp>
#include <meshmpc/tailscale/status.hpp>

#include "fuzz_input.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace meshmpc;
  try {
    const tailscale::WhoIs whois = tailscale::parse_whois(fuzz::text_of(data, size), "/localapi/v0/whois");
    (void)whois.describe();
  } catch (const ConfigError&) {
  }
  return 0;
}
