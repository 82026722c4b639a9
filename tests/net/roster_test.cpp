#include <meshmpc/net/roster.hpp>

#include <gtest/gtest.h>

#include <meshmpc/error.hpp>

namespace meshmpc::net {
namespace {

Roster three_parties() {
  Roster roster;
  roster.session_id = session_id_from_text("s");
  roster.parties = {{0, "alice", {{"127.0.0.1", 4000}}, ""},
                    {1, "bob", {{"::1", 4001}}, ""},
                    {2, "carol", {{"localhost", 4002}}, ""}};
  return roster;
}

void expect_config_error(const Roster& roster, const std::string& fault) {
  try {
    roster.validate_dialable();
    FAIL() << "no ConfigError for " << fault;
  } catch (const ConfigError& error) {
    EXPECT_NE(std::string(error.what()).find(fault), std::string::npos) << error.what();
  }
}

TEST(Roster, ValidRosterPasses) {
  EXPECT_NO_THROW(three_parties().validate_dialable());
  EXPECT_EQ(three_parties().size(), 3u);
}

TEST(Roster, RejectsNoParties) { expect_config_error(Roster{}, "no parties"); }

TEST(Roster, RejectsIdsOutOfOrder) {
  Roster roster = three_parties();
  roster.parties[1].id = 2;
  expect_config_error(roster, "entry 1 (bob) has id 2");
}

TEST(Roster, RejectsDuplicateNames) {
  Roster roster = three_parties();
  roster.parties[2].name = "alice";
  expect_config_error(roster, "name 'alice' is used by more than one party");
}

TEST(Roster, RejectsEmptyName) {
  Roster roster = three_parties();
  roster.parties[1].name.clear();
  expect_config_error(roster, "party 1 has no name");
}

TEST(Roster, RejectsEmptyHost) {
  Roster roster = three_parties();
  roster.parties[2].endpoints[0].host.clear();
  expect_config_error(roster, "party 2 (carol) has an endpoint with an empty host");
}

TEST(Roster, RejectsTwoPartiesAtOneAddressNamingBoth) {
  Roster roster = three_parties();
  roster.parties[2].endpoints = {{"LOCALHOST", 9000}, {"127.0.0.1", 4000}};
  expect_config_error(roster, "roster: party 0 (alice) and party 2 (carol) both have the address 127.0.0.1:4000");
}

TEST(Roster, PortZeroEndpointsAreFilledLaterAndMayRepeat) {
  Roster roster = three_parties();
  for (PartyInfo& party : roster.parties) party.endpoints = {{"127.0.0.1", 0}};
  EXPECT_NO_THROW(roster.validate());
  roster.parties[0].endpoints.push_back({"127.0.0.1", 0});  // one party repeating itself is harmless
  EXPECT_NO_THROW(roster.validate());
}

TEST(Roster, DialableNeedsAPort) {
  Roster roster = three_parties();
  roster.parties[0].endpoints[0].port = 0;
  EXPECT_NO_THROW(roster.validate());
  expect_config_error(roster, "party 0 (alice) has no endpoint with a port");
}

TEST(Roster, PartyOutOfRangeIsRangeError) {
  EXPECT_EQ(three_parties().party(2).name, "carol");
  EXPECT_THROW(three_parties().party(3), RangeError);
}

TEST(Roster, DescribesPartiesAndEndpoints) {
  const Roster roster = three_parties();
  EXPECT_EQ(describe(roster.party(2)), "party 2 (carol)");
  EXPECT_EQ(to_string(roster.party(0).endpoints[0]), "127.0.0.1:4000");
  EXPECT_EQ(to_string(roster.party(1).endpoints[0]), "[::1]:4001");
  EXPECT_EQ(to_string(roster.party(2).endpoints[0]), "localhost:4002");
}

TEST(Roster, SessionIdFromTextPadsAndTruncates) {
  const SessionId short_id = session_id_from_text("ab");
  EXPECT_EQ(short_id[0], std::byte{'a'});
  EXPECT_EQ(short_id[1], std::byte{'b'});
  EXPECT_EQ(short_id[2], std::byte{0});
  EXPECT_EQ(session_id_from_text("0123456789abcdefXYZ"), session_id_from_text("0123456789abcdef"));
}

}  // namespace
}  // namespace meshmpc::net
