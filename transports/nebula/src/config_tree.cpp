#include "config_tree.hpp"

#include <yaml.h>

#include <algorithm>
#include <filesystem>
#include <system_error>

#include <meshmpc/nebula/certificate.hpp>
#include <meshmpc/nebula/pem.hpp>

namespace meshmpc::nebula::detail {

namespace {

namespace fs = std::filesystem;

// Deeper YAML than this is no nebula config; the bound keeps the recursion below
// from exhausting the stack on hostile input.
constexpr std::size_t kMaxDepth = 64;

[[noreturn]] void malformed(const std::string& message) {
  throw CertificateError(CertificateFault::malformed, message);
}

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

std::string scalar_text(const yaml_node_t* node) {
  return std::string(reinterpret_cast<const char*>(node->data.scalar.value), node->data.scalar.length);
}

// YAML 1.2's core schema, as nebula's YAML reader resolves plain scalars: these
// spellings are null.
bool plain_null(std::string_view text) {
  return text.empty() || text == "~" || text == "null" || text == "Null" || text == "NULL";
}

// A plain scalar that reads as the number zero (0, -0, 0.0, .0e5, 0x0, 0o0).
bool plain_zero(std::string_view text) {
  if (!text.empty() && (text.front() == '-' || text.front() == '+')) text.remove_prefix(1);
  if (text.size() > 2 && text[0] == '0' && (text[1] == 'x' || text[1] == 'o')) {
    return text.find_first_not_of('0', 2) == std::string_view::npos;
  }
  if (const auto e = text.find_first_of("eE"); e != std::string_view::npos) text = text.substr(0, e);
  bool digit = false;
  bool dot = false;
  for (const char c : text) {
    if (c == '0') {
      digit = true;
    } else if (c == '.' && !dot) {
      dot = true;
    } else {
      return false;
    }
  }
  return digit;
}

struct Converter {
  yaml_document_t& doc;
  const std::string& source;
  std::size_t budget = kMaxConfigNodes;

