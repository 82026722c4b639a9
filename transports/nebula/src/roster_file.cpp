#include <meshmpc/nebula/roster_file.hpp>

#include <charconv>
#include <filesystem>
#include <sstream>

#include <meshmpc/nebula/certificate.hpp>
#include <meshmpc/nebula/pem.hpp>

namespace meshmpc::nebula {

std::vector<RosterEntry> parse_roster(std::string_view text, const std::string& source, const std::string& base_dir) {
  std::vector<RosterEntry> entries;
  std::istringstream in{std::string(text)};
  std::size_t line_no = 0;
  for (std::string line; std::getline(in, line);) {
    ++line_no;
    if (const auto hash = line.find('#'); hash != std::string::npos) line.resize(hash);
    std::istringstream words(line);
    std::string path;
    std::string port;
    std::string extra;
    if (!(words >> path)) continue;
    words >> port >> extra;
    const auto fail = [&](const std::string& why) {
      throw CertificateError(CertificateFault::malformed, "roster '" + source + "', line " + std::to_string(line_no) +
                                                              ": " + why + " (expected '<certificate file> [port]')");
    };
    if (!extra.empty()) fail("unexpected '" + extra + "'");
    RosterEntry entry;
    entry.line = line_no;
    const std::filesystem::path p(path);
    entry.certificate = p.is_absolute() || base_dir.empty() ? path : (std::filesystem::path(base_dir) / p).string();
    if (!port.empty()) {
      unsigned value = 0;
      const auto [end, ec] = std::from_chars(port.data(), port.data() + port.size(), value);
      if (ec != std::errc() || end != port.data() + port.size() || value == 0 || value > 65535) {
        fail("port '" + port + "' is not in 1..65535");
      }
      entry.port = static_cast<std::uint16_t>(value);
    }
    entries.push_back(std::move(entry));
  }
  if (entries.empty()) {
    throw CertificateError(CertificateFault::malformed, "roster '" + source + "' lists no parties");
  }
  return entries;
}

std::vector<RosterEntry> read_roster_file(const std::string& path) {
  return parse_roster(read_text_file(path, "roster file"), path,
                      std::filesystem::path(path).parent_path().string());
}

}  // namespace meshmpc::nebula
