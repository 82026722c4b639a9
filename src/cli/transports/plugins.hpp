#pragma once
// The transport plugins this library can register (transport_plugins() lists
// those of this build). Adding a transport: one file here defining its plugin,
// named after the transport (transports/<name>.cpp defines plugins::<name>()), and
// its name in the top CMakeLists.txt's transports, with a MESHMPC_WITH_<NAME>
// option if it is optional; src/cli/CMakeLists.txt adds the file, its library and
// its line in the generated registry (transport_list.cpp.in).
#include <meshmpc/cli/transport_plugin.hpp>

namespace meshmpc::cli::plugins {

const TransportPlugin& tcp();
const TransportPlugin& tailscale();
const TransportPlugin& nebula();
const TransportPlugin& rendezvous();

}  // namespace meshmpc::cli::plugins
