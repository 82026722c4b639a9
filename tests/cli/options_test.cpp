#include <meshmpc/cli/options.hpp>

#include <gtest/gtest.h>

#include "parse_util.hpp"

#include <string>
#include <vector>

#include <meshmpc/cli/logging.hpp>
#include <meshmpc/cli/parties.hpp>
#include <meshmpc/error.hpp>

namespace meshmpc::cli {
namespace {

using test::error_of;
using test::parse;

namespace po = boost::program_options;

TEST(CliOptions, DefaultsMatchMpyc) {
  const RunOptions o = parse({});
  EXPECT_EQ(o.action, Action::run);
  EXPECT_EQ(o.program, "prog");
  EXPECT_EQ(o.argv, std::vector<std::string>{"prog"});
  EXPECT_EQ(o.parties, 1u);
  ASSERT_TRUE(o.index.has_value());
  EXPECT_EQ(*o.index, 0u);
  EXPECT_TRUE(o.addresses.empty());
  EXPECT_EQ(o.threshold, 0u);
  EXPECT_FALSE(o.base_port.has_value());
  EXPECT_EQ(o.effective_base_port(), 11365);
  EXPECT_EQ(o.bit_length, 32u);
  EXPECT_EQ(o.sec_param, 30u);
  EXPECT_EQ(o.randomness, Randomness::automatic);
  EXPECT_EQ(o.log_level, LogLevel::info);
  EXPECT_FALSE(o.output_file);
  EXPECT_EQ(o.transport, "tcp");
  EXPECT_EQ(o.mul, MulProtocol::grr);
  EXPECT_EQ(o.timeout, std::chrono::seconds(60));
  EXPECT_FALSE(o.emulation.active());
  EXPECT_FALSE(o.session_id.has_value());
  EXPECT_FALSE(o.local_launch());
}

TEST(CliOptions, ReadsEveryLongOption) {
  const RunOptions o = parse({"--parties", "5", "--index", "2", "--threshold", "1", "--base-port", "20000",
                              "--bit-length", "64", "--sec-param", "40", "--no-prss", "--log-level", "debug",
                              "--output-file", "--transport", "tcp", "--mul", "dn07", "--timeout", "2.5",
                              "--session-id", "00112233445566778899aabbccddeeff", "--emulate-rtt", "20.5",
                              "--emulate-rate", "100"});
  EXPECT_EQ(o.parties, 5u);
  EXPECT_EQ(o.index, 2u);
  EXPECT_EQ(o.threshold, 1u);
  EXPECT_EQ(o.base_port, 20000);
  EXPECT_EQ(o.bit_length, 64u);
  EXPECT_EQ(o.sec_param, 40u);
  EXPECT_EQ(o.randomness, Randomness::extraction);
  EXPECT_EQ(o.log_level, LogLevel::debug);
  EXPECT_TRUE(o.output_file);
  EXPECT_EQ(o.transport, "tcp");
  EXPECT_EQ(o.mul, MulProtocol::dn07);
  EXPECT_EQ(o.timeout, std::chrono::milliseconds(2500));
  EXPECT_EQ(o.emulation.rtt, std::chrono::microseconds(20500));
  EXPECT_EQ(o.emulation.rate_bits_per_second, 100e6);
  ASSERT_TRUE(o.session_id.has_value());
  EXPECT_EQ(session_id_to_hex(*o.session_id), "00112233445566778899aabbccddeeff");
  EXPECT_FALSE(o.local_launch());
}

TEST(CliOptions, ShortLettersAreMpycs) {
  const RunOptions o = parse({"-M", "7", "-I", "6", "-T", "3", "-B", "30000", "-L", "16", "-K", "20"});
  EXPECT_EQ(o.parties, 7u);
  EXPECT_EQ(o.index, 6u);
  EXPECT_EQ(o.threshold, 3u);
  EXPECT_EQ(o.base_port, 30000);
  EXPECT_EQ(o.bit_length, 16u);
  EXPECT_EQ(o.sec_param, 20u);
  // Adjacent values, as argparse allows too.
  const RunOptions adjacent = parse({"-M3", "-I1"});
  EXPECT_EQ(adjacent.parties, 3u);
  EXPECT_EQ(adjacent.index, 1u);
}

TEST(CliOptions, DefaultThresholdIsFloorOfHalfOfNMinusOne) {
  for (std::size_t n = 1; n <= 9; ++n) {
    const RunOptions o = parse({"-M", std::to_string(n), "-I", "0"});
    EXPECT_EQ(o.threshold, (n - 1) / 2) << "n = " << n;
  }
}

TEST(CliOptions, ThresholdUpToTheHonestMajorityBoundIsAccepted) {
  EXPECT_EQ(parse({"-M", "5", "-I", "0", "-T", "2"}).threshold, 2u);
  EXPECT_EQ(parse({"-M", "5", "-I", "0", "-T", "0"}).threshold, 0u);
  EXPECT_EQ(parse({"-M", "4", "-I", "0", "-T", "1"}).threshold, 1u);
}

TEST(CliOptions, ThresholdAtOrAboveHalfIsRefusedNamingTAndN) {
  const std::string m = error_of({"-M", "4", "-I", "0", "-T", "2"});
  EXPECT_NE(m.find("-T/--threshold 2"), std::string::npos) << m;
  EXPECT_NE(m.find("4 parties"), std::string::npos) << m;
  EXPECT_NE(m.find("t <= 1"), std::string::npos) << m;
  EXPECT_NE(error_of({"-M", "1", "-T", "1"}).find("-T/--threshold 1 is too large for 1 party"), std::string::npos);
  EXPECT_NE(error_of({"-M", "1", "-I", "0", "-P", "a:1", "-P", "b:1"}).find("the 2 parties given"), std::string::npos);
  EXPECT_NE(error_of({"-M", "2", "-I", "0", "-P", "a:1"}).find("the 1 party given"), std::string::npos);
  EXPECT_NE(error_of({"-M", "3", "-I", "0", "-T", "5"}).find("3 parties"), std::string::npos);
}

TEST(CliOptions, PartiesWithoutIndexIsALocalLaunch) {
  const RunOptions o = parse({"-M", "3"});
  EXPECT_TRUE(o.local_launch());
  EXPECT_FALSE(o.index.has_value());
  EXPECT_EQ(o.threshold, 1u);
  EXPECT_FALSE(parse({"-M", "1"}).local_launch());
  EXPECT_FALSE(parse({"-M", "3", "-I", "0"}).local_launch());
}

TEST(CliOptions, IndexAtOrAboveNIsRefused) {
  const std::string m = error_of({"-M", "3", "-I", "3"});
  EXPECT_NE(m.find("-I/--index 3 is out of range for 3 parties (0..2)"), std::string::npos) << m;
  EXPECT_NE(error_of({"-I", "1"}).find("out of range for 1 party (0..0)"), std::string::npos);
}

TEST(CliOptions, PartiesGivenByPSetN) {
  const RunOptions o = parse({"-P", "a.example:5000", "-P", "b.example:5001", "-P", "[::1]:5002", "-I", "1", "--insecure-plaintext"});
  EXPECT_EQ(o.parties, 3u);
  EXPECT_EQ(o.index, 1u);
  ASSERT_EQ(o.addresses.size(), 3u);
  EXPECT_EQ(o.addresses[0].endpoints.front().host, "a.example");
  EXPECT_EQ(o.addresses[2].endpoints.front().host, "::1");
  EXPECT_EQ(o.addresses[2].endpoints.front().port, 5002);
  EXPECT_EQ(o.addresses[1].name, "party1");
}

TEST(CliOptions, PCountDifferentFromMIsRefused) {
  const std::string m = error_of({"-M", "3", "-I", "0", "-P", "a:1", "-P", "b:2"});
  EXPECT_NE(m.find("-M/--parties 3 does not match the 2 parties given by -P/--party"), std::string::npos) << m;
}

TEST(CliOptions, PWithoutIndexIsRefused) {
  const std::string m = error_of({"-P", "a:1", "-P", "b:2"});
  EXPECT_NE(m.find("-I/--index is required with -P/--party"), std::string::npos) << m;
}

TEST(CliOptions, EmptyHostMarksThisPartyAsInMpyc) {
  const RunOptions o = parse({"-P", "a:5000", "-P", ":5001", "--insecure-plaintext"});
  EXPECT_EQ(o.index, 1u);
  EXPECT_EQ(o.addresses[1].endpoints.front().host, "localhost");
  EXPECT_EQ(o.addresses[1].endpoints.front().port, 5001);
  EXPECT_NE(error_of({"-P", ":5000", "-P", ":5001"}).find("both have an empty host"), std::string::npos);
  EXPECT_NE(error_of({"-P", "a:5000", "-P", ":5001", "-I", "0"}).find("contradicts"), std::string::npos);
}

TEST(CliOptions, BadHostPortIsRefused) {
  EXPECT_NE(error_of({"-P", "a:70000", "-I", "0"}).find("out of range (1..65535)"), std::string::npos);
  EXPECT_NE(error_of({"-P", "::1:4000", "-I", "0"}).find("goes in brackets"), std::string::npos);
  EXPECT_NE(error_of({"-P", "a b:1", "-I", "0"}).find("-P/--party 'a b:1'"), std::string::npos);
}

TEST(CliOptions, BasePortOutOfRangeIsRefused) {
  EXPECT_NE(error_of({"-B", "0"}).find("-B/--base-port: 0 is out of range (1..65535)"), std::string::npos);
  EXPECT_NE(error_of({"-B", "65536"}).find("out of range"), std::string::npos);
  const std::string m = error_of({"-M", "3", "-I", "0", "-B", "65534"});
  EXPECT_NE(m.find("-B/--base-port 65534 + party 2 exceeds the largest port 65535"), std::string::npos) << m;
  // Explicit ports do not use the base port.
  EXPECT_EQ(parse({"-P", "a:1", "-P", "b:2", "-I", "0", "-B", "65535", "--insecure-plaintext"}).base_port, 65535);
}

TEST(CliOptions, MalformedNumbersAreRefusedNamingTheOption) {
  EXPECT_NE(error_of({"-M", "abc"}).find("-M/--parties: 'abc' is not a whole number"), std::string::npos);
  EXPECT_NE(error_of({"-M", "0"}).find("-M/--parties: 0 is out of range"), std::string::npos);
  EXPECT_NE(error_of({"-M", "3x"}).find("not a whole number"), std::string::npos);
  EXPECT_NE(error_of({"-L", "0"}).find("-L/--bit-length"), std::string::npos);
  EXPECT_NE(error_of({"-K", "x1"}).find("-K/--sec-param"), std::string::npos);
  EXPECT_NE(error_of({"-I", "99999999999999999999999"}).find("-I/--index"), std::string::npos);
}

TEST(CliOptions, UnknownOptionIsRefused) {
  const std::string m = error_of({"--bogus"});
  EXPECT_NE(m.find("prog: "), std::string::npos) << m;
  EXPECT_NE(m.find("bogus"), std::string::npos) << m;
  EXPECT_NE(error_of({"stray"}).find("unexpected argument 'stray'"), std::string::npos);
  EXPECT_NE(error_of({"-I", "0", "-I", "1"}).find("index"), std::string::npos);
  EXPECT_NE(error_of({"-M"}).find("parties"), std::string::npos);
}

TEST(CliOptions, UnknownTransportListsTheKnownOnes) {
  const std::string m = error_of({"--transport", "carrier-pigeon"});
  EXPECT_NE(m.find("unknown transport 'carrier-pigeon'; known: tcp"), std::string::npos) << m;
}

TEST(CliOptions, UnknownMulLogLevelTimeoutAndSessionIdAreRefused) {
  const std::string mul = error_of({"--mul", "bgw"});
  EXPECT_EQ(mul.rfind("--mul: ", 0), 0u) << mul;
  EXPECT_NE(mul.find("'bgw'"), std::string::npos) << mul;
  EXPECT_NE(mul.find("grr, dn07"), std::string::npos) << mul;
  EXPECT_NE(error_of({"--log-level", "loud"}).find("--log-level: unknown level 'loud'; known: trace"),
            std::string::npos);
  EXPECT_NE(error_of({"--timeout", "0"}).find("--timeout: 0 seconds is out of range"), std::string::npos);
  EXPECT_NE(error_of({"--timeout", "soon"}).find("--timeout: 'soon' is not a number"), std::string::npos);
  EXPECT_NE(error_of({"--emulate-rtt", "far"}).find("--emulate-rtt: 'far' is not a number of milliseconds"),
            std::string::npos);
  EXPECT_NE(error_of({"--emulate-rate", "0"}).find("--emulate-rate: 0 Mbit/s is out of range (0.001..1e+06)"),
            std::string::npos);
  EXPECT_NE(error_of({"--session-id", "abcd"}).find("expected 32 hex digits, got 4"), std::string::npos);
  EXPECT_NE(error_of({"--session-id", "0011223344556677889900aabbccddgg"}).find("character 30 is not a hex digit"),
            std::string::npos);
}

TEST(CliOptions, RandomnessIsChosenByNameAndNoPrssIsExtraction) {
  EXPECT_EQ(parse({"--randomness", "auto"}).randomness, Randomness::automatic);
  EXPECT_EQ(parse({"--randomness", "prss"}).randomness, Randomness::prss);
  EXPECT_EQ(parse({"--randomness", "extraction"}).randomness, Randomness::extraction);
  EXPECT_EQ(parse({"--no-prss"}).randomness, Randomness::extraction);
  EXPECT_EQ(parse({"--no-prss", "--randomness", "extraction"}).randomness, Randomness::extraction);
  const std::string unknown = error_of({"--randomness", "dice"});
  EXPECT_EQ(unknown.rfind("--randomness: ", 0), 0u) << unknown;
  EXPECT_NE(unknown.find("'dice'"), std::string::npos) << unknown;
  EXPECT_NE(unknown.find("auto, prss, extraction"), std::string::npos) << unknown;
  for (const char* other : {"prss", "auto"}) {
    const std::string both = error_of({"--no-prss", "--randomness", other});
    EXPECT_NE(both.find("--no-prss means --randomness extraction, but --randomness " + std::string(other)),
              std::string::npos)
        << both;
  }
}

TEST(CliOptions, TruncationIsChosenByName) {
  EXPECT_EQ(parse({}).truncation, Truncation::sum);
  EXPECT_EQ(parse({"--truncation", "bits"}).truncation, Truncation::bits);
  EXPECT_EQ(parse({"--truncation", "sum"}).truncation, Truncation::sum);
  const std::string unknown = error_of({"--truncation", "round"});
  EXPECT_EQ(unknown.rfind("--truncation: ", 0), 0u) << unknown;
  EXPECT_NE(unknown.find("'round' (known: sum, bits)"), std::string::npos) << unknown;
}

TEST(CliOptions, ComparisonSliceIsACountOrZero) {
  EXPECT_EQ(parse({}).comparison_slice, kDefaultComparisonSlice);
  EXPECT_EQ(parse({"--comparison-slice", "0"}).comparison_slice, 0u);
  EXPECT_EQ(parse({"--comparison-slice", "100000"}).comparison_slice, 100000u);
  for (const char* bad : {"-1", "lots", "4096x"}) {
    const std::string msg = error_of({"--comparison-slice", bad});
    EXPECT_NE(msg.find("--comparison-slice"), std::string::npos) << bad << ": " << msg;
  }
}

TEST(CliOptions, EveryLogLevelIsAccepted) {
  const std::vector<std::pair<std::string, LogLevel>> levels = {
      {"trace", LogLevel::trace}, {"debug", LogLevel::debug}, {"info", LogLevel::info},
      {"warn", LogLevel::warn},   {"error", LogLevel::error}, {"critical", LogLevel::critical},
      {"off", LogLevel::off}};
  for (const auto& [name, level] : levels) EXPECT_EQ(parse({"--log-level", name}).log_level, level) << name;
}

TEST(CliOptions, NoLogKeepsOnlyWarningsAndErrors) {
  EXPECT_EQ(parse({"--no-log"}).log_level, LogLevel::warn);
  EXPECT_EQ(parse({"--no-log", "--log-level", "debug"}).log_level, LogLevel::warn);
  EXPECT_EQ(parse({"--no-log", "--log-level", "error"}).log_level, LogLevel::error);
}

TEST(CliOptions, HelpAndVersionAreReportedWithoutValidation) {
  Parser p("auction", "A sealed-bid auction.");
  p.add_options()("bids", po::value<std::vector<int>>()->multitoken(), "the bids");
  const RunOptions help = p.parse({"auction", "-M", "3", "-I", "9", "--help"});
  EXPECT_EQ(help.action, Action::help);
  EXPECT_NE(help.text.find("Usage: auction"), std::string::npos);
  EXPECT_NE(help.text.find("A sealed-bid auction."), std::string::npos);
  EXPECT_NE(help.text.find("--bids"), std::string::npos);
  EXPECT_NE(help.text.find("-M [ --parties ] N"), std::string::npos) << help.text;
  EXPECT_EQ(help.text, p.help());
  EXPECT_EQ(p.parse({"auction", "-h"}).action, Action::help);

  const RunOptions version = p.parse({"auction", "--version"});
  EXPECT_EQ(version.action, Action::version);
  EXPECT_EQ(version.text.rfind("auction (meshmpc ", 0), 0u) << version.text;
  EXPECT_EQ(p.parse({"auction", "-V"}).action, Action::version);
}

TEST(CliOptions, ProgramOptionsComeBackInVars) {
  Parser p("auction", "");
  p.add_options()("bids", po::value<std::vector<int>>()->multitoken(), "the bids")(
      "reserve", po::value<int>()->default_value(7), "reserve price");
  const char* const argv[] = {"auction", "-M", "3", "--bids", "5", "9", "-I", "2"};
  const RunOptions o = p.parse(8, argv);
  EXPECT_EQ(o.vars["bids"].as<std::vector<int>>(), (std::vector<int>{5, 9}));
  EXPECT_EQ(o.vars["reserve"].as<int>(), 7);
  EXPECT_EQ(o.index, 2u);
  EXPECT_EQ(o.argv.size(), 8u);
}

TEST(CliOptions, PositionalArgumentsGoToTheProgramsOption) {
  Parser p("sum", "");
  p.add_options()("values", po::value<std::vector<int>>(), "values to add");
  p.positional().add("values", -1);
  const RunOptions o = p.parse({"sum", "1", "2", "3", "-M", "1"});
  EXPECT_EQ(o.vars["values"].as<std::vector<int>>(), (std::vector<int>{1, 2, 3}));
}

TEST(CliOptions, ProgramOptionErrorsAreConfigErrors) {
  Parser p("auction", "");
  p.add_options()("bids", po::value<std::vector<int>>()->multitoken()->required(), "the bids");
  EXPECT_THROW(p.parse({"auction"}), ConfigError);
  EXPECT_THROW(p.parse({"auction", "--bids", "x"}), ConfigError);
  EXPECT_NO_THROW(p.parse({"auction", "--bids", "1"}));
}

TEST(CliLogging, LoggerIsNamedAfterThePartyAtTheChosenLevel) {
  const auto logger = make_logger(parse({"-M", "3", "-I", "2", "--log-level", "debug"}));
  EXPECT_EQ(logger->name(), "party2");
  EXPECT_EQ(logger->level(), spdlog::level::debug);
  EXPECT_EQ(make_logger(parse({"--no-log"}))->level(), spdlog::level::warn);
  // A local launch's caller is party 0.
  EXPECT_EQ(make_logger(parse({"-M", "3"}))->name(), "party0");
}

}  // namespace
}  // namespace meshmpc::cli
