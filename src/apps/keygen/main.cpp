// meshmpc-keygen: a party's key pair and certificate, or a CA, for the TLS
// transport. Files follow MPyC's .config layout (party_<i>.key, party_<i>.crt);
// the CA is meshmpc_ca.key / meshmpc_ca.crt. Exit 0 done, 1 failed, 2 bad command line.
#include <arpa/inet.h>
#include <unistd.h>

#include <openssl/crypto.h>

#include <chrono>
#include <filesystem>
#include <iostream>
#include <optional>
#include <string>
#include <vector>

#include <meshmpc/error.hpp>
#include <meshmpc/net/tls/credentials.hpp>
#include <meshmpc/net/tls/fingerprint.hpp>

#include "options.hpp"

namespace {

namespace fs = std::filesystem;
namespace tls = meshmpc::net::tls;
using meshmpc::ConfigError;
using meshmpc::keygen::Options;

constexpr const char* kCaKey = "meshmpc_ca.key";
constexpr const char* kCaCert = "meshmpc_ca.crt";

// Key text is wiped when the program is done with it, whatever way it leaves.
class SecretText {
 public:
  explicit SecretText(std::string text) : text_(std::move(text)) {}
  ~SecretText() { OPENSSL_cleanse(text_.data(), text_.size()); }
  SecretText(const SecretText&) = delete;
  SecretText& operator=(const SecretText&) = delete;
  const std::string& get() const { return text_; }

