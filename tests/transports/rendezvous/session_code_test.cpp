// Session codes: the word list's promises (count, order, letters, no two words one
// typo apart), fresh codes in their canonical form over the whole range, and the
// normaliser's forgiveness and its errors.
#include <gtest/gtest.h>

#include <algorithm>
#include <set>
#include <string>
#include <vector>

#include <meshmpc/error.hpp>
#include <meshmpc/rendezvous/session_code.hpp>

namespace {

using namespace meshmpc;
using namespace meshmpc::rendezvous;

std::size_t edit_distance(std::string_view a, std::string_view b) {
  std::vector<std::vector<std::size_t>> d(a.size() + 1, std::vector<std::size_t>(b.size() + 1));
  for (std::size_t i = 0; i <= a.size(); ++i) d[i][0] = i;
  for (std::size_t j = 0; j <= b.size(); ++j) d[0][j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i)
    for (std::size_t j = 1; j <= b.size(); ++j)
      d[i][j] = std::min({d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + (a[i - 1] == b[j - 1] ? 0U : 1U)});
  return d[a.size()][b.size()];
}

std::string error_of(std::string_view text) {
  try {
    normalise_session_code(text, "--code");
  } catch (const ConfigError& e) {
    return e.what();
  }
  return "(no error)";
}

TEST(SessionCodeWords, AreSortedDistinctShortLowerCaseAndNoTwoOneTypoApart) {
  const auto words = session_code_words();
  ASSERT_EQ(words.size(), 256U);
  EXPECT_TRUE(std::adjacent_find(words.begin(), words.end(), std::greater_equal<>()) == words.end())
      << "not strictly sorted";
  for (const std::string_view w : words) {
    EXPECT_GE(w.size(), 3U) << w;
    EXPECT_LE(w.size(), 8U) << w;
    EXPECT_TRUE(std::all_of(w.begin(), w.end(), [](char c) { return c >= 'a' && c <= 'z'; })) << w;
  }
  for (std::size_t i = 0; i < words.size(); ++i)
    for (std::size_t j = i + 1; j < words.size(); ++j)
      EXPECT_GE(edit_distance(words[i], words[j]), 2U) << words[i] << " / " << words[j];
}

TEST(SessionCode, FreshCodesAreCanonicalAndCoverTheRange) {
  // 20000 codes: each word is drawn 40000 times among 256, so one never drawn
  // would have probability below 256 · (255/256)^40000 < 1e-60; likewise for the
  // number's ends (below 100 and above 900, each 10% likely per draw).
  std::set<std::string> seen_words;
  unsigned low = 1000, high = 0;
  bool below_100 = false, above_900 = false;
  for (int i = 0; i < 20000; ++i) {
    const std::string code = new_session_code();
    ASSERT_EQ(normalise_session_code(code, "test"), code);
    const std::size_t dash1 = code.find('-');
    const std::size_t dash2 = code.find('-', dash1 + 1);
    const unsigned number = static_cast<unsigned>(std::stoul(code.substr(0, dash1)));
    low = std::min(low, number);
    high = std::max(high, number);
    below_100 = below_100 || number < 100;
    above_900 = above_900 || number > 900;
    seen_words.insert(code.substr(dash1 + 1, dash2 - dash1 - 1));
    seen_words.insert(code.substr(dash2 + 1));
  }
  EXPECT_GE(low, 1U);
  EXPECT_LE(high, kSessionCodeMaxNumber);
  EXPECT_TRUE(below_100 && above_900);
  EXPECT_EQ(seen_words.size(), kSessionCodeWords);
}

TEST(SessionCode, NormalisingForgivesCaseBlanksUnderscoresAndLeadingZeros) {
  EXPECT_EQ(normalise_session_code("7-acorn-zebra", "--code"), "7-acorn-zebra");
  EXPECT_EQ(normalise_session_code("  007  Acorn__ZEBRA ", "--code"), "7-acorn-zebra");
  EXPECT_EQ(normalise_session_code("999 - walnut - - otter", "--code"), "999-walnut-otter");
  EXPECT_EQ(normalise_session_code("1_Maple\tGuitar", "--code"), "1-maple-guitar");
  EXPECT_EQ(normalise_session_code("42-otter-tulip\r\n", "--code"), "42-otter-tulip");
}

TEST(SessionCode, ErrorsNameWhereAndTheBadPart) {
  const auto has = [](const std::string& text, std::string_view part) {
    return text.find(part) != std::string::npos;
  };
  EXPECT_TRUE(has(error_of(""), "empty"));
  EXPECT_TRUE(has(error_of(" - _ "), "empty"));
  EXPECT_TRUE(has(error_of("7-acorn"), "2 parts"));
  EXPECT_TRUE(has(error_of("7-acorn-zebra-otter"), "4 parts"));
  EXPECT_TRUE(has(error_of("0-acorn-zebra"), "the number 0 is not in 1..999"));
  EXPECT_TRUE(has(error_of("000-acorn-zebra"), "the number 000 is not in 1..999"));
  EXPECT_TRUE(has(error_of("1000-acorn-zebra"), "the number 1000 is not in 1..999"));
  EXPECT_TRUE(has(error_of("seven-acorn-zebra"), "'seven' is not a number"));
  EXPECT_TRUE(has(error_of("7-acorn-zébra"), "character 10"));
  EXPECT_TRUE(has(error_of("7-acorn;zebra"), "character 8 (';')"));
  EXPECT_TRUE(has(error_of(std::string(65, '7')), "too long"));
  // A word one or two typos from one of the list gets a suggestion; a word far
  // from all of them, or equally close to two, gets none.
  EXPECT_TRUE(has(error_of("7-acorm-zebra"), "'acorm' is not a word of the code list (did you mean 'acorn'?)"));
  EXPECT_TRUE(has(error_of("7-acorn-zebre"), "(did you mean 'zebra'?)"));
  EXPECT_TRUE(has(error_of("7-acorn-wallnut"), "(did you mean 'walnut'?)"));
  const std::string far = error_of("7-acorn-xylophone");
  EXPECT_TRUE(has(far, "'xylophone' is not a word of the code list"));
  EXPECT_FALSE(has(far, "did you mean"));
  // Every message names where the code came from and the text as typed.
  const std::string e = error_of("7-acorm-zebra");
  EXPECT_EQ(e.rfind("--code: session code '7-acorm-zebra'", 0), 0U) << e;
  // Control characters in the text are not echoed raw.
  EXPECT_FALSE(has(error_of("7-acorn-\x1b[2Jzebra"), "\x1b"));
}

}  // namespace
