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
//
// A scope also keeps the communication depth (rounds) of the work done under it,
// in a cell shared by its copies: a child's cell starts at its parent's depth when
// the child is taken, count_rounds adds to the child's own cell, and every parent
// is raised to the largest depth among its children (the cells are only ever
// raised, and a child never holds more than its parent). Work issued one after
// another on one scope therefore adds up — the second child is taken after the
// first has counted — while children taken before either runs, as both operands
// of `co_await (a && b)`, start at the same depth and leave the parent at their
// maximum. As the labels, the figure depends only on the program order, never on
// the scheduling or the transport: a count happens in the operation's own body.
// Not thread-safe, as the Core a scope serves (one io_context, one thread).
#include <cstdint>
#include <memory>
#include <utility>

namespace meshmpc {

class Scope {
 public:
  using Label = std::uint64_t;

  // A root scope: its own depth cell, at depth 0.
  explicit Scope(Label label) : label_(label), cell_(std::make_shared<DepthCell>(DepthCell{0, nullptr})) {}

  Label label() const { return label_; }

  // A fresh child scope; successive calls give distinct children. Its depth starts
  // at this scope's depth now and is counted into this scope as it grows (one
  // small allocation: the child's depth cell).
  Scope child() {
    return Scope(mix(label_, next_++), std::make_shared<DepthCell>(DepthCell{cell_->depth, cell_}));
  }
  // The label of the next message exchange of this scope (a child's label, with
  // no depth cell of its own: exchanges counted here count in this scope).
  Label next_label() { return mix(label_, next_++); }

  // The communication depth reached under this scope: the rounds of the longest
  // chain of exchanges issued through it (and its children), counted from the
  // root's start.
  std::uint64_t rounds() const { return cell_->depth; }
  // `r` more rounds, one after another, on this scope's chain. A protocol counts
  // the rounds of the exchanges it runs on its own labels (next_label); what it
  // runs on a child counts there. Exchanges a protocol runs at once count once.
  void count_rounds(std::uint64_t r) {
    const std::uint64_t d = cell_->depth += r;
    // The parents already at d or more stop the walk: theirs hold at least as much.
    for (DepthCell* p = cell_->parent.get(); p != nullptr && p->depth < d; p = p->parent.get()) p->depth = d;
  }
  // What `before` did counts as done before whatever this scope does next: this
  // scope's depth is raised to before's. For work that waits on a result issued
  // under another scope (not a parent) that was taken before this one.
  void count_after(const Scope& before) {
    if (before.rounds() > rounds()) count_rounds(before.rounds() - rounds());
  }

 private:
  // The depth of one scope's chain, shared by its copies; parent: where it counts.
  struct DepthCell {
    std::uint64_t depth;
    std::shared_ptr<DepthCell> parent;
  };

  Scope(Label label, std::shared_ptr<DepthCell> cell) : label_(label), cell_(std::move(cell)) {}

  // splitmix64's finalizer over (parent, index): a bijection of the 64-bit state.
  static Label mix(Label parent, std::uint64_t index) {
    Label z = parent + 0x9e3779b97f4a7c15ULL * (index + 1);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
  }

  Label label_;
  std::uint64_t next_ = 0;
  std::shared_ptr<DepthCell> cell_;
};

}  // namespace meshmpc
