#pragma once
// The sharing layer in one include: the PRG/PRF, Shamir sharing, Lagrange
// coefficients and PRSS.
#include <meshmpc/sharing/lagrange.hpp>
#include <meshmpc/sharing/prg.hpp>
#include <meshmpc/sharing/prss.hpp>
#include <meshmpc/sharing/shamir.hpp>
#include <meshmpc/sharing/subsets.hpp>
