#pragma once
// What meshmpc takes from a nebula config: the pki section (the CA bundle,
// this host's certificate(s) and key, each a path or the PEM text inline, as
// Nebula allows; the blocklist; initiating_version) and tun.dev, the interface
// the overlay IP should be on. The config may be one YAML file or a directory
// of them, merged as nebula merges them (config_tree.hpp). Parsed with libyaml;
// everything else in the file is Nebula's business.
#include <optional>
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
  PemSource cert;  // one certificate, or a v1 and a v2 one during a migration
  PemSource key;
  // pki.blocklist, every entry as written. Nebula keeps entries that are no
  // fingerprint too (they simply match nothing); so does meshmpc, with a warning.
  std::vector<std::string> blocklist;
  // pki.initiating_version: which certificate of pki.cert this host sends first.
  // Absent: Nebula's default (v1 when pki.cert holds one, else v2).
  std::optional<int> initiating_version;
  std::string tun_dev = "nebula1";  // Nebula's default when tun.dev is absent
  // What deserves a warning (a blocklist entry that can match nothing), each
  // naming the file; the caller logs them.
  std::vector<std::string> warnings;
};

// True when `entry` can match a certificate: 64 lowercase hex digits, the form
// Nebula compares against (nebula-cert print's "fingerprint").
bool is_fingerprint(std::string_view entry);

// Throws ConfigError naming where `value` came from when it is a PKCS#11 URI:
// meshmpc reads the key itself and cannot use a key held in a token.
void refuse_pkcs11_key(std::string_view value, const std::string& where);

// `path` is a YAML file or a directory of them (merged as nebula does).
// Throws CertificateError: unreadable file or directory, malformed YAML (with
// the file and line), files nebula could not merge, a missing pki.ca/pki.cert/
// pki.key (naming the key and the file), pki.initiating_version other than 1
// or 2; ConfigError for a pkcs11: pki.key.
NodeConfig read_node_config(const std::string& path);
// The same from text; `source` names it in messages and relative paths stay as
// given (Nebula reads them relative to its working directory).
NodeConfig parse_node_config(std::string_view yaml, const std::string& source);

}  // namespace meshmpc::nebula
