// The LocalAPI client against the stand-in: real HTTP over a real Unix socket.
#include "meshmpc/tailscale/local_api.hpp"

#include <gtest/gtest.h>
#include <stdlib.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/local/stream_protocol.hpp>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "localapi_standin.hpp"
#include "meshmpc/error.hpp"

namespace meshmpc::tailscale {
namespace {

using testing::LocalApiStandIn;
using testing::Reply;
using testing::TempDir;

std::string fixture(const std::string& name) {
  std::ifstream in(std::string(MESHMPC_TAILSCALE_FIXTURES) + "/" + name);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

// Runs `work` to its end on a fresh io_context (bounded) and returns its result.
template <typename T>
T run(asio::awaitable<T> work) {
  asio::io_context io;
  std::optional<T> result;
  std::exception_ptr error;
  asio::co_spawn(io, std::move(work), [&](std::exception_ptr e, T value) {
    error = e;
    if (!e) result = std::move(value);
  });
  io.run_for(std::chrono::seconds(10));
  if (error) std::rethrow_exception(error);
  if (!result) throw std::runtime_error("did not finish in 10 s");
  return std::move(*result);
}

std::string error_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const Error& e) {
    return e.what();
  }
  return "(no error)";
}

bool contains(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

class LocalApiStatus : public ::testing::TestWithParam<bool> {};

TEST_P(LocalApiStatus, ParsesTheFixtureWithSelfPeersAndPaths) {
  TempDir dir;
  const std::string body = fixture("status.json");
  const bool chunked = GetParam();
  LocalApiStandIn standin(dir.file("ts.sock"), [&](std::string_view) { return Reply{200, body, "application/json", chunked}; });
  const Status status = run(LocalApi(standin.path()).status());
  EXPECT_EQ(status.backend_state, "Running");
  EXPECT_TRUE(status.tun);
  EXPECT_EQ(status.self.stable_id, "nALICE1CNTRL");
  EXPECT_EQ(status.self.machine_name(), "alice-laptop");
  EXPECT_EQ(status.self.dns_name, "alice-laptop.tail1234.ts.net");
  EXPECT_EQ(status.self.ips, (std::vector<std::string>{"100.101.1.10", "fd7a:115c:a1e0::6e01:10a"}));
  EXPECT_TRUE(status.self.has_tag("tag:mpc"));
  ASSERT_EQ(status.peers.size(), 2u);
  EXPECT_EQ(status.peers[0].stable_id, "nBOB22CNTRL");
  EXPECT_EQ(status.peers[0].cur_addr, "198.51.100.23:41641");
  EXPECT_EQ(status.peers[1].stable_id, "nCAROL3CNTRL");
  EXPECT_EQ(status.peers[1].cur_addr, "");
  EXPECT_EQ(status.peers[1].relay, "sfo");
  EXPECT_TRUE(status.peers[1].active);
  // Above 2^53: read as an integer, not a double.
  EXPECT_EQ(status.peers[1].user_id, 5093827461923847);
  EXPECT_EQ(status.user_logins.at(5093827461923847), "tagged-devices");
  EXPECT_EQ(standin.requests("/localapi/v0/status"), 1u);
}

INSTANTIATE_TEST_SUITE_P(Chunked, LocalApiStatus, ::testing::Values(false, true));

TEST(LocalApi, WhoisNamesTheNodeAndUser) {
  TempDir dir;
  std::string target;
  LocalApiStandIn standin(dir.file("ts.sock"), [&](std::string_view t) {
    target = t;
    return Reply{200, fixture("whois.json")};
  });
  const WhoIs who = run(LocalApi(standin.path()).whois({asio::ip::make_address("100.101.1.20"), 40123}));
  EXPECT_EQ(target, "/localapi/v0/whois?addr=100.101.1.20:40123");
  EXPECT_EQ(who.stable_id, "nBOB22CNTRL");
  EXPECT_EQ(who.name, "bob-desktop");
  EXPECT_EQ(who.tags, std::vector<std::string>{"tag:mpc"});
  EXPECT_EQ(who.login, "tagged-devices");
  EXPECT_EQ(who.describe(), "node nBOB22CNTRL (bob-desktop)");
}

TEST(LocalApi, WhoisOfAnIpv6AddressIsBracketedAndEscaped) {
  TempDir dir;
  std::string target;
  LocalApiStandIn standin(dir.file("ts.sock"), [&](std::string_view t) {
    target = t;
    return Reply{200, fixture("whois.json")};
  });
  run(LocalApi(standin.path()).whois({asio::ip::make_address("fd7a:115c:a1e0::6e01:114"), 7000}));
  EXPECT_EQ(target, "/localapi/v0/whois?addr=%5Bfd7a:115c:a1e0::6e01:114%5D:7000");
  EXPECT_EQ(testing::whois_ip(target), "fd7a:115c:a1e0::6e01:114");
}

TEST(LocalApi, WhoisOfAnUnknownAddressIsAPeerError) {
  TempDir dir;
  LocalApiStandIn standin(dir.file("ts.sock"), [](std::string_view) { return Reply{404, "no match for IP:port\n", "text/plain"}; });
  const LocalApi api(standin.path());
  try {
    run(api.whois({asio::ip::make_address("100.101.9.9"), 1}));
    FAIL() << "no error";
  } catch (const PeerError& e) {
    EXPECT_TRUE(contains(e.what(), "no tailnet node at 100.101.9.9:1")) << e.what();
    EXPECT_TRUE(contains(e.what(), "no match for IP:port")) << e.what();
  }
}

TEST(LocalApi, AbsentSocketIsNamed) {
  TempDir dir;
  const std::string path = dir.file("missing.sock");
  const std::string message = error_of([&] { run(LocalApi(path).status()); });
  EXPECT_TRUE(contains(message, path)) << message;
  EXPECT_TRUE(contains(message, "is tailscaled running?")) << message;
}

TEST(LocalApi, MalformedJsonIsNamed) {
  TempDir dir;
  LocalApiStandIn standin(dir.file("ts.sock"), [](std::string_view) { return Reply{200, "{\"BackendState\": \"Run"}; });
  const std::string message = error_of([&] { run(LocalApi(standin.path()).status()); });
  EXPECT_TRUE(contains(message, "malformed JSON")) << message;
  EXPECT_TRUE(contains(message, standin.path() + " /localapi/v0/status")) << message;
}

TEST(LocalApi, AFieldOfTheWrongTypeIsNamedWithItsPath) {
  TempDir dir;
  std::string body = fixture("status.json");
  const std::string tags = "\"Tags\": [\n\t\t\t\"tag:mpc\"\n\t\t]";
  ASSERT_NE(body.find(tags), std::string::npos);
  body.replace(body.find(tags), tags.size(), "\"Tags\": \"tag:mpc\"");
  LocalApiStandIn standin(dir.file("ts.sock"), [&](std::string_view) { return Reply{200, body}; });
  const std::string message = error_of([&] { run(LocalApi(standin.path()).status()); });
  EXPECT_TRUE(contains(message, "Self.Tags should be an array of strings, got a string")) << message;
}

TEST(LocalApi, AnHttpErrorCarriesTailscaledsMessage) {
  TempDir dir;
  LocalApiStandIn standin(dir.file("ts.sock"), [](std::string_view) { return Reply{403, "status access denied\n", "text/plain"}; });
  const std::string message = error_of([&] { run(LocalApi(standin.path()).status()); });
  EXPECT_TRUE(contains(message, "HTTP 403: status access denied")) << message;
}

TEST(LocalApi, ASilentServerTimesOut) {
  TempDir dir;
  // A listening socket nobody answers on: the request must end at its deadline.
  asio::io_context io;
  asio::local::stream_protocol::acceptor silent(io, asio::local::stream_protocol::endpoint(dir.file("silent.sock")));
  const std::string message = error_of([&] { run(LocalApi(dir.file("silent.sock"), std::chrono::milliseconds(200)).status()); });
  EXPECT_TRUE(contains(message, "did not answer within 200 ms")) << message;
}

TEST(LocalApi, SocketChoiceIsOptionThenEnvironmentThenTheUsualPaths) {
  const char* saved = std::getenv(kSocketEnvironment);
  const std::optional<std::string> restore = saved ? std::optional<std::string>(saved) : std::nullopt;
  ::setenv(kSocketEnvironment, "/tmp/from-env.sock", 1);
  EXPECT_EQ(choose_socket(std::string("/tmp/given.sock")), "/tmp/given.sock");
  EXPECT_EQ(choose_socket(std::nullopt), "/tmp/from-env.sock");
  ::unsetenv(kSocketEnvironment);
  const auto defaults = default_socket_paths();
  ASSERT_GE(defaults.size(), 2u);
  EXPECT_EQ(defaults[0], "/var/run/tailscale/tailscaled.sock");
  EXPECT_EQ(defaults[1], "/run/tailscale/tailscaled.sock");
  bool any = false;
  for (const auto& path : defaults) any = any || std::filesystem::exists(path);
  if (!any) {
    const std::string message = error_of([] { choose_socket(std::nullopt); });
    for (const auto& path : defaults) EXPECT_TRUE(contains(message, path)) << message;
    EXPECT_TRUE(contains(message, "--tailscale-socket")) << message;
  }
  if (restore) ::setenv(kSocketEnvironment, restore->c_str(), 1);
}

}  // namespace
}  // namespace meshmpc::tailscale
