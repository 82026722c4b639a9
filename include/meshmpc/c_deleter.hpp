#pragma once
// A std::unique_ptr deleter that calls a C library's free function, so that
// OpenSSL's objects (EVP_PKEY_free, BN_free, ...) are owned like any other:
//   using PkeyPtr = std::unique_ptr<EVP_PKEY, CDeleter<EVP_PKEY_free>>;

namespace meshmpc {

template <auto Free>
struct CDeleter {
  template <typename T>
  void operator()(T* p) const noexcept {
    Free(p);
  }
};

}  // namespace meshmpc
