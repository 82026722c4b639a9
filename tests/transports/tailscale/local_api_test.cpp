// The LocalAPI client against the stand-in: real HTTP over a real Unix socket.
#include <meshmpc/tailscale/local_api.hpp>

#include <gtest/gtest.h>
#include <stdlib.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/local/stream_protocol.hpp>
#include <filesystem>
#include <fstream>
#include <sstream>

#include <meshmpc/error.hpp>

#include "localapi_standin.hpp"

// Options are spelt with designated initializers; the others keep their defaults.
#pragma GCC diagnostic ignored "-Wmissing-field-initializers"

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

// A stand-in that answers every request with whois.json and keeps the last
// request's target.
struct WhoisStandIn {
  TempDir dir;
  std::string target;
  LocalApiStandIn standin{dir.file("ts.sock"), [this](std::string_view t) {
                            target = t;
                            return Reply{200, fixture("whois.json")};
                          }};
};

TEST(LocalApi, WhoisNamesTheNodeAndUser) {
  WhoisStandIn api;
  const WhoIs who = run(LocalApi(api.standin.path()).whois({asio::ip::make_address("100.101.1.20"), 40123}));
  EXPECT_EQ(api.target, "/localapi/v0/whois?addr=100.101.1.20:40123");
  EXPECT_EQ(who.stable_id, "nBOB22CNTRL");
  EXPECT_EQ(who.name, "bob-desktop");
  EXPECT_EQ(who.tags, std::vector<std::string>{"tag:mpc"});
  EXPECT_EQ(who.login, "tagged-devices");
  EXPECT_EQ(who.describe(), "node nBOB22CNTRL (bob-desktop)");
}

TEST(LocalApi, WhoisOfAnIpv6AddressIsBracketedAndEscaped) {
  WhoisStandIn api;
  run(LocalApi(api.standin.path()).whois({asio::ip::make_address("fd7a:115c:a1e0::6e01:114"), 7000}));
  EXPECT_EQ(api.target, "/localapi/v0/whois?addr=%5Bfd7a:115c:a1e0::6e01:114%5D:7000");
  EXPECT_EQ(testing::whois_ip(api.target), "fd7a:115c:a1e0::6e01:114");
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
  ASSERT_GE(defaults.size(), 3u);
  EXPECT_EQ(defaults[2], "/var/run/tailscaled.socket");  // the open-source macOS daemon
  bool any = false;
  for (const auto& path : defaults) any = any || std::filesystem::exists(path);
  if (!any) {
    const std::string message = error_of([] { choose_socket(std::nullopt); });
    for (const auto& path : defaults) EXPECT_TRUE(contains(message, path)) << message;
    EXPECT_TRUE(contains(message, "--tailscale-socket")) << message;
  }
  if (restore) ::setenv(kSocketEnvironment, restore->c_str(), 1);
}


// --- The macOS apps' LocalAPI: loopback TCP with a token -------------------------

constexpr const char* kToken = "0a1b2c3d4e5f60718293";  // the apps' shape: 10 random bytes in hex
constexpr const char* kOtherToken = "ffeeddccbbaa99887766";

void write_file(const std::string& path, const std::string& text) {
  std::filesystem::create_directories(std::filesystem::path(path).parent_path());
  std::ofstream(path) << text;
}

// A stand-in for the macOS app's LocalAPI answering status and whois from the fixtures.
std::unique_ptr<LocalApiStandIn> app_standin(const std::string& token = kToken) {
  return LocalApiStandIn::on_loopback(
      [](std::string_view target) {
        return target.starts_with("/localapi/v0/whois") ? Reply{200, fixture("whois.json")}
                                                        : Reply{200, fixture("status.json")};
      },
      token);
}

// Places with nothing in them (TempDir paths that do not exist).
MacosPlaces no_places(const TempDir& dir) { return {dir.file("no-home/Library/Group Containers"), dir.file("no-lib")}; }

