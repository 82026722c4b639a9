#include <meshmpc/cli/parties.hpp>

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include <meshmpc/error.hpp>

namespace meshmpc::cli {
namespace {

namespace fs = std::filesystem;

RunOptions parse(std::vector<std::string> args) {
  args.insert(args.begin(), "prog");
  return Parser("prog", "").parse(args);
}

// A file in a fresh temporary directory, removed (with the directory) at the end.
class TempFile {
 public:
  TempFile(const std::string& name, const std::string& content) {
    std::string pattern = (fs::temp_directory_path() / "meshmpc-cli-XXXXXX").string();
    if (!::mkdtemp(pattern.data())) throw std::runtime_error("mkdtemp");
    dir_ = pattern;
    path_ = dir_ / name;
    fs::create_directories(path_.parent_path());
    std::ofstream(path_) << content;
  }
  ~TempFile() {
    std::error_code ec;
    fs::remove_all(dir_, ec);
  }
  std::string path() const { return path_.string(); }
  const fs::path& dir() const { return dir_; }

 private:
  fs::path dir_;
  fs::path path_;
};

std::string config_error(const std::string& content) {
  const TempFile file("parties.ini", content);
  try {
    read_config_file(file.path());
  } catch (const ConfigError& e) {
    const std::string m = e.what();
    EXPECT_NE(m.find("config file '" + file.path() + "'"), std::string::npos) << m;
    return m;
  }
  ADD_FAILURE() << "no ConfigError for:\n" << content;
  return {};
}

TEST(CliEndpoint, ParsesHostsPortsAndBracketedIpv6) {
  const auto check = [](std::string_view text, std::string host, std::uint16_t port) {
    const net::Endpoint e = parse_endpoint(text, "-P");
    EXPECT_EQ(e.host, host) << text;
    EXPECT_EQ(e.port, port) << text;
  };
  check("alice.example:4000", "alice.example", 4000);
  check("127.0.0.1:1", "127.0.0.1", 1);
  check("[::1]:65535", "::1", 65535);
  check("[fe80::1%eth0]:11365", "fe80::1%eth0", 11365);
  check("[::1]", "::1", 0);
  check("bob_2", "bob_2", 0);
  check(":5000", "", 5000);
}

TEST(CliEndpoint, RefusesMalformedAddressesNamingThem) {
  const auto message = [](std::string_view text) {
    try {
      parse_endpoint(text, "-P/--party");
    } catch (const ConfigError& e) {
      return std::string(e.what());
    }
    ADD_FAILURE() << "accepted '" << text << "'";
    return std::string();
  };
  EXPECT_NE(message("").find("empty address"), std::string::npos);
  EXPECT_NE(message("::1:4000").find("-P/--party '::1:4000': an IPv6 address goes in brackets"), std::string::npos);
  EXPECT_NE(message("[::1:4000").find("missing ']'"), std::string::npos);
  EXPECT_NE(message("[::1]4000").find("expected ':port' after ']'"), std::string::npos);
  EXPECT_NE(message("[]:4000").find("empty IPv6 address"), std::string::npos);
  EXPECT_NE(message("host:").find("missing port after ':'"), std::string::npos);
  EXPECT_NE(message("host:0").find("port: 0 is out of range (1..65535)"), std::string::npos);
  EXPECT_NE(message("host:65536").find("65536 is out of range"), std::string::npos);
  EXPECT_NE(message("host:http").find("'http' is not a whole number"), std::string::npos);
  EXPECT_NE(message("bad host:1").find("' ' cannot appear in a host name"), std::string::npos);
  EXPECT_NE(message("[::1/64]:1").find("'/' cannot appear in an IPv6 address"), std::string::npos);
  EXPECT_NE(message(":").find("missing port"), std::string::npos);
}

TEST(CliRoster, BasePortGivesLocalhostPortsInPartyOrder) {
  const net::Roster r = make_roster(parse({"-M", "3", "-I", "1", "-B", "30000"}));
  ASSERT_EQ(r.size(), 3u);
  for (std::size_t i = 0; i < 3; ++i) {
    EXPECT_EQ(r.parties[i].id, i);
    EXPECT_EQ(r.parties[i].name, "party" + std::to_string(i));
    ASSERT_EQ(r.parties[i].endpoints.size(), 1u);
    EXPECT_EQ(r.parties[i].endpoints[0].host, "127.0.0.1");
    EXPECT_EQ(r.parties[i].endpoints[0].port, 30000 + i);
    EXPECT_TRUE(r.parties[i].identity.empty());
  }
  EXPECT_EQ(r.session_id, net::session_id_from_text("prog"));
}

TEST(CliRoster, DefaultBasePortIsMpycs11365) {
  const net::Roster r = make_roster(parse({"-M", "2", "-I", "0"}));
  EXPECT_EQ(r.parties[0].endpoints[0].port, 11365);
  EXPECT_EQ(r.parties[1].endpoints[0].port, 11366);
  EXPECT_EQ(make_roster(parse({})).size(), 1u);
}

TEST(CliRoster, PartyAddressesKeepTheirPortsAndMissingOnesUseTheBasePort) {
  const net::Roster r =
      make_roster(parse({"-P", "a.example:5000", "-P", "[::1]", "-P", "c", "-I", "0", "-B", "7000", "--insecure-plaintext",
                         "--session-id", "ffeeddccbbaa99887766554433221100"}));
  ASSERT_EQ(r.size(), 3u);
  EXPECT_EQ(net::to_string(r.parties[0].endpoints[0]), "a.example:5000");
  EXPECT_EQ(net::to_string(r.parties[1].endpoints[0]), "[::1]:7001");
  EXPECT_EQ(net::to_string(r.parties[2].endpoints[0]), "c:7002");
  EXPECT_EQ(session_id_to_hex(r.session_id), "ffeeddccbbaa99887766554433221100");
}

TEST(CliRoster, TheSameAddressForTwoPartiesIsRefusedUpFront) {
  try {
    make_roster(parse({"-P", "127.0.0.1:5000", "-P", "127.0.0.1:5000", "-P", "127.0.0.1:5002", "-I", "0"}));
    FAIL() << "no ConfigError";
  } catch (const ConfigError& error) {
    EXPECT_NE(std::string(error.what()).find("party 0 (party0) and party 1 (party1) both have the address "
                                             "127.0.0.1:5000"),
              std::string::npos)
        << error.what();
  }
}

TEST(CliRoster, ConfigFileDefinesEveryParty) {
  const TempFile file("parties.ini",
                      "; three friends\n"
                      "[alice]\nhost = alice.example\nport = 4000\n"
                      "[bob]\nhost = 192.0.2.2\nport = 4001\nidentity = bob@tailnet\n"
                      "[party2]\nhost = ::1\nname = carol\n");
  const RunOptions o = parse({"-C", file.path(), "-I", "2", "-B", "9000", "--insecure-plaintext"});
  EXPECT_EQ(o.parties, 3u);
  EXPECT_EQ(o.index, 2u);
  EXPECT_EQ(o.config_file, file.path());
  const net::Roster r = make_roster(o);
  ASSERT_EQ(r.size(), 3u);
  EXPECT_EQ(r.parties[0].name, "alice");
  EXPECT_EQ(net::to_string(r.parties[0].endpoints[0]), "alice.example:4000");
  EXPECT_EQ(r.parties[1].name, "bob");
  EXPECT_EQ(r.parties[1].identity, "bob@tailnet");
  EXPECT_EQ(net::to_string(r.parties[1].endpoints[0]), "192.0.2.2:4001");
  EXPECT_EQ(r.parties[2].name, "carol");
  EXPECT_EQ(net::to_string(r.parties[2].endpoints[0]), "[::1]:9002");
}

TEST(CliRoster, ConfigFileEmptyHostMarksThisPartyAsInMpyc) {
  const TempFile file("p.ini", "[Party 0]\nhost = a\nport = 1000\n[Party 1]\nhost =\nport = 1001\n");
  const RunOptions o = parse({"-C", file.path(), "--insecure-plaintext"});
  EXPECT_EQ(o.index, 1u);
  EXPECT_EQ(make_roster(o).parties[1].endpoints[0].host, "localhost");
}

TEST(CliRoster, ConfigFileIsAlsoFoundUnderDotConfig) {
  const TempFile file(".config/mine.ini", "[p0]\nhost = a\nport = 1000\n[p1]\nhost = b\nport = 1001\n");
  const fs::path before = fs::current_path();
  fs::current_path(file.dir());
  std::string resolved;
  const auto parties = read_config_file("mine.ini", &resolved);
  fs::current_path(before);
  EXPECT_EQ(parties.size(), 2u);
  EXPECT_EQ(resolved, ".config/mine.ini");
}

TEST(CliRoster, ConfigFileErrorsNameTheFileSectionAndField) {
  EXPECT_NE(config_error("[p0]\nhost = a\nprot = 1\n").find("[p0]: unknown field 'prot'"), std::string::npos);
  EXPECT_NE(config_error("[p0]\nhost = a\nport = 99999\n").find("[p0]: field 'port': 99999 is out of range"),
            std::string::npos);
  EXPECT_NE(config_error("[p0]\nport = 1\n").find("[p0]: field 'host' is missing"), std::string::npos);
  EXPECT_NE(config_error("[p0]\n").find("[p0] (line 1): field 'host' is missing"), std::string::npos);
  // An empty section would shift the later parties' ids if it were skipped.
  EXPECT_NE(config_error("[a]\nhost = x\n[b]\n[c]\nhost = y\n").find("[b] (line 3): field 'host' is missing"),
            std::string::npos);
  EXPECT_NE(config_error("[p0]\nhost = a:5\n").find("put the port in field 'port'"), std::string::npos);
  EXPECT_NE(config_error("[p0]\nhost = a b\n").find("[p0]: field 'host'"), std::string::npos);
  EXPECT_NE(config_error("[p0]\nhost = a\nname =\n").find("field 'name' is empty"), std::string::npos);
  EXPECT_NE(config_error("host = a\n").find("key 'host' is outside any [section]"), std::string::npos);
  EXPECT_NE(config_error("; nothing\n").find("no parties"), std::string::npos);
  EXPECT_NE(config_error("[p0]\nhost = a\n[p0]\nhost = b\n").find("line 3"), std::string::npos);
  EXPECT_NE(config_error("[p0\nhost = a\n").find("line 1"), std::string::npos);
}

// The file reader hands the text to parse_config_file (what fuzz/config_file_fuzz.cpp
// exercises): both give the same parties, an empty file included.
TEST(CliRoster, ConfigTextParsesAsTheFileDoes) {
  const std::string text = "[alice]\nhost =\nport = 4000\n[bob]\nhost = ::1\nport = 4001\nidentity = b\n";
  const TempFile file("p.ini", text);
  const auto from_file = read_config_file(file.path());
  const auto from_text = parse_config_file(text, "config file 'p.ini'");
  ASSERT_EQ(from_text.size(), 2u);
  ASSERT_EQ(from_file.size(), 2u);
  for (std::size_t i = 0; i < 2; ++i) {
    EXPECT_EQ(from_text[i].name, from_file[i].name);
    EXPECT_EQ(from_text[i].identity, from_file[i].identity);
    EXPECT_EQ(from_text[i].endpoints[0].host, from_file[i].endpoints[0].host);
    EXPECT_EQ(from_text[i].endpoints[0].port, from_file[i].endpoints[0].port);
  }
  EXPECT_EQ(from_text[1].endpoints[0].host, "::1");
  EXPECT_NE(config_error("").find("no parties"), std::string::npos);
}

TEST(CliRoster, ConfigFileProblemsSurfaceFromTheParser) {
  const std::string missing = "/nonexistent/meshmpc/parties.ini";
  try {
    parse({"-C", missing, "-I", "0"});
    ADD_FAILURE() << "no error";
  } catch (const ConfigError& e) {
    EXPECT_NE(std::string(e.what()).find("config file '" + missing + "' not found"), std::string::npos) << e.what();
  }
  const TempFile dup("dup.ini", "[a]\nhost = x\nname = same\n[b]\nhost = y\nname = same\n");
  try {
    parse({"-C", dup.path(), "-I", "0"});
    ADD_FAILURE() << "no error";
  } catch (const ConfigError& e) {
    EXPECT_NE(std::string(e.what()).find("name 'same' is used by more than one party"), std::string::npos)
        << e.what();
  }
  const TempFile two("two.ini", "[a]\nhost = x\n[b]\nhost = y\n");
  EXPECT_THROW(parse({"-C", two.path(), "-P", "x:1", "-I", "0"}), ConfigError);
  EXPECT_THROW(parse({"-C", two.path(), "-M", "3", "-I", "0"}), ConfigError);
  EXPECT_THROW(parse({"-C", two.path()}), ConfigError);  // which party is this one?
}

TEST(CliSessionId, HexRoundTripsAndRandomIdsDiffer) {
  const net::SessionId a = random_session_id();
  const net::SessionId b = random_session_id();
  EXPECT_NE(a, b);
  EXPECT_EQ(session_id_from_hex(session_id_to_hex(a)), a);
  EXPECT_EQ(session_id_to_hex(session_id_from_hex("00FF00ff00000000000000000000007f")),
            "00ff00ff00000000000000000000007f");
}

TEST(CliOutputFile, IsNamedAfterNAndIAsInMpyc) {
  EXPECT_EQ(output_file_name(parse({"-M", "3"}), 2), "party3_2.log");
}

}  // namespace
}  // namespace meshmpc::cli
