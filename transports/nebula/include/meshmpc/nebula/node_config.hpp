#pragma once
// What meshmpc takes from a nebula config.yml: the pki section (the CA bundle,
// this host's certificate and key, the blocklist, each a path or the PEM text inline, as Nebula
// allows) and tun.dev, the interface the overlay IP should be on. Parsed with
// libyaml; everything else in the file is Nebula's business.
#include <string>
#include <string_view>
#include <vector>

namespace meshmpc::nebula {

// A PEM file named by path, or PEM text given inline in the config.
struct PemSource {
  std::string path;         // empty when inline
  std::string inline_text;  // the PEM when given inline
  std::string origin;       // "config.yml: pki.cert", for messages about inline text

  bool empty() const { return path.empty() && inline_text.empty(); }
  // The PEM text; CertificateError(unreadable) naming the path when it cannot be read.
  std::string read(std::string_view what) const;
  // The path, or the origin of inline text.
  std::string name() const { return path.empty() ? origin : path; }
};

struct NodeConfig {
  PemSource ca;
  PemSource cert;
  PemSource key;
  std::vector<std::string> blocklist;  // pki.blocklist: fingerprints refused
  std::string tun_dev = "nebula1";     // Nebula's default when tun.dev is absent
};

// Throws CertificateError: unreadable file, or malformed YAML (with the line), or
// a missing pki.ca/pki.cert/pki.key (naming the key and the file).
NodeConfig read_node_config(const std::string& path);
// The same from text; `source` names it in messages and relative paths stay as
// given (Nebula reads them relative to its working directory).
NodeConfig parse_node_config(std::string_view yaml, const std::string& source);

}  // namespace meshmpc::nebula
