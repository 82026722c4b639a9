#pragma once
// A small protobuf reader and writer for the one message Nebula's v1 certificates
// use (RawNebulaCertificate, cert_v1.proto): varints and length-delimited fields,
// the two wire types Nebula writes. Beside der.hpp, the v2 certificates' reader;
// the v1 codec (certificate_v1.cpp) holds only the schema. Every error names the
// byte offset in the certificate body. Private to meshmpc_nebula.
#include <cstddef>
#include <cstdlib>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

namespace meshmpc::nebula::protobuf {

enum : std::uint64_t { kVarint = 0, kLengthDelimited = 2 };

// Errors go through `fail(source, offset, why)`, which must throw.
using FailFunction = void (*)(const std::string& source, std::size_t at, const std::string& why);

// A reader over one message; offsets are relative to the certificate body.
class Reader {
 public:
  // `base`: the offset of bytes[0] in the body, for messages.
  Reader(std::span<const std::byte> bytes, std::size_t base, const std::string& source, FailFunction fail)
      : bytes_(bytes), base_(base), source_(source), fail_(fail) {}
  // A reader over a length-delimited payload just read from this one.
  Reader inside(std::span<const std::byte> payload) const {
    return Reader(payload, offset() - payload.size(), source_, fail_);
  }

  bool done() const { return pos_ >= bytes_.size(); }
  std::size_t offset() const { return base_ + pos_; }

  [[noreturn]] void fail(const std::string& why, std::optional<std::size_t> at = std::nullopt) const {
    fail_(source_, at.value_or(offset()), why);
    // fail_ throws; should it ever return, stop here rather than read on (as der.cpp).
    std::abort();
  }

  std::uint64_t varint() {
    const std::size_t start = offset();
    std::uint64_t value = 0;
    for (unsigned shift = 0; shift < 64; shift += 7) {
      if (done()) fail("truncated varint", start);
      const auto b = std::to_integer<std::uint64_t>(bytes_[pos_++]);
      value |= (b & 0x7f) << shift;
      if ((b & 0x80) == 0) return value;
    }
    fail("varint longer than 10 bytes", start);
  }

  // A length-delimited payload.
  std::span<const std::byte> bytes() {
    const std::size_t start = offset();
    const std::uint64_t length = varint();
    if (length > bytes_.size() - pos_) {
      fail("a length of " + std::to_string(length) + " runs past the end (" + std::to_string(bytes_.size() - pos_) +
               " bytes left)",
           start);
    }
    const auto out = bytes_.subspan(pos_, static_cast<std::size_t>(length));
    pos_ += static_cast<std::size_t>(length);
    return out;
  }

 private:
  std::span<const std::byte> bytes_;
  std::size_t pos_ = 0;
  std::size_t base_;
  const std::string& source_;
  FailFunction fail_;
};

inline void put_varint(std::vector<std::byte>& out, std::uint64_t value) {
  while (value >= 0x80) {
    out.push_back(static_cast<std::byte>((value & 0x7f) | 0x80));
    value >>= 7;
  }
  out.push_back(static_cast<std::byte>(value));
}

inline void put_tag(std::vector<std::byte>& out, std::uint64_t field, std::uint64_t wire_type) {
  put_varint(out, field << 3 | wire_type);
}

inline void put_bytes(std::vector<std::byte>& out, std::uint64_t field, std::span<const std::byte> bytes) {
  put_tag(out, field, kLengthDelimited);
  put_varint(out, bytes.size());
  out.insert(out.end(), bytes.begin(), bytes.end());
}

}  // namespace meshmpc::nebula::protobuf
