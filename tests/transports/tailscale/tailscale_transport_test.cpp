// Three parties, each with its own stand-in tailscaled, over real TCP between
// distinct loopback addresses that play the nodes' Tailscale IPs.
#include <meshmpc/tailscale/tailscale_transport.hpp>

#include <gtest/gtest.h>

#include <fstream>
#include <mutex>

#include <meshmpc/error.hpp>
#include <meshmpc/tailscale/discovery.hpp>

#include "exchange.hpp"
#include "localapi_standin.hpp"

namespace meshmpc::tailscale {
namespace {

using namespace std::chrono_literals;
using testing::LocalApiStandIn;
using testing::Reply;
using testing::Tailnet;
using testing::TempDir;

bool contains(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

// A port free on the first node's address (the others have their own addresses).
std::uint16_t free_port(const Tailnet& tailnet) {
  asio::io_context io;
  asio::ip::tcp::acceptor probe(io, {asio::ip::make_address(tailnet.ipv4(0)), 0});
  return probe.local_endpoint().port();
}

struct TailnetSetup {
  explicit TailnetSetup(Tailnet tailnet_in = Tailnet::from_fixture()) : tailnet(std::move(tailnet_in)) {
    for (std::size_t k = 0; k < tailnet.size(); ++k) handlers.push_back(testing::node_handler(tailnet, k));
  }
  // Each node's LocalAPI on a Unix socket, or (`tokens` given) as the macOS app's:
  // loopback TCP wanting tokens[k], reached with the token read from `token_files`[k].
  void start() {
    for (std::size_t k = 0; k < tailnet.size(); ++k) {
      if (tokens.empty()) {
        standins.push_back(std::make_unique<LocalApiStandIn>(dir.file("node" + std::to_string(k) + ".sock"), handlers[k]));
        apis.emplace_back(standins[k]->path());
      } else {
        standins.push_back(LocalApiStandIn::on_loopback(handlers[k], tokens[k]));
        apis.emplace_back(asio::ip::tcp::endpoint(asio::ip::make_address("127.0.0.1"), standins[k]->port()),
                          read_token_file(token_files.at(k)));
      }
    }
  }

  // Each party discovers, connects and exchanges; returns each party's error
  // (or null) and collects its warnings.
  std::vector<std::exception_ptr> run(std::chrono::milliseconds connect_timeout, TailscaleOptions options = {}) {
    start();
    const std::uint16_t port = free_port(tailnet);
    const std::size_t n = tailnet.size();
    warnings.assign(n, {});
    net::testing::PartyThreads parties(n);
    return parties.run(
        [&, options](std::size_t k) -> asio::awaitable<void> {
          const LocalApi& api = apis[k];
          const Status status = co_await api.status();
          Discovery found = discover_parties(status, {"tag:mpc", {}}, n, port);
          found.roster.session_id = net::session_id_from_text("tailscale-test");
          TailscaleOptions mine = options;
          mine.on_warning = [this, k](const std::string& line) {
            const std::lock_guard lock(mutex);
            warnings[k].push_back(line);
          };
          TailscaleTransport transport(api, mine);
          net::Network network = co_await net::connect_network(transport, found.roster, found.self, connect_timeout,
                                                               {.receive_timeout = 5s});
          co_await net::testing::exchange_all(network, 100 + found.self);
          co_await network.shutdown();
        },
        connect_timeout + 10s);
  }

  Tailnet tailnet;
  TempDir dir;
  std::vector<testing::Handler> handlers;
  std::vector<std::unique_ptr<LocalApiStandIn>> standins;
  std::vector<std::string> tokens;       // empty: Unix sockets
  std::vector<std::string> token_files;  // what each party reads its token from
  std::vector<LocalApi> apis;
  std::mutex mutex;
  std::vector<std::vector<std::string>> warnings;
};

TEST(TailscaleTransport, PartiesFindEachOtherAndVerifyEveryLinkWithWhois) {
  TailnetSetup setup;
  net::testing::expect_no_errors(setup.run(10s));
  for (std::size_t k = 0; k < 3; ++k) {
    // Two links per party, each checked by whois on this side.
    EXPECT_EQ(setup.standins[k]->requests("/localapi/v0/whois?addr=127.0.0."), 2u) << "party " << k;
  }
  // In the fixture, carol is reached through DERP (CurAddr empty, Relay "sfo"),
  // bob directly, and alice shows no path yet (not Active).
  for (std::size_t k = 0; k < 2; ++k) {
    ASSERT_EQ(setup.warnings[k].size(), 1u) << "party " << k;
    EXPECT_TRUE(contains(setup.warnings[k][0], "party 2 (carol-pi) is reached through the DERP relay 'sfo'"))
        << setup.warnings[k][0];
  }
  EXPECT_TRUE(setup.warnings[2].empty());
}

TEST(TailscaleTransport, AWhoisMismatchIsRefusedNamingFoundAndExpectedNodes) {
  TailnetSetup setup;
  // Alice's tailscaled says bob's address belongs to carol's node.
  const Tailnet tailnet = setup.tailnet;
  const testing::Handler honest = setup.handlers[0];
  setup.handlers[0] = [tailnet, honest](std::string_view target) -> Reply {
    if (testing::whois_ip(target) == tailnet.ipv4(1)) return {200, tailnet.whois_of(2)};
    return honest(target);
  };
  const auto errors = setup.run(2s);
  const std::string alice = net::testing::message_of(errors[0]);
  EXPECT_TRUE(contains(alice, "party 1 (bob-desktop) failed the identity check: 127.0.0.12:")) << alice;
  EXPECT_TRUE(contains(alice, "belongs to node nCAROL3CNTRL (carol-pi), but party 1 (bob-desktop) is nBOB22CNTRL"))
      << alice;
  const std::string bob = net::testing::message_of(errors[1]);
  EXPECT_TRUE(contains(bob, "refused our connection")) << bob;
}

TEST(TailscaleTransport, AnAddressTailscaledDoesNotKnowIsRefused) {
  TailnetSetup setup;
  const Tailnet tailnet = setup.tailnet;
  const testing::Handler honest = setup.handlers[1];
  setup.handlers[1] = [tailnet, honest](std::string_view target) -> Reply {
    if (testing::whois_ip(target) == tailnet.ipv4(2)) return {404, "no match for IP:port\n", "text/plain"};
    return honest(target);
  };
  const auto errors = setup.run(2s);
  const std::string bob = net::testing::message_of(errors[1]);
  EXPECT_TRUE(contains(bob, "party 2 (carol-pi) failed the identity check")) << bob;
  EXPECT_TRUE(contains(bob, "tailscaled knows no tailnet node at 127.0.0.13:")) << bob;
  EXPECT_TRUE(errors[2]);
}

TEST(TailscaleTransport, ADialledAddressOfAnotherNodeIsRefused) {
  TailnetSetup setup;
  // Carol dials alice and bob; her tailscaled says alice's address is bob's node.
  const Tailnet tailnet = setup.tailnet;
  const testing::Handler honest = setup.handlers[2];
  setup.handlers[2] = [tailnet, honest](std::string_view target) -> Reply {
    if (testing::whois_ip(target) == tailnet.ipv4(0)) return {200, tailnet.whois_of(1)};
    return honest(target);
  };
  const auto errors = setup.run(2s);
  const std::string carol = net::testing::message_of(errors[2]);
  EXPECT_TRUE(contains(carol, "party 0 (alice-laptop) failed the identity check: 127.0.0.11:")) << carol;
  EXPECT_TRUE(contains(carol, "belongs to node nBOB22CNTRL (bob-desktop), but party 0 (alice-laptop) is nALICE1CNTRL"))
      << carol;
}

TEST(TailscaleTransport, ARequiredLoginIsChecked) {
  TailnetSetup setup;
  TailscaleOptions options;
  options.required_login = "alice@example.com";
  const auto errors = setup.run(2s, options);
  // Both ends of every link refuse; which refusal is seen first depends on timing.
  std::string all;
  for (const auto& error : errors) all += net::testing::message_of(error) + "\n";
  EXPECT_TRUE(contains(all, "failed the identity check: node n")) << all;
  EXPECT_TRUE(contains(all, "belongs to user tagged-devices, not alice@example.com")) << all;
  for (const auto& error : errors) EXPECT_TRUE(error);
}


void write_file(const std::string& path, const std::string& text) { std::ofstream(path) << text; }

// The macOS apps' LocalAPI (loopback TCP with a token) serves the whole session:
// discovery, and whois on every link.
TEST(TailscaleTransport, PartiesReachTheMacosAppsLocalApiWithItsToken) {
  TailnetSetup setup;
  for (std::size_t k = 0; k < 3; ++k) {
    setup.tokens.push_back("00112233445566778" + std::to_string(k) + "9a");
    setup.token_files.push_back(setup.dir.file("token" + std::to_string(k)));
    write_file(setup.token_files[k], setup.tokens[k] + "\n");
  }
  net::testing::expect_no_errors(setup.run(10s));
  for (std::size_t k = 0; k < 3; ++k) {
    EXPECT_EQ(setup.standins[k]->requests("/localapi/v0/whois?addr=127.0.0."), 2u) << "party " << k;
    EXPECT_EQ(setup.standins[k]->auth_refusals(), 0u) << "party " << k;
  }
}

TEST(TailscaleTransport, AStaleTokenStopsThePartyBeforeItDials) {
  TailnetSetup setup;
  for (std::size_t k = 0; k < 3; ++k) {
    setup.tokens.push_back("00112233445566778" + std::to_string(k) + "9a");
    setup.token_files.push_back(setup.dir.file("token" + std::to_string(k)));
    // Party 1 holds the token of an earlier start of its app.
    write_file(setup.token_files[k], k == 1 ? "deadbeefdeadbeefdead" : setup.tokens[k]);
  }
  const auto errors = setup.run(2s);
  const std::string bob = net::testing::message_of(errors[1]);
  EXPECT_TRUE(contains(bob, "refused the token from the token file " + setup.token_files[1] +
                                " (HTTP 403: bad password)")) << bob;
  EXPECT_FALSE(contains(bob, "deadbeefdeadbeefdead")) << bob;
  EXPECT_FALSE(contains(bob, setup.tokens[1])) << bob;
  EXPECT_EQ(setup.standins[1]->requests("/localapi/v0/whois"), 0u);
}

// Headscale's decimal ids, four parties: each computes the same order ("10" < "100"
// < "2" < "9") and every link passes whois against that roster.
TEST(TailscaleTransport, FourHeadscaleNodesConnectInTheOrderOfTheirIdsAsText) {
  TailnetSetup setup(Tailnet::from_file("headscale_status.json"));
  TailscaleOptions options;
  options.required_login = "tagged-devices";
  net::testing::expect_no_errors(setup.run(10s, options));
  for (std::size_t k = 0; k < 4; ++k) {
    EXPECT_EQ(setup.standins[k]->requests("/localapi/v0/whois?addr=127.0.0."), 3u) << "node " << k;
  }
  // dave (no direct path, Relay "headscale": Headscale's embedded DERP) is party 1.
  EXPECT_TRUE(contains(setup.warnings[0].at(0), "party 1 (dave-nuc) is reached through the DERP relay 'headscale'"))
      << setup.warnings[0].at(0);
}

}  // namespace
}  // namespace meshmpc::tailscale