// The App Store app's file: an empty sameuserproof-<port>-<token> in its group container.
std::string app_store_file(const TempDir& dir, std::uint16_t port, const std::string& token) {
  return dir.file("home/Library/Group Containers/W5364U7YZB.io.tailscale.ipn.macos/sameuserproof-" +
                  std::to_string(port) + "-" + token);
}

bool default_socket_exists() {
  for (const auto& path : default_socket_paths()) {
    if (std::filesystem::exists(path)) return true;
  }
  return false;
}

// Unsets $MESHMPC_TAILSCALE_SOCKET for a test, restoring it after.
class NoSocketEnvironment {
 public:
  NoSocketEnvironment() {
    if (const char* value = std::getenv(kSocketEnvironment)) saved_ = value;
    ::unsetenv(kSocketEnvironment);
  }
  ~NoSocketEnvironment() {
    if (saved_) ::setenv(kSocketEnvironment, saved_->c_str(), 1);
  }

 private:
  std::optional<std::string> saved_;
};

TEST(LocalApiLoopback, TheRightTokenFromAFileReadsStatusAndWhois) {
  TempDir dir;
  const auto app = app_standin();
  write_file(dir.file("token"), std::string(kToken) + "\n");
  const LocalApi api = choose_local_api({.loopback = app->address(), .token_file = dir.file("token")});
  EXPECT_EQ(api.where(), app->address());
  EXPECT_EQ(api.describe(), app->address() + " (token from the token file " + dir.file("token") + ")");
  EXPECT_EQ(run(api.status()).self.stable_id, "nALICE1CNTRL");
  EXPECT_EQ(run(api.whois({asio::ip::make_address("100.101.1.20"), 40123})).stable_id, "nBOB22CNTRL");
  EXPECT_EQ(app->requests("/localapi/v0/"), 2u);
  EXPECT_EQ(app->auth_refusals(), 0u);
}

TEST(LocalApiLoopback, TheBasicAuthHeaderHasAnEmptyUserAndTheTokenAsPassword) {
  // RFC 7617: base64(":" + token); the value checked independently of our encoder.
  const LocalApiToken token(kToken, "test");
  EXPECT_EQ(token.authorization(), "Basic OjBhMWIyYzNkNGU1ZjYwNzE4Mjkz");
  EXPECT_EQ(token.redact(std::string("said ") + kToken + "!"), "said <token>!");
}

TEST(LocalApiLoopback, AWrongTokenIsRefusedWithoutShowingEitherToken) {
  TempDir dir;
  const auto app = app_standin();
  write_file(dir.file("token"), kOtherToken);
  const LocalApi api = choose_local_api({.loopback = app->address(), .token_file = dir.file("token")});
  const std::string message = error_of([&] { run(api.status()); });
  EXPECT_TRUE(contains(message, "tailscaled's LocalAPI at " + app->address() + " (GET /localapi/v0/status) refused "
                                "the token from the token file " + dir.file("token") + " (HTTP 403: bad password)"))
      << message;
  EXPECT_TRUE(contains(message, "makes a new token each time it starts")) << message;
  EXPECT_FALSE(contains(message, kToken)) << message;
  EXPECT_FALSE(contains(message, kOtherToken)) << message;
  // whois too: a refused token is a set-up fault, not a peer's.
  try {
    run(api.whois({asio::ip::make_address("100.101.1.20"), 1}));
    FAIL() << "no error";
  } catch (const PeerError& e) {
    FAIL() << "a PeerError: " << e.what();
  } catch (const ConfigError& e) {
    EXPECT_TRUE(contains(e.what(), "refused the token")) << e.what();
  }
  EXPECT_EQ(app->auth_refusals(), 2u);
}

TEST(LocalApiLoopback, NoTokenGetsTheAppsHttp401Explained) {
  const auto app = app_standin();
  const LocalApi api({asio::ip::make_address("127.0.0.1"), app->port()}, nullptr);
  EXPECT_EQ(api.describe(), app->address() + " (no token)");
  const std::string message = error_of([&] { run(api.status()); });
  EXPECT_TRUE(contains(message, "wants a token (HTTP 401: auth required): give it with --tailscale-localapi-token-file"))
      << message;
}

