#pragma once
// Who may join and how the links are protected: the session secret, TLS and
// its files, and the rule against plaintext beyond this machine (not installed:
// steps of Parser::parse).
#include <boost/program_options/variables_map.hpp>

#include <meshmpc/cli/options.hpp>
#include <meshmpc/net/roster.hpp>

namespace meshmpc::cli {

// The passphrase from --session-secret-file, --session-secret or the environment,
// and the local launcher's key for its children (session_secret.hpp).
void read_session_secret(const boost::program_options::variables_map& vm, RunOptions& o);

// --ssl and its files, and no plaintext beyond this machine unless asked for.
void check_security(const boost::program_options::variables_map& vm, RunOptions& o, const net::Roster& roster);

}  // namespace meshmpc::cli