  ConfigNode convert(const yaml_node_t* node, std::size_t depth) {
    ConfigNode out;
    out.file = source;
    out.line = node->start_mark.line + 1;
    if (budget-- == 0) {
      malformed("nebula config '" + source + "': more than " + std::to_string(kMaxConfigNodes) +
                " values (aliases expanding?)");
    }
    if (depth > kMaxDepth) {
      malformed("nebula config '" + source + "', line " + std::to_string(out.line) + ": nested deeper than " +
                std::to_string(kMaxDepth) + " levels");
    }
    switch (node->type) {
      case YAML_SCALAR_NODE: {
        out.text = scalar_text(node);
        out.quoted = node->data.scalar.style != YAML_PLAIN_SCALAR_STYLE;
        out.kind = !out.quoted && plain_null(out.text) ? ConfigNode::Kind::null : ConfigNode::Kind::scalar;
        break;
      }
      case YAML_SEQUENCE_NODE:
        out.kind = ConfigNode::Kind::list;
        for (yaml_node_item_t* item = node->data.sequence.items.start; item < node->data.sequence.items.top; ++item) {
          out.items.push_back(convert(yaml_document_get_node(&doc, *item), depth + 1));
        }
        break;
      case YAML_MAPPING_NODE:
        out.kind = ConfigNode::Kind::map;
        for (yaml_node_pair_t* pair = node->data.mapping.pairs.start; pair < node->data.mapping.pairs.top; ++pair) {
          const yaml_node_t* key = yaml_document_get_node(&doc, pair->key);
          if (!key || key->type != YAML_SCALAR_NODE) {
            malformed("nebula config '" + source + "', line " + std::to_string(out.line) +
                      ": a mapping key that is not a plain value");
          }
          std::string name = scalar_text(key);
          if (out.find(name)) {
            malformed("nebula config '" + source + "', line " + std::to_string(key->start_mark.line + 1) + ": key '" +
                      name + "' appears twice in one mapping");
          }
          out.entries.push_back({std::move(name), convert(yaml_document_get_node(&doc, pair->value), depth + 1)});
        }
        break;
      default:
        break;  // an empty document: null
    }
    return out;
  }
};

std::string join(const std::string& path, const std::string& key) { return path.empty() ? key : path + "." + key; }

std::string kind_name(const ConfigNode& node) {
  switch (node.kind) {
    case ConfigNode::Kind::null: return "empty";
    case ConfigNode::Kind::scalar: return "a single value";
    case ConfigNode::Kind::list: return "a list";
    case ConfigNode::Kind::map: return "a mapping";
  }
  return "?";
}

// nebula's filepath.Ext: from the last dot of the name (".yml" counts, unlike
// std::filesystem's extension() of a dot file).
bool config_extension(const fs::path& file) {
  const std::string name = file.filename().string();
  const auto dot = name.rfind('.');
  if (dot == std::string::npos) return false;
  const std::string ext = name.substr(dot);
  return ext == ".yml" || ext == ".yaml";
}

void collect(const fs::path& dir, int depth, const std::string& top, std::vector<std::string>& files) {
  if (depth > kMaxConfigDepth) {
    throw CertificateError(CertificateFault::unreadable, "nebula config directory '" + top + "' is nested deeper than " +
                                                             std::to_string(kMaxConfigDepth) +
                                                             " levels (a symlink loop?) at '" + dir.string() + "'");
  }
  std::error_code error;
  fs::directory_iterator it(dir, error);
  if (error) {
    throw CertificateError(CertificateFault::unreadable,
                           "cannot read nebula config directory '" + dir.string() + "': " + error.message());
  }
  for (; it != fs::directory_iterator(); it.increment(error)) {
    // As nebula: what cannot be stat'ed (a dangling symlink) is passed over.
    std::error_code stat_error;
    const fs::file_status status = fs::status(it->path(), stat_error);
    if (stat_error) continue;
    if (fs::is_directory(status)) {
      collect(it->path(), depth + 1, top, files);
    } else if (config_extension(it->path())) {
      files.push_back(it->path().string());
    }
  }
  if (error) {
    throw CertificateError(CertificateFault::unreadable,
                           "cannot read nebula config directory '" + dir.string() + "': " + error.message());
  }
}

}  // namespace

const ConfigNode* ConfigNode::find(std::string_view key) const {
  if (kind != Kind::map) return nullptr;
  for (const auto& [name, value] : entries) {
    if (name == key) return &value;
  }
  return nullptr;
}

bool ConfigNode::empty_for_merge() const {
  switch (kind) {
    case Kind::null: return true;
    case Kind::scalar: return text.empty() || (!quoted && (text == "false" || text == "False" || text == "FALSE" ||
                                                           plain_zero(text)));
    case Kind::list: return items.empty();
    case Kind::map: return entries.empty();
  }
  return true;
}

std::string ConfigNode::where() const { return "'" + file + "', line " + std::to_string(line); }

ConfigNode parse_config_text(std::string_view yaml, const std::string& source) {
  YamlDocument doc;
  yaml_parser_set_input_string(&doc.parser, reinterpret_cast<const unsigned char*>(yaml.data()), yaml.size());
  if (!yaml_parser_load(&doc.parser, &doc.document)) {
    malformed("nebula config '" + source + "', line " + std::to_string(doc.parser.problem_mark.line + 1) + ": " +
              (doc.parser.problem ? doc.parser.problem : "malformed YAML"));
  }
  doc.loaded = true;
  const yaml_node_t* root = yaml_document_get_root_node(&doc.document);
  if (!root) {
    ConfigNode empty;
    empty.file = source;
    return empty;
  }
  Converter converter{doc.document, source};
  ConfigNode tree = converter.convert(root, 0);
  if (tree.kind != ConfigNode::Kind::map && tree.kind != ConfigNode::Kind::null) {
    malformed("nebula config '" + source + "': the top level is " + kind_name(tree) + ", not a mapping of settings");
  }
  return tree;
}

ConfigNode merge_configs(ConfigNode later, ConfigNode earlier, const std::string& path) {
  using Kind = ConfigNode::Kind;
  switch (earlier.kind) {
    case Kind::null:
      return later;
    case Kind::list:
      if (later.kind == Kind::null) return earlier;
      if (later.kind != Kind::list) {
        malformed("nebula config: " + (path.empty() ? std::string("the top level") : "'" + path + "'") +
                  " is a list in " + earlier.where() + " but " + kind_name(later) + " in " + later.where() +
                  "; nebula cannot merge the two either");
      }
      later.items.insert(later.items.end(), std::make_move_iterator(earlier.items.begin()),
                         std::make_move_iterator(earlier.items.end()));
      return later;
    case Kind::map:
      if (later.kind == Kind::map) {
        for (auto& [key, value] : earlier.entries) {
          if (value.kind == Kind::null) continue;
          const std::string& name = key;  // clang 14 cannot capture a structured binding
          const auto at = std::find_if(later.entries.begin(), later.entries.end(),
                                       [&](const auto& entry) { return entry.key == name; });
          if (at == later.entries.end()) {
            later.entries.push_back({key, std::move(value)});
          } else {
            at->value = merge_configs(std::move(at->value), std::move(value), join(path, key));
          }
        }
        return later;
      }
      return later.empty_for_merge() ? earlier : later;
    case Kind::scalar:
      return later.empty_for_merge() ? earlier : later;
  }
  return later;
}

std::vector<std::string> config_files(const std::string& path) {
  std::error_code error;
  const fs::path absolute = fs::absolute(path, error).lexically_normal();
  const fs::file_status status = fs::status(absolute, error);
  if (error || !fs::exists(status)) {
    throw CertificateError(CertificateFault::unreadable,
                           "cannot read nebula config '" + path + "': " +
                               (error ? error.message() : std::string("no such file or directory")));
  }
  if (!fs::is_directory(status)) return {path};  // named as given, for messages
  std::vector<std::string> files;
  collect(absolute, 0, path, files);
  if (files.empty()) {
    throw CertificateError(CertificateFault::unreadable,
                           "nebula config directory '" + path + "' holds no .yml or .yaml file");
  }
  std::sort(files.begin(), files.end());
  return files;
}

ConfigNode load_config(const std::string& path) {
  ConfigNode merged;
  for (const std::string& file : config_files(path)) {
    ConfigNode next = parse_config_text(read_text_file(file, "nebula config"), file);
    merged = merge_configs(std::move(next), std::move(merged));
  }
  return merged;
}

}  // namespace meshmpc::nebula::detail