TEST(LocalApiLoopback, AClosedPortSaysTheAppMayNotRun) {
  TempDir dir;
  std::uint16_t port = 0;
  {
    const auto gone = app_standin();
    port = gone->port();
  }
  write_file(dir.file("token"), kToken);
  const LocalApi api =
      choose_local_api({.loopback = "127.0.0.1:" + std::to_string(port), .token_file = dir.file("token")});
  const std::string message = error_of([&] { run(api.status()); });
  EXPECT_TRUE(contains(message, "cannot reach tailscaled's LocalAPI at 127.0.0.1:" + std::to_string(port))) << message;
  EXPECT_TRUE(contains(message, "is the Tailscale app running?")) << message;
}

TEST(LocalApiLoopback, TheAppStoreAppsTokenIsFoundInItsGroupContainer) {
  TempDir dir;
  const auto app = app_standin();
  // A file left by an earlier run of the app (another port, older) is passed over.
  write_file(app_store_file(dir, 1, kOtherToken), "");
  std::filesystem::last_write_time(app_store_file(dir, 1, kOtherToken),
                                   std::filesystem::file_time_type::clock::now() - std::chrono::hours(1));
  write_file(app_store_file(dir, app->port(), kToken), "");
  const MacosPlaces places{dir.file("home/Library/Group Containers"), dir.file("no-lib")};

  // With the port given, only that port's file counts.
  const LocalApi given = choose_local_api({.loopback = app->address(), .macos = places});
  EXPECT_EQ(run(given.status()).self.stable_id, "nALICE1CNTRL");
  EXPECT_TRUE(contains(given.describe(), "sameuserproof file in " + dir.file("home/Library/Group Containers/"))) << given.describe();
  EXPECT_FALSE(contains(given.describe(), kToken)) << given.describe();

  // Without anything given, the newest file is found (when no tailscaled socket exists).
  if (default_socket_exists()) GTEST_SKIP() << "a tailscaled socket exists here, and it comes before the macOS app";
  const NoSocketEnvironment no_environment;
  const LocalApi found = choose_local_api({.macos = places});
  EXPECT_EQ(found.where(), app->address());
  EXPECT_EQ(run(found.status()).self.stable_id, "nALICE1CNTRL");
  EXPECT_EQ(app->auth_refusals(), 0u);
}

TEST(LocalApiLoopback, TheStandaloneAppsTokenIsFoundBesideItsPortLink) {
  TempDir dir;
  const auto app = app_standin();
  const std::string lib = dir.file("Library/Tailscale");
  std::filesystem::create_directories(lib);
  std::filesystem::create_symlink(std::to_string(app->port()), lib + "/ipnport");
  write_file(lib + "/sameuserproof-" + std::to_string(app->port()), std::string(kToken) + "\n");
  const LocalApi api = choose_local_api({.loopback = app->address(), .macos = {dir.file("no-home"), lib}});
  EXPECT_EQ(run(api.status()).backend_state, "Running");
  EXPECT_EQ(api.describe(), app->address() + " (token from the token file " + lib + "/sameuserproof-" +
                                std::to_string(app->port()) + ")");
}

TEST(LocalApiLoopback, NoTokenForTheGivenPortListsWhereItLooked) {
  TempDir dir;
  write_file(app_store_file(dir, 1, kOtherToken), "");
  const std::string message = error_of([&] {
    choose_local_api({.loopback = "127.0.0.1:41112",
                      .macos = {dir.file("home/Library/Group Containers"), dir.file("Library/Tailscale")}});
  });
  EXPECT_TRUE(contains(message, "no token for the LocalAPI at 127.0.0.1:41112: give it with "
                                "--tailscale-localapi-token-file")) << message;
  EXPECT_TRUE(contains(message, "io.tailscale.ipn.macos: no sameuserproof file for port 41112 (only for other ports)"))
      << message;
  EXPECT_TRUE(contains(message, dir.file("Library/Tailscale/ipnport") + ": No such file or directory")) << message;
  EXPECT_FALSE(contains(message, kOtherToken)) << message;
}

