#include <meshmpc/cli/transport_plugin.hpp>

#include <array>

#include "plugins.hpp"

namespace meshmpc::cli {

std::span<const TransportPlugin* const> transport_plugins() {
  static const std::array<const TransportPlugin*, 4> all = {&plugins::tcp(), &plugins::tailscale(), &plugins::nebula(),
                                                            &plugins::rendezvous()};
  return all;
}

const TransportPlugin* find_transport_plugin(std::string_view name) {
  for (const TransportPlugin* plugin : transport_plugins()) {
    if (plugin->name() == name) return plugin;
  }
  return nullptr;
}

}  // namespace meshmpc::cli
