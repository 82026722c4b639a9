#include <meshmpc/rendezvous/session_code.hpp>

#include <sodium.h>

#include <algorithm>
#include <vector>

#include <meshmpc/error.hpp>
#include <meshmpc/net/peer_text.hpp>

namespace meshmpc::rendezvous {

namespace {

void ensure_sodium() {
  static const int rc = sodium_init();
  if (rc < 0) throw Error("libsodium could not be initialised");
}

// Blanks (a code pasted with its line end included), underscores and dashes.
bool is_separator(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '_' || c == '-'; }

char lower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }

// Levenshtein distance, for the suggestion only (words are at most 8 letters;
// what is compared is at most kSessionCodeMaxText).
std::size_t edit_distance(std::string_view a, std::string_view b) {
  std::vector<std::size_t> row(b.size() + 1);
  for (std::size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    std::size_t diagonal = row[0];
    row[0] = i;
    for (std::size_t j = 1; j <= b.size(); ++j) {
      const std::size_t above = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] == b[j - 1] ? 0 : 1)});
      diagonal = above;
    }
  }
  return row[b.size()];
}

bool is_word(std::string_view word) {
  const auto words = session_code_words();
  return std::binary_search(words.begin(), words.end(), word);
}

// The one closest word when it is at most two edits away and no other is as close.
std::string suggestion(std::string_view word) {
  std::size_t best = 3;
  std::string_view found;
  bool tie = false;
  for (const std::string_view candidate : session_code_words()) {
    const std::size_t d = edit_distance(word, candidate);
    if (d < best) {
      best = d;
      found = candidate;
      tie = false;
    } else if (d == best) {
      tie = true;
    }
  }
  if (found.empty() || tie) return {};
  return " (did you mean '" + std::string(found) + "'?)";
}

}  // namespace

std::string new_session_code() {
  ensure_sodium();
  const auto words = session_code_words();
  const unsigned number = 1 + randombytes_uniform(kSessionCodeMaxNumber);
  return std::to_string(number) + "-" + std::string(words[randombytes_uniform(kSessionCodeWords)]) + "-" +
         std::string(words[randombytes_uniform(kSessionCodeWords)]);
}

std::string normalise_session_code(std::string_view text, std::string_view where) {
  const std::string shown = "'" + net::sanitize_peer_text(text, kSessionCodeMaxText) + "'";
  const auto fail = [&](const std::string& what) {
    return ConfigError(std::string(where) + ": session code " + shown + ": " + what +
                       " (the form is number-word-word, e.g. 7-crossover-clockwork)");
  };
  if (text.size() > kSessionCodeMaxText)
    throw fail("too long (" + std::to_string(text.size()) + " characters, at most " +
               std::to_string(kSessionCodeMaxText) + ")");

  // Split into parts at runs of separators; blanks around the code vanish with them.
  std::vector<std::string> parts;
  bool in_part = false;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = lower(text[i]);
    if (is_separator(c)) {
      in_part = false;
      continue;
    }
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')))
      throw fail("character " + std::to_string(i + 1) + " ('" + net::sanitize_peer_text(text.substr(i, 1)) +
                 "') cannot be in a code");
    if (!in_part) parts.emplace_back();
    parts.back() += c;
    in_part = true;
  }
  if (parts.empty()) throw fail("it is empty");
  if (parts.size() != 3) throw fail(std::to_string(parts.size()) + " parts, a code has 3");

  const std::string& number = parts[0];
  if (!std::all_of(number.begin(), number.end(), [](char c) { return c >= '0' && c <= '9'; }))
    throw fail("the first part '" + number + "' is not a number");
  const std::size_t first_digit = std::min(number.find_first_not_of('0'), number.size());
  const std::string digits = number.substr(first_digit);
  if (digits.empty() || digits.size() > 3)
    throw fail("the number " + number + " is not in 1.." + std::to_string(kSessionCodeMaxNumber));

  for (std::size_t i = 1; i < 3; ++i) {
    if (!is_word(parts[i]))
      throw fail("'" + parts[i] + "' is not a word of the code list" + suggestion(parts[i]));
  }
  return digits + "-" + parts[1] + "-" + parts[2];
}

}  // namespace meshmpc::rendezvous
