#pragma once
// Who takes part: the parties from -M, -P, -C or a transport plugin, this
// party's index, the ports and the threshold (not installed: steps of
// Parser::parse).
#include <boost/program_options/variables_map.hpp>

#include <meshmpc/cli/options.hpp>
#include <meshmpc/cli/transport_plugin.hpp>

namespace meshmpc::cli {

// Fills parties, index and addresses from -M, -I, -P and -C, checking that they agree.
void resolve_parties(const boost::program_options::variables_map& vm, RunOptions& o, const TransportPlugin* plugin);

// -B, and that the highest party's port it gives still is a port.
void check_base_port(RunOptions& o, const boost::program_options::variables_map& vm);

// -T, or the largest threshold with an honest majority: 2t < M.
void resolve_threshold(const boost::program_options::variables_map& vm, RunOptions& o);

}  // namespace meshmpc::cli
