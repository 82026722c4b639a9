#pragma once
// What the TLS credential tests share: a private temporary directory removed at
// the end of the test (tests/temp_dir.hpp), file helpers, and verification of a
// certificate against a CA through OpenSSL's own X509_verify_cert (a real store,
// not our code).
#include <openssl/pem.h>
#include <openssl/x509_vfy.h>
#include <sys/stat.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <memory>
#include <sstream>
#include <stdexcept>
#include <string>

#include "../temp_dir.hpp"

namespace meshmpc::net::tls::test {

using meshmpc::test::TempDir;

inline unsigned mode_of(const std::string& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) return 0xffffffff;
  return st.st_mode & 07777;
}

inline std::string slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

inline void spit(const std::string& path, const std::string& text, unsigned mode) {
  {
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out << text;
  }
  ::chmod(path.c_str(), mode);
}

// X509_verify_cert's verdict on `leaf_pem` with `ca_pem` as the only trust anchor,
// at `at` (now by default): X509_V_OK or the error code.
inline int verify_with_openssl(const std::string& leaf_pem, const std::string& ca_pem,
                               std::chrono::system_clock::time_point at = std::chrono::system_clock::now()) {
  const auto x509 = [](const std::string& pem) {
    std::unique_ptr<BIO, decltype(&BIO_free)> bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())), &BIO_free);
    return std::unique_ptr<X509, decltype(&X509_free)>(PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr),
                                                       &X509_free);
  };
  const auto leaf = x509(leaf_pem);
  const auto ca = x509(ca_pem);
  if (!leaf || !ca) return -1;
  std::unique_ptr<X509_STORE, decltype(&X509_STORE_free)> store(X509_STORE_new(), &X509_STORE_free);
  std::unique_ptr<X509_STORE_CTX, decltype(&X509_STORE_CTX_free)> ctx(X509_STORE_CTX_new(), &X509_STORE_CTX_free);
  if (!store || !ctx || X509_STORE_add_cert(store.get(), ca.get()) != 1 ||
      X509_STORE_CTX_init(ctx.get(), store.get(), leaf.get(), nullptr) != 1) {
    return -1;
  }
  X509_STORE_CTX_set_time(ctx.get(), 0, std::chrono::system_clock::to_time_t(at));
  const int ok = X509_verify_cert(ctx.get());
  return ok == 1 ? X509_V_OK : X509_STORE_CTX_get_error(ctx.get());
}

}  // namespace meshmpc::net::tls::test
