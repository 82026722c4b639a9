#pragma once
// SecFld<F>: a vector of secret field elements, as MPyC's SecFld types, but a
// whole batch at once (a scalar is a vector of one). Linear operations are local
// and written with operators; products and outputs go through the Session.
#include <meshmpc/error.hpp>
#include <meshmpc/runtime/core.hpp>

#include <span>
#include <string>

namespace meshmpc {

template <FiniteField F>
class SecFld {
 public:
  using Element = typename F::Element;

  SecFld(const F& field, Shares<F> shares) : field_(&field), shares_(std::move(shares)) {}

  const F& field() const { return *field_; }
  const Shares<F>& shares() const { return shares_; }
  std::span<const Element> view() const { return shares_; }
  std::size_t size() const { return shares_.size(); }

  friend SecFld operator+(const SecFld& a, const SecFld& b) {
    SecFld r = a;
    a.field().add(std::span<Element>(r.shares_), a.view(), b.checked(a, "+"));
    return r;
  }
  friend SecFld operator-(const SecFld& a, const SecFld& b) {
    SecFld r = a;
    a.field().sub(std::span<Element>(r.shares_), a.view(), b.checked(a, "-"));
    return r;
  }
  friend SecFld operator-(const SecFld& a) {
    SecFld r = a;
    a.field().neg(std::span<Element>(r.shares_), a.view());
    return r;
  }
  // Multiplication by a public constant: local.
  friend SecFld operator*(Element c, const SecFld& a) {
    SecFld r = a;
    a.field().scale(std::span<Element>(r.shares_), c, a.view());
    return r;
  }
  // Adding a public constant: every party adds it to its share.
  friend SecFld operator+(const SecFld& a, Element c) {
    SecFld r = a;
    for (auto& s : r.shares_) s = a.field().add(s, c);
    return r;
  }

 private:
  std::span<const Element> checked(const SecFld& other, const char* op) const {
    if (size() != other.size())
      throw RangeError(std::string("secure vectors of ") + std::to_string(other.size()) + " and " +
                       std::to_string(size()) + " elements in '" + op + "'");
    return view();
  }

  const F* field_;
  Shares<F> shares_;
};

}  // namespace meshmpc
