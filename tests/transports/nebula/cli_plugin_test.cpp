// --transport nebula on the command line: the plugin's options are checked at
// parse time, and its setup finds this party in the roster (certificates from
// nebula-cert, loopback "overlay" addresses are not assigned here, so setup
// stops at the overlay-IP check: the last check before connecting).
#include <gtest/gtest.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <optional>

#include <meshmpc/cli/options.hpp>
#include <meshmpc/cli/run_impl.hpp>
#include <meshmpc/nebula/certificate.hpp>
#include "pki.hpp"

namespace meshmpc::cli {
namespace {

std::string parse_error(std::vector<std::string> args) {
  args.insert(args.begin(), "prog");
  try {
    Parser("prog", "test").parse(args);
  } catch (const ConfigError& e) {
    return e.what();
  }
  return "no error";
}

std::string setup_error(std::vector<std::string> args) {
  args.insert(args.begin(), "prog");
  const RunOptions options = Parser("prog", "test").parse(args);
  boost::asio::io_context io;
  std::string message = "no error";
  boost::asio::co_spawn(io, party_setup(options), [&](std::exception_ptr e, PartySetup) {
    try {
      if (e) std::rethrow_exception(e);
    } catch (const std::exception& error) {
      message = error.what();
    }
  });
  io.run();
  return message;
}

TEST(NebulaPlugin, ItsOptionsAreCheckedBeforeAnythingStarts) {
  EXPECT_NE(parse_error({"-M", "3", "--transport", "nebula", "--nebula-config", "c.yml"}).find("needs --nebula-roster"),
            std::string::npos);
  EXPECT_NE(parse_error({"-M", "3", "--transport", "nebula", "--nebula-roster", "r.txt", "--nebula-ca", "ca.crt"})
                .find("needs --nebula-config <nebula config.yml>, or all of --nebula-ca"),
            std::string::npos);
  EXPECT_NE(parse_error({"--transport", "nebula", "--nebula-roster", "r.txt", "--nebula-config", "c.yml"})
                .find("needs -M N"),
            std::string::npos);
  const RunOptions o = Parser("prog", "test").parse(std::vector<std::string>{
      "prog", "-M", "3", "--transport", "nebula", "--nebula-roster", "r.txt", "--nebula-config", "c.yml"});
  EXPECT_TRUE(o.transport_discovers);
  EXPECT_FALSE(o.local_launch());
  EXPECT_EQ(o.vars["nebula-group"].as<std::string>(), "mpc");
}

TEST(NebulaPlugin, SetupReadsTheRosterAndNamesEveryMismatch) {
  if (!nebula::test::have_program("nebula-cert")) GTEST_SKIP() << "nebula-cert is not installed (apt-get install nebula)";
  nebula::test::TempDir dir;
  const nebula::test::Pki pki(dir.path());
  for (int i = 0; i < 3; ++i) pki.sign("p" + std::to_string(i), "10.213.0." + std::to_string(11 + i) + "/16");
  nebula::test::write_file(dir / "roster.txt", "p0.crt\np1.crt\np2.crt\n");
  const std::vector<std::string> base{"--transport", "nebula", "--nebula-roster", dir / "roster.txt", "--nebula-ca",
                                      pki.ca_crt(), "--nebula-cert", pki.crt("p1"), "--nebula-key", pki.key("p1")};
  auto with = [&](std::vector<std::string> extra) {
    extra.insert(extra.end(), base.begin(), base.end());
    return extra;
  };
  EXPECT_NE(setup_error(with({"-M", "4"})).find("-M 4 but the roster"), std::string::npos);

  // 10.213.0.12 is not on any interface of this machine: nebula is not running.
  const std::string m = setup_error(with({"-M", "3"}));
  EXPECT_NE(m.find("the overlay IP 10.213.0.12 of certificate 'p1'"), std::string::npos) << m;
  EXPECT_NE(m.find("is nebula running"), std::string::npos) << m;
}

TEST(NebulaPlugin, TheCertificateDecidesWhoThisPartyIs) {
  if (!nebula::test::have_program("nebula-cert")) GTEST_SKIP() << "nebula-cert is not installed (apt-get install nebula)";
  // p1's "overlay" IP is 127.0.0.1, which every machine has: setup goes through.
  nebula::test::TempDir dir;
  const nebula::test::Pki pki(dir.path(), "loop-ca", "mpc", "");
  for (int i = 0; i < 3; ++i) pki.sign("p" + std::to_string(i), "127.0.0." + std::to_string(i == 1 ? 1 : 20 + i) + "/8");
  nebula::test::write_file(dir / "roster.txt", "p2.crt\np1.crt 4000\np0.crt\n");
  const std::vector<std::string> args{"prog", "-M", "3", "--transport", "nebula", "--nebula-roster",
                                      dir / "roster.txt", "--nebula-ca", pki.ca_crt(), "--nebula-cert",
                                      pki.crt("p1"), "--nebula-key", pki.key("p1")};
  const RunOptions options = Parser("prog", "test").parse(args);
  boost::asio::io_context io;
  std::optional<PartySetup> setup;
  boost::asio::co_spawn(io, party_setup(options), [&](std::exception_ptr e, PartySetup s) {
    if (!e) setup = std::move(s);
  });
  io.run();
  ASSERT_TRUE(setup.has_value());
  EXPECT_EQ(setup->self, 1u);
  EXPECT_EQ(setup->transport->name(), "nebula");
  EXPECT_EQ(setup->roster.party(0).name, "p2");
  EXPECT_EQ(setup->roster.party(1).endpoints.at(0).host, "127.0.0.1");
  EXPECT_EQ(setup->roster.party(1).endpoints.at(0).port, 4000);
  EXPECT_EQ(setup->roster.party(2).endpoints.at(0).port, kDefaultBasePort);
  std::vector<std::string> contradicting(args.begin() + 1, args.end());
  contradicting.insert(contradicting.end(), {"-I", "0"});
  const std::string m = setup_error(contradicting);
  EXPECT_NE(m.find("-I 0 but this host's certificate is party 1 of the roster"), std::string::npos) << m;
}

}  // namespace
}  // namespace meshmpc::cli
