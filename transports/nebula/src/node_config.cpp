#include "meshmpc/nebula/node_config.hpp"

#include <yaml.h>

#include <memory>
#include <optional>

#include "meshmpc/nebula/certificate.hpp"
#include "meshmpc/nebula/pem.hpp"

namespace meshmpc::nebula {

namespace {

// libyaml's parser and document, released however parsing ends.
struct YamlDocument {
  yaml_parser_t parser{};
  yaml_document_t document{};
  bool loaded = false;
  YamlDocument() { yaml_parser_initialize(&parser); }
  ~YamlDocument() {
    if (loaded) yaml_document_delete(&document);
    yaml_parser_delete(&parser);
  }
  YamlDocument(const YamlDocument&) = delete;
  YamlDocument& operator=(const YamlDocument&) = delete;
};

std::string scalar(const yaml_node_t* node) {
  return std::string(reinterpret_cast<const char*>(node->data.scalar.value), node->data.scalar.length);
}

// The value under `key` in a mapping node, or nullptr.
yaml_node_t* lookup(yaml_document_t& doc, yaml_node_t* map, std::string_view key) {
  if (!map || map->type != YAML_MAPPING_NODE) return nullptr;
  for (yaml_node_pair_t* pair = map->data.mapping.pairs.start; pair < map->data.mapping.pairs.top; ++pair) {
    yaml_node_t* k = yaml_document_get_node(&doc, pair->key);
    if (k && k->type == YAML_SCALAR_NODE && scalar(k) == key) return yaml_document_get_node(&doc, pair->value);
  }
  return nullptr;
}

}  // namespace

std::string PemSource::read(std::string_view what) const {
  return path.empty() ? inline_text : read_text_file(path, what);
}

NodeConfig parse_node_config(std::string_view yaml, const std::string& source) {
  YamlDocument doc;
  yaml_parser_set_input_string(&doc.parser, reinterpret_cast<const unsigned char*>(yaml.data()), yaml.size());
  if (!yaml_parser_load(&doc.parser, &doc.document)) {
    throw CertificateError(CertificateFault::malformed,
                           "nebula config '" + source + "', line " + std::to_string(doc.parser.problem_mark.line + 1) +
                               ": " + (doc.parser.problem ? doc.parser.problem : "malformed YAML"));
  }
  doc.loaded = true;
  yaml_node_t* root = yaml_document_get_root_node(&doc.document);
  yaml_node_t* pki = lookup(doc.document, root, "pki");
  NodeConfig config;
  const auto pem_of = [&](std::string_view key) {
    yaml_node_t* node = lookup(doc.document, pki, key);
    const std::string where = "nebula config '" + source + "': pki." + std::string(key);
    if (!node || node->type != YAML_SCALAR_NODE || node->data.scalar.length == 0) {
      throw CertificateError(CertificateFault::malformed, where + " is missing (meshmpc reads the CA, certificate "
                                                                  "and key from the pki section)");
    }
    PemSource out;
    out.origin = where;
    std::string value = scalar(node);
    // Nebula takes a value holding a PEM banner as the PEM itself.
    if (value.find("-----BEGIN") != std::string::npos) {
      out.inline_text = std::move(value);
    } else {
      out.path = std::move(value);
    }
    return out;
  };
  config.ca = pem_of("ca");
  config.cert = pem_of("cert");
  config.key = pem_of("key");
  if (yaml_node_t* list = lookup(doc.document, pki, "blocklist"); list && list->type == YAML_SEQUENCE_NODE) {
    for (yaml_node_item_t* item = list->data.sequence.items.start; item < list->data.sequence.items.top; ++item) {
      yaml_node_t* entry = yaml_document_get_node(&doc.document, *item);
      if (entry && entry->type == YAML_SCALAR_NODE) config.blocklist.push_back(scalar(entry));
    }
  }
  if (yaml_node_t* dev = lookup(doc.document, lookup(doc.document, root, "tun"), "dev");
      dev && dev->type == YAML_SCALAR_NODE) {
    config.tun_dev = scalar(dev);
  }
  return config;
}

NodeConfig read_node_config(const std::string& path) {
  return parse_node_config(read_text_file(path, "nebula config"), path);
}

}  // namespace meshmpc::nebula
