#include <meshmpc/nebula/node_config.hpp>

#include "config_tree.hpp"
#include <meshmpc/nebula/certificate.hpp>
#include <meshmpc/nebula/pem.hpp>

namespace meshmpc::nebula {

namespace {

using detail::ConfigNode;

std::string config_name(const ConfigNode& node, const std::string& fallback) {
  return node.file.empty() ? fallback : node.file;
}

// pki.ca, pki.cert or pki.key: a path, or the PEM itself.
PemSource pem_of(const ConfigNode* pki, std::string_view key, const std::string& source) {
  const ConfigNode* node = pki ? pki->find(key) : nullptr;
  const std::string where =
      "nebula config '" + (node ? config_name(*node, source) : source) + "': pki." + std::string(key);
  if (!node || node->kind == ConfigNode::Kind::null || (node->kind == ConfigNode::Kind::scalar && node->text.empty())) {
    throw CertificateError(CertificateFault::malformed, where + " is missing (meshmpc reads the CA, certificate "
                                                                "and key from the pki section)");
  }
  if (node->kind != ConfigNode::Kind::scalar) {
    throw CertificateError(CertificateFault::malformed,
                           where + " (line " + std::to_string(node->line) + ") must be a path or PEM text");
  }
  PemSource out;
  out.origin = where;
  // Nebula takes a value holding a PEM banner as the PEM itself.
  if (node->text.find("-----BEGIN") != std::string::npos) {
    out.inline_text = node->text;
  } else {
    if (key == "key") refuse_pkcs11_key(node->text, "pki.key in " + config_name(*node, source));
    out.path = node->text;
  }
  return out;
}

NodeConfig node_config_of(const ConfigNode& root, const std::string& source) {
  const ConfigNode* pki = root.find("pki");
  NodeConfig config;
  config.ca = pem_of(pki, "ca", source);
  config.cert = pem_of(pki, "cert", source);
  config.key = pem_of(pki, "key", source);
  if (const ConfigNode* list = pki->find("blocklist"); list && list->kind != ConfigNode::Kind::null) {
    const std::string file = config_name(*list, source);
    if (list->kind != ConfigNode::Kind::list) {
      // Nebula reads a non-list as no blocklist at all.
      config.warnings.push_back("nebula config '" + file + "', line " + std::to_string(list->line) +
                                ": pki.blocklist is not a list; like nebula, meshmpc blocks nothing by it");
    } else {
      for (const ConfigNode& entry : list->items) {
        const std::string text = entry.kind == ConfigNode::Kind::scalar ? entry.text : std::string();
        config.blocklist.push_back(text);
        if (!is_fingerprint(text)) {
          config.warnings.push_back("nebula config '" + config_name(entry, file) + "', line " +
                                    std::to_string(entry.line) + ": pki.blocklist entry '" + text +
                                    "' is not a fingerprint (64 lowercase hex digits, as nebula-cert print shows "
                                    "it); like nebula, meshmpc keeps it, but it matches no certificate");
        }
      }
    }
  }
  if (const ConfigNode* version = pki->find("initiating_version");
      version && version->kind != ConfigNode::Kind::null) {
    if (version->kind == ConfigNode::Kind::scalar && (version->text == "1" || version->text == "2")) {
      config.initiating_version = version->text == "1" ? 1 : 2;
    } else {
      throw CertificateError(CertificateFault::malformed,
                             "nebula config '" + config_name(*version, source) + "', line " +
                                 std::to_string(version->line) + ": pki.initiating_version is " +
                                 (version->kind == ConfigNode::Kind::scalar ? "'" + version->text + "'"
                                                                            : std::string("not a single value")) +
                                 "; it must be 1 or 2 (the certificate version this host sends first)");
    }
  }
  if (const ConfigNode* tun = root.find("tun")) {
    if (const ConfigNode* dev = tun->find("dev"); dev && dev->kind == ConfigNode::Kind::scalar) {
      config.tun_dev = dev->text;
    }
  }
  return config;
}

}  // namespace

std::string PemSource::read(std::string_view what) const {
  return path.empty() ? inline_text : read_text_file(path, what);
}

bool is_fingerprint(std::string_view entry) {
  return entry.size() == 64 && entry.find_first_not_of("0123456789abcdef") == std::string_view::npos;
}

void refuse_pkcs11_key(std::string_view value, const std::string& where) {
  if (value.substr(0, 7) == "pkcs11:") {
    // A CertificateError like every refusal of this reader (node_config.hpp): the key
    // is one meshmpc cannot read. The fuzz target found the plain ConfigError.
    throw CertificateError(CertificateFault::unreadable, "PKCS#11 keys are not supported by meshmpc (" + where +
                      "): meshmpc needs the host key itself; give it a key file made by nebula-cert");
  }
}

NodeConfig parse_node_config(std::string_view yaml, const std::string& source) {
  return node_config_of(detail::parse_config_text(yaml, source), source);
}

NodeConfig read_node_config(const std::string& path) { return node_config_of(detail::load_config(path), path); }

}  // namespace meshmpc::nebula
