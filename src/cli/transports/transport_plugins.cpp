#include <meshmpc/cli/transport_plugin.hpp>

// transport_plugins() and omitted_transports() are generated (transport_list.cpp.in).

namespace meshmpc::cli {

const TransportPlugin* find_transport_plugin(std::string_view name) {
  for (const TransportPlugin* plugin : transport_plugins()) {
    if (plugin->name() == name) return plugin;
  }
  return nullptr;
}

const OmittedTransport* find_omitted_transport(std::string_view name) {
  for (const OmittedTransport& omitted : omitted_transports()) {
    if (omitted.name == name) return &omitted;
  }
  return nullptr;
}

}  // namespace meshmpc::cli
