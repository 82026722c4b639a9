#pragma once
// SecFld<F>: a vector of secret field elements, as MPyC's SecFld types, but a
// whole batch at once (a scalar is a vector of one). Linear operations are local
// and written with operators; products and outputs go through the Session.
//
// A value belongs to the session that made it: it holds that session's field
// (Core::field_handle), so it stays readable after the session has ended, and
// operations on values of different sessions — e.g. a session and its
// sub_session over another prime of the same C++ type, whose shares would be
// silently reduced in the wrong field — are refused with a ConfigError naming
// both fields.
#include <meshmpc/error.hpp>
#include <meshmpc/runtime/core.hpp>

#include <memory>
#include <span>
#include <string>

namespace meshmpc {

// The secure type "elements of the session's field", as MPyC's SecFld: what
// Session's input, constant and random calls are told to make, e.g.
// s.random_bits(secfld(), 8).
struct secfld {};

template <FiniteField F>
class SecFld {
 public:
  using Element = typename F::Element;

  // This party's shares of a value of the session whose field this is (protocol
  // code passes protocols::core_of(s).field_handle(); ConfigError for a null field).
  SecFld(std::shared_ptr<const F> field, Shares<F> shares) : field_(std::move(field)), shares_(std::move(shares)) {
    if (!field_) throw ConfigError("a secure field value needs its session's field, got none");
  }

  const F& field() const { return *field_; }
  // The owning session's field: equal handles mean the same session.
  const std::shared_ptr<const F>& field_handle() const { return field_; }
  const Shares<F>& shares() const { return shares_; }
  std::span<const Element> view() const { return shares_; }
  std::size_t size() const { return shares_.size(); }

  // Entry i alone, and this value repeated `times` times: local.
  SecFld at(std::size_t i) const {
    if (i >= size())
      throw RangeError("entry " + std::to_string(i) + " of a secure vector of " + std::to_string(size()));
    return SecFld(field_, Shares<F>{shares_[i]});
  }
  SecFld repeated(std::size_t times) const {
    Shares<F> out;
    out.reserve(size() * times);
    for (std::size_t k = 0; k < times; ++k) out.insert(out.end(), shares_.begin(), shares_.end());
    return SecFld(field_, std::move(out));
  }

  // ConfigError unless `other` belongs to the same session as this value; names
  // both fields and the operation.
  void check_same_session(const SecFld& other, const char* op) const {
    if (field_ == other.field_) return;
    const std::string mine = field_->name(), theirs = other.field_->name();
    throw ConfigError(std::string("secure values of different sessions in '") + op + "': one over " + mine +
                      ", the other over " + theirs +
                      (mine == theirs ? " (the same field, but another session: its shares come from other keys)"
                                      : " (shares of one field mean nothing in the other)"));
  }

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
  friend SecFld operator*(const SecFld& a, Element c) { return c * a; }
  // Adding a public constant: every party adds it to its share.
  friend SecFld operator+(const SecFld& a, Element c) {
    SecFld r = a;
    for (auto& s : r.shares_) s = a.field().add(s, c);
    return r;
  }
  friend SecFld operator+(Element c, const SecFld& a) { return a + c; }
  friend SecFld operator-(const SecFld& a, Element c) { return a + a.field().neg(c); }
  friend SecFld operator-(Element c, const SecFld& a) { return -a + c; }
  SecFld& operator+=(const SecFld& b) { return *this = *this + b; }
  SecFld& operator-=(const SecFld& b) { return *this = *this - b; }

 private:
  std::span<const Element> checked(const SecFld& other, const char* op) const {
    other.check_same_session(*this, op);
    if (size() != other.size())
      throw RangeError(std::string("secure vectors of ") + std::to_string(other.size()) + " and " +
                       std::to_string(size()) + " elements in '" + op + "'");
    return view();
  }

  std::shared_ptr<const F> field_;
  Shares<F> shares_;
};

}  // namespace meshmpc
