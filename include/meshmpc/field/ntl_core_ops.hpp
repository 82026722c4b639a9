#pragma once
// The scalar arithmetic every NTL-backed field core shares (NtlFieldCore,
// NtlGF2ECore, NtlZZpECore): NTL's element types (ZZ_p, GF2E, ZZ_pE) have the same
// procedural API, so each operation is one body here — make the field's modulus
// NTL's current one (the core's enter()) and call NTL. Inline, as these are the hot
// path of every protocol over those fields. A core derives from
// NtlCoreOps<itself, its element> and may hide an operation with a cheaper one
// (GF(2^d): sub is add, neg is the identity).
#include <meshmpc/error.hpp>

// The three element types: NTL's functions are named qualified here, so their
// overloads must be declared before these templates.
#include <NTL/GF2E.h>
#include <NTL/ZZ_p.h>
#include <NTL/ZZ_pE.h>

#include <string>

namespace meshmpc {

template <class Core, class E>
class NtlCoreOps {
 public:
  using Element = E;

  Element zero() const { return Element(); }
  bool is_zero(const Element& a) const { return NTL::IsZero(a) != 0; }
  Element one() const {
    const auto g = core().enter();
    Element r;
    NTL::set(r);
    return r;
  }

  Element add(const Element& a, const Element& b) const {
    const auto g = core().enter();
    Element r;
    NTL::add(r, a, b);
    return r;
  }
  Element sub(const Element& a, const Element& b) const {
    const auto g = core().enter();
    Element r;
    NTL::sub(r, a, b);
    return r;
  }
  Element neg(const Element& a) const {
    const auto g = core().enter();
    Element r;
    NTL::negate(r, a);
    return r;
  }
  Element mul(const Element& a, const Element& b) const {
    const auto g = core().enter();
    Element r;
    NTL::mul(r, a, b);
    return r;
  }
  // Throws RangeError for 0.
  Element inv(const Element& a) const {
    if (is_zero(a)) throw RangeError("inverse of 0 in " + core().name());
    const auto g = core().enter();
    Element r;
    NTL::inv(r, a);
    return r;
  }

 private:
  const Core& core() const { return static_cast<const Core&>(*this); }
};

}  // namespace meshmpc
