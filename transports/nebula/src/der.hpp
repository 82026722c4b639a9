#pragma once
// A small strict DER reader and writer for the one schema Nebula's v2
// certificates use (cert/cert_v2.asn1). Hand-written rather than OpenSSL's ASN1
// API because OpenSSL's d2i decoders accept BER (indefinite lengths, long-form
// lengths where the short form fits), and a certificate must be refused, not
// quietly normalised, when it is not DER: two readers of one certificate must
// agree on its bytes, its signature and its fingerprint. It also lets every error
// name the byte offset and the field. Private to meshmpc_nebula.
//
// Accepted: single-byte tags (low tag number form), definite lengths in the
// shortest form (short form below 128, long form of at most 4 bytes without
// leading zeros), every element inside its parent. Everything else is refused.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace meshmpc::nebula::der {

// Tags used by Nebula (class bits | constructed bit | number).
inline constexpr std::uint8_t kInteger = 0x02;
inline constexpr std::uint8_t kOctetString = 0x04;
inline constexpr std::uint8_t kUtf8String = 0x0c;
inline constexpr std::uint8_t kSequence = 0x30;
inline constexpr std::uint8_t kContext = 0x80;
inline constexpr std::uint8_t kConstructed = 0x20;

struct Element {
  std::uint8_t tag = 0;
  std::size_t offset = 0;                // of the tag byte, from the start of the body
  std::span<const std::byte> whole;      // tag, length and content
  std::span<const std::byte> content;
  std::size_t content_offset() const { return offset + (whole.size() - content.size()); }
};

// Errors go through `fail(offset, why)`, which must throw.
using FailFunction = void (*)(const std::string& source, std::size_t at, const std::string& why);

class Reader {
 public:
  // `base`: the offset of bytes[0] in the body, for messages.
  Reader(std::span<const std::byte> bytes, std::size_t base, const std::string& source, FailFunction fail)
      : bytes_(bytes), base_(base), source_(source), fail_(fail) {}
  // A reader over an element's content.
  Reader inside(const Element& element) const {
    return Reader(element.content, element.content_offset(), source_, fail_);
  }

  bool done() const { return pos_ == bytes_.size(); }
  std::size_t offset() const { return base_ + pos_; }
  // The next tag byte, if any (without checking the element).
  std::optional<std::uint8_t> peek_tag() const;

  // The next element, which must carry `tag`; `field` names it in messages.
  Element read(std::uint8_t tag, std::string_view field);
  // The next element if it carries `tag`, else nothing (and nothing consumed).
  std::optional<Element> read_optional(std::uint8_t tag, std::string_view field);
  // Refuses anything left: `what` says where ("after the signature").
  void expect_done(std::string_view what) const;

  [[noreturn]] void fail(std::size_t at, const std::string& why) const;

 private:
  std::span<const std::byte> bytes_;
  std::size_t pos_ = 0;
  std::size_t base_;
  const std::string& source_;
  FailFunction fail_;
};

// The value of a DER INTEGER element in the minimal two's complement form DER
// requires, that fits in an int64. `field` names it in messages.
std::int64_t read_int64(const Reader& reader, const Element& element, std::string_view field);
// The magnitude of a positive INTEGER (its minimal encoding, leading 0x00 kept
// off), refusing negative, zero-length and non-minimal encodings.
std::span<const std::byte> read_positive_integer(const Reader& reader, const Element& element, std::string_view field);

// Appends one element in DER: tag, shortest length, content.
void put(std::vector<std::byte>& out, std::uint8_t tag, std::span<const std::byte> content);
// An INTEGER's content for `value`: minimal two's complement.
std::vector<std::byte> int64_content(std::int64_t value);

std::string hex_byte(std::uint8_t value);  // "0x81"

}  // namespace meshmpc::nebula::der
