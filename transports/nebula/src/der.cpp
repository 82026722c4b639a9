#include "der.hpp"

#include <cstdio>
#include <cstdlib>

namespace meshmpc::nebula::der {

namespace {

std::uint8_t u8(std::byte b) { return std::to_integer<std::uint8_t>(b); }

}  // namespace

std::string hex_byte(std::uint8_t value) {
  char text[8];
  std::snprintf(text, sizeof text, "0x%02x", value);
  return text;
}

void Reader::fail(std::size_t at, const std::string& why) const {
  fail_(source_, at, why);
  // fail_ throws; should it ever return, stop here rather than read on.
  std::abort();
}

std::optional<std::uint8_t> Reader::peek_tag() const {
  if (done()) return std::nullopt;
  return u8(bytes_[pos_]);
}

Element Reader::read(std::uint8_t tag, std::string_view field) {
  const std::size_t start = pos_;
  const std::string name(field);
  if (done()) fail(offset(), name + ": missing (the data ends here)");
  const std::uint8_t found = u8(bytes_[pos_]);
  if ((found & 0x1f) == 0x1f) fail(offset(), name + ": multi-byte tag " + hex_byte(found) + " (not used by Nebula)");
  if (found != tag) fail(offset(), name + ": expected tag " + hex_byte(tag) + ", found " + hex_byte(found));
  ++pos_;
  if (done()) fail(offset(), name + ": truncated before its length");
  const std::size_t length_at = offset();
  const std::uint8_t first = u8(bytes_[pos_++]);
  std::size_t length = first;
  if (first == 0x80) fail(length_at, name + ": indefinite length (BER, not DER)");
  if (first > 0x80) {
    const std::size_t count = first & 0x7f;
    // Nebula certificates are at most 65,536 bytes: 4 length bytes are plenty.
    if (count > 4) fail(length_at, name + ": a length of " + std::to_string(count) + " bytes overflows");
    if (count > bytes_.size() - pos_) fail(length_at, name + ": truncated inside its length");
    if (u8(bytes_[pos_]) == 0) fail(length_at, name + ": long-form length with a leading zero byte (not DER)");
    length = 0;
    for (std::size_t i = 0; i < count; ++i) length = length << 8 | u8(bytes_[pos_++]);
    if (length < 0x80) {
      fail(length_at, name + ": long-form length " + std::to_string(length) + " where the short form fits (not DER)");
    }
  }
  if (length > bytes_.size() - pos_) {
    fail(length_at, name + ": a length of " + std::to_string(length) + " runs past the end (" +
                        std::to_string(bytes_.size() - pos_) + " bytes left)");
  }
  Element e;
  e.tag = found;
  e.offset = base_ + start;
  e.whole = bytes_.subspan(start, pos_ - start + length);
  e.content = bytes_.subspan(pos_, length);
  pos_ += length;
  return e;
}

std::optional<Element> Reader::read_optional(std::uint8_t tag, std::string_view field) {
  if (peek_tag() != tag) return std::nullopt;
  return read(tag, field);
}

void Reader::expect_done(std::string_view what) const {
  if (!done()) {
    fail(offset(), std::to_string(bytes_.size() - pos_) + " unexpected bytes " + std::string(what) + " (tag " +
                       hex_byte(u8(bytes_[pos_])) + ")");
  }
}

namespace {

// DER: an INTEGER is never empty, and its first nine bits are never all equal.
void check_minimal(const Reader& reader, const Element& e, std::string_view field) {
  const auto c = e.content;
  if (c.empty()) reader.fail(e.offset, std::string(field) + ": an INTEGER without content");
  if (c.size() > 1 && ((u8(c[0]) == 0x00 && u8(c[1]) < 0x80) || (u8(c[0]) == 0xff && u8(c[1]) >= 0x80))) {
    reader.fail(e.content_offset(), std::string(field) + ": INTEGER with a redundant leading byte (not DER)");
  }
}

}  // namespace

std::int64_t read_int64(const Reader& reader, const Element& e, std::string_view field) {
  check_minimal(reader, e, field);
  if (e.content.size() > 8) {
    reader.fail(e.content_offset(), std::string(field) + ": an INTEGER of " + std::to_string(e.content.size()) +
                                        " bytes does not fit in 64 bits");
  }
  // Sign-extend from the first byte, then shift the rest in.
  std::uint64_t value = u8(e.content[0]) >= 0x80 ? ~std::uint64_t{0} : 0;
  for (std::byte b : e.content) value = value << 8 | u8(b);
  return static_cast<std::int64_t>(value);
}

std::span<const std::byte> read_positive_integer(const Reader& reader, const Element& e, std::string_view field) {
  check_minimal(reader, e, field);
  if (u8(e.content[0]) >= 0x80) reader.fail(e.content_offset(), std::string(field) + ": a negative INTEGER");
  auto magnitude = e.content;
  if (u8(magnitude[0]) == 0 && magnitude.size() > 1) magnitude = magnitude.subspan(1);
  if (magnitude.size() == 1 && u8(magnitude[0]) == 0) reader.fail(e.content_offset(), std::string(field) + ": zero");
  return magnitude;
}

void put(std::vector<std::byte>& out, std::uint8_t tag, std::span<const std::byte> content) {
  out.push_back(std::byte{tag});
  const std::size_t n = content.size();
  if (n < 0x80) {
    out.push_back(static_cast<std::byte>(n));
  } else {
    int count = 0;
    for (std::size_t v = n; v != 0; v >>= 8) ++count;
    out.push_back(static_cast<std::byte>(0x80 | count));
    for (int i = count - 1; i >= 0; --i) out.push_back(static_cast<std::byte>(n >> (8 * i)));
  }
  out.insert(out.end(), content.begin(), content.end());
}

std::vector<std::byte> int64_content(std::int64_t value) {
  std::vector<std::byte> out;
  const auto v = static_cast<std::uint64_t>(value);
  for (int i = 7; i >= 0; --i) out.push_back(static_cast<std::byte>(v >> (8 * i)));
  // Drop leading bytes that only repeat the sign of the next one.
  std::size_t skip = 0;
  while (skip + 1 < out.size() &&
         ((out[skip] == std::byte{0x00} && u8(out[skip + 1]) < 0x80) ||
          (out[skip] == std::byte{0xff} && u8(out[skip + 1]) >= 0x80))) {
    ++skip;
  }
  out.erase(out.begin(), out.begin() + static_cast<std::ptrdiff_t>(skip));
  return out;
}

}  // namespace meshmpc::nebula::der
