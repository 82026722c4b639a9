#pragma once
// The transport plugins this library registers (transport_plugins() lists them).
// Adding a transport: one file here defining its plugin, one line in
// transport_plugins.cpp, its library in src/cli/CMakeLists.txt.
#include <meshmpc/cli/transport_plugin.hpp>

namespace meshmpc::cli::plugins {

const TransportPlugin& tcp();
const TransportPlugin& tailscale();
const TransportPlugin& nebula();
const TransportPlugin& rendezvous();

}  // namespace meshmpc::cli::plugins
