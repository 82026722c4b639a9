// The transports of this build (MESHMPC_WITH_<NAME>, src/cli/CMakeLists.txt): every
// plugin is found by its name, and a transport the build left out is refused
// naming the option it was built without, not as an unknown name.
#include <meshmpc/cli/transport_plugin.hpp>

#include <gtest/gtest.h>

#include "parse_util.hpp"

#include <string>
#include <string_view>
#include <utility>

namespace meshmpc::cli {
namespace {

using test::contains;
using test::error_of;

TEST(TransportList, TcpFirstAndEveryPluginFoundByItsName) {
  ASSERT_FALSE(transport_plugins().empty());
  EXPECT_EQ(transport_plugins().front()->name(), "tcp");
  for (const TransportPlugin* plugin : transport_plugins()) {
    EXPECT_EQ(find_transport_plugin(plugin->name()), plugin);
    EXPECT_EQ(find_omitted_transport(plugin->name()), nullptr) << plugin->name();
  }
  EXPECT_EQ(find_transport_plugin("carrier-pigeon"), nullptr);
  EXPECT_EQ(find_omitted_transport("carrier-pigeon"), nullptr);
}

TEST(TransportList, EveryKnownTransportIsBuiltOrNamesItsOption) {
  const std::pair<std::string_view, std::string_view> optional[] = {
      {"tailscale", "MESHMPC_WITH_TAILSCALE"}, {"nebula", "MESHMPC_WITH_NEBULA"}, {"rendezvous", "MESHMPC_WITH_RENDEZVOUS"}};
  for (const auto& [name, option] : optional) {
    const OmittedTransport* omitted = find_omitted_transport(name);
    EXPECT_NE(find_transport_plugin(name) == nullptr, omitted == nullptr) << name;
    if (omitted) {
      EXPECT_EQ(omitted->option, option);
    }
  }
}

TEST(TransportList, AnOmittedTransportIsRefusedNamingTheOption) {
  if (omitted_transports().empty()) GTEST_SKIP() << "every transport is built (no MESHMPC_WITH_<NAME>=OFF)";
  for (const OmittedTransport& omitted : omitted_transports()) {
    const std::string name(omitted.name);
    const std::string m = error_of({"-M", "3", "--transport", name});
    EXPECT_TRUE(contains(m, "transport '" + name + "' is not built into this program (" +
                                std::string(omitted.option) + "=OFF)"))
        << m;
    EXPECT_TRUE(contains(m, "built: tcp")) << m;
  }
  // An option of a transport that is not built is not known either; the error says why.
  const std::string m = error_of({"--no-such-option"});
  EXPECT_TRUE(contains(m, "built without the " + std::string(omitted_transports().front().name))) << m;
}

}  // namespace
}  // namespace meshmpc::cli
