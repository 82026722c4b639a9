#pragma once
// Received<F>: field elements a peer sent, checked, as a read-only view. Where the
// field's wire form is its memory (Fp64 at 8 bytes per element) the view reads
// the message's own buffer, so a large batch is not copied again after the
// network's read; otherwise it reads a decoded vector (Core::receive_view).
#include <meshmpc/net/frame.hpp>

#include <cstddef>
#include <span>
#include <utility>
#include <vector>

namespace meshmpc {

template <class F>
class Received {
 public:
  using Element = typename F::Element;

  Received() = default;
  // Elements viewed in `wire`, which the Received now holds.
  Received(net::Payload wire, std::span<const Element> view) : wire_(std::move(wire)), view_(view) {}
  // Elements decoded into a vector of their own.
  explicit Received(std::vector<Element> decoded) : decoded_(std::move(decoded)), view_(decoded_) {}

  // Moving keeps the view: a vector's move hands over its buffer.
  Received(Received&&) noexcept = default;
  Received& operator=(Received&&) noexcept = default;
  Received(const Received&) = delete;
  Received& operator=(const Received&) = delete;

  std::span<const Element> elements() const { return view_; }
  operator std::span<const Element>() const { return view_; }
  std::size_t size() const { return view_.size(); }
  const Element& operator[](std::size_t i) const { return view_[i]; }

 private:
  net::Payload wire_;
  std::vector<Element> decoded_;
  std::span<const Element> view_;
};

}  // namespace meshmpc
