// The command line of --transport tailscale: a discovering transport (no local
// launch, no -I), its own options checked before anything starts.
#include <gtest/gtest.h>

#include "parse_util.hpp"

#include <meshmpc/cli/options.hpp>
#include <meshmpc/error.hpp>

namespace meshmpc::cli {
namespace {

using test::contains;
using test::error_of;
using test::parse;

TEST(TailscaleOptions, MPartiesOnTheTailnetIsNotALocalLaunch) {
  const RunOptions o = parse({"--transport", "tailscale", "--tag", "tag:mpc", "-M", "5"});
  EXPECT_TRUE(o.transport_discovers);
  EXPECT_FALSE(o.local_launch());
  EXPECT_FALSE(o.index.has_value());
  EXPECT_EQ(o.vars["tag"].as<std::string>(), "tag:mpc");
}

TEST(TailscaleOptions, HostsAloneSelectTheParties) {
  const RunOptions o = parse({"--transport", "tailscale", "--hosts", "alice,bob", "carol", "-M", "3"});
  EXPECT_EQ(o.vars["hosts"].as<std::vector<std::string>>().size(), 2u);
}

TEST(TailscaleOptions, MistakesAreRefusedBeforeAnythingStarts) {
  EXPECT_TRUE(contains(error_of({"--transport", "tailscale", "-M", "3"}), "--tag (e.g. --tag tag:mpc) and/or --hosts"));
  EXPECT_TRUE(contains(error_of({"--transport", "tailscale", "--tag", "mpc", "-M", "3"}),
                       "--tag 'mpc': expected a Tailscale tag"));
  EXPECT_TRUE(contains(error_of({"--transport", "tailscale", "--tag", "tag:mpc", "-M", "3", "-I", "1"}),
                       "drop -I, -P and -C"));
  EXPECT_TRUE(contains(error_of({"--transport", "tailscale", "--tag", "tag:mpc", "-M", "3", "--tailscale-port", "70000"}),
                       "--tailscale-port"));
}

TEST(TailscaleOptions, HelpListsTheTransportAndItsOptions) {
  const RunOptions o = parse({"--help"});
  EXPECT_TRUE(contains(o.text, "tailscale (the")) << o.text;
  EXPECT_TRUE(contains(o.text, "--tag tag:name")) << o.text;
  EXPECT_TRUE(contains(o.text, "--tailscale-socket")) << o.text;
}

}  // namespace
}  // namespace meshmpc::cli
