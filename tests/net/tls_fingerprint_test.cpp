// Fingerprints: known answers from independent tools, the round trip, every
// forgiving variant, and every single-character typo caught as a typo.
#include <meshmpc/net/tls/fingerprint.hpp>

#include <gtest/gtest.h>

#include <random>

#include <meshmpc/error.hpp>

namespace meshmpc::net::tls {
namespace {

Fingerprint from_hex(std::string_view hex) {
  Fingerprint out{};
  for (std::size_t i = 0; i < out.size(); ++i) {
    out[i] = static_cast<std::byte>(std::stoul(std::string(hex.substr(2 * i, 2)), nullptr, 16));
  }
  return out;
}

// The message of the ConfigError parse_fingerprint throws ("" if it accepts).
std::string error_of(std::string_view text) {
  try {
    parse_fingerprint(text, "test roster");
  } catch (const ConfigError& e) {
    return e.what();
  }
  return "";
}

// SHA-256("abc"), FIPS 180-2 appendix B.1. Its text was computed by a Python
// one-off (base64.b32encode, then Syncthing's luhn32 per 13 characters), checked
// first against Syncthing's own luhn32 test vectors (WG2IWWALPC2HZ -> H,
// KHQNO2S5QSILR -> K, MFZWI3DBONSGY -> C).
constexpr std::string_view kAbcHex = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad";
constexpr std::string_view kAbcText = "XJ4BNP4-PAHH6UO-QKBIDPF-3LRCEOI-YAGYNDS-YLXVHFZ-UCD7WD4-QACWWQW";

TEST(TlsFingerprint, DigestOfDerMatchesSha256sum) {
  // The bytes 0x00..0xff; digest from `sha256sum` on a file holding them
  // (python3 -c "import sys; sys.stdout.buffer.write(bytes(range(256)))").
  std::array<std::byte, 256> bytes{};
  for (std::size_t i = 0; i < bytes.size(); ++i) bytes[i] = static_cast<std::byte>(i);
  const Fingerprint fp = fingerprint_of_der(bytes);
  EXPECT_EQ(fp, from_hex("40aff2e9d2d8922e47afd4648e6967497158785fbd1da870e7110266bf944880"));
  // The same Python one-off as for kAbcText.
  EXPECT_EQ(format_fingerprint(fp), "ICX7F2O-S3CJC4J-R5P2RSI-42LHJFL-YVQ6C7X-UO2Q4H4-HCEBGNP-4UJCAA7");
}

TEST(TlsFingerprint, FormatsKnownDigests) {
  EXPECT_EQ(format_fingerprint(from_hex(kAbcHex)), kAbcText);
  const std::array<std::byte, 3> abc{std::byte{'a'}, std::byte{'b'}, std::byte{'c'}};
  EXPECT_EQ(fingerprint_of_der(abc), from_hex(kAbcHex));
  // Edges: all zero bits and all one bits (the last character holds 1 bit + 4 zeros).
  EXPECT_EQ(format_fingerprint(Fingerprint{}), "AAAAAAA-AAAAAAA-AAAAAAA-AAAAAAA-AAAAAAA-AAAAAAA-AAAAAAA-AAAAAAA");
  Fingerprint ones{};
  ones.fill(std::byte{0xff});
  EXPECT_EQ(format_fingerprint(ones), "7777777-777777N-7777777-777777N-7777777-777777N-7777777-77777Q4");
}

TEST(TlsFingerprint, RoundTripsRandomDigests) {
  std::mt19937_64 rng(20260503);
  for (int run = 0; run < 2000; ++run) {
    Fingerprint fp{};
    for (std::byte& b : fp) b = static_cast<std::byte>(rng() & 0xff);
    const std::string text = format_fingerprint(fp);
    ASSERT_EQ(text.size(), 63u);
    for (std::size_t i = 7; i < text.size(); i += 8) ASSERT_EQ(text[i], '-') << text;
    ASSERT_EQ(parse_fingerprint(text, "test"), fp) << text;
  }
}

TEST(TlsFingerprint, ForgivesCaseSpacesDashesAndLookAlikes) {
  const Fingerprint expected = from_hex(kAbcHex);
  std::string lower(kAbcText);
  for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  std::string no_dashes;
  std::string spaces;
  for (char c : kAbcText) {
    if (c != '-') no_dashes += c;
    spaces += c == '-' ? ' ' : c;
  }
  // kAbcText holds B, O and I, typed here as the digits people take them for.
  std::string digits(kAbcText);
  for (char& c : digits) {
    if (c == 'B') c = '8';
    if (c == 'O') c = '0';
    if (c == 'I') c = '1';
  }
  ASSERT_NE(digits, kAbcText);
  const std::string variants[] = {std::string(kAbcText), lower, no_dashes, spaces, digits,
                                  "  " + std::string(kAbcText) + "\t", "xj4b np4p ahh6 uoqk bidp f3lr ceoi yagy ndsy "
                                                                      "lxvh fzuc d7wd 4qac wwqw"};
  for (const std::string& text : variants) {
    EXPECT_EQ(parse_fingerprint(text, "test"), expected) << text;
  }
}

TEST(TlsFingerprint, AcceptsSha256Hex) {
  const Fingerprint expected = from_hex(kAbcHex);
  EXPECT_EQ(parse_fingerprint("sha256:" + std::string(kAbcHex), "test"), expected);
  // As `openssl x509 -fingerprint -sha256` prints it: upper case, colons.
  std::string colons = "SHA256:";
  for (std::size_t i = 0; i < kAbcHex.size(); i += 2) {
    if (i > 0) colons += ':';
    colons += static_cast<char>(std::toupper(kAbcHex[i]));
    colons += static_cast<char>(std::toupper(kAbcHex[i + 1]));
  }
  EXPECT_EQ(parse_fingerprint(colons, "test"), expected);
}

TEST(TlsFingerprint, RejectsBadHex) {
  const std::string hex(kAbcHex);
  EXPECT_NE(error_of("sha256:" + hex.substr(1)).find("64 hex digits, this has 63"), std::string::npos)
      << error_of("sha256:" + hex.substr(1));
  EXPECT_NE(error_of("sha256:" + hex + "0").find("this has 65"), std::string::npos);
  const std::string bad = "sha256:" + hex.substr(0, 10) + "g" + hex.substr(11);
  EXPECT_NE(error_of(bad).find("'g' at position 18 is not a hex digit"), std::string::npos) << error_of(bad);
  // Colons either between every pair or not at all.
  const std::string misplaced = "sha256:ba7:816" + hex.substr(6);
  EXPECT_NE(error_of(misplaced).find("expected ':' after every two hex digits"), std::string::npos)
      << error_of(misplaced);
  EXPECT_NE(error_of("sha256:").find("this has 0"), std::string::npos);
}

TEST(TlsFingerprint, EverySingleCharacterTypoIsReportedWithItsGroups) {
  // Exhaustive over positions and replacement characters: Syncthing's weights
  // (1 and folded 2) are both permutations mod 32, so no substitution can pass.
  std::string clean;
  for (char c : kAbcText) {
    if (c != '-') clean += c;
  }
  constexpr std::string_view kAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
  int checked = 0;
  for (std::size_t p = 0; p < clean.size(); ++p) {
    const std::size_t chunk = p / 14;
    const std::string expected =
        "group " + std::to_string(2 * chunk + 1) + " or " + std::to_string(2 * chunk + 2) + " has a typo";
    for (char c : kAlphabet) {
      if (c == clean[p]) continue;
      std::string typo = clean;
      typo[p] = c;
      const std::string error = error_of(typo);
      ASSERT_NE(error.find(expected), std::string::npos) << typo << ": " << error;
      ASSERT_NE(error.find("test roster"), std::string::npos) << error;
      ++checked;
    }
  }
  EXPECT_EQ(checked, 56 * 31);
}

TEST(TlsFingerprint, SwappedNeighboursInAGroupAreATypo) {
  // "XJ4BNP4" -> "JX4BNP4": the kind of slip a reader makes.
  std::string swapped(kAbcText);
  std::swap(swapped[0], swapped[1]);
  EXPECT_NE(error_of(swapped).find("group 1 or 2 has a typo"), std::string::npos) << error_of(swapped);
  // In group 6 (the third check character covers groups 5 and 6).
  swapped = kAbcText;
  std::swap(swapped[40], swapped[41]);
  EXPECT_NE(error_of(swapped).find("group 5 or 6 has a typo"), std::string::npos) << error_of(swapped);
}

TEST(TlsFingerprint, NamesABadCharacterAndItsGroup) {
  std::string text(kAbcText);
  text[17] = '9';  // third group, second character: 9 is no look-alike of a letter
  const std::string error = error_of(text);
  EXPECT_NE(error.find("'9' (group 3, character 2) is not a fingerprint character"), std::string::npos) << error;
  text = kAbcText;
  text[0] = '@';
  EXPECT_NE(error_of(text).find("'@' (group 1, character 1)"), std::string::npos) << error_of(text);
}

TEST(TlsFingerprint, RejectsWrongLengths) {
  const std::string text(kAbcText);
  EXPECT_NE(error_of(text.substr(0, 62)).find("expected 56 letters and digits (8 groups of 7), got 55"),
            std::string::npos)
      << error_of(text.substr(0, 62));
  EXPECT_NE(error_of(text + "A").find("got 57"), std::string::npos);
  // The 52 characters without check characters (Syncthing's old form) are refused:
  // without them a typo would be taken for another identity.
  std::string unchecked;
  std::string clean;
  for (char c : text) {
    if (c != '-') clean += c;
  }
  for (std::size_t i = 0; i < clean.size(); ++i) {
    if (i % 14 != 13) unchecked += clean[i];
  }
  ASSERT_EQ(unchecked.size(), 52u);
  EXPECT_NE(error_of(unchecked).find("without check characters"), std::string::npos) << error_of(unchecked);
  EXPECT_NE(error_of("").find("empty fingerprint"), std::string::npos);
  EXPECT_NE(error_of("   ").find("empty fingerprint"), std::string::npos);
}

TEST(TlsFingerprint, RefusesNonzeroPaddingBits) {
  // The last data character of a 32-byte digest carries one bit; 'B' (00001) sets a
  // padding bit. Its check character is recomputed so that only the padding is wrong:
  // a Luhn-consistent text that is still no fingerprint of ours.
  const std::string ones = "7777777-777777N-7777777-777777N-7777777-777777N-7777777-77777Q4";
  // Found with the Python one-off: '7'*12 + 'B' has check character 'L'.
  const std::string padded = "7777777-777777N-7777777-777777N-7777777-777777N-7777777-77777BL";
  EXPECT_NO_THROW(parse_fingerprint(ones, "test"));
  EXPECT_NE(error_of(padded).find("cannot end a fingerprint"), std::string::npos) << error_of(padded);
}

TEST(TlsFingerprint, OfPemWithoutCertificateNamesWhere) {
  try {
    fingerprint_of_pem("not a certificate", "party 2's certificate");
    FAIL() << "accepted text without a certificate";
  } catch (const ConfigError& e) {
    EXPECT_NE(std::string(e.what()).find("party 2's certificate"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace meshmpc::net::tls
