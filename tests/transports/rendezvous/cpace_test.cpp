// CPace over ristretto255 with SHA-512 against the test vectors of
// draft-irtf-cfrg-cpace-21 (appendix "Test vectors", "CPace using group ristretto255
// and hash SHA-512", and the string utilities' vectors), byte for byte; then the
// properties the code check relies on: equal inputs give equal keys, any
// different input a different one, invalid points abort.
#include <gtest/gtest.h>

#include <string>
#include <string_view>
#include <vector>

#include <meshmpc/rendezvous/cpace.hpp>

namespace {

using namespace meshmpc::rendezvous::cpace;

std::vector<std::byte> hex(std::string_view text) {
  std::vector<std::byte> out;
  std::string digits;
  for (const char c : text)
    if (c != ' ' && c != '\n') digits += c;
  for (std::size_t i = 0; i + 1 < digits.size(); i += 2)
    out.push_back(static_cast<std::byte>(std::stoul(digits.substr(i, 2), nullptr, 16)));
  return out;
}

template <std::size_t N>
std::array<std::byte, N> hex_array(std::string_view text) {
  const std::vector<std::byte> bytes = hex(text);
  std::array<std::byte, N> out{};
  EXPECT_EQ(bytes.size(), N);
  std::copy_n(bytes.begin(), std::min(N, bytes.size()), out.begin());
  return out;
}

std::vector<std::byte> text(std::string_view s) {
  const auto bytes = std::as_bytes(std::span(s));
  return {bytes.begin(), bytes.end()};
}

std::vector<std::byte> vec(std::span<const std::byte> s) { return {s.begin(), s.end()}; }

// The draft's inputs for the ristretto255 vectors.
const std::vector<std::byte> kPrs = text("Password");
const std::vector<std::byte> kCi = hex("0b415f696e69746961746f720b425f726573706f6e646572");
const std::vector<std::byte> kSid = hex("7e4b4791d6a8ef019b936c79fb7f2c57");
const std::vector<std::byte> kAda = text("ADa");
const std::vector<std::byte> kAdb = text("ADb");
const Scalar kYa = hex_array<32>("da3d23700a9e5699258aef94dc060dfda5ebb61f02a5ea77fad53f4ff0976d08");
const Scalar kYb = hex_array<32>("d2316b454718c35362d83d69df6320f38578ed5984651435e2949762d900b80d");
constexpr std::string_view kG = "222b6b195fe84b1652badb6f6a3ae3d24341e7306967f0b8115b40d5698c7e56";
constexpr std::string_view kYaPoint = "d6bac480f2c386c394efc7c47adb9925dcd2630b64f240c50f8d0eec482b9157";
constexpr std::string_view kYbPoint = "3ea7e0b19560d7c0b0f5734f63b955286dfa8232b5ebe63324e2d9e7433f7258";
constexpr std::string_view kK = "80b69a8a76457ab6a4d7f887a4bf6b55a2f80ac19c333f917a05fc9887c8b40f";

TEST(CpaceStrings, PrependLenMatchesTheDraft) {
  EXPECT_EQ(prepend_len({}), hex("00"));
  EXPECT_EQ(prepend_len(text("1234")), hex("0431323334"));
  std::vector<std::byte> range(128);
  for (std::size_t i = 0; i < range.size(); ++i) range[i] = static_cast<std::byte>(i);
  const auto len127 = prepend_len(std::span(range).first(127));
  ASSERT_EQ(len127.size(), 128U);
  EXPECT_EQ(len127[0], std::byte{0x7f});
  const auto len128 = prepend_len(range);
  ASSERT_EQ(len128.size(), 130U);
  EXPECT_EQ(len128[0], std::byte{0x80});
  EXPECT_EQ(len128[1], std::byte{0x01});
  EXPECT_EQ(len128[2], std::byte{0x00});
  EXPECT_EQ(len128[129], std::byte{0x7f});
}

TEST(CpaceStrings, LvCatOCatAndTranscriptsMatchTheDraft) {
  EXPECT_EQ(lv_cat({text("1234"), text("5"), text(""), text("678")}), hex("043132333401350003363738"));
  EXPECT_EQ(o_cat(text("ABCD"), text("BCD")), hex("6f6342434441424344"));
  EXPECT_EQ(o_cat(text("BCD"), text("ABCDE")), hex("6f634243444142434445"));
  // The draft's ordering cases: a longer string with an equal prefix is larger.
  EXPECT_EQ(o_cat(hex("00"), hex("0000")), hex("6f63000000"));
  EXPECT_EQ(o_cat(hex("0001"), hex("01")), hex("6f63010001"));
  EXPECT_EQ(transcript_ir(text("123"), text("PartyA"), text("234"), text("PartyB")),
            hex("03313233065061727479410332333406506172747942"));
  EXPECT_EQ(transcript_ir(text("3456"), text("PartyA"), text("2345"), text("PartyB")),
            hex("043334353606506172747941043233343506506172747942"));
  EXPECT_EQ(transcript_oc(text("123"), text("PartyA"), text("234"), text("PartyB")),
            hex("6f6303323334065061727479420331323306506172747941"));
  EXPECT_EQ(transcript_oc(text("3456"), text("PartyA"), text("2345"), text("PartyB")),
            hex("6f63043334353606506172747941043233343506506172747942"));
}

TEST(CpaceRistretto255, GeneratorMatchesTheDraft) {
  const auto dsi = text(kDsi);
  EXPECT_EQ(generator_string(dsi, kPrs, kCi, kSid, kHashBlockBytes),
            hex("11435061636552697374726574746f3235350850617373776f726464"
                "00000000000000000000000000000000000000000000000000000000"
                "00000000000000000000000000000000000000000000000000000000"
                "00000000000000000000000000000000000000000000000000000000"
                "00000000000000000000000000000000180b415f696e69746961746f"
                "720b425f726573706f6e646572107e4b4791d6a8ef019b936c79fb7f"
                "2c57"));
  EXPECT_EQ(vec(calculate_generator(kPrs, kCi, kSid)), hex(kG));
}

TEST(CpaceRistretto255, MessagesSecretPointAndIskMatchTheDraft) {
  const Point g = calculate_generator(kPrs, kCi, kSid);
  const Point ya_point = scalar_mult(kYa, g);
  const Point yb_point = scalar_mult(kYb, g);
  EXPECT_EQ(vec(ya_point), hex(kYaPoint));
  EXPECT_EQ(vec(yb_point), hex(kYbPoint));
  const Point k_a = scalar_mult_vfy(kYa, yb_point);
  const Point k_b = scalar_mult_vfy(kYb, ya_point);
  EXPECT_EQ(vec(k_a), hex(kK));
  EXPECT_EQ(vec(k_b), hex(kK));

  EXPECT_EQ(vec(isk_from_transcript(kSid, k_a, transcript_ir(ya_point, kAda, yb_point, kAdb))),
            hex("b69effbf61b51d56401c0f65601abe428de8206feaaf0e32198896dc"
                "ae7b35cd2b38950a39dfd5d4a79164614c2984f7daa460b588c1e80c"
                "3fa2068af7900447"));
  constexpr std::string_view kIskSymmetric =
      "544199d71f62f8d9a1fee55727e24fe4a45844593c2b6013c4fa3969"
      "d0e5debb2244675c0b43397cbb68d342b01fc0f98fc961469a25134d"
      "e9f0f813c1a57476";
  EXPECT_EQ(vec(isk_from_transcript(kSid, k_a, transcript_oc(ya_point, kAda, yb_point, kAdb))), hex(kIskSymmetric));
  // What the code check calls: each side with its own message first gets the same key.
  const auto isk_a = derive_isk_symmetric(kYa, kSid, ya_point, kAda, yb_point, kAdb);
  const auto isk_b = derive_isk_symmetric(kYb, kSid, yb_point, kAdb, ya_point, kAda);
  ASSERT_TRUE(isk_a && isk_b);
  EXPECT_EQ(vec(*isk_a), hex(kIskSymmetric));
  EXPECT_EQ(vec(*isk_b), hex(kIskSymmetric));
}

TEST(CpaceRistretto255, ScalarMultVfyMatchesTheDraftOnValidAndInvalidInputs) {
  const Scalar s = hex_array<32>("7cd0e075fa7955ba52c02759a6c90dbbfc10e6d40aea8d283e407d88cf538a05");
  const Point x = hex_array<32>("2c3c6b8c4f3800e7aef6864025b4ed79bd599117e427c41bd47d93d654b4a51c");
  const auto expected = hex("7c13645fe790a468f62c39beb7388e541d8405d1ade69d1778c5fe3e7f6b600e");
  EXPECT_EQ(vec(scalar_mult(s, x)), expected);
  EXPECT_EQ(vec(scalar_mult_vfy(s, x)), expected);
  // Y_i1 does not decode; Y_i2 is the identity: both give G.I.
  EXPECT_EQ(scalar_mult_vfy(s, hex("2b3c6b8c4f3800e7aef6864025b4ed79bd599117e427c41bd47d93d654b4a51c")), kIdentity);
  EXPECT_EQ(scalar_mult_vfy(s, kIdentity), kIdentity);
}

TEST(CpaceRistretto255, InvalidOrNonCanonicalPeerMessagesAbort) {
  const Point g = calculate_generator(kPrs, kCi, kSid);
  const Scalar y = sample_scalar();
  const Point ours = scalar_mult(y, g);
  // The identity, the draft's undecodable Y_i1, a non-canonical encoding (the
  // field prime p = 2^255 - 19 itself, which encodes 0 non-canonically), an
  // encoding with the top bit set, a "negative" field element (odd low byte),
  // and messages of the wrong length: each is an abort, never a key.
  std::vector<std::vector<std::byte>> bad{
      vec(kIdentity),
      hex("2b3c6b8c4f3800e7aef6864025b4ed79bd599117e427c41bd47d93d654b4a51c"),
      hex("edffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f"),
      hex(kYbPoint),
      hex(kYbPoint),
      hex(kYbPoint),
      std::vector<std::byte>{}};
  bad[3][31] |= std::byte{0x80};
  bad[4][0] |= std::byte{0x01};
  bad[5].pop_back();
  for (std::size_t i = 0; i < bad.size(); ++i) {
    EXPECT_EQ(scalar_mult_vfy(y, bad[i]), kIdentity) << "case " << i;
    EXPECT_FALSE(derive_isk_symmetric(y, kSid, ours, kAda, bad[i], kAdb)) << "case " << i;
  }
}

struct Inputs {
  std::vector<std::byte> prs, ci, sid;
};

// Both sides' keys from a fresh run where each side has its own inputs.
std::pair<Isk, Isk> run(const Inputs& a, const Inputs& b) {
  const Scalar ya = sample_scalar();
  const Scalar yb = sample_scalar();
  const Point ma = scalar_mult(ya, calculate_generator(a.prs, a.ci, a.sid));
  const Point mb = scalar_mult(yb, calculate_generator(b.prs, b.ci, b.sid));
  const auto ka = derive_isk_symmetric(ya, a.sid, ma, kAda, mb, kAdb);
  const auto kb = derive_isk_symmetric(yb, b.sid, mb, kAdb, ma, kAda);
  EXPECT_TRUE(ka && kb);
  return {ka.value_or(Isk{}), kb.value_or(Isk{})};
}

TEST(CpaceRistretto255, SameInputsGiveEqualKeysAndAnyDifferenceDifferentOnes) {
  const Inputs base{text("7-crossover-clockwork"), text("ci"), text("sid")};
  const auto [a, b] = run(base, base);
  EXPECT_EQ(a, b);
  EXPECT_NE(a, Isk{});
  // Fresh scalars: a second run with the same inputs gives another key.
  EXPECT_NE(run(base, base).first, a);

  Inputs other_prs = base;
  other_prs.prs = text("7-crossover-clockwark");
  Inputs other_ci = base;
  other_ci.ci = text("cj");
  Inputs other_sid = base;
  other_sid.sid = text("sie");
  for (const Inputs* changed : {&other_prs, &other_ci, &other_sid}) {
    const auto [x, y] = run(base, *changed);
    EXPECT_NE(x, y);
  }
}

}  // namespace
