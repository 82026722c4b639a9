#pragma once
// The field layer: the field concepts and the shipped fields (Fp64, the default;
// Fp127; NtlField for any prime; NtlGF2E for GF(2^d); NtlZZpE for GF(p^d)).
#include <meshmpc/field/fp127.hpp>
#include <meshmpc/field/fp64.hpp>
#include <meshmpc/field/ntl_field.hpp>
#include <meshmpc/field/ntl_gf2e.hpp>
#include <meshmpc/field/ntl_zzpe.hpp>
#include <meshmpc/field/prime_field.hpp>
