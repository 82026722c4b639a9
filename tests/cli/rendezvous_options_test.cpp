// The rendezvous transport on the command line: --join chooses it and --expect
// says n; every mistake is refused at parse time naming the option; --new-code
// prints a code that --code accepts.
#include <gtest/gtest.h>

#include <cstdio>
#include <fstream>

#include <meshmpc/cli/options.hpp>
#include <meshmpc/net/tls/credentials.hpp>
#include <meshmpc/rendezvous/session_code.hpp>

#include "parse_util.hpp"

namespace meshmpc::cli {
namespace {

using test::contains;
using test::error_of;
using test::parse;

TEST(RendezvousOptions, JoinChoosesTheTransportAndExpectGivesTheParties) {
  const RunOptions o = parse({"--join", "rv.example.org:7000/office-party", "--expect", "5"});
  EXPECT_EQ(o.action, Action::run);
  EXPECT_EQ(o.transport, "rendezvous");
  EXPECT_EQ(o.parties, 5u);
  EXPECT_FALSE(o.index.has_value());
  EXPECT_FALSE(o.local_launch());
  EXPECT_EQ(o.threshold, 2u);
  // -M may repeat it, not contradict it.
  EXPECT_EQ(parse({"--join", "127.0.0.1:7000/x", "--expect", "3", "-M", "3"}).parties, 3u);
  EXPECT_TRUE(contains(error_of({"--join", "127.0.0.1:7000/x", "--expect", "3", "-M", "4"}),
                       "-M/--parties 4 does not match the 3 parties"));
}

TEST(RendezvousOptions, MistakesAreRefusedNamingTheOption) {
  EXPECT_TRUE(contains(error_of({"--join", "127.0.0.1:7000/x"}), "--join needs --expect N"));
  EXPECT_TRUE(contains(error_of({"--join", "127.0.0.1:7000", "--expect", "3"}), "expected host:port/session-name"));
  EXPECT_TRUE(contains(error_of({"--join", "127.0.0.1/x", "--expect", "3"}), "needs a host and a port"));
  EXPECT_TRUE(contains(error_of({"--join", "127.0.0.1:7000/a b", "--expect", "3"}), "--join"));
  EXPECT_TRUE(contains(error_of({"--join", "127.0.0.1:7000/x", "--expect", "1"}), "--expect"));
  EXPECT_TRUE(contains(error_of({"--join", "127.0.0.1:7000/x", "--expect", "257"}), "--expect"));
  EXPECT_TRUE(contains(error_of({"--join", "127.0.0.1:7000/x", "--expect", "3", "-I", "1"}), "drop -I, -P and -C"));
  EXPECT_TRUE(contains(error_of({"--join", "127.0.0.1:7000/x", "--expect", "3", "--code", "7-nope-nope"}), "--code"));
  EXPECT_TRUE(contains(error_of({"--join", "127.0.0.1:7000/x", "--expect", "3", "--expect-fingerprints", "ABC"}),
                       "--expect-fingerprints"));
  EXPECT_TRUE(contains(error_of({"--join", "127.0.0.1:7000/x", "--expect", "3", "--party-name", std::string(65, 'a')}),
                       "--party-name"));
  EXPECT_TRUE(contains(error_of({"--join", "127.0.0.1:7000/x", "--expect", "3", "--ssl-key", "k.key"}),
                       "--ssl-key and --ssl-cert go together"));
  EXPECT_TRUE(contains(error_of({"--join", "127.0.0.1:7000/x", "--expect", "3", "--insecure-plaintext"}),
                       "do not apply"));
  EXPECT_TRUE(contains(error_of({"--transport", "rendezvous", "-M", "3"}), "needs --join"));
  EXPECT_TRUE(contains(error_of({"--new-code", "--join", "127.0.0.1:7000/x", "--expect", "3"}), "leave out --join"));
}

TEST(RendezvousOptions, NewCodePrintsACodeThatCodeAccepts) {
  const RunOptions o = parse({"--new-code"});
  EXPECT_EQ(o.action, Action::print);
  ASSERT_FALSE(o.text.empty());
  EXPECT_EQ(o.text.back(), '\n');
  const std::string code = o.text.substr(0, o.text.size() - 1);
  EXPECT_EQ(rendezvous::normalise_session_code(code, "test"), code);
  EXPECT_EQ(parse({"--join", "127.0.0.1:7000/x", "--expect", "3", "--code", code}).action, Action::run);
  // Without --new-code, the switch's default does not print.
  EXPECT_EQ(parse({"--join", "127.0.0.1:7000/x", "--expect", "3"}).action, Action::run);
}

TEST(RendezvousOptions, ExpectedFingerprintsFromAListOrAFile) {
  const std::string key = net::tls::generate_private_key(net::tls::KeyType::ed25519);
  net::tls::CertificateSpec spec;
  spec.common_name = "a";
  const std::string fp =
      net::tls::format_fingerprint(net::tls::fingerprint_of_pem(net::tls::self_signed_certificate(key, spec), "t"));
  EXPECT_EQ(parse({"--join", "127.0.0.1:7000/x", "--expect", "2", "--expect-fingerprints", fp + "," + fp}).action,
            Action::run);
  const std::string file = ::testing::TempDir() + "/expected-fingerprints";
  {
    std::ofstream out(file);
    out << "# the friends' keys\n" << fp << "  # alice\n\n";
  }
  EXPECT_EQ(parse({"--join", "127.0.0.1:7000/x", "--expect", "2", "--expect-fingerprints", "@" + file}).action,
            Action::run);
  EXPECT_TRUE(contains(error_of({"--join", "127.0.0.1:7000/x", "--expect", "2", "--expect-fingerprints",
                                 "@/nonexistent/file"}),
                       "cannot read the file"));
  std::remove(file.c_str());
}

}  // namespace
}  // namespace meshmpc::cli
