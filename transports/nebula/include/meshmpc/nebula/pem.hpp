#pragma once
// PEM as Nebula writes it: "-----BEGIN <banner>-----", base64 lines,
// "-----END <banner>-----", several blocks allowed in one file.
#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace meshmpc::nebula {

struct PemBlock {
  std::string banner;            // "NEBULA CERTIFICATE"
  std::vector<std::byte> body;   // the decoded bytes
  std::size_t line = 0;          // the BEGIN line, 1-based, for messages
};

// Every block of `text`, in order. Text outside blocks is ignored (as Go's
// pem.Decode does). Throws CertificateError(malformed) naming `source` and the
// line of a block without END, with a mismatched END or with bad base64.
std::vector<PemBlock> decode_pem(std::string_view text, const std::string& source);

// Reads a whole file; throws CertificateError(unreadable) naming the path and
// the system's reason.
std::string read_text_file(const std::string& path, std::string_view what);

}  // namespace meshmpc::nebula
