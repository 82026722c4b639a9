#pragma once
// A fixed PKI for the Nebula fuzz targets, made once with nebula-cert 1.6.1 (the
// seeds in corpus/nebula_* were made with the same CA):
//   nebula-cert ca -name fuzz-ca -duration 876000h -groups mpc,admin \
//     -ips 10.213.0.0/16 -subnets 192.168.0.0/16
//   nebula-cert sign -name alice -ip 10.213.0.1/16 -groups mpc
// Fixed here rather than made per run so that a crash reproduces from its input alone.
#include <string_view>

namespace meshmpc::fuzz {

inline constexpr std::string_view kNebulaCaPem = R"(
-----BEGIN NEBULA CERTIFICATE-----
ClwKB2Z1enotY2ESCYCA1FaAgPz/DxoKgICghQyAgPz/DyIDbXBjIgVhZG1pbijG
vMfYBjDG+Ke4EjogQzdfCXaPyRq11tZMy4l0Ht8VjMFwtlKeqp5ruWMYmOtAARJA
J7vFqnuGZXOqdeKtPxFl7bxEU1fzHMMl19ivUNnJMKyYlYDFgJ5v0SK4TAFlYKpT
SwhfEbt7+xyY2bU16DonAQ==
-----END NEBULA CERTIFICATE-----
)";

inline constexpr std::string_view kNebulaAlicePem = R"(
-----BEGIN NEBULA CERTIFICATE-----
CmcKBWFsaWNlEgmBgNRWgID8/w8iA21wYyjGvMfYBjDF+Ke4Ejog8j/j9aUxlJRg
QQYvuyXTrrZa4KJVfhiDFxTIsUKg4k1KIJ5WQF+dpzj0wMYuFrzbHGg2D5KPu+EW
gcTWvJPVEzsoEkBKhlcEMJu/j785pl26Tm0KfKPhBBN+avUNGBp10iZqZTn0DkIT
Grbmbg0zP2xShfQSpLr16Yux9LgmbvVMDwwM
-----END NEBULA CERTIFICATE-----
)";

}  // namespace meshmpc::fuzz
