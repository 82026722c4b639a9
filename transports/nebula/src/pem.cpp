#include <meshmpc/nebula/pem.hpp>

#include <sodium.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

#include <meshmpc/nebula/certificate.hpp>

namespace meshmpc::nebula {

namespace {

constexpr std::string_view kBegin = "-----BEGIN ";
constexpr std::string_view kEnd = "-----END ";
constexpr std::string_view kDashes = "-----";

// The banner of a "-----BEGIN X-----" / "-----END X-----" line, or "" if `line` is not one.
std::string_view banner_of(std::string_view line, std::string_view prefix) {
  while (!line.empty() && (line.back() == '\r' || line.back() == ' ')) line.remove_suffix(1);
  if (!line.starts_with(prefix) || !line.ends_with(kDashes) || line.size() < prefix.size() + kDashes.size()) return {};
  return line.substr(prefix.size(), line.size() - prefix.size() - kDashes.size());
}

}  // namespace

std::vector<PemBlock> decode_pem(std::string_view text, const std::string& source) {
  std::vector<PemBlock> blocks;
  std::size_t line_no = 0;
  std::size_t pos = 0;
  PemBlock* open = nullptr;
  std::string base64;
  const auto fail = [&](const std::string& why) {
    throw CertificateError(CertificateFault::malformed, source + ", line " + std::to_string(line_no) + ": " + why);
  };
  while (pos < text.size()) {
    std::size_t end = text.find('\n', pos);
    if (end == std::string_view::npos) end = text.size();
    const std::string_view line = text.substr(pos, end - pos);
    pos = end + 1;
    ++line_no;
    if (!open) {
      const std::string_view banner = banner_of(line, kBegin);
      if (banner.empty()) continue;
      blocks.push_back({std::string(banner), {}, line_no});
      open = &blocks.back();
      base64.clear();
      continue;
    }
    const std::string_view closing = banner_of(line, kEnd);
    if (closing.empty()) {
      if (line.starts_with(kDashes)) fail("unexpected '" + std::string(line) + "' inside " + open->banner);
      base64 += line;
      continue;
    }
    if (closing != open->banner) {
      fail("END " + std::string(closing) + " closes BEGIN " + open->banner + " of line " + std::to_string(open->line));
    }
    open->body.resize(base64.size());
    std::size_t decoded = 0;
    // An empty block (BEGIN then END) is valid PEM with an empty body, left to the
    // caller to refuse. libsodium declares its output pointer non-null, and an empty
    // vector's data() is null: calling it then was undefined behaviour (found by
    // fuzz/nebula_pem_fuzz.cpp).
    if (!base64.empty() &&
        sodium_base642bin(reinterpret_cast<unsigned char*>(open->body.data()), open->body.size(), base64.data(),
                          base64.size(), " \t\r", &decoded, nullptr, sodium_base64_VARIANT_ORIGINAL) != 0) {
      fail("the base64 body of " + open->banner + " (from line " + std::to_string(open->line) + ") is malformed");
    }
    open->body.resize(decoded);
    open = nullptr;
  }
  if (open) {
    line_no = open->line;
    fail("BEGIN " + open->banner + " has no END line");
  }
  return blocks;
}

std::string read_text_file(const std::string& path, std::string_view what) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    throw CertificateError(CertificateFault::unreadable, "cannot read " + std::string(what) + " '" + path +
                                                             "': " + std::strerror(errno));
  }
  std::ostringstream text;
  text << in.rdbuf();
  if (in.bad()) {
    throw CertificateError(CertificateFault::unreadable, "cannot read " + std::string(what) + " '" + path + "'");
  }
  return text.str();
}

}  // namespace meshmpc::nebula
