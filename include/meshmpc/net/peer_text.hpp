#pragma once
// Text a peer sent us — the reason in its abort frame, the reason in a handshake
// refusal — made fit for our logs and terminal. A hostile or broken peer must not
// forge log lines (newlines), drive the terminal (ESC sequences, C1 controls),
// hide text (bidirectional overrides) or fill a log with one huge line.
#include <cstddef>
#include <span>
#include <string>
#include <string_view>

namespace meshmpc::net {

// At most this many bytes of a peer's text are shown; abort reasons we send are
// cut to it as well (the receiver would drop the rest anyway).
inline constexpr std::size_t kMaxPeerText = 2048;

// The first `max_bytes` bytes of `text`, with every byte that is not printable
// ASCII or part of a printable UTF-8 character written as \xHH (a backslash as
// \\, so the result is unambiguous). Control characters (C0 incl. tab, newline
// and ESC, DEL, C1), invisible formatting and bidi controls, line and paragraph
// separators and malformed UTF-8 are escaped. When text is longer, " … (N more
// bytes)" follows. The result is at most 4 * max_bytes + 32 bytes long.
std::string sanitize_peer_text(std::string_view text, std::size_t max_bytes = kMaxPeerText);
std::string sanitize_peer_text(std::span<const std::byte> text, std::size_t max_bytes = kMaxPeerText);

// Our own text cut to at most max_bytes (>= 40) bytes, on a UTF-8 character boundary,
// ending with " … (N more bytes)" when something was cut: for what we send.
std::string truncate_text(std::string text, std::size_t max_bytes = kMaxPeerText);

}  // namespace meshmpc::net
