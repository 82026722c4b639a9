#pragma once
// A nebula config as nebula itself loads it (its config/config.go): one YAML
// file, or a directory whose .yml/.yaml files (found recursively) are merged in
// the byte order of their absolute paths, each later file over what the earlier
// ones built. The merge follows the library nebula uses (mergo with
// WithAppendSlice), quirks included, so that meshmpc reads the same pki as the
// nebula daemon beside it:
// - mappings merge key by key, recursively;
// - lists concatenate, the later file's items first;
// - otherwise the later file's value wins, unless it is "empty" (null, "",
//   false, a zero number, an empty list or mapping): then the earlier one stays;
// - a list in an earlier file against a non-list, non-null value in a later one
//   stops nebula ("cannot append two slices with different type"): an error here too.
// Internal to the nebula transport (node_config.cpp).
#include <cstddef>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace meshmpc::nebula::detail {

struct ConfigEntry;

struct ConfigNode {
  enum class Kind { null, scalar, list, map };
  Kind kind = Kind::null;
  std::string text;                                         // scalar
  bool quoted = false;                                      // a quoted or block scalar: always a string
  std::vector<ConfigNode> items;                            // list
  std::vector<ConfigEntry> entries;                         // map, in file order
  std::string file;                                         // where the value was written
  std::size_t line = 0;                                     // 1-based

  // The value under `key` in a map; nullptr when absent or this is not a map.
  const ConfigNode* find(std::string_view key) const;
  // What the merge treats as absent (see above).
  bool empty_for_merge() const;
  // "'config.yml', line 4", for messages.
  std::string where() const;
};

// A key of a map and its value (a struct, not std::pair: a pair needs ConfigNode
// complete where the vector above is declared, which clang's libstdc++ use refuses).
struct ConfigEntry {
  std::string key;
  ConfigNode value;
};

// One YAML document (the first of the text). Throws CertificateError(malformed)
// naming `source` and the line: bad YAML, a key written twice in one mapping
// (nebula's YAML reader refuses that too), a top level that is not a mapping, or
// more than kMaxConfigNodes values (aliases can make a small text huge).
inline constexpr std::size_t kMaxConfigNodes = 100'000;
ConfigNode parse_config_text(std::string_view yaml, const std::string& source);

// `later` merged over `earlier`; `path` ("pki.blocklist") names the key in errors.
ConfigNode merge_configs(ConfigNode later, ConfigNode earlier, const std::string& path = "");

// The files nebula reads for `-config path`: the path itself when it is a file
// (whatever its name), else every .yml/.yaml file below it, sorted. Throws
// CertificateError(unreadable) when the path does not exist, a directory cannot
// be read, or it holds no config file; directories deeper than kMaxConfigDepth
// (a symlink loop) are an error too.
inline constexpr int kMaxConfigDepth = 32;
std::vector<std::string> config_files(const std::string& path);

// config_files(path), each read and parsed, merged in order.
ConfigNode load_config(const std::string& path);

}  // namespace meshmpc::nebula::detail
