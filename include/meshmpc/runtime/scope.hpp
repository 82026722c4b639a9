#pragma once
// Scope: deterministic message labels (DESIGN principle 3). A label names one
// message exchange; every party must derive the same label for the same step of
// the same program, whatever order its coroutines happen to run in.
//
// As MPyC's program counters, labels are hierarchical: a scope has a label and a
// counter of children; child() is taken when an operation is *issued* (in program
// order, before any suspension), and the operation derives all of its own labels
// from that child. The path (root, i1, i2, ...) is folded into 64 bits with a
// bijective mixer, so distinct paths collide with probability ~2^-64 per pair of
// labels pending at once; a collision would be detected by the network as a
// duplicate label, never silently mixed up.
#include <cstdint>

namespace meshmpc {

class Scope {
 public:
  using Label = std::uint64_t;

  explicit Scope(Label label) : label_(label) {}

  Label label() const { return label_; }

  // A fresh child scope; successive calls give distinct children.
  Scope child() { return Scope(mix(label_, next_++)); }
  // The label of the next message exchange of this scope (a child's label).
  Label next_label() { return child().label(); }

 private:
  // splitmix64's finalizer over (parent, index): a bijection of the 64-bit state.
  static Label mix(Label parent, std::uint64_t index) {
    Label z = parent + 0x9e3779b97f4a7c15ULL * (index + 1);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
  }

  Label label_;
  std::uint64_t next_ = 0;
};

}  // namespace meshmpc
