#include <meshmpc/net/peer_text.hpp>

#include <cstdint>
#include <cstdio>

namespace meshmpc::net {

namespace {

// The length of the UTF-8 sequence starting at text[i] and its code point, or 0
// when it is malformed (overlong, surrogate, beyond U+10FFFF, cut short).
std::size_t utf8_sequence(std::string_view text, std::size_t i, char32_t& code_point) {
  const auto byte = [&](std::size_t k) { return static_cast<std::uint8_t>(text[k]); };
  const std::uint8_t lead = byte(i);
  std::size_t length = 0;
  char32_t value = 0;
  char32_t smallest = 0;
  if (lead >= 0xC2 && lead <= 0xDF) {
    length = 2, value = lead & 0x1F, smallest = 0x80;
  } else if (lead >= 0xE0 && lead <= 0xEF) {
    length = 3, value = lead & 0x0F, smallest = 0x800;
  } else if (lead >= 0xF0 && lead <= 0xF4) {
    length = 4, value = lead & 0x07, smallest = 0x10000;
  } else {
    return 0;
  }
  if (i + length > text.size()) return 0;
  for (std::size_t k = 1; k < length; ++k) {
    if ((byte(i + k) & 0xC0) != 0x80) return 0;
    value = (value << 6) | (byte(i + k) & 0x3F);
  }
  if (value < smallest || value > 0x10FFFF || (value >= 0xD800 && value <= 0xDFFF)) return 0;
  code_point = value;
  return length;
}

// Characters that print nothing visible but change what a terminal or a reader
// sees: C1 controls (0x9B is CSI on some terminals), line/paragraph separators,
// zero-width and bidirectional controls (which can reorder the rest of a line).
bool invisible(char32_t c) {
  return (c >= 0x80 && c <= 0x9F) || c == 0xAD || (c >= 0x200B && c <= 0x200F) ||
         (c >= 0x2028 && c <= 0x202E) || (c >= 0x2060 && c <= 0x206F) || c == 0xFEFF ||
         (c >= 0xFFF9 && c <= 0xFFFB);
}

void append_escaped(std::string& out, std::uint8_t byte) {
  char hex[5];
  std::snprintf(hex, sizeof hex, "\\x%02x", byte);
  out += hex;
}

std::string more_bytes(std::size_t count) { return " … (" + std::to_string(count) + " more bytes)"; }

}  // namespace

std::string sanitize_peer_text(std::string_view text, std::size_t max_bytes) {
  const std::string_view shown = text.substr(0, max_bytes);
  std::string out;
  out.reserve(shown.size());
  for (std::size_t i = 0; i < shown.size();) {
    const auto byte = static_cast<std::uint8_t>(shown[i]);
    if (byte >= 0x20 && byte < 0x7F) {
      if (byte == '\\') out += '\\';
      out += static_cast<char>(byte);
      ++i;
      continue;
    }
    char32_t code_point = 0;
    const std::size_t length = byte >= 0x80 ? utf8_sequence(shown, i, code_point) : 0;
    if (length > 0 && !invisible(code_point)) {
      out.append(shown.substr(i, length));
      i += length;
      continue;
    }
    append_escaped(out, byte);  // a character cut by max_bytes ends up here too
    ++i;
  }
  if (text.size() > shown.size()) out += more_bytes(text.size() - shown.size());
  return out;
}

std::string sanitize_peer_text(std::span<const std::byte> text, std::size_t max_bytes) {
  return sanitize_peer_text(std::string_view(reinterpret_cast<const char*>(text.data()), text.size()), max_bytes);
}

std::string truncate_text(std::string text, std::size_t max_bytes) {
  if (text.size() <= max_bytes) return text;
  // Room for the marker, whose digits depend on how much is cut: at most 20.
  const std::size_t marker_room = more_bytes(text.size()).size();
  std::size_t keep = max_bytes > marker_room ? max_bytes - marker_room : 0;
  while (keep > 0 && (static_cast<std::uint8_t>(text[keep]) & 0xC0) == 0x80) --keep;  // not inside a character
  const std::size_t cut = text.size() - keep;
  text.resize(keep);
  text += more_bytes(cut);
  return text;
}

}  // namespace meshmpc::net
