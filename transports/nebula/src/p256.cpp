#include "p256.hpp"

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/obj_mac.h>
#include <openssl/param_build.h>

#include <memory>

#include <meshmpc/c_deleter.hpp>

namespace meshmpc::nebula::p256 {

namespace {

template <auto Free>
using Deleter = CDeleter<Free>;
using PkeyPtr = std::unique_ptr<EVP_PKEY, Deleter<EVP_PKEY_free>>;
using PkeyCtxPtr = std::unique_ptr<EVP_PKEY_CTX, Deleter<EVP_PKEY_CTX_free>>;
using MdCtxPtr = std::unique_ptr<EVP_MD_CTX, Deleter<EVP_MD_CTX_free>>;
using ParamBldPtr = std::unique_ptr<OSSL_PARAM_BLD, Deleter<OSSL_PARAM_BLD_free>>;
using ParamPtr = std::unique_ptr<OSSL_PARAM, Deleter<OSSL_PARAM_free>>;
using BignumPtr = std::unique_ptr<BIGNUM, Deleter<BN_free>>;
using SecretBignumPtr = std::unique_ptr<BIGNUM, Deleter<BN_clear_free>>;
using BnCtxPtr = std::unique_ptr<BN_CTX, Deleter<BN_CTX_free>>;
using GroupPtr = std::unique_ptr<EC_GROUP, Deleter<EC_GROUP_free>>;
using PointPtr = std::unique_ptr<EC_POINT, Deleter<EC_POINT_free>>;
using SigPtr = std::unique_ptr<ECDSA_SIG, Deleter<ECDSA_SIG_free>>;

const unsigned char* data_of(std::span<const std::byte> bytes) {
  return reinterpret_cast<const unsigned char*>(bytes.data());
}

// An EVP_PKEY for a P-256 public point, built from parameters (OpenSSL 3's
// provider API; the EC_KEY functions are deprecated).
PkeyPtr public_key(std::span<const std::byte> point) {
  const ParamBldPtr builder(OSSL_PARAM_BLD_new());
  if (!builder ||
      !OSSL_PARAM_BLD_push_utf8_string(builder.get(), OSSL_PKEY_PARAM_GROUP_NAME, SN_X9_62_prime256v1, 0) ||
      !OSSL_PARAM_BLD_push_octet_string(builder.get(), OSSL_PKEY_PARAM_PUB_KEY, point.data(), point.size())) {
    return nullptr;
  }
  const ParamPtr params(OSSL_PARAM_BLD_to_param(builder.get()));
  const PkeyCtxPtr ctx(EVP_PKEY_CTX_new_from_name(nullptr, "EC", nullptr));
  EVP_PKEY* key = nullptr;
  if (!params || !ctx || EVP_PKEY_fromdata_init(ctx.get()) != 1 ||
      EVP_PKEY_fromdata(ctx.get(), &key, EVP_PKEY_PUBLIC_KEY, params.get()) != 1) {
    return nullptr;
  }
  PkeyPtr owned(key);
  // fromdata does not by itself prove the point is on the curve.
  const PkeyCtxPtr check(EVP_PKEY_CTX_new_from_pkey(nullptr, owned.get(), nullptr));
  if (!check || EVP_PKEY_public_check(check.get()) != 1) return nullptr;
  return owned;
}

GroupPtr group() { return GroupPtr(EC_GROUP_new_by_curve_name(NID_X9_62_prime256v1)); }

}  // namespace

bool verify(std::span<const std::byte> point, std::span<const std::byte> message,
            std::span<const std::byte> signature) {
  const PkeyPtr key = public_key(point);
  const MdCtxPtr md(EVP_MD_CTX_new());
  const bool ok = key && md && EVP_DigestVerifyInit(md.get(), nullptr, EVP_sha256(), nullptr, key.get()) == 1 &&
                  EVP_DigestVerify(md.get(), data_of(signature), signature.size(), data_of(message), message.size()) == 1;
  // A failed check leaves reasons on this thread's queue: drop them so that they
  // never surface in a later, unrelated OpenSSL message.
  ERR_clear_error();
  return ok;
}

std::optional<std::vector<std::byte>> other_form(std::span<const std::byte> signature) {
  const unsigned char* in = data_of(signature);
  SigPtr sig(d2i_ECDSA_SIG(nullptr, &in, static_cast<long>(signature.size())));
  const GroupPtr curve = group();
  if (!sig || !curve || in != data_of(signature) + signature.size()) {
    ERR_clear_error();
    return std::nullopt;
  }
  const BIGNUM* order = EC_GROUP_get0_order(curve.get());
  const BIGNUM* s = ECDSA_SIG_get0_s(sig.get());
  if (BN_is_zero(s) || BN_is_negative(s) || BN_cmp(s, order) >= 0) return std::nullopt;
  BignumPtr r2(BN_dup(ECDSA_SIG_get0_r(sig.get())));
  BignumPtr s2(BN_new());
  if (!r2 || !s2 || !BN_sub(s2.get(), order, s)) return std::nullopt;
  if (ECDSA_SIG_set0(sig.get(), r2.get(), s2.get()) != 1) return std::nullopt;
  r2.release();  // now owned by sig
  s2.release();
  const int length = i2d_ECDSA_SIG(sig.get(), nullptr);
  if (length <= 0) return std::nullopt;
  std::vector<std::byte> out(static_cast<std::size_t>(length));
  unsigned char* write = reinterpret_cast<unsigned char*>(out.data());
  if (i2d_ECDSA_SIG(sig.get(), &write) != length) return std::nullopt;
  return out;
}

std::optional<std::vector<std::byte>> public_point(std::span<const std::byte> scalar) {
  const GroupPtr curve = group();
  const BnCtxPtr bn_ctx(BN_CTX_new());
  const SecretBignumPtr d(BN_secure_new());
  if (!curve || !bn_ctx || !d || !BN_bin2bn(data_of(scalar), static_cast<int>(scalar.size()), d.get())) {
    return std::nullopt;
  }
  if (BN_is_zero(d.get()) || BN_cmp(d.get(), EC_GROUP_get0_order(curve.get())) >= 0) return std::nullopt;
  const PointPtr point(EC_POINT_new(curve.get()));
  if (!point || EC_POINT_mul(curve.get(), point.get(), d.get(), nullptr, nullptr, bn_ctx.get()) != 1) {
    return std::nullopt;
  }
  std::vector<std::byte> out(65);
  if (EC_POINT_point2oct(curve.get(), point.get(), POINT_CONVERSION_UNCOMPRESSED,
                         reinterpret_cast<unsigned char*>(out.data()), out.size(), bn_ctx.get()) != out.size()) {
    return std::nullopt;
  }
  return out;
}

}  // namespace meshmpc::nebula::p256
