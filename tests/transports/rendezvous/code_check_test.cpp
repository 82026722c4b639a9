// The session code check among n = 3 and 5 parties, each with its own CodeCheck,
// exchanging their blobs in-process as the rendezvous would pass them on. What each
// party's check names is compared with a plain computation: party i must name j
// exactly when their inputs for the pair differ (code, roster hash, or the two
// fingerprints each saw), or j's blob was tampered with on its way to i.
#include <gtest/gtest.h>
#include <sodium.h>

#include <algorithm>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <type_traits>
#include <vector>

#include <meshmpc/error.hpp>
#include <meshmpc/rendezvous/code_check.hpp>
#include <meshmpc/rendezvous/session_code.hpp>

namespace {

using namespace meshmpc;
using namespace meshmpc::rendezvous;
using net::tls::Fingerprint;
using Blobs = std::vector<std::vector<std::byte>>;
using RosterHash = std::array<std::byte, 32>;

// Callers that handle peers' faults in general catch PeerError.
static_assert(std::is_base_of_v<PeerError, CodeCheckError>);

template <std::size_t N>
std::array<std::byte, N> random_bytes() {
  std::array<std::byte, N> out{};
  randombytes_buf(out.data(), out.size());
  return out;
}

// What each party believes: its code, the roster hash and the fingerprints it saw.
struct View {
  std::string code;
  RosterHash roster_hash{};
  std::vector<Fingerprint> parties;
};

std::vector<View> honest_views(std::size_t n) {
  EXPECT_GE(sodium_init(), 0);
  View view{new_session_code(), random_bytes<32>(), {}};
  for (std::size_t i = 0; i < n; ++i) view.parties.push_back(random_bytes<32>());
  std::sort(view.parties.begin(), view.parties.end());  // roster order
  return std::vector<View>(n, view);
}

// The plain computation: the pair {i, j} agrees when both hold the same code and
// roster hash and see the same two fingerprints at i and j.
std::vector<std::size_t> expected_named(const std::vector<View>& views, std::size_t i) {
  std::vector<std::size_t> named;
  for (std::size_t j = 0; j < views.size(); ++j) {
    if (j == i) continue;
    const View& a = views[i];
    const View& b = views[j];
    const bool agree = a.code == b.code && a.roster_hash == b.roster_hash && a.parties[i] == b.parties[i] &&
                       a.parties[j] == b.parties[j];
    if (!agree) named.push_back(j);
  }
  return named;
}

// Changes what party `to` receives as party `from`'s blob (an attacker in the middle).
using Tamper = std::function<void(std::size_t from, std::size_t to, std::vector<std::byte>& blob)>;

struct Outcome {
  // Per party: the parties its second_message or check named (empty: passed).
  std::vector<std::vector<std::size_t>> named;
  std::vector<std::string> messages;
};

Outcome run(const std::vector<View>& views, const Tamper& tamper_first = {}, const Tamper& tamper_second = {}) {
  const std::size_t n = views.size();
  std::vector<std::unique_ptr<CodeCheck>> checks;
  for (std::size_t i = 0; i < n; ++i)
    checks.push_back(std::make_unique<CodeCheck>(views[i].code, views[i].roster_hash, views[i].parties, i));
  Blobs first;
  for (const auto& c : checks) first.push_back(c->first_message());

  Outcome out{std::vector<std::vector<std::size_t>>(n), std::vector<std::string>(n)};
  std::vector<std::optional<std::vector<std::byte>>> second(n);
  for (std::size_t i = 0; i < n; ++i) {
    Blobs received = first;
    if (tamper_first)
      for (std::size_t j = 0; j < n; ++j)
        if (j != i) tamper_first(j, i, received[j]);
    received[i].clear();  // "ours included or empty"
    try {
      second[i] = checks[i]->second_message(received);
    } catch (const CodeCheckError& e) {
      out.named[i] = e.parties();
      out.messages[i] = e.what();
    }
  }
  for (std::size_t i = 0; i < n; ++i) {
    if (!second[i]) continue;
    Blobs received(n);
    for (std::size_t j = 0; j < n; ++j) {
      if (j == i) continue;
      // A party that stopped in round 2 sends nothing: its peers see an empty blob.
      received[j] = second[j].value_or(std::vector<std::byte>{});
      if (tamper_second) tamper_second(j, i, received[j]);
    }
    try {
      checks[i]->check(received);
    } catch (const CodeCheckError& e) {
      out.named[i] = e.parties();
      out.messages[i] = e.what();
    }
  }
  return out;
}

std::string name_of(const View& view, std::size_t party) {
  return "party " + std::to_string(party) + " (" + net::tls::format_fingerprint(view.parties[party]) + ")";
}

class CodeCheckN : public ::testing::TestWithParam<std::size_t> {};

TEST_P(CodeCheckN, AllPassWithTheSameCodeAndRoster) {
  const auto views = honest_views(GetParam());
  const Outcome out = run(views);
  for (std::size_t i = 0; i < views.size(); ++i) EXPECT_TRUE(out.named[i].empty()) << i << ": " << out.messages[i];
}

TEST_P(CodeCheckN, AWrongCodeIsNamedByEveryHonestPartyAndOnlyIt) {
  const std::size_t n = GetParam();
  for (std::size_t wrong = 0; wrong < n; ++wrong) {
    auto views = honest_views(n);
    do views[wrong].code = new_session_code();
    while (views[wrong].code == views[0 == wrong ? 1 : 0].code);
    const Outcome out = run(views);
    for (std::size_t i = 0; i < n; ++i) {
      EXPECT_EQ(out.named[i], expected_named(views, i)) << "party " << i << ": " << out.messages[i];
      if (i != wrong) {
        EXPECT_EQ(out.named[i], std::vector<std::size_t>{wrong});
        EXPECT_NE(out.messages[i].find(name_of(views[i], wrong) +
                                       " does not know the session code, or the roster it saw differs"),
                  std::string::npos)
            << out.messages[i];
      }
    }
    EXPECT_EQ(out.named[wrong].size(), n - 1);
  }
}

TEST_P(CodeCheckN, TwoWrongCodesAreBothNamed) {
  const std::size_t n = GetParam();
  auto views = honest_views(n);
  views[0].code = "1-acorn-zebra";
  views[n - 1].code = "2-acorn-zebra";
  const Outcome out = run(views);
  for (std::size_t i = 0; i < n; ++i) EXPECT_EQ(out.named[i], expected_named(views, i)) << out.messages[i];
  EXPECT_EQ(out.named[1], (std::vector<std::size_t>{0, n - 1}));
  EXPECT_NE(out.messages[1].find(" do not know the session code, or the rosters they saw differ"), std::string::npos);
}

TEST_P(CodeCheckN, ADifferentRosterHashIsNamed) {
  const std::size_t n = GetParam();
  auto views = honest_views(n);
  const std::size_t odd = n / 2;
  views[odd].roster_hash[31] ^= std::byte{1};
  const Outcome out = run(views);
  for (std::size_t i = 0; i < n; ++i) {
    EXPECT_EQ(out.named[i], expected_named(views, i)) << out.messages[i];
    if (i != odd) {
      EXPECT_EQ(out.named[i], std::vector<std::size_t>{odd});
    }
  }
}

// A rendezvous puts its own key in place of party k's: the honest parties see the
// impostor's fingerprint at k. Without the code it can only guess one.
TEST_P(CodeCheckN, ASubstitutedKeyWithAGuessedCodeIsNamed) {
  const std::size_t n = GetParam();
  auto views = honest_views(n);
  const std::size_t k = n - 1;
  const Fingerprint impostor = random_bytes<32>();
  for (auto& view : views) view.parties[k] = impostor;
  do views[k].code = new_session_code();
  while (views[k].code == views[0].code);
  const Outcome out = run(views);
  for (std::size_t i = 0; i < k; ++i) EXPECT_EQ(out.named[i], std::vector<std::size_t>{k}) << out.messages[i];
}

// The fingerprints are bound pairwise even when the roster hash agrees: a party
// that sees another key at k than k itself fails with k, and only with k.
TEST_P(CodeCheckN, AFingerprintSeenDifferentlyIsNamedByBothEnds) {
  const std::size_t n = GetParam();
  auto views = honest_views(n);
  const std::size_t k = 1;
  views[0].parties[k] = random_bytes<32>();
  const Outcome out = run(views);
  for (std::size_t i = 0; i < n; ++i) EXPECT_EQ(out.named[i], expected_named(views, i)) << out.messages[i];
  EXPECT_EQ(out.named[0], std::vector<std::size_t>{k});
  EXPECT_EQ(out.named[k], std::vector<std::size_t>{0});
  for (std::size_t i = 2; i < n; ++i) EXPECT_TRUE(out.named[i].empty()) << out.messages[i];
}

INSTANTIATE_TEST_SUITE_P(Parties, CodeCheckN, ::testing::Values(3U, 5U));

// Every honest party's error for a blob from `bad` that is malformed in round 1.
void expect_round1_fault(const std::vector<View>& views, std::size_t bad, const Tamper& tamper,
                         std::string_view fault) {
  const Outcome out = run(views, tamper);
  for (std::size_t i = 0; i < views.size(); ++i) {
    if (i == bad) continue;
    EXPECT_EQ(out.named[i], std::vector<std::size_t>{bad}) << out.messages[i];
    EXPECT_NE(out.messages[i].find(name_of(views[i], bad) + ": " + std::string(fault)), std::string::npos)
        << out.messages[i];
  }
}

TEST(CodeCheckBlobs, MalformedRoundOneBlobsAreRefusedNamingTheSender) {
  const auto views = honest_views(5);
  const std::size_t bad = 3;
  const auto only = [bad](auto change) {
    return [bad, change](std::size_t from, std::size_t, std::vector<std::byte>& blob) {
      if (from == bad) change(blob);
    };
  };
  expect_round1_fault(views, bad, only([](auto& b) { b.pop_back(); }),
                      "its CPace message is 160 bytes, not 161 (1 + 32 × 5)");
  expect_round1_fault(views, bad, only([](auto& b) { b.push_back(std::byte{0}); }),
                      "its CPace message is 162 bytes, not 161");
  expect_round1_fault(views, bad, only([](auto& b) { b.clear(); }), "its CPace message is 0 bytes");
  expect_round1_fault(views, bad, only([](auto& b) { b.resize(1 << 20); }), "its CPace message is 1048576 bytes");
  expect_round1_fault(views, bad, only([](auto& b) { b[0] = std::byte{0x02}; }),
                      "its CPace message starts with 0x02, not 0x01");
  expect_round1_fault(views, bad, only([bad](auto& b) { b[1 + 32 * bad] = std::byte{1}; }),
                      "its CPace message has a non-zero slot for itself");
}

TEST(CodeCheckBlobs, IdentityNonCanonicalAndReflectedPointsAreRefused) {
  const auto views = honest_views(3);
  const std::size_t bad = 2;
  const std::string invalid = "its CPace message for us is not a ristretto255 group element (or is the identity)";
  // The identity (32 zero bytes) in the slot for the receiver.
  expect_round1_fault(views, bad,
                      [bad](std::size_t from, std::size_t to, std::vector<std::byte>& blob) {
                        if (from == bad) std::fill_n(blob.begin() + 1 + 32 * static_cast<long>(to), 32, std::byte{0});
                      },
                      invalid);
  // Non-canonical: the top bit set (no canonical encoding has it).
  expect_round1_fault(views, bad,
                      [bad](std::size_t from, std::size_t to, std::vector<std::byte>& blob) {
                        if (from == bad) blob[32 + 32 * to] |= std::byte{0x80};
                      },
                      invalid);
  // Reflected: the receiver's own message to `bad` comes back as bad's message to it.
  Blobs first;
  {
    std::vector<std::unique_ptr<CodeCheck>> checks;
    for (std::size_t i = 0; i < 3; ++i) checks.push_back(std::make_unique<CodeCheck>(views[i].code, views[i].roster_hash, views[i].parties, i));
    for (const auto& c : checks) first.push_back(c->first_message());
    Blobs received = first;
    // Party 0 gets back, as party 2's message for it, its own message for party 2.
    std::copy_n(first[0].begin() + 1 + 32 * bad, 32, received[bad].begin() + 1);
    try {
      (void)checks[0]->second_message(received);
      ADD_FAILURE() << "a reflected CPace message was accepted";
    } catch (const CodeCheckError& e) {
      EXPECT_EQ(e.parties(), std::vector<std::size_t>{bad});
      EXPECT_NE(std::string(e.what()).find("it sent back our own CPace message"), std::string::npos) << e.what();
    }
  }
}

TEST(CodeCheckBlobs, MalformedRoundTwoBlobsAreNamed) {
  const auto views = honest_views(3);
  const std::size_t bad = 0;
  const auto cut = [bad](std::size_t from, std::size_t, std::vector<std::byte>& blob) {
    if (from == bad && !blob.empty()) blob.pop_back();
  };
  const Outcome out = run(views, {}, cut);
  for (std::size_t i = 1; i < 3; ++i) {
    EXPECT_EQ(out.named[i], std::vector<std::size_t>{bad});
    EXPECT_NE(out.messages[i].find(name_of(views[i], bad) + ": its confirmation is 96 bytes, not 97"),
              std::string::npos)
        << out.messages[i];
  }
  EXPECT_TRUE(out.named[bad].empty());
  // A round-1 blob where a round-2 blob belongs is refused by its kind.
  const auto swap_kind = [bad](std::size_t from, std::size_t, std::vector<std::byte>& blob) {
    if (from == bad) blob[0] = std::byte{0x01};
  };
  EXPECT_NE(run(views, {}, swap_kind).messages[1].find("its confirmation starts with 0x01, not 0x02"),
            std::string::npos);
}

// A tag reflected to its maker (party i's tag for j, given back to i as j's tag for
// i) does not verify: the two directions' tags differ.
TEST(CodeCheckBlobs, AReflectedConfirmationDoesNotVerify) {
  const auto views = honest_views(3);
  std::vector<std::unique_ptr<CodeCheck>> checks;
  for (std::size_t i = 0; i < 3; ++i)
    checks.push_back(std::make_unique<CodeCheck>(views[i].code, views[i].roster_hash, views[i].parties, i));
  Blobs first;
  for (const auto& c : checks) first.push_back(c->first_message());
  Blobs second;
  for (const auto& c : checks) second.push_back(c->second_message(first));
  for (std::size_t i = 0; i < 3; ++i) EXPECT_NO_THROW(checks[i]->check(second));

  Blobs reflected = second;
  // Party 1's blob as party 0 receives it: slot 0 holds party 0's own tag for 1.
  std::copy_n(second[0].begin() + 1 + 32 * 1, 32, reflected[1].begin() + 1);
  try {
    checks[0]->check(reflected);
    ADD_FAILURE() << "a reflected confirmation verified";
  } catch (const CodeCheckError& e) {
    EXPECT_EQ(e.parties(), std::vector<std::size_t>{1});
  }
  // Any flipped bit of a tag fails too.
  Blobs flipped = second;
  flipped[2][1 + 32 * 1 + 7] ^= std::byte{0x10};
  try {
    checks[1]->check(flipped);
    ADD_FAILURE() << "a changed confirmation verified";
  } catch (const CodeCheckError& e) {
    EXPECT_EQ(e.parties(), std::vector<std::size_t>{2});
  }
}

TEST(CodeCheckSetup, RefusesWhatCannotWork) {
  const auto views = honest_views(3);
  const View& v = views[0];
  const auto error_of = [&](std::string_view code, std::vector<Fingerprint> parties, std::size_t self) -> std::string {
    try {
      CodeCheck check(code, v.roster_hash, parties, self);
    } catch (const ConfigError& e) {
      return e.what();
    }
    return "(no error)";
  };
  EXPECT_NE(error_of("7 Acorn zebra", v.parties, 0).find("in its normalised form"), std::string::npos);
  // The code is not repeated in the message (it is the session's secret).
  const std::string not_a_code = error_of("7-acorn-zebr", v.parties, 0);
  EXPECT_NE(not_a_code.find("not a session code in its normalised form"), std::string::npos);
  EXPECT_EQ(not_a_code.find("zebr"), std::string::npos) << not_a_code;
  EXPECT_NE(error_of("7-acorn-zebra", {v.parties[0]}, 0).find("1 parties, it needs 2 to 1024"), std::string::npos);
  EXPECT_NE(error_of("7-acorn-zebra", v.parties, 3).find("our index 3 is not below n = 3"), std::string::npos);
  EXPECT_NE(error_of("7-acorn-zebra", {v.parties[0], v.parties[1], v.parties[0]}, 0).find("one fingerprint"),
            std::string::npos);

  CodeCheck check(v.code, v.roster_hash, v.parties, 0);
  EXPECT_THROW(check.check(Blobs(3)), Error);
  EXPECT_THROW((void)check.second_message(Blobs(2)), RangeError);
}

}  // namespace
