// The rendezvous wire codec: every message round-trips through encode, frame and
// decode; every limit and malformed field is refused with a ProtocolError naming
// the message type and the field; a frame announcing more than the limit is
// refused before its body is read.
#include <gtest/gtest.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/use_future.hpp>
#include <boost/asio/write.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <chrono>
#include <functional>
#include <string>

#include <meshmpc/error.hpp>
#include <meshmpc/net/tls/credentials.hpp>
#include <meshmpc/rendezvous/messages.hpp>
#include <meshmpc/rendezvous/wire.hpp>

namespace {

using namespace meshmpc;
using namespace meshmpc::rendezvous;
namespace json = boost::json;
using Clock = std::chrono::steady_clock;

const std::string kFingerprint = "XJ4BNP4-PAHH6UO-QKBIDPF-3LRCEOI-YAGYNDS-YLXVHFZ-UCD7WD4-QACWWQW";
const std::string kToken(64, 'a');

const std::string& certificate() {
  static const std::string pem = [] {
    const std::string key = net::tls::generate_private_key(net::tls::KeyType::ed25519);
    net::tls::CertificateSpec spec;
    spec.common_name = "alice";
    return net::tls::self_signed_certificate(key, spec);
  }();
  return pem;
}

Join sample_join() {
  return {"team-7.a_b", 3, "alice", certificate(), {{"192.0.2.1", 4000}, {"::1", 4001}, {"alice.example", 65535}}};
}

// Through the wire's own text form, as a peer would see it.
json::object over_wire(const json::object& message) {
  const std::string bytes = frame(message);
  const auto header = std::as_bytes(std::span(bytes).first<kLengthBytes>());
  const std::size_t size = decode_length(std::span<const std::byte, kLengthBytes>(header.data(), kLengthBytes), "t");
  EXPECT_EQ(size, bytes.size() - kLengthBytes);
  return parse_body(std::string_view(bytes).substr(kLengthBytes), "test");
}

template <typename Decode>
void expect_refused(Decode decode, const json::object& message, const std::string& part) {
  try {
    decode(message);
    ADD_FAILURE() << "accepted " << json::serialize(message).substr(0, 200) << ", expected: " << part;
  } catch (const ProtocolError& e) {
    EXPECT_NE(std::string(e.what()).find(part), std::string::npos) << "message: " << e.what() << "\nexpected: " << part;
  }
}

// `message` with `field` set to `value` (or removed when value is null).
template <typename V>
json::object with(json::object message, std::string_view field, V&& v) {
  json::value value(std::forward<V>(v));
  if (value.is_null()) {
    message.erase(field);
  } else {
    message[field] = std::move(value);
  }
  return message;
}

TEST(RendezvousMessages, EveryMessageRoundTrips) {
  const Join join = sample_join();
  const Join j = decode_join(over_wire(encode(join)));
  EXPECT_EQ(j.session, join.session);
  EXPECT_EQ(j.expect, join.expect);
  EXPECT_EQ(j.name, join.name);
  EXPECT_EQ(j.certificate, join.certificate);
  ASSERT_EQ(j.endpoints.size(), 3u);
  EXPECT_EQ(j.endpoints[1].host, "::1");
  EXPECT_EQ(j.endpoints[1].port, 4001);
  EXPECT_EQ(j.endpoints[2].host, "alice.example");

  const Post p = decode_post(over_wire(encode(Post{4, "bWFzaw== \"quoted\" \\"})));
  EXPECT_EQ(p.round, 4u);
  EXPECT_EQ(p.data, "bWFzaw== \"quoted\" \\");

  const Relay r = decode_relay(over_wire(encode(Relay{"s", kToken, 255})));
  EXPECT_EQ(r.session, "s");
  EXPECT_EQ(r.token, kToken);
  EXPECT_EQ(r.peer, 255u);

  const Waiting w = decode_waiting(over_wire(encode(Waiting{5, {{"alice", kFingerprint}, {"bob", kFingerprint}}})));
  EXPECT_EQ(w.expect, 5u);
  ASSERT_EQ(w.joined.size(), 2u);
  EXPECT_EQ(w.joined[1].name, "bob");
  EXPECT_EQ(w.joined[1].fingerprint, kFingerprint);

  RosterMsg roster{"s", kToken, {}};
  roster.parties.push_back({"alice", certificate(), {{"10.0.0.1", 1}}, {"203.0.113.9", 50000}});
  roster.parties.push_back({"bob", certificate(), {}, {"2001:db8::1", 443}});
  const RosterMsg ro = decode_roster(over_wire(encode(roster)));
  EXPECT_EQ(ro.session, "s");
  EXPECT_EQ(ro.token, kToken);
  ASSERT_EQ(ro.parties.size(), 2u);
  EXPECT_EQ(ro.parties[0].certificate, certificate());
  EXPECT_EQ(ro.parties[0].endpoints.at(0).host, "10.0.0.1");
  EXPECT_EQ(ro.parties[0].reflexive.port, 50000);
  EXPECT_EQ(ro.parties[1].reflexive.host, "2001:db8::1");
  EXPECT_TRUE(ro.parties[1].endpoints.empty());

  const Round round = decode_round(over_wire(encode(Round{2, {"a", "", std::string(kMaxPostBytes, 'z')}})));
  EXPECT_EQ(round.round, 2u);
  ASSERT_EQ(round.data.size(), 3u);
  EXPECT_EQ(round.data[2].size(), kMaxPostBytes);

  (void)decode_relay_ready(over_wire(encode(RelayReady{})));
  EXPECT_EQ(decode_error(over_wire(encode(ErrorMsg{"busy"}))).message, "busy");
  EXPECT_EQ(message_type(encode(ErrorMsg{"busy"})), "error");
}

TEST(RendezvousMessages, JoinLimitsAndMalformedFieldsAreRefusedNamingTheField) {
  const json::object join = encode(sample_join());
  expect_refused(decode_join, with(join, "session", json::string(300, 'a')),
                 "join: 'session' is 300 characters, at most 64");
  expect_refused(decode_join, with(join, "session", "a b"), "join: 'session' holds ' ' at 1");
  expect_refused(decode_join, with(join, "session", ""), "join: 'session' is empty");
  expect_refused(decode_join, with(join, "session", 7), "join: 'session' is not a string");
  expect_refused(decode_join, with(join, "session", nullptr), "join: 'session' is missing");
  expect_refused(decode_join, with(join, "version", 2), "join: 'version' is 2");
  expect_refused(decode_join, with(join, "expect", 1), "join: 'expect' is 1, not in 2..256");
  expect_refused(decode_join, with(join, "expect", 257), "join: 'expect' is 257, not in 2..256");
  expect_refused(decode_join, with(join, "expect", -3), "join: 'expect' is -3");
  expect_refused(decode_join, with(join, "expect", 3.0), "join: 'expect' is not a whole number");
  expect_refused(decode_join, with(join, "expect", "3"), "join: 'expect' is not a whole number");
  expect_refused(decode_join, with(join, "expect", std::uint64_t{1} << 63), "join: 'expect' is 9223372036854775808");
  expect_refused(decode_join, with(join, "name", std::string(65, 'n')), "join: 'name' is 65 characters, at most 64");
  expect_refused(decode_join, with(join, "name", ""), "join: 'name' is empty");
  expect_refused(decode_join, with(join, "name", "al\x1b[31mice"), "join: 'name' holds byte 0x1b at 2");
  expect_refused(decode_join, with(join, "name", "\xc3\xa9"), "join: 'name' holds byte 0xc3 at 0");
  expect_refused(decode_join, with(join, "certificate", std::string(kMaxCertificatePem + 1, 'c')),
                 "join: 'certificate' is 8193 characters, at most 8192");
  expect_refused(decode_join, with(join, "certificate", std::string("x\ty")), "join: 'certificate' holds byte 0x09");
  json::array many;
  for (std::size_t i = 0; i <= kMaxEndpoints; ++i) many.emplace_back("10.0.0.1:1");
  expect_refused(decode_join, with(join, "endpoints", many), "join: 'endpoints' has 17 entries, at most 16");
  expect_refused(decode_join, with(join, "endpoints", "10.0.0.1:1"), "join: 'endpoints' is not an array");
  const auto endpoint = [&](auto v) {
    json::array one;
    one.emplace_back(std::move(v));
    return with(join, "endpoints", std::move(one));
  };
  expect_refused(decode_join, endpoint(5), "join: 'endpoints[0]' is not a string");
  expect_refused(decode_join, endpoint(std::string(70, 'h') + ".example:4000"),
                 "join: 'endpoints[0]' is 83 characters, at most 80");
  expect_refused(decode_join, endpoint("10.0.0.1"), "join: 'endpoints[0]' is not host:port");
  expect_refused(decode_join, endpoint("10.0.0.1:0"), "join: 'endpoints[0]' has port '0'");
  expect_refused(decode_join, endpoint("10.0.0.1:65536"), "join: 'endpoints[0]' has port '65536'");
  expect_refused(decode_join, endpoint("10.0.0.1:+80"), "join: 'endpoints[0]' has port '+80'");
  expect_refused(decode_join, endpoint(":80"), "join: 'endpoints[0]' has an empty host");
  expect_refused(decode_join, endpoint("::1:80"), "join: 'endpoints[0]' has an IPv6 address without brackets");
  expect_refused(decode_join, endpoint("[::1:80"), "join: 'endpoints[0]' has no ']'");
  expect_refused(decode_join, endpoint("[host]:80"), "join: 'endpoints[0]' has brackets around a host");
  expect_refused(decode_join, endpoint("a/b:80"), "join: 'endpoints[0]' holds '/' in its host");
  expect_refused(decode_join, with(join, "extra", 1), "join: 'extra' is not a field of this message");
  expect_refused(decode_join, with(join, "type", "post"), "expected a 'join' message, got 'post'");
}

TEST(RendezvousMessages, OtherMessagesLimitsAreRefusedNamingTheField) {
  const json::object post = encode(Post{1, "x"});
  expect_refused(decode_post, with(post, "round", 0), "post: 'round' is 0, not in 1..4");
  expect_refused(decode_post, with(post, "round", 5), "post: 'round' is 5, not in 1..4");
  expect_refused(decode_post, with(post, "data", std::string(kMaxPostBytes + 1, 'd')),
                 "post: 'data' is 49153 characters, at most 49152");
  expect_refused(decode_post, with(post, "data", std::string("a\nb")), "post: 'data' holds byte 0x0a at 1");
  expect_refused(decode_post, with(post, "data", nullptr), "post: 'data' is missing");

  const json::object relay = encode(Relay{"s", kToken, 1});
  expect_refused(decode_relay, with(relay, "token", std::string(63, 'a')), "relay: 'token' is 63 characters, not 64");
  expect_refused(decode_relay, with(relay, "token", std::string(65, 'a')), "relay: 'token' is 65 characters, at most 64");
  expect_refused(decode_relay, with(relay, "token", "A" + std::string(63, 'a')),
                 "relay: 'token' holds 'A' at 0, not a lower-case hex digit");
  expect_refused(decode_relay, with(relay, "peer", 256), "relay: 'peer' is 256, not in 0..255");
  expect_refused(decode_relay, with(relay, "session", "a:b"), "relay: 'session' holds ':' at 1");
  expect_refused(decode_relay, with(relay, "version", nullptr), "relay: 'version' is missing");

  const json::object waiting = encode(Waiting{2, {{"a", kFingerprint}}});
  json::array three;
  for (int i = 0; i < 3; ++i) three.push_back(json::object{{"name", "a"}, {"fingerprint", kFingerprint}});
  expect_refused(decode_waiting, with(waiting, "joined", three), "waiting: 'joined' has 3 entries, at most 2");
  expect_refused(decode_waiting, with(waiting, "joined", json::array{json::object{{"name", "a"}, {"fingerprint", "x"}}}),
                 "waiting: 'joined[0].fingerprint' is not a fingerprint");
  expect_refused(decode_waiting, with(waiting, "joined", json::array{json::object{{"name", "a"}}}),
                 "waiting: 'joined[0].fingerprint' is missing");
  expect_refused(decode_waiting, with(waiting, "joined", json::array{1}), "waiting: 'joined[0]' is not an object");

  RosterMsg roster_message{"s", kToken, {}};
  roster_message.parties.push_back({"alice", certificate(), {}, {"10.0.0.1", 1}});
  roster_message.parties.push_back({"bob", certificate(), {}, {"10.0.0.2", 2}});
  json::object roster = encode(roster_message);
  expect_refused(decode_roster, with(roster, "parties", json::array{roster["parties"].as_array()[0]}),
                 "roster: 'parties' has 1 entries, at least 2");
  json::object bad_party = roster;
  bad_party["parties"].as_array()[1].as_object()["reflexive"] = "10.0.0.2";
  expect_refused(decode_roster, bad_party, "roster: 'parties[1].reflexive' is not host:port");
  bad_party = roster;
  bad_party["parties"].as_array()[0].as_object()["name"] = std::string(65, 'n');
  expect_refused(decode_roster, bad_party, "roster: 'parties[0].name' is 65 characters, at most 64");

  const json::object round = encode(Round{1, {"a", "b"}});
  expect_refused(decode_round, with(round, "data", json::array{"a"}), "round: 'data' has 1 entries, at least 2");
  expect_refused(decode_round, with(round, "data", json::array{"a", 2}), "round: 'data[1]' is not a string");
  expect_refused(decode_error, encode(ErrorMsg{""}), "error: 'message' is empty");
  expect_refused(decode_error, with(encode(ErrorMsg{"x"}), "message", std::string(kMaxErrorText + 1, 'e')),
                 "error: 'message' is 16385 characters, at most 16384");
  expect_refused(decode_relay_ready, json::object{{"type", "relay_ready"}, {"x", 1}},
                 "relay_ready: 'x' is not a field of this message");

  expect_refused(message_type, json::object{{"session", "s"}}, "a rendezvous message has no 'type'");
  expect_refused(message_type, json::object{{"type", 1}}, "a rendezvous message's 'type' is not a string");
}

TEST(RendezvousWire, LengthsOutsideTheLimitAreRefused) {
  const std::array<std::byte, kLengthBytes> zero{};
  EXPECT_THROW(decode_length(zero, "peer"), ProtocolError);
  const auto over = encode_length(kMaxMessageBytes + 1);
  try {
    decode_length(over, "127.0.0.1:9");
    ADD_FAILURE() << "accepted an oversized length";
  } catch (const ProtocolError& e) {
    EXPECT_NE(std::string(e.what()).find("127.0.0.1:9 announced a message of 65537 bytes, more than the limit of 65536"),
              std::string::npos)
        << e.what();
  }
  EXPECT_EQ(decode_length(encode_length(kMaxMessageBytes), "peer"), kMaxMessageBytes);
  EXPECT_EQ(decode_length(over, "peer", kMaxServerMessageBytes), kMaxMessageBytes + 1);
  EXPECT_THROW(parse_body("{\"type\":", "peer"), ProtocolError);
  EXPECT_THROW(parse_body("[1,2]", "peer"), ProtocolError);
}

// A connected pair of loopback sockets.
struct SocketPair {
  boost::asio::io_context context;
  boost::asio::ip::tcp::socket ours{context};
  boost::asio::ip::tcp::socket theirs{context};
  SocketPair() {
    boost::asio::ip::tcp::acceptor acceptor(context, {boost::asio::ip::make_address("127.0.0.1"), 0});
    theirs.connect(acceptor.local_endpoint());
    acceptor.accept(ours);
  }
  // What read_message does within `limit` of wall time.
  std::function<json::object()> reader(Clock::duration deadline_after) {
    return [this, deadline_after] {
      auto future = boost::asio::co_spawn(context, read_message(ours, Clock::now() + deadline_after, "the peer"),
                                          boost::asio::use_future);
      context.run_for(std::chrono::seconds(10));
      context.restart();
      return future.get();
    };
  }
};

TEST(RendezvousWire, OversizedFrameIsRefusedBeforeItsBodyIsRead) {
  SocketPair pair;
  // Only the header: reading the body would wait out the 5 s deadline.
  const auto header = encode_length(std::size_t{1} << 30);
  boost::asio::write(pair.theirs, boost::asio::buffer(header));
  const auto start = Clock::now();
  EXPECT_THROW(pair.reader(std::chrono::seconds(5))(), ProtocolError);
  EXPECT_LT(Clock::now() - start, std::chrono::seconds(2));
}

TEST(RendezvousWire, MessageEndOfStreamAndTimeoutAreTold) {
  SocketPair pair;
  const std::string bytes = frame(encode(Post{1, "hello"}));
  boost::asio::write(pair.theirs, boost::asio::buffer(bytes));
  EXPECT_EQ(decode_post(pair.reader(std::chrono::seconds(5))()).data, "hello");
  try {
    pair.reader(std::chrono::milliseconds(50))();
    ADD_FAILURE() << "no timeout";
  } catch (const PeerError& e) {
    EXPECT_NE(std::string(e.what()).find("the peer sent nothing for"), std::string::npos) << e.what();
  }
  pair.theirs.close();
  try {
    pair.reader(std::chrono::seconds(5))();
    ADD_FAILURE() << "no end of stream";
  } catch (const PeerError& e) {
    EXPECT_EQ(std::string(e.what()), "the peer closed the connection");
  }
}

}  // namespace
