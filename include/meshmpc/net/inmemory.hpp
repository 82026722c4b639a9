#pragma once
// All parties in one process, each with its own io_context and thread: the hub
// holds one frame queue per ordered pair of parties, and a link wakes its reader
// by posting to the reader's executor. Used by tests and benchmarks of the
// runtime; frames are moved, never serialised (statistics still count the
// 12-byte header per frame, as a stream link would send it).
#include <cstddef>
#include <memory>

#include <meshmpc/net/transport.hpp>

namespace meshmpc::net {

class InMemoryHub {
 public:
  explicit InMemoryHub(std::size_t parties);

  std::size_t size() const;

  // The transport of party `party`; connect() on it waits (until the deadline)
  // for every party of the hub to connect, then returns links to all of them.
  // Each party may connect once. The hub may be destroyed before its transports.
  std::unique_ptr<Transport> transport(std::size_t party);

  struct State;

 private:
  std::shared_ptr<State> state_;
};

}  // namespace meshmpc::net
