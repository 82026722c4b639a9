// The nebula config as nebula reads it (read_node_config): one file or a
// directory of YAML files merged as nebula merges them, the blocklist kept as
// written, pki.initiating_version, and a PKCS#11 key refused by name. Real files
// in a temporary directory; the certificate paths in them are never opened here.
#include <gtest/gtest.h>

#include <cstring>  // before pki.hpp, which uses std::strlen
#include <filesystem>
#include <functional>

#include <meshmpc/nebula/certificate.hpp>
#include <meshmpc/nebula/node_config.hpp>
#include "pki.hpp"

namespace meshmpc::nebula {
namespace {

using test::TempDir;
using test::write_file;

const std::string kFingerprint(64, 'a');

std::string error_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const Error& e) {
    return e.what();
  }
  return "no error";
}

TEST(NodeConfigDirectory, MergesItsYamlFilesInPathOrderAsNebulaDoes) {
  TempDir dir;
  const std::string conf = dir / "nebula.d";
  std::filesystem::create_directories(conf + "/sub");
  write_file(conf + "/10-pki.yml", "pki:\n  ca: /etc/nebula/ca.crt\n  cert: /etc/nebula/old.crt\n"
                                   "  key: /etc/nebula/host.key\n  blocklist: [" + kFingerprint + "]\n"
                                   "tun: {dev: neb1, mtu: 1300}\n");
  // A later file wins for single values; lists are joined, its items first.
  write_file(conf + "/20-migration.yml", "pki:\n  cert: /etc/nebula/v1-and-v2.crt\n  blocklist: [" +
                                             std::string(64, 'b') + "]\n  initiating_version: 2\n");
  // Found in a subdirectory too; empty values (null, "", 0) leave the earlier ones.
  write_file(conf + "/sub/30-empty.yaml", "pki:\n  key: ~\n  initiating_version: 0\ntun:\n  dev: \"\"\n");
  // Not config files: nebula passes over them.
  write_file(conf + "/README", "not: [yaml");
  write_file(conf + "/40-old.yml~", "pki: {ca: /nowhere}");
  const NodeConfig config = read_node_config(conf);
  EXPECT_EQ(config.ca.path, "/etc/nebula/ca.crt");
  EXPECT_EQ(config.cert.path, "/etc/nebula/v1-and-v2.crt");
  EXPECT_NE(config.cert.origin.find("20-migration.yml"), std::string::npos) << config.cert.origin;
  EXPECT_EQ(config.key.path, "/etc/nebula/host.key");
  EXPECT_EQ(config.blocklist, (std::vector<std::string>{std::string(64, 'b'), kFingerprint}));
  EXPECT_EQ(config.initiating_version, 2);
  EXPECT_EQ(config.tun_dev, "neb1");
  EXPECT_TRUE(config.warnings.empty());
}

TEST(NodeConfigDirectory, RefusesWhatNebulaRefuses) {
  TempDir dir;
  std::filesystem::create_directories(dir / "empty");
  write_file(dir / "empty/notes.txt", "pki: {}");
  EXPECT_NE(error_of([&] { read_node_config(dir / "empty"); }).find("holds no .yml or .yaml file"),
            std::string::npos);
  EXPECT_NE(error_of([&] { read_node_config(dir / "absent"); }).find("cannot read nebula config"),
            std::string::npos);
  // A list in one file and a single value in a later one: nebula cannot merge them.
  std::filesystem::create_directories(dir / "clash");
  write_file(dir / "clash/a.yml", "pki: {ca: c, cert: d, key: k, blocklist: [" + kFingerprint + "]}\n");
  write_file(dir / "clash/b.yml", "pki:\n  blocklist: " + kFingerprint + "\n");
  const std::string clash = error_of([&] { read_node_config(dir / "clash"); });
  EXPECT_NE(clash.find("'pki.blocklist' is a list in '"), std::string::npos) << clash;
  EXPECT_NE(clash.find("a.yml', line 1 but a single value in '"), std::string::npos) << clash;
  EXPECT_NE(clash.find("b.yml', line 2"), std::string::npos) << clash;
  // A key written twice in one file, and a directory that contains itself.
  write_file(dir / "twice.yml", "pki:\n  ca: a\n  ca: b\n");
  EXPECT_NE(error_of([&] { read_node_config(dir / "twice.yml"); }).find("line 3: key 'ca' appears twice"),
            std::string::npos);
  std::filesystem::create_directories(dir / "loop");
  write_file(dir / "loop/a.yml", "pki: {ca: c, cert: d, key: k}\n");
  std::filesystem::create_directory_symlink(dir / "loop", dir / "loop/again");
  EXPECT_NE(error_of([&] { read_node_config(dir / "loop"); }).find("a symlink loop?"), std::string::npos);
  // A file given directly is read whatever its name.
  write_file(dir / "nebula.conf", "pki: {ca: c, cert: d, key: k}\n");
  EXPECT_EQ(read_node_config(dir / "nebula.conf").ca.path, "c");
}

