#pragma once
// Free TCP ports on 127.0.0.1 for a local launch's parties. Private to the cli.
#include <cstddef>
#include <cstdint>
#include <vector>

namespace meshmpc::cli {

// n distinct ports that were free a moment ago: bind port 0, read the port back,
// with every socket open until all are read. Another process could still take one
// before the party binds it (the usual race of this method). Throws Error.
std::vector<std::uint16_t> pick_free_ports(std::size_t n);

}  // namespace meshmpc::cli
