// The discovery rule on statuses shaped from the fixture, as each node sees them.
#include <meshmpc/tailscale/discovery.hpp>

#include <gtest/gtest.h>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include <meshmpc/error.hpp>

#include "localapi_standin.hpp"

namespace meshmpc::tailscale {
namespace {

using testing::Tailnet;
namespace json = boost::json;

constexpr std::uint16_t kPort = 7001;

Status view(const Tailnet& tailnet, std::size_t self) { return parse_status(tailnet.status_for(self), "test"); }

std::string error_of(const Status& status, const Selection& selection, std::size_t parties) {
  try {
    discover_parties(status, selection, parties, kPort);
  } catch (const ConfigError& e) {
    return e.what();
  }
  return "(no error)";
}

bool contains(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

TEST(Discovery, EveryNodeComputesTheSameRosterOrderedByStableId) {
  const Tailnet tailnet = Tailnet::from_fixture(11, true);
  std::optional<net::Roster> first;
  for (std::size_t self = 0; self < tailnet.size(); ++self) {
    const Discovery found = discover_parties(view(tailnet, self), {"tag:mpc", {}}, 3, kPort);
    EXPECT_EQ(found.self, self);  // the fixture's nodes happen to be in StableNodeID order
    ASSERT_EQ(found.roster.size(), 3u);
    EXPECT_EQ(found.roster.parties[0].identity, "nALICE1CNTRL");
    EXPECT_EQ(found.roster.parties[1].identity, "nBOB22CNTRL");
    EXPECT_EQ(found.roster.parties[2].identity, "nCAROL3CNTRL");
    EXPECT_EQ(found.roster.parties[1].name, "bob-desktop");
    ASSERT_EQ(found.roster.parties[1].endpoints.size(), 2u);
    EXPECT_EQ(net::to_string(found.roster.parties[1].endpoints[0]), "127.0.0.12:7001");
    EXPECT_EQ(net::to_string(found.roster.parties[1].endpoints[1]), "[fd7a:115c:a1e0::6e01:114]:7001");
    if (!first) first = found.roster;
    for (std::size_t i = 0; i < 3; ++i) EXPECT_EQ(found.roster.parties[i].identity, first->parties[i].identity);
  }
}

TEST(Discovery, ANodeWithoutIpv4IsReachedOverIpv6) {
  Tailnet tailnet = Tailnet::from_fixture(11, true);
  tailnet.node(2)["TailscaleIPs"] = json::array{"fd7a:115c:a1e0::6e01:11e"};
  const Discovery found = discover_parties(view(tailnet, 0), {"tag:mpc", {}}, 3, kPort);
  ASSERT_EQ(found.roster.parties[2].endpoints.size(), 1u);
  EXPECT_EQ(net::to_string(found.roster.parties[2].endpoints[0]), "[fd7a:115c:a1e0::6e01:11e]:7001");
}

TEST(Discovery, OrderIsByStableIdNotByPeerKeyOrName) {
  Tailnet tailnet = Tailnet::from_fixture();
  tailnet.node(0)["ID"] = "nZED9CNTRL";  // alice now sorts last
  const Discovery found = discover_parties(view(tailnet, 0), {"tag:mpc", {}}, 3, kPort);
  EXPECT_EQ(found.self, 2u);
  EXPECT_EQ(found.roster.parties[0].name, "bob-desktop");
  EXPECT_EQ(found.roster.parties[2].name, "alice-laptop");
}

TEST(Discovery, AnOfflinePeerIsNamed) {
  Tailnet tailnet = Tailnet::from_fixture();
  tailnet.node(2)["Online"] = false;
  const std::string message = error_of(view(tailnet, 0), {"tag:mpc", {}}, 3);
  EXPECT_TRUE(contains(message, "-M 3 parties expected, but 2 online nodes are carrying tag:mpc: alice-laptop, "
                                "bob-desktop; offline: carol-pi")) << message;
  const Discovery two = discover_parties(view(tailnet, 0), {"tag:mpc", {}}, 2, kPort);
  EXPECT_EQ(two.offline, std::vector<std::string>{"carol-pi"});
  EXPECT_EQ(two.roster.size(), 2u);
}

TEST(Discovery, APeerWithoutTheTagIsNotAParty) {
  Tailnet tailnet = Tailnet::from_fixture();
  tailnet.node(1).erase("Tags");  // tailscaled omits Tags when a node has none
  const std::string message = error_of(view(tailnet, 0), {"tag:mpc", {}}, 3);
  EXPECT_TRUE(contains(message, "but 2 online nodes are carrying tag:mpc: alice-laptop, carol-pi")) << message;
}

TEST(Discovery, AnExtraUntaggedNodeIsIgnored) {
  Tailnet tailnet = Tailnet::from_fixture();
  tailnet.add_node(1, "printer", "nAAPRINTER", "127.0.0.19");
  tailnet.node(3).erase("Tags");
  const Discovery found = discover_parties(view(tailnet, 0), {"tag:mpc", {}}, 3, kPort);
  EXPECT_EQ(found.roster.size(), 3u);
  EXPECT_EQ(found.roster.parties[0].name, "alice-laptop");
}

TEST(Discovery, ExpiredAndSharedInNodesAreSkipped) {
  Tailnet tailnet = Tailnet::from_fixture();
  tailnet.add_node(1, "old-box", "nAAOLD", "127.0.0.20");
  tailnet.node(3)["Expired"] = true;
  tailnet.add_node(1, "guest", "nAAGUEST", "127.0.0.21");
  tailnet.node(4)["ShareeNode"] = true;
  EXPECT_EQ(discover_parties(view(tailnet, 0), {"tag:mpc", {}}, 3, kPort).roster.size(), 3u);
}

TEST(Discovery, HostsSelectByMagicDnsNameOrFirstLabel) {
  const Tailnet tailnet = Tailnet::from_fixture();
  const Discovery all =
      discover_parties(view(tailnet, 1), {"", {"carol-pi.tail1234.ts.net.", "ALICE-LAPTOP", "bob-desktop"}}, 3, kPort);
  EXPECT_EQ(all.self, 1u);
  EXPECT_EQ(all.roster.parties[2].name, "carol-pi");
  const Discovery two = discover_parties(view(tailnet, 1), {"tag:mpc", {"bob-desktop", "carol-pi"}}, 2, kPort);
  EXPECT_EQ(two.self, 0u);
  EXPECT_EQ(two.roster.parties[1].identity, "nCAROL3CNTRL");
}

TEST(Discovery, AnUnknownHostIsNamed) {
  const std::string message = error_of(view(Tailnet::from_fixture(), 0), {"", {"alice-laptop", "dave"}}, 2);
  EXPECT_TRUE(contains(message, "no node named 'dave' on the tailnet (nodes seen: alice-laptop, bob-desktop, carol-pi)"))
      << message;
}

TEST(Discovery, ANamedHostWithoutTheTagIsNamed) {
  Tailnet tailnet = Tailnet::from_fixture();
  tailnet.node(2).erase("Tags");
  const std::string message = error_of(view(tailnet, 0), {"tag:mpc", {"alice-laptop", "carol-pi"}}, 2);
  EXPECT_TRUE(contains(message, "node carol-pi does not carry tag:mpc")) << message;
}

TEST(Discovery, ThisNodeMustBeAParty) {
  Tailnet tailnet = Tailnet::from_fixture();
  tailnet.node(0).erase("Tags");
  const std::string message = error_of(view(tailnet, 0), {"tag:mpc", {}}, 2);
  EXPECT_TRUE(contains(message, "this node (alice-laptop) is not one of the parties carrying tag:mpc")) << message;
}

TEST(Discovery, AStatusWithoutPeersFindsOnlyThisNode) {
  json::object status = json::parse(Tailnet::from_fixture().status_for(0)).as_object();
  status["Peer"] = json::object{};
  const std::string message = error_of(parse_status(json::serialize(status), "test"), {"tag:mpc", {}}, 3);
  EXPECT_TRUE(contains(message, "but 1 online node is carrying tag:mpc: alice-laptop")) << message;
}

TEST(Discovery, ANodeThatNeedsLoginSaysWhere) {
  json::object status = json::parse(Tailnet::from_fixture().status_for(0)).as_object();
  status["BackendState"] = "NeedsLogin";
  status["AuthURL"] = "https://login.tailscale.com/a/0123abcd";
  status["Self"] = nullptr;
  const std::string message = error_of(parse_status(json::serialize(status), "test"), {"tag:mpc", {}}, 3);
  EXPECT_TRUE(contains(message, "tailscaled's state is NeedsLogin")) << message;
  EXPECT_TRUE(contains(message, "log in at https://login.tailscale.com/a/0123abcd")) << message;
}

TEST(Discovery, UserspaceNetworkingIsRefusedClearly) {
  json::object status = json::parse(Tailnet::from_fixture().status_for(0)).as_object();
  status["TUN"] = false;
  const std::string message = error_of(parse_status(json::serialize(status), "test"), {"tag:mpc", {}}, 3);
  EXPECT_TRUE(contains(message, "userspace-networking mode")) << message;
}

TEST(Discovery, TagsAreChecked) {
  const Status status = view(Tailnet::from_fixture(), 0);
  EXPECT_TRUE(contains(error_of(status, {"mpc", {}}, 3), "--tag 'mpc' is not a Tailscale tag"));
  EXPECT_TRUE(contains(error_of(status, {"", {}}, 3), "--tag (e.g. --tag tag:mpc) and/or --hosts"));
  EXPECT_TRUE(is_valid_tag("tag:mpc-2"));
  EXPECT_FALSE(is_valid_tag("tag:2mpc"));
  EXPECT_FALSE(is_valid_tag("tag:"));
  EXPECT_FALSE(is_valid_tag("tag:a_b"));
}


// Headscale makes a node's stable id the decimal text of its database id, and the
// order is by byte comparison of that text (as for Tailscale's ids), so "10" and
// "100" come before "2". Every party must get the same order, and this one.
TEST(Discovery, HeadscaleDecimalIdsOrderAsTextNotAsNumbers) {
  const Tailnet tailnet = Tailnet::from_file("headscale_status.json", 11, true);
  ASSERT_EQ(tailnet.size(), 4u);
  // The file's nodes: alice "2" (Self), bob "10", carol "9", dave "100".
  const std::vector<std::string> ids{"10", "100", "2", "9"};
  const std::vector<std::string> names{"bob-desktop", "dave-nuc", "alice-laptop", "carol-pi"};
  const std::vector<std::size_t> party_of_node{2, 0, 3, 1};
  for (std::size_t node = 0; node < tailnet.size(); ++node) {
    const Status status = view(tailnet, node);
    EXPECT_EQ(status.self.user_id, 2147455555);
    EXPECT_EQ(status.user_logins.at(2147455555), "tagged-devices");
    const Discovery found = discover_parties(status, {"tag:mpc", {}}, 4, kPort);
    EXPECT_EQ(found.self, party_of_node[node]) << "node " << node;
    ASSERT_EQ(found.roster.size(), 4u);
    for (std::size_t i = 0; i < 4; ++i) {
      EXPECT_EQ(found.roster.parties[i].identity, ids[i]) << "node " << node << " party " << i;
      EXPECT_EQ(found.roster.parties[i].name, names[i]) << "node " << node << " party " << i;
    }
    EXPECT_EQ(net::to_string(found.roster.parties[0].endpoints[0]), "127.0.0.12:7001");  // bob
    EXPECT_EQ(net::to_string(found.roster.parties[0].endpoints[1]), "[fd7a:115c:a1e0::a]:7001");
  }
}

TEST(Discovery, HeadscaleHostsSelectByNameUnderItsBaseDomain) {
  const Tailnet tailnet = Tailnet::from_file("headscale_status.json");
  const Discovery found =
      discover_parties(view(tailnet, 2), {"", {"carol-pi", "alice-laptop.hs.example.net", "bob-desktop"}}, 3, kPort);
  EXPECT_EQ(found.self, 2u);  // carol: after "10" and "2"
  EXPECT_EQ(found.roster.parties[0].identity, "10");
  EXPECT_EQ(found.roster.parties[1].identity, "2");
}

}  // namespace
}  // namespace meshmpc::tailscale
