// Where a party's session secret comes from, and what the CLI refuses.
#include <meshmpc/cli/session_secret.hpp>

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "parse_util.hpp"

namespace meshmpc::cli {
namespace {

using test::contains;
using test::error_of;
using test::parse;

// A file removed when the test ends, whatever it does.
struct TempFile {
  explicit TempFile(const std::string& content)
      : path(std::filesystem::temp_directory_path() /
             ("meshmpc-secret-test-" + std::to_string(::getpid()) + "-" + std::to_string(counter++))) {
    std::ofstream(path) << content;
  }
  ~TempFile() { std::filesystem::remove(path); }
  std::filesystem::path path;
  static inline int counter = 0;
};

// Sets an environment variable for one scope.
struct ScopedVariable {
  ScopedVariable(const char* name_in, const std::string& value) : name(name_in) { ::setenv(name, value.c_str(), 1); }
  ~ScopedVariable() { ::unsetenv(name); }
  const char* name;
};

TEST(SessionSecret, NoneByDefault) {
  const RunOptions o = parse({"-M", "3", "-I", "1"});
  EXPECT_FALSE(o.session_passphrase);
  EXPECT_FALSE(o.session_key);
  EXPECT_FALSE(session_secret(o, net::session_id_from_text("prog")));
}

TEST(SessionSecret, TheFileGivesItsFirstLine) {
  TempFile file("tell no one\nsecond line\n");
  const RunOptions o = parse({"--session-secret-file", file.path.string()});
  EXPECT_EQ(o.session_passphrase, "tell no one");
}

TEST(SessionSecret, TheEnvironmentGivesAPassphrase) {
  ScopedVariable variable(kSessionSecretVariable, "from the environment");
  EXPECT_EQ(parse({}).session_passphrase, "from the environment");
  EXPECT_EQ(parse({"--session-secret", "typed"}).session_passphrase, "typed");  // the command line wins
}

TEST(SessionSecret, BadSourcesAreRefusedByName) {
  TempFile empty("\nsomething\n");
  EXPECT_TRUE(contains(error_of({"--session-secret-file", empty.path.string()}), "the first line is empty"));
  TempFile huge(std::string(kMaxPassphrase + 1, 'x'));
  EXPECT_TRUE(contains(error_of({"--session-secret-file", huge.path.string()}), "longer than 1024 bytes"));
  EXPECT_TRUE(contains(error_of({"--session-secret-file", "/nonexistent/secret"}),
                       "--session-secret-file '/nonexistent/secret': cannot read it (No such file or directory)"));
  EXPECT_TRUE(contains(error_of({"--session-secret-file", empty.path.string(), "--session-secret", "x"}),
                       "give only one of them"));
  EXPECT_TRUE(contains(error_of({"--session-secret", ""}), "the passphrase is empty"));
}

TEST(SessionSecret, TheLaunchersKeyIsTakenAndRemovedFromTheEnvironment) {
  const net::SessionSecret key = random_session_secret();
  ScopedVariable variable(kSessionKeyVariable, session_secret_to_hex(key));
  const RunOptions o = parse({"--session-secret", "a passphrase loses to the launcher's key"});
  EXPECT_EQ(o.session_key, key);
  EXPECT_EQ(std::getenv(kSessionKeyVariable), nullptr);
  EXPECT_EQ(session_secret(o, net::session_id_from_text("prog")), key);
}

TEST(SessionSecret, AMalformedLauncherKeyIsRefused) {
  ScopedVariable variable(kSessionKeyVariable, "abc");
  EXPECT_TRUE(contains(error_of({}), "$MESHMPC_SESSION_KEY: expected 64 hex digits"));
}

TEST(SessionSecret, PassphrasesAreStretchedAndSaltedWithTheSessionId) {
  const net::SessionId id = net::session_id_from_text("auction");
  const net::SessionSecret a = stretch_passphrase("correct horse", id);
  EXPECT_EQ(stretch_passphrase("correct horse", id), a);  // every party derives the same
  EXPECT_NE(stretch_passphrase("correct horsf", id), a);
  EXPECT_NE(stretch_passphrase("correct horse", net::session_id_from_text("vote")), a);
  EXPECT_NE(a, net::SessionSecret{});
}

}  // namespace
}  // namespace meshmpc::cli
