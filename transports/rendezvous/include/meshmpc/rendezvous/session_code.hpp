#pragma once
// The session code one party makes with --new-code and reads out to the others
// (by phone, in a chat), in magic-wormhole's shape: "7-crossover-clockwork", a
// number from 1 to 999 and two words of our own list of 256 (session_code_words()).
//
// Entropy: log2(999) + 2 · log2(256) ≈ 9.96 + 16 = 25.96 bits, i.e. one code in
// 999 · 65536 ≈ 65.5 million. That is enough only because the code is never used as a key by
// itself: it is the password of a PAKE (CPace, cpace.hpp, run by code_check.hpp),
// so nobody who watches or relays the traffic — the rendezvous included — can test
// guesses offline. An attacker that takes part in a session (e.g. a rendezvous that
// puts in a key of its own) tests one guess per honest party it runs CPace with,
// each failed guess makes the session stop with an error naming the impostor, and
// the code dies with the session: at most n − 1 guesses per session, a chance of
// about (n − 1) / 2^26 that one is right.
//
// The words are short, common, easy to say and spell, and no two are one edit apart
// (a single typo cannot turn one word into another; the normaliser suggests the
// word that was meant). They were written for meshmpc, not taken from a published list.
#include <array>
#include <cstddef>
#include <span>
#include <string>
#include <string_view>

namespace meshmpc::rendezvous {

inline constexpr std::size_t kSessionCodeWords = 256;
inline constexpr unsigned kSessionCodeMaxNumber = 999;
// Longer input is refused before it is looked at: a code is at most
// "999-" + two words of at most 8 letters; the bound leaves room for spaces.
inline constexpr std::size_t kSessionCodeMaxText = 64;

// The list, in alphabetical order: lower-case ASCII letters, 3 to 8 each.
std::span<const std::string_view, kSessionCodeWords> session_code_words();

// A fresh code: the number uniform in 1..999 and each word uniform in the list,
// drawn with libsodium's randombytes_uniform.
std::string new_session_code();

// The canonical form of a code as a person typed it: surrounding blanks dropped,
// lower case, runs of blanks, underscores and dashes made one '-', leading zeros of
// the number dropped. Throws ConfigError naming `where` (e.g. "--code") and the
// part that is wrong: an empty or too long text, a character that cannot be in a
// code, not three parts, a number outside 1..999, a word not in the list (with the
// list's closest word when one is a single typo or two away).
std::string normalise_session_code(std::string_view text, std::string_view where);

}  // namespace meshmpc::rendezvous
