#include <meshmpc/net/peer_text.hpp>

#include <gtest/gtest.h>

namespace meshmpc::net {
namespace {

TEST(PeerText, KeepsPrintableAsciiAndUtf8Names) {
  EXPECT_EQ(sanitize_peer_text("party 2 (carol) stopped: ok"), "party 2 (carol) stopped: ok");
  EXPECT_EQ(sanitize_peer_text("José, Zoë, 李"), "José, Zoë, 李");
}

TEST(PeerText, EscapesNewlinesEscAndOtherControls) {
  EXPECT_EQ(sanitize_peer_text("a\nparty 0 (alice): done\r\t\x1b[31mred\x7f"),
            "a\\x0aparty 0 (alice): done\\x0d\\x09\\x1b[31mred\\x7f");
  EXPECT_EQ(sanitize_peer_text(std::string_view("nul\0end", 7)), "nul\\x00end");
  EXPECT_EQ(sanitize_peer_text("back\\x1b"), "back\\\\x1b");  // a literal "\x1b" stays distinguishable
}

TEST(PeerText, EscapesC1BidiSeparatorsAndMalformedUtf8) {
  EXPECT_EQ(sanitize_peer_text("\xc2\x9b" "2J"), "\\xc2\\x9b2J");                  // U+009B, CSI
  EXPECT_EQ(sanitize_peer_text("x\xe2\x80\xaey"), "x\\xe2\\x80\\xaey");            // U+202E, right-to-left override
  EXPECT_EQ(sanitize_peer_text("x\xe2\x80\xa8y"), "x\\xe2\\x80\\xa8y");            // U+2028, line separator
  EXPECT_EQ(sanitize_peer_text("\xc0\xaf\xed\xa0\x80\xff"), "\\xc0\\xaf\\xed\\xa0\\x80\\xff");  // overlong, surrogate
  EXPECT_EQ(sanitize_peer_text("\xe6\x9d"), "\\xe6\\x9d");                        // a character cut short
}

TEST(PeerText, TruncatesWithTheCountOfWhatWasLeftOut) {
  const std::string long_text(8 << 20, 'a');
  const std::string shown = sanitize_peer_text(long_text);
  EXPECT_EQ(shown, std::string(kMaxPeerText, 'a') + " … (" + std::to_string((8 << 20) - kMaxPeerText) + " more bytes)");
  // Every byte escaped: the bound of the header holds.
  const std::string shown_escaped = sanitize_peer_text(std::string(8 << 20, '\n'));
  EXPECT_LE(shown_escaped.size(), 4 * kMaxPeerText + 32);
  EXPECT_EQ(shown_escaped.substr(0, 8), "\\x0a\\x0a");
}

TEST(PeerText, TruncateTextKeepsWholeCharactersAndStaysWithinTheLimit) {
  EXPECT_EQ(truncate_text("short"), "short");
  const std::string text = std::string(100, 'a') + std::string(3000, '\xc3') ;  // not UTF-8, but no continuation bytes
  const std::string cut = truncate_text(text, 100);
  EXPECT_LE(cut.size(), 100u);
  EXPECT_NE(cut.find(" more bytes)"), std::string::npos);
  std::string accents;
  for (int i = 0; i < 2000; ++i) accents += "é";  // 2 bytes each
  for (std::size_t limit = 40; limit < 60; ++limit) {
    const std::string kept = truncate_text(accents, limit);
    EXPECT_LE(kept.size(), limit);
    EXPECT_EQ(sanitize_peer_text(kept).find("\\x"), std::string::npos) << "cut inside a character at " << limit;
  }
}

}  // namespace
}  // namespace meshmpc::net