TEST(LocalApiLoopback, NothingFoundNamesEverySocketAndMacosPlaceTried) {
  if (default_socket_exists()) GTEST_SKIP() << "a tailscaled socket exists here";
  TempDir dir;
  const NoSocketEnvironment no_environment;
  const std::string message = error_of([&] { choose_local_api({.macos = no_places(dir)}); });
  EXPECT_TRUE(contains(message, "tailscaled does not seem to run on this machine")) << message;
  for (const auto& path : default_socket_paths()) EXPECT_TRUE(contains(message, path)) << message;
  EXPECT_TRUE(contains(message, dir.file("no-home/Library/Group Containers"))) << message;
  EXPECT_TRUE(contains(message, dir.file("no-lib/ipnport"))) << message;
  EXPECT_TRUE(contains(message, "--tailscale-socket")) << message;
  EXPECT_TRUE(contains(message, "--tailscale-localapi")) << message;
}

TEST(LocalApiLoopback, OnlyLoopbackAddressesAreAccepted) {
  EXPECT_EQ(parse_loopback("127.0.0.1:41112", "--x").port(), 41112);
  EXPECT_TRUE(parse_loopback("[::1]:41112", "--x").address().is_loopback());
  const auto refused = [](const std::string& text) {
    return error_of([&] { parse_loopback(text, "--tailscale-localapi"); });
  };
  EXPECT_TRUE(contains(refused("100.101.1.10:41112"), "--tailscale-localapi '100.101.1.10:41112': not a loopback"));
  for (const char* bad : {"127.0.0.1", "localhost:41112", "127.0.0.1:0", "127.0.0.1:65536", "127.0.0.1:41x", ":1"}) {
    EXPECT_TRUE(contains(refused(bad), "expected the LocalAPI's loopback address and port")) << bad;
  }
  const std::string message = error_of([] {
    LocalApi({asio::ip::make_address("192.0.2.1"), 41112}, std::make_shared<const LocalApiToken>(kToken, "test"));
  });
  EXPECT_TRUE(contains(message, "192.0.2.1:41112 is not a loopback address")) << message;
  EXPECT_FALSE(contains(message, kToken)) << message;
}

TEST(LocalApiLoopback, ABadTokenFileIsNamedAndNeverQuoted) {
  TempDir dir;
  const auto message_for = [&](const std::string& text) {
    write_file(dir.file("token"), text);
    return error_of([&] { read_token_file(dir.file("token")); });
  };
  EXPECT_TRUE(contains(message_for(""), "the token file " + dir.file("token") + ": the LocalAPI token is empty"));
  EXPECT_TRUE(contains(message_for(" \n"), "the LocalAPI token is empty"));
  const std::string two = message_for(std::string(kToken) + " " + kOtherToken);
  EXPECT_TRUE(contains(two, "holds a space or a control character")) << two;
  EXPECT_FALSE(contains(two, kToken) || contains(two, kOtherToken)) << two;
  EXPECT_TRUE(contains(message_for(std::string(300, 'a')), "has 300 characters, more than 256"));
  EXPECT_TRUE(contains(message_for(std::string(5000, 'a')), "is larger than 4096 bytes"));
  const std::string missing = error_of([&] { read_token_file(dir.file("absent")); });
  EXPECT_TRUE(contains(missing, "cannot read the LocalAPI token file " + dir.file("absent") + ": No such file"))
      << missing;
}

TEST(LocalApiLoopback, ConflictingOptionsAreRefused) {
  EXPECT_TRUE(contains(error_of([] { choose_local_api({.socket = "/x.sock", .loopback = "127.0.0.1:1"}); }),
                       "either --tailscale-socket"));
  EXPECT_TRUE(contains(error_of([] { choose_local_api({.token_file = "/x"}); }),
                       "--tailscale-localapi-token-file goes with --tailscale-localapi"));
}

}  // namespace
}  // namespace meshmpc::tailscale