 private:
  std::string text_;
};

std::string path_in(const std::string& dir, const std::string& file) { return (fs::path(dir) / file).string(); }

std::string hostname() {
  char name[256] = {};
  if (::gethostname(name, sizeof name - 1) != 0 || name[0] == '\0') return "localhost";
  return name;
}

// A clock a little behind ours must not see a brand-new certificate as not yet
// valid: the window opens an hour early.
tls::CertificateSpec spec_for(const std::string& common_name, unsigned days) {
  tls::CertificateSpec spec;
  spec.common_name = common_name;
  spec.not_before = std::chrono::system_clock::now() - std::chrono::hours(1);
  spec.not_after = spec.not_before + std::chrono::hours(1) + std::chrono::hours(24) * days;
  return spec;
}

// Refuses before anything is written, naming every file in the way, so that a
// batch (-M) is made whole or not at all.
void refuse_existing(const std::vector<std::string>& paths) {
  std::string existing;
  std::size_t count = 0;
  for (const std::string& path : paths) {
    std::error_code error;
    if (fs::symlink_status(path, error).type() != fs::file_type::not_found) {
      existing += (existing.empty() ? "" : ", ") + path;
      ++count;
    }
  }
  if (count > 0) {
    throw ConfigError(existing + (count == 1 ? " already exists" : " already exist") +
                      "; meshmpc-keygen does not overwrite keys (remove " + (count == 1 ? "it" : "them") +
                      " first to make new ones)");
  }
}

void make_dir(const std::string& dir) {
  std::error_code error;
  fs::create_directories(dir, error);
  if (error) throw ConfigError("cannot create directory '" + dir + "': " + error.message());
}

// The subjectAltName names the party's host. It is informational (peers check
// fingerprints or CNs), so a host that is neither an address nor a plain DNS name
// (a zone index, an odd hostname) is left out rather than failing the run.
void add_host(tls::CertificateSpec& spec, const std::string& host) {
  in6_addr v6{};
  in_addr v4{};
  if (::inet_pton(AF_INET6, host.c_str(), &v6) == 1 || ::inet_pton(AF_INET, host.c_str(), &v4) == 1) {
    spec.ip_addresses.push_back(host);
    return;
  }
  const bool dns = !host.empty() && host.size() <= 253 &&
                   host.find_first_not_of("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.-_") ==
                       std::string::npos;
  if (dns) spec.dns_names.push_back(host);
}

int make_ca(const Options& o) {
  const std::string key_path = path_in(o.dir, kCaKey);
  const std::string cert_path = path_in(o.dir, kCaCert);
  refuse_existing({key_path, cert_path});
  make_dir(o.dir);
  tls::CertificateSpec spec = spec_for(o.name.value_or(meshmpc::keygen::kDefaultCaName), o.days);
  spec.is_ca = true;
  const SecretText key(tls::generate_private_key(o.type));
  const std::string cert = tls::self_signed_certificate(key.get(), spec);
  tls::write_private_key_file(key_path, key.get());
  tls::write_certificate_file(cert_path, cert);
  std::cerr << "meshmpc-keygen: wrote " << key_path << " (CA private key, mode 0600; keep it off the parties' machines) and "
            << cert_path << " (CA certificate, CN '" << spec.common_name << "', valid until "
            << tls::validity(cert, cert_path).not_after << ")\n";
  return 0;
}

int make_parties(const Options& o) {
  std::vector<std::string> paths;
  for (std::size_t i : o.indices) {
    paths.push_back(path_in(o.dir, "party_" + std::to_string(i) + ".key"));
    paths.push_back(path_in(o.dir, "party_" + std::to_string(i) + ".crt"));
  }
  refuse_existing(paths);

  // Read (and check) the CA before making anything.
  std::optional<SecretText> ca_key;
  std::string ca_cert;
  if (o.ca_dir) {
    ca_key.emplace(tls::read_private_key_file(path_in(*o.ca_dir, kCaKey)));
    ca_cert = tls::read_certificate_file(path_in(*o.ca_dir, kCaCert));
  }
  make_dir(o.dir);
  const std::string host = hostname();
  for (std::size_t n = 0; n < o.indices.size(); ++n) {
    const std::size_t i = o.indices[n];
    const std::string endpoint =
        o.endpoint.value_or(host + ":" + std::to_string(meshmpc::keygen::kBasePort + i));
    tls::CertificateSpec spec = spec_for(o.name.value_or("party" + std::to_string(i)), o.days);
    add_host(spec, meshmpc::keygen::endpoint_host(endpoint));
    const SecretText key(tls::generate_private_key(o.type));
    const std::string cert = ca_key ? tls::issue_certificate(key.get(), spec, ca_key->get(), ca_cert)
                                    : tls::self_signed_certificate(key.get(), spec);
    const std::string& key_path = paths[2 * n];
    const std::string& cert_path = paths[2 * n + 1];
    tls::write_private_key_file(key_path, key.get());
    tls::write_certificate_file(cert_path, cert);
    std::cout << endpoint << ' ' << tls::format_fingerprint(tls::fingerprint_of_pem(cert, cert_path)) << std::endl;
    std::cerr << "meshmpc-keygen: wrote " << key_path << " (private, mode 0600) and " << cert_path << " ("
              << (ca_key ? "issued by " + path_in(*o.ca_dir, kCaCert) : std::string("self-signed")) << ", CN '"
              << spec.common_name << "')\n";
  }
  return 0;
}

int print_fingerprint(const Options& o) {
  const std::string cert = tls::read_certificate_file(o.certificate);
  std::cout << tls::format_fingerprint(tls::fingerprint_of_pem(cert, o.certificate)) << '\n';
  return 0;
}

}  // namespace

int main(int argc, char* argv[]) {
  Options options;
  try {
    options = meshmpc::keygen::parse_options(std::vector<std::string>(argv + (argc > 0 ? 1 : 0), argv + argc));
  } catch (const meshmpc::keygen::UsageError& e) {
    std::cerr << "meshmpc-keygen: " << e.what() << '\n';
    return 2;
  }
  try {
    switch (options.mode) {
      case meshmpc::keygen::Mode::help:
        std::cout << options.help_text;
        return 0;
      case meshmpc::keygen::Mode::ca:
        return make_ca(options);
      case meshmpc::keygen::Mode::parties:
        return make_parties(options);
      case meshmpc::keygen::Mode::fingerprint:
        return print_fingerprint(options);
    }
  } catch (const std::exception& e) {
    std::cerr << "meshmpc-keygen: " << e.what() << '\n';
    return 1;
  }
  return 1;
}
