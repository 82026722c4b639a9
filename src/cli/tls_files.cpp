#include "tls_files.hpp"

#include <boost/asio/ip/address.hpp>
#include <filesystem>

#include <meshmpc/error.hpp>
#include <meshmpc/net/tls/credentials.hpp>

namespace meshmpc::cli {

TlsFiles tls_files(const RunOptions& options, const net::Roster& roster, std::size_t index) {
  const std::string stem = std::string(kTlsDirectory) + "/party_" + std::to_string(index);
  TlsFiles files{options.ssl_key.empty() ? stem + ".key" : options.ssl_key,
                 options.ssl_cert.empty() ? stem + ".crt" : options.ssl_cert, options.ssl_ca};
  if (files.ca.empty()) {
    bool all_pinned = true;
    for (const net::PartyInfo& party : roster.parties) {
      if (party.id != index && !party.tls_fingerprint) all_pinned = false;
    }
    std::error_code ignored;
    if (!all_pinned && std::filesystem::exists(kCaFile, ignored)) files.ca = kCaFile;
  }
  return files;
}

net::tls::Settings load_tls(const TlsFiles& files) {
  const auto with_option = [](const char* option, auto read) {
    try {
      return read();
    } catch (const ConfigError& error) {
      throw ConfigError(std::string(option) + ": " + error.what());
    }
  };
  net::tls::Settings settings;
  settings.key_pem = with_option("--ssl-key", [&] { return net::tls::read_private_key_file(files.key); });
  settings.cert_pem = with_option("--ssl-cert", [&] { return net::tls::read_certificate_file(files.cert); });
  if (!files.ca.empty()) {
    settings.ca_pem = with_option("--ssl-ca", [&] { return net::tls::read_certificate_file(files.ca); });
  }
  return settings;
}

bool is_loopback_host(const std::string& host) {
  boost::system::error_code error;
  const auto address = boost::asio::ip::make_address(host, error);
  if (!error) return address.is_loopback();
  return host == "localhost" || (host.size() > 10 && host.ends_with(".localhost"));
}

}  // namespace meshmpc::cli