TEST(NodeConfigFile, ExpandingAliasesAreBounded) {
  TempDir dir;
  std::string yaml = "a: &a [x, x, x, x, x, x, x, x, x, x]\n";
  for (char level = 'b'; level <= 'g'; ++level) {
    yaml += std::string(1, level) + ": &" + level + " [";
    for (int i = 0; i < 10; ++i) yaml += std::string(i ? ", " : "") + "*" + static_cast<char>(level - 1);
    yaml += "]\n";
  }
  write_file(dir / "bomb.yml", yaml);
  EXPECT_NE(error_of([&] { read_node_config(dir / "bomb.yml"); }).find("more than 100000 values"), std::string::npos);
}

TEST(NodeConfigFile, KeepsBlocklistEntriesThatAreNoFingerprintWithAWarning) {
  TempDir dir;
  write_file(dir / "c.yml", "pki:\n  ca: c\n  cert: d\n  key: k\n  blocklist:\n    - " + kFingerprint +
                                "\n    - not-a-fingerprint\n    - " + std::string(64, 'A') + "\n");
  const NodeConfig config = read_node_config(dir / "c.yml");
  EXPECT_EQ(config.blocklist, (std::vector<std::string>{kFingerprint, "not-a-fingerprint", std::string(64, 'A')}));
  ASSERT_EQ(config.warnings.size(), 2u);
  EXPECT_NE(config.warnings[0].find("c.yml', line 7: pki.blocklist entry 'not-a-fingerprint' is not a fingerprint"),
            std::string::npos)
      << config.warnings[0];
  EXPECT_NE(config.warnings[0].find("it matches no certificate"), std::string::npos);
  // Upper case never matches in nebula either (it compares lowercase hex).
  EXPECT_NE(config.warnings[1].find("line 8"), std::string::npos) << config.warnings[1];
  EXPECT_TRUE(is_fingerprint(kFingerprint));
  EXPECT_FALSE(is_fingerprint(std::string(64, 'A')));
  EXPECT_FALSE(is_fingerprint(std::string(63, 'a')));
}

TEST(NodeConfigFile, ReadsTheInitiatingVersion) {
  TempDir dir;
  const auto with_version = [&](const std::string& value) {
    write_file(dir / "v.yml", "pki:\n  ca: c\n  cert: d\n  key: k\n  initiating_version: " + value + "\n");
    return read_node_config(dir / "v.yml");
  };
  EXPECT_FALSE(read_node_config((write_file(dir / "none.yml", "pki: {ca: c, cert: d, key: k}\n"), dir / "none.yml"))
                   .initiating_version.has_value());
  EXPECT_EQ(with_version("1").initiating_version, 1);
  EXPECT_EQ(with_version("2").initiating_version, 2);
  EXPECT_EQ(with_version("\"2\"").initiating_version, 2);  // nebula reads it as text, then as a number
  for (const std::string bad : {"3", "0", "two", "[2]"}) {
    const std::string message = error_of([&] { with_version(bad); });
    EXPECT_NE(message.find("v.yml', line 5: pki.initiating_version is "), std::string::npos) << bad << ": " << message;
    EXPECT_NE(message.find("it must be 1 or 2"), std::string::npos) << message;
  }
}

TEST(NodeConfigFile, RefusesAPkcs11KeyByName) {
  TempDir dir;
  write_file(dir / "hsm.yml", "pki:\n  ca: c\n  cert: d\n  key: \"pkcs11:token=nebula;object=host\"\n");
  const std::string message = error_of([&] { read_node_config(dir / "hsm.yml"); });
  EXPECT_NE(message.find("PKCS#11 keys are not supported by meshmpc (pki.key in " + (dir / "hsm.yml") + ")"),
            std::string::npos)
      << message;
  // pki.cert may hold a v1 and a v2 certificate: carried as written.
  write_file(dir / "two.yml",
             "pki:\n  ca: c\n  key: k\n  cert: |\n    -----BEGIN NEBULA CERTIFICATE-----\n    AA==\n"
             "    -----END NEBULA CERTIFICATE-----\n    -----BEGIN NEBULA CERTIFICATE V2-----\n    AA==\n"
             "    -----END NEBULA CERTIFICATE V2-----\n");
  const NodeConfig two = read_node_config(dir / "two.yml");
  EXPECT_NE(two.cert.inline_text.find("NEBULA CERTIFICATE V2"), std::string::npos);
  EXPECT_NE(two.cert.inline_text.find("BEGIN NEBULA CERTIFICATE-----"), std::string::npos);
}

}  // namespace
}  // namespace meshmpc::nebula
