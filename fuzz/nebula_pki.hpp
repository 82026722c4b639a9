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

// The v2 CAs of nebula_certificate_v2_fuzz, made once with nebula-cert 1.11.0
// (the seeds in corpus/nebula_certificate_v2 were signed by them):
//   nebula-cert ca -name fuzz-v2-ca -duration 876000h -groups mpc,admin
//     -networks 10.213.0.0/16,fd00:213::/64 -unsafe-networks 192.168.0.0/16,fd01::/48
//   nebula-cert ca -name fuzz-p256-ca -curve P256 -duration 876000h -groups mpc
inline constexpr std::string_view kNebulaV2CasPem = R"(
-----BEGIN NEBULA CERTIFICATE V2-----
MIHIoGKACmZ1enotdjItY2GhGgQFCtUAABAEEf0AAhMAAAAAAAAAAAAAAABAohoE
BcCoAAAQBBH9AQAAAAAAAAAAAAAAAAAAMKMMDANtcGMMBWFkbWluhAH/hQRrEigc
hgUBJwpGHIIgiM2DOSuL5x7YCsQiRbwUMKRzf2lAw4PAvtRLLrJzjWmDQOsFhHsK
ySmmJpfOqUPHAMa33IE/Pa8O+5BqdFrr11MJ0r9hH5Z7hIU8v+C/Uirzulw6/mXp
+6w43S8y1Xl1GgQ=
-----END NEBULA CERTIFICATE V2-----
-----BEGIN NEBULA CERTIFICATE V2-----
MIG2oCWADGZ1enotcDI1Ni1jYaMFDANtcGOEAf+FBGsSKB2GBQEnCkYdgQEBgkEE
mUQRdSMhE4gy/1pv0i4hHzDxBJ5kmK/VMq3nUVmkJuCjD+Nv9+BXNdvjIzi7ZAng
ny3lOPorSrQ+aecWrgO1sINHMEUCIQD2bw+Bn5xav9Xr5twBI1/+bd8sbUEDIVXR
0OYqMzVZngIgIZFSIunly+jvXgs80SXE5nT5RwzCmSf9fRXEtaJlnYw=
-----END NEBULA CERTIFICATE V2-----
)";

}  // namespace meshmpc::fuzz
